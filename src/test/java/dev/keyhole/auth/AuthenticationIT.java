package dev.keyhole.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.testing.Command;
import dev.keyhole.testing.Deployments;
import dev.keyhole.testing.ItPki;
import dev.keyhole.testing.RawHandshake;
import dev.keyhole.testing.RawHandshake.Response;
import dev.keyhole.testing.ServerLog;
import dev.keyhole.testing.Tls;
import dev.keyhole.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.InputStream;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.URL;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Client-certificate authentication on a real Payara Micro over wss, with the setup failsafe gives the servers
 * (pom.xml): the test CA's CRL, chat admitting alice, bob, carol and *@ops.keyhole.test from loopback, alice as
 * operator, and 127.0.0.2 as a trusted TLS-terminating proxy.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AuthenticationIT {

    private static final InetAddress PROXY = loopback(2);
    private static final Duration LOG_TIMEOUT = Duration.ofSeconds(20);

    @ArquillianResource
    private URL deployed;

    @Deployment(testable = false)
    static WebArchive keyhole() {
        return Deployments.builtWar();
    }

    private static InetAddress loopback(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private String path(String path) {
        return Deployments.wss(deployed, path).getRawPath();
    }

    private Response handshake(String path, Path p12) throws Exception {
        return RawHandshake.send(p12 == null ? Tls.anonymous() : Tls.withCertificate(p12), Deployments.httpsPort(), path(path), Map.of());
    }

    private Response viaProxy(String path, Map<String, String> headers) throws Exception {
        return RawHandshake.send(Tls.anonymous(), PROXY, Deployments.httpsPort(), path(path), headers, true);
    }

    private static X509Certificate certificate(String client) throws Exception {
        try (InputStream in = Files.newInputStream(ItPki.keyhole().resolve("clients/" + client + ".crt"))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static String clientCertHeader(String client) throws Exception {
        return ":" + Base64.getEncoder().encodeToString(certificate(client).getEncoded()) + ":";
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    @Test
    void a_trusted_certificate_gets_101_and_the_endpoint_sees_its_identity() throws Exception {
        X509Certificate alice = certificate("alice");
        try (WsClient client = WsClient.connect(Deployments.wss(deployed, "/whoami"), Tls.withCertificate(ItPki.client("alice")))) {
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
        handshake("/chat/lobby", null);

        log.awaitLine(Pattern.compile("event=auth decision=accept reason=certificate .* path=/whoami location=whoami source=tls"
                + " subject=\"CN=alice,O=Keyhole IT\" .* serial=" + ClientIdentity.serial(certificate("alice"))
                + " fingerprint=" + ClientIdentity.fingerprint(certificate("alice"))), LOG_TIMEOUT);
        log.awaitLine(Pattern.compile("event=auth decision=reject reason=no-certificate .* remote=127.0.0.1 .* path=/chat/lobby"),
                LOG_TIMEOUT);
    }

    @Test
    void no_certificate_on_a_required_path_gets_403_no_certificate() throws Exception {
        Response response = handshake("/chat/lobby", null);

        assertEquals(403, response.status());
        assertEquals("no-certificate\n", response.body());
    }

    @Test
    void no_certificate_on_echo_gets_101() throws Exception {
        assertEquals(101, handshake("/echo", null).status());
    }

    @Test
    void a_revoked_certificate_gets_403_revoked_on_every_path() throws Exception {
        // rita passes the TLS handshake (the JDK's trust manager checks no CRL); Keyhole refuses her.
        assertEquals("revoked\n", handshake("/chat/lobby", ItPki.client("rita")).body());
        assertEquals("revoked\n", handshake("/echo", ItPki.client("rita")).body());
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
    void a_forged_client_cert_header_from_a_non_proxy_address_is_ignored_logged_and_refused() throws Exception {
        ServerLog log = ServerLog.fromNow();

        Response forged = RawHandshake.send(Tls.anonymous(), Deployments.httpsPort(), path("/chat/lobby"),
                Map.of("Client-Cert", clientCertHeader("alice")));

        assertEquals(403, forged.status());
        assertEquals("no-certificate\n", forged.body());
        log.awaitLine(Pattern.compile("event=auth.forwarded-header-ignored remote=127.0.0.1 path=/chat/lobby"), LOG_TIMEOUT);
    }

    @Test
    void a_certificate_forwarded_by_the_trusted_proxy_is_accepted_as_the_clients_identity() throws Exception {
        Response response = viaProxy("/whoami", Map.of("Client-Cert", clientCertHeader("alice")));

        assertEquals(101, response.status());
        assertEquals("alice", json(response.firstText()).getString("commonName"));
    }

    @Test
    void a_forwarded_certificate_is_validated_like_a_direct_one() throws Exception {
        assertEquals("revoked\n", viaProxy("/whoami", Map.of("Client-Cert", clientCertHeader("rita"))).body());
        assertEquals("subject-not-allowed\n", viaProxy("/chat/lobby", Map.of("Client-Cert", clientCertHeader("dave"))).body());
        assertEquals("malformed-certificate\n", viaProxy("/whoami", Map.of("Client-Cert", ":bm90IGEgY2VydA==:")).body());
    }

    @Test
    void x_forwarded_for_is_honoured_from_the_proxy_only() throws Exception {
        // chat admits loopback only: the proxy's word that the client is 203.0.113.9 counts ...
        Response viaProxy = viaProxy("/chat/lobby",
                Map.of("Client-Cert", clientCertHeader("alice"), "X-Forwarded-For", "203.0.113.9"));
        assertEquals("address-not-allowed\n", viaProxy.body());

        // ... a client's own claim does not.
        Response direct = RawHandshake.send(Tls.withCertificate(ItPki.client("alice")), Deployments.httpsPort(),
                path("/chat/lobby"), Map.of("X-Forwarded-For", "203.0.113.9"));
        assertNotEquals("address-not-allowed\n", direct.body());
    }

    @Test
    void an_open_session_is_closed_with_1008_when_its_certificate_is_revoked_and_the_crl_replaced() throws Exception {
        try (WsClient carol = WsClient.connect(Deployments.wss(deployed, "/whoami"), Tls.withCertificate(ItPki.client("carol")))) {
            assertEquals("carol", json(carol.nextText()).getString("commonName"));

            Command.Result revoked = Command.run(List.of("bash", System.getProperty("keyhole.it.pki.tool"),
                    "-d", ItPki.keyhole().toString(), "revoke", "carol"), Duration.ofSeconds(60));
            assertEquals(0, revoked.exitCode(), revoked.output());

            assertEquals(new WsClient.Close(1008, "revoked"), carol.awaitClose());
        }
        Response again = handshake("/whoami", ItPki.client("carol"));
        assertEquals("revoked\n", again.body());
        assertFalse(again.status() == 101);
        assertTrue(Files.readString(ItPki.keyhole().resolve("crl.pem")).contains("BEGIN X509 CRL"));
    }
}
