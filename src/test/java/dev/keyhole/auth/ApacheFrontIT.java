package dev.keyhole.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.keyhole.testing.Deployments;
import dev.keyhole.testing.ItPki;
import dev.keyhole.testing.RawHandshake;
import dev.keyhole.testing.RawHandshake.Response;
import dev.keyhole.testing.ServerLog;
import dev.keyhole.testing.Target;
import dev.keyhole.testing.Tls;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the Apache front (server-config/apache) adds in front of Keyhole: it forwards the certificate it verified
 * and the client's address, and nothing a client says about either; it refuses clients without SNI.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ApacheFrontIT {

    private final Target target = Target.current();

    @Deployment(testable = false)
    static WebArchive keyhole() {
        return Deployments.builtWar();
    }

    private static JsonObject whoami(Response response) {
        assertEquals(101, response.status(), response.body());
        return Json.createReader(new StringReader(response.firstText())).readObject();
    }

    @Test
    void the_certificate_apache_verified_reaches_keyhole_as_the_identity() throws Exception {
        ServerLog log = target.log();

        JsonObject alice = whoami(RawHandshake.send(Tls.withCertificate(ItPki.client("alice")), null, target.httpsPort(),
                "/whoami", Map.of(), true));

        assertEquals("CN=alice,O=Keyhole IT", alice.getString("subject"));
        log.awaitLine(Pattern.compile("event=auth decision=accept reason=certificate .*remote=127.0.0.1 proxy=127.0.0.1 .*"
                + "path=/whoami .*source=proxy subject=\"CN=alice"), Duration.ofSeconds(20));
    }

    @Test
    void a_client_cert_header_sent_by_a_client_counts_for_nothing() throws Exception {
        // Without a certificate of her own: anonymous, not alice.
        JsonObject anonymous = whoami(RawHandshake.send(Tls.anonymous(), null, target.httpsPort(), "/whoami",
                Map.of("Client-Cert", ItPki.clientCertHeader("alice")), true));
        assertEquals(false, anonymous.getBoolean("authenticated"));

        // With her own certificate, claiming to be bob: still alice.
        JsonObject alice = whoami(RawHandshake.send(Tls.withCertificate(ItPki.client("alice")), null, target.httpsPort(),
                "/whoami", Map.of("Client-Cert", ItPki.clientCertHeader("bob")), true));
        assertEquals("alice", alice.getString("commonName"));
    }

    @Test
    void an_x_forwarded_for_sent_by_a_client_counts_for_nothing() throws Exception {
        // chat admits loopback only: a client's claim to be 203.0.113.9 must not reach Keyhole.
        ServerLog log = target.log();

        Response chat = RawHandshake.send(Tls.withCertificate(ItPki.client("alice")), target.httpsPort(), "/chat/front",
                Map.of("X-Forwarded-For", "203.0.113.9"));

        assertNotEquals("address-not-allowed", chat.body().strip());
        log.awaitLine(Pattern.compile("event=auth decision=accept .*remote=127.0.0.1 .*path=/chat/front"), Duration.ofSeconds(20));
    }

    @Test
    void a_client_without_sni_is_refused() throws Exception {
        // The JDK sends no SNI for "localhost" unless told to (RawHandshake is told to).
        try (SSLSocket socket = (SSLSocket) Tls.anonymous().getSocketFactory().createSocket("localhost", target.httpsPort())) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            String statusLine = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1).lines()
                    .findFirst().orElse("");

            assertEquals("HTTP/1.1 403 Forbidden", statusLine);
        }
    }
}
