package dev.keyhole.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.testing.ChatClient;
import dev.keyhole.testing.Deployments;
import dev.keyhole.testing.ItPki;
import dev.keyhole.testing.Tls;
import dev.keyhole.testing.WsClient;
import java.io.IOException;
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
 * The admin page in real headless Chromium (src/test/browser/admin.test.mjs) with root's certificate (role admin):
 * it finds carol's chat connection by its room and disconnects it after asking; carol's client is closed 4001. A
 * certificate without the role (alice's) gets the refusal, not the page.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AdminPageIT {

    @Deployment(testable = false)
    static WebArchive keyhole() {
        return Deployments.builtWar();
    }

    @Test
    void the_admin_page_finds_a_connection_and_disconnects_it_after_asking_and_refuses_a_non_admin_in_chromium()
            throws Exception {
        String room = "admin-page";
        try (ChatClient carol = ChatClient.join(Deployments.wss("/chat/" + room), Tls.withCertificate(ItPki.client("carol")))) {
            Path admin = ItPki.client("root");
            Path user = ItPki.client("alice");
            ProcessBuilder node = new ProcessBuilder("node", "admin.test.mjs").directory(Path.of("src/test/browser").toFile())
                    .redirectErrorStream(true);
            Map<String, String> environment = node.environment();
            String url = Deployments.https("").toString();
            environment.put("KEYHOLE_URL", url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            environment.put("KEYHOLE_ROOM", room);
            environment.put("KEYHOLE_ADMIN_P12", admin.toString());
            environment.put("KEYHOLE_ADMIN_P12_PASSWORD", new String(ItPki.password(admin)));
            environment.put("KEYHOLE_USER_P12", user.toString());
            environment.put("KEYHOLE_USER_P12_PASSWORD", new String(ItPki.password(user)));
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
            assertEquals(new WsClient.Close(4001, "admin-disconnect"), carol.awaitClose());
        }
    }

    private static Process start(ProcessBuilder node) throws IOException {
        try {
            return node.start();
        } catch (IOException e) {
            throw new IOException("cannot run node: the browser test needs Node.js and Chromium (.ci/run installs them)", e);
        }
    }
}
