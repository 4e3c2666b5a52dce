package dev.keyhole.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the browser tests in src/test/browser (Node.js driving Debian's Chromium through playwright-core) to
 * its end and asserts that it passed: exit status 0 and "browser test passed". Screenshots go to target/it-logs.
 */
public final class BrowserScript {

    private BrowserScript() {
    }

    /** The base URL of a server for KEYHOLE_URL: https://localhost:PORT, without a trailing slash. */
    public static String base(java.net.URI https) {
        String url = https.toString();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** The variables that give the browser the certificate in {@code p12}, named {@code PREFIX} and {@code PREFIX_PASSWORD}. */
    public static Map<String, String> certificate(String prefix, Path p12) {
        return Map.of(prefix, p12.toString(), prefix + "_PASSWORD", new String(ItPki.password(p12)));
    }

    /** Runs {@code script} with these variables (and KEYHOLE_SCREENSHOTS) and asserts that it passed; its output. */
    public static String run(String script, Map<String, String> environment) throws IOException, InterruptedException {
        ProcessBuilder node = new ProcessBuilder("node", script).directory(Path.of("src/test/browser").toFile())
                .redirectErrorStream(true);
        Map<String, String> variables = new HashMap<>(environment);
        variables.putIfAbsent("KEYHOLE_SCREENSHOTS", Path.of("target/it-logs").toAbsolutePath().toString());
        node.environment().putAll(variables);
        Process process;
        try {
            process = node.start();
        } catch (IOException e) {
            throw new IOException("cannot run node: the browser tests need Node.js and Chromium (.ci/run installs them)", e);
        }
        Process started = process;
        java.util.concurrent.CompletableFuture<String> read = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(started.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(output not readable: " + e + ")";
            }
        });
        boolean done = process.waitFor(3, TimeUnit.MINUTES);
        if (!done) {
            process.destroyForcibly();
        }
        String output = read.join();
        assertTrue(done, script + " did not finish in 3 minutes:\n" + output);
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("browser test passed"), output);
        return output;
    }
}
