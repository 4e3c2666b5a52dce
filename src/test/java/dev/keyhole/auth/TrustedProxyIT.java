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
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Trusted-proxy mode, spoken to directly (on the servers, not through the Apache front, which strips these
 * headers): 127.0.0.2 with the proxy certificate "apache" plays a TLS-terminating proxy (keyhole.auth.proxy.addresses
 * and keyhole.auth.proxy.subjects in pom.xml). Every other connection — another address, or the proxy's address
 * without the proxy's certificate — is a client whose forwarding headers must count for nothing.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class TrustedProxyIT {

    private static final InetAddress PROXY = loopback(2);
    private static final Duration LOG_TIMEOUT = Duration.ofSeconds(20);

    private final Target target = Target.current();

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

    private Response viaProxy(String path, Map<String, String> headers) throws Exception {
        return RawHandshake.send(Tls.withCertificate(ItPki.proxy("apache")), PROXY, target.httpsPort(), path, headers, true);
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    @Test
    void a_forged_client_cert_header_from_a_non_proxy_address_is_ignored_logged_and_refused() throws Exception {
        ServerLog log = target.log();

        Response forged = RawHandshake.send(Tls.anonymous(), target.httpsPort(), "/chat/lobby",
                Map.of("Client-Cert", ItPki.clientCertHeader("alice")));

        assertEquals(403, forged.status());
        assertEquals("no-certificate\n", forged.body());
        log.awaitLine(Pattern.compile("event=auth.forwarded-header-ignored remote=127.0.0.1 path=/chat/lobby reason=not-a-trusted-proxy"),
                LOG_TIMEOUT);
    }

    @Test
    void a_forged_client_cert_header_from_the_proxy_address_without_the_proxy_certificate_is_ignored_logged_and_refused()
            throws Exception {
        ServerLog log = target.log();

        Response forged = RawHandshake.send(Tls.anonymous(), PROXY, target.httpsPort(), "/chat/lobby",
                Map.of("Client-Cert", ItPki.clientCertHeader("alice")), false);

        assertEquals(403, forged.status());
        assertEquals("proxy-not-authenticated\n", forged.body());
        log.awaitLine(Pattern.compile("event=auth.forwarded-header-ignored remote=127.0.0.2 path=/chat/lobby"
                + " reason=proxy-not-authenticated headers=Client-Cert proxy-problem=no-certificate"), LOG_TIMEOUT);
    }

    @Test
    void a_users_certificate_from_the_proxy_address_is_that_user_and_never_speaks_for_another() throws Exception {
        ServerLog log = target.log();

        Response forging = RawHandshake.send(Tls.withCertificate(ItPki.client("dave")), PROXY, target.httpsPort(), "/whoami",
                Map.of("Client-Cert", ItPki.clientCertHeader("alice"), "X-Forwarded-For", "203.0.113.9"), true);
        Response plain = RawHandshake.send(Tls.withCertificate(ItPki.client("dave")), PROXY, target.httpsPort(), "/whoami",
                Map.of(), true);

        assertEquals(403, forging.status());
        assertEquals("proxy-not-authenticated\n", forging.body());
        log.awaitLine(Pattern.compile("event=auth.forwarded-header-ignored remote=127.0.0.2 path=/whoami"
                + " reason=proxy-not-authenticated headers=Client-Cert,X-Forwarded-For proxy-problem=subject-not-allowed"), LOG_TIMEOUT);
        assertEquals(101, plain.status(), plain.body());
        assertEquals("dave", json(plain.firstText()).getString("commonName"));
        log.awaitLine(Pattern.compile("event=auth decision=accept .*remote=127.0.0.2 proxy=- path=/whoami .*source=tls subject=\"CN=dave"),
                LOG_TIMEOUT);
    }

    @Test
    void the_proxy_certificate_is_never_a_user_identity() throws Exception {
        // Through the proxy without a forwarded certificate: anonymous, not the proxy.
        JsonObject anonymous = json(viaProxy("/whoami", Map.of()).firstText());
        assertEquals(false, anonymous.getBoolean("authenticated"));

        // The proxy's certificate from an address that is not the proxy's: refused.
        Response direct = RawHandshake.send(Tls.withCertificate(ItPki.proxy("apache")), target.httpsPort(), "/whoami", Map.of());
        assertEquals(403, direct.status());
        assertEquals("proxy-certificate\n", direct.body());
    }

    @Test
    void a_certificate_forwarded_by_the_trusted_proxy_is_accepted_as_the_clients_identity() throws Exception {
        Response response = viaProxy("/whoami", Map.of("Client-Cert", ItPki.clientCertHeader("alice")));

        assertEquals(101, response.status());
        assertEquals("alice", json(response.firstText()).getString("commonName"));
    }

    @Test
    void a_forwarded_certificate_is_validated_like_a_direct_one() throws Exception {
        assertEquals("revoked\n", viaProxy("/whoami", Map.of("Client-Cert", ItPki.clientCertHeader("rita"))).body());
        assertEquals("subject-not-allowed\n", viaProxy("/chat/lobby", Map.of("Client-Cert", ItPki.clientCertHeader("dave"))).body());
        assertEquals("malformed-certificate\n", viaProxy("/whoami", Map.of("Client-Cert", ":bm90IGEgY2VydA==:")).body());
    }

    @Test
    void x_forwarded_for_is_honoured_from_the_proxy_only() throws Exception {
        // chat admits loopback only: the proxy's word that the client is 203.0.113.9 counts ...
        Response viaProxy = viaProxy("/chat/lobby",
                Map.of("Client-Cert", ItPki.clientCertHeader("alice"), "X-Forwarded-For", "203.0.113.9"));
        assertEquals("address-not-allowed\n", viaProxy.body());

        // ... a client's own claim does not.
        Response direct = RawHandshake.send(Tls.withCertificate(ItPki.client("alice")), target.httpsPort(),
                "/chat/lobby", Map.of("X-Forwarded-For", "203.0.113.9"));
        assertNotEquals("address-not-allowed\n", direct.body());
    }
}
