package dev.keyhole.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.testing.Command;
import dev.keyhole.testing.Deployments;
import dev.keyhole.testing.ItPki;
import dev.keyhole.testing.RawHandshake;
import dev.keyhole.testing.RawHandshake.Response;
import dev.keyhole.testing.ServerLog;
import dev.keyhole.testing.Target;
import dev.keyhole.testing.Tls;
import dev.keyhole.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Client-certificate authentication on the target under test over wss, with the setup failsafe gives the servers
 * (pom.xml): the test CA's CRL, chat admitting alice, bob, carol and *@ops.keyhole.test from loopback, alice as
 * operator. Behind the Apache front the same matrix holds, with the front checking the certificate first: where
 * it refuses, it answers like Keyhole would (or, for a revoked certificate, fails the TLS handshake).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AuthenticationIT {

    private static final Duration LOG_TIMEOUT = Duration.ofSeconds(20);

    private final Target target = Target.current();

    @Deployment(testable = false)
    static WebArchive keyhole() {
        return Deployments.builtWar();
    }

    private Response handshake(String path, Path p12) throws Exception {
        return RawHandshake.send(p12 == null ? Tls.anonymous() : Tls.withCertificate(p12), target.httpsPort(), path, Map.of());
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    @Test
    void a_trusted_certificate_gets_101_and_the_endpoint_sees_its_identity() throws Exception {
        X509Certificate alice = ItPki.clientCertificate("alice");
        try (WsClient client = WsClient.connect(target.wss("/whoami"), Tls.withCertificate(ItPki.client("alice")))) {
            JsonObject identity = json(client.nextText());

            assertEquals(true, identity.getBoolean("authenticated"));
            assertEquals("alice", identity.getString("commonName"));
            assertEquals("CN=alice,O=Keyhole IT", identity.getString("subject"));
            assertEquals("CN=Keyhole IT CA,O=Keyhole IT", identity.getString("issuer"));
            assertEquals(ClientIdentity.serial(alice), identity.getString("serial"));
            assertEquals(ClientIdentity.fingerprint(alice), identity.getString("fingerprint"));
            assertEquals("[\"operator\"]", identity.getJsonArray("roles").toString());
        }
    }

    @Test
    void every_decision_is_in_the_audit_log() throws Exception {
        ServerLog log = ServerLog.fromNow();

        handshake("/whoami", ItPki.client("alice"));
        // A path no location covers needs a certificate (keyhole.auth.default-certificate); unlike /chat, an Apache
        // front passes it on, so Keyhole decides and logs on every target.
        handshake("/vault", null);

        String source = target.isBehindProxy() ? "proxy" : "tls";
        log.awaitLine(Pattern.compile("event=auth decision=accept reason=certificate .* path=/whoami location=whoami source=" + source
                + " subject=\"CN=alice,O=Keyhole IT\" .* serial=" + ClientIdentity.serial(ItPki.clientCertificate("alice"))
                + " fingerprint=" + ClientIdentity.fingerprint(ItPki.clientCertificate("alice"))), LOG_TIMEOUT);
        log.awaitLine(Pattern.compile("event=auth decision=reject reason=no-certificate .* remote=127.0.0.1 .* path=/vault"),
                LOG_TIMEOUT);
    }

    @Test
    void no_certificate_on_a_required_path_gets_403_no_certificate() throws Exception {
        Response response = handshake("/chat/lobby", null);

        assertEquals(403, response.status());
        assertEquals("no-certificate", response.body().strip());
    }

    @Test
    void no_certificate_on_echo_gets_101() throws Exception {
        assertEquals(101, handshake("/echo", null).status());
    }

    @Test
    void a_revoked_certificate_is_refused_on_every_path() throws Exception {
        for (String path : List.of("/chat/lobby", "/echo")) {
            if (target.isBehindProxy()) {
                // The front checks the CRL in the TLS handshake itself.
                assertThrows(IOException.class, () -> handshake(path, ItPki.client("rita")), path);
            } else {
                // rita passes the TLS handshake (the JDK's trust manager checks no CRL); Keyhole refuses her.
                assertEquals("revoked\n", handshake(path, ItPki.client("rita")).body(), path);
            }
        }
    }

    @Test
    void a_subject_the_location_does_not_admit_gets_403_subject_not_allowed() throws Exception {
        Response dave = handshake("/chat/lobby", ItPki.client("dave"));

        assertEquals(403, dave.status());
        assertEquals("subject-not-allowed\n", dave.body());
        assertEquals(101, handshake("/echo", ItPki.client("dave")).status(), "dave is welcome where subjects are not limited");
    }

    @Test
    void admitted_subjects_pass_the_filter_on_a_required_path() throws Exception {
        // The chat endpoint does not exist yet: passing the filter shows as anything but 403.
        assertNotEquals(403, handshake("/chat/lobby", ItPki.client("alice")).status());
        assertNotEquals(403, handshake("/chat/lobby", ItPki.client("erin")).status(), "admitted by her e-mail address");
    }

    @Test
    void an_open_session_is_closed_with_1008_when_its_certificate_is_revoked_and_the_crl_replaced() throws Exception {
        // Each target's run has a victim of its own: the CRL is shared by the whole build.
        String victim = "victim-" + target.id();
        try (WsClient session = WsClient.connect(target.wss("/whoami"), Tls.withCertificate(ItPki.client(victim)))) {
            assertEquals(victim, json(session.nextText()).getString("commonName"));

            Command.Result revoked = Command.run(List.of("bash", System.getProperty("keyhole.it.pki.tool"),
                    "-d", ItPki.keyhole().toString(), "revoke", victim), Duration.ofSeconds(60));
            assertEquals(0, revoked.exitCode(), revoked.output());

            assertEquals(new WsClient.Close(1008, "revoked"), session.awaitClose());
        }
        // Keyhole re-read the CRL; a front that read it at startup lets the certificate through to Keyhole.
        Response again = handshake("/whoami", ItPki.client(victim));
        assertEquals("revoked\n", again.body());
        assertFalse(again.status() == 101);
        assertTrue(Files.readString(ItPki.keyhole().resolve("crl.pem")).contains("BEGIN X509 CRL"));
    }
}
