package dev.keyhole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.testing.Deployments;
import dev.keyhole.testing.ItPki;
import dev.keyhole.testing.ServerLog;
import dev.keyhole.testing.Target;
import dev.keyhole.testing.Tls;
import dev.keyhole.testing.WsClient;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.security.auth.x500.X500Principal;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTPS listener as the bundled server-config configures it: TLS 1.2/1.3 with the Mozilla intermediate suites,
 * HTTP/2 where the server offers it, client certificates wanted and trusted only from the Keyhole CA.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class TlsListenerIT {

    @Deployment(testable = false)
    static WebArchive keyhole() {
        return Deployments.builtWar();
    }

    private static String handshake(SSLContext context, String[] protocols, String[] suites) throws IOException {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", Deployments.httpsPort())) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            parameters.setServerNames(Tls.SNI_LOCALHOST);
            parameters.setProtocols(protocols);
            if (suites != null) {
                parameters.setCipherSuites(suites);
            }
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(20_000);
            socket.startHandshake();
            return socket.getSession().getProtocol() + " " + socket.getSession().getCipherSuite();
        }
    }

    @Test
    void tls_1_3_is_negotiated() throws IOException {
        assertTrue(handshake(Tls.anonymous(), new String[] {"TLSv1.3", "TLSv1.2"}, null).startsWith("TLSv1.3 "));
    }

    @Test
    void tls_1_2_is_accepted_with_an_intermediate_suite() throws IOException {
        String result = handshake(Tls.anonymous(), new String[] {"TLSv1.2"},
                new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"});

        assertEquals("TLSv1.2 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", result);
    }

    @Test
    void tls_1_1_is_refused() {
        SSLException refused = assertThrows(SSLException.class, () -> handshake(Tls.anonymous(),
                new String[] {"TLSv1.1"}, new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"}));

        // The client did offer TLS 1.1 (the test JVM re-enables it); it is the server that refused.
        assertFalse(refused.getMessage().contains("No appropriate protocol"), refused.getMessage());
    }

    @Test
    void a_tls_1_2_suite_outside_the_intermediate_profile_is_refused() {
        assertThrows(SSLException.class, () -> handshake(Tls.anonymous(), new String[] {"TLSv1.2"},
                new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"}));
    }

    @Test
    void the_certificate_request_names_only_the_keyhole_ca() throws IOException {
        List<Principal> issuers = new ArrayList<>();

        handshake(Tls.recordingIssuers(ItPki.client("alice"), issuers), new String[] {"TLSv1.3"}, null);

        assertEquals(List.of(new X500Principal("CN=Keyhole IT CA, O=Keyhole IT")), issuers);
    }

    @Test
    void a_client_certificate_from_another_ca_fails_the_tls_handshake() {
        ExecutionException failed = assertThrows(ExecutionException.class,
                () -> WsClient.connect(Deployments.wss("/echo"), Tls.withCertificate(ItPki.foreignClient("mallory"))));

        // Refused by TLS, not by an HTTP answer after a successful handshake.
        assertTrue(failed.getCause() instanceof IOException && !(failed.getCause() instanceof WebSocketHandshakeException),
                String.valueOf(failed.getCause()));
    }

    @Test
    void a_client_certificate_from_another_ca_is_refused_in_the_tls_1_2_handshake() {
        // In TLS 1.2 the server's verdict on the client certificate is part of the handshake itself
        // (Payara answers with an alert or just closes the connection).
        assertThrows(IOException.class, () -> handshake(Tls.withCertificate(ItPki.foreignClient("mallory")),
                new String[] {"TLSv1.2"}, null));
    }

    @Test
    void payaras_health_metrics_and_openapi_endpoints_are_off_even_for_a_trusted_client() throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(Tls.withCertificate(ItPki.client("alice"))).build();

        for (String path : List.of("/health", "/metrics", "/openapi")) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(Deployments.https(path)).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertTrue(response.statusCode() == 403 || response.statusCode() == 404, path + " answered " + response.statusCode());
            assertFalse(response.body().contains("\"status\":\"UP\"") || response.body().contains("# TYPE"), path);
        }
    }

    @Test
    void http2_is_negotiated_where_the_server_offers_it_and_http11_elsewhere() throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(Tls.anonymous()).version(HttpClient.Version.HTTP_2).build();

        HttpResponse<Void> response = http.send(HttpRequest.newBuilder(Deployments.https("/")).build(),
                HttpResponse.BodyHandlers.discarding());

        assertEquals(200, response.statusCode());
        assertEquals(Target.current().offersHttp2() ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1,
                response.version());
    }

    /**
     * The bundled server-config turns the JDK's stateless TLS session tickets off on every server: a session resumed
     * from a ticket is decoded from it, certificate chains included, and each open connection keeps its own copy
     * (docs/performance.md, the heap per idle connection). Resumption comes from the server's bounded session cache.
     */
    @Test
    void tls_sessions_resume_from_the_servers_bounded_cache_not_from_stateless_tickets() {
        ServerLog log = ServerLog.sinceStart();

        assertTrue(log.contains(Pattern.compile("event=tls.resumption stateless-tickets=off session-cache-size=10000")),
                "the server's JVM runs with the bundled TLS resumption settings");
    }
}
