package dev.keyhole.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keyhole.testing.BrowserScript;
import dev.keyhole.testing.ChatClient;
import dev.keyhole.testing.Deployments;
import dev.keyhole.testing.ItPki;
import dev.keyhole.testing.Tls;
import dev.keyhole.testing.WsClient;
import java.util.Map;
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
            Map<String, String> environment = new java.util.HashMap<>(Map.of("KEYHOLE_URL",
                    BrowserScript.base(Deployments.https("")), "KEYHOLE_ROOM", room));
            environment.putAll(BrowserScript.certificate("KEYHOLE_ADMIN_P12", ItPki.client("root")));
            environment.putAll(BrowserScript.certificate("KEYHOLE_USER_P12", ItPki.client("alice")));

            BrowserScript.run("admin.test.mjs", environment);

            assertEquals(new WsClient.Close(4001, "admin-disconnect"), carol.awaitClose());
        }
    }
}
