package dev.keyhole.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.testing.Deployments;
import dev.keyhole.testing.ItPki;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The browser client in real headless Chromium (Debian's chromium driven by playwright-core, see
 * src/test/browser/chat.test.mjs), with alice's client certificate given to the browser: the page shows her
 * identity, joins a room, sends and receives a message, echoes; without a certificate it explains the import.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ChatPageIT {

    @Deployment(testable = false)
    static WebArchive keyhole() {
        return Deployments.builtWar();
    }

    @Test
    void the_page_signs_in_with_the_certificate_joins_a_room_sends_receives_and_echoes_in_chromium() throws Exception {
        Path p12 = ItPki.client("alice");
        ProcessBuilder node = new ProcessBuilder("node", "chat.test.mjs")
                .directory(Path.of("src/test/browser").toFile())
                .redirectErrorStream(true);
        Map<String, String> environment = node.environment();
        String url = Deployments.https("").toString();
        environment.put("KEYHOLE_URL", url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        environment.put("KEYHOLE_P12", p12.toString());
        environment.put("KEYHOLE_P12_PASSWORD", new String(ItPki.password(p12)));
        environment.put("KEYHOLE_SCREENSHOTS", Path.of("target/it-logs").toAbsolutePath().toString());

        Process process = start(node);
        boolean done = process.waitFor(3, TimeUnit.MINUTES);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!done) {
            process.destroyForcibly();
        }

        assertTrue(done, "the browser test did not finish in 3 minutes:\n" + output);
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("browser test passed"), output);
    }

    private static Process start(ProcessBuilder node) throws IOException {
        try {
            return node.start();
        } catch (IOException e) {
            throw new IOException("cannot run node: the browser test needs Node.js and Chromium (.ci/run installs them)", e);
        }
    }
}
