package dev.keyhole.chat;

import dev.keyhole.testing.BrowserScript;
import dev.keyhole.testing.Deployments;
import dev.keyhole.testing.ItPki;
import java.util.Map;
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
        Map<String, String> environment = new java.util.HashMap<>(BrowserScript.certificate("KEYHOLE_P12", ItPki.client("alice")));
        environment.put("KEYHOLE_URL", BrowserScript.base(Deployments.https("")));

        BrowserScript.run("chat.test.mjs", environment);
    }
}
