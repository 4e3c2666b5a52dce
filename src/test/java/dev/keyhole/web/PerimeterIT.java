package dev.keyhole.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.testing.Deployments;
import dev.keyhole.testing.ItPki;
import dev.keyhole.testing.MuteClient;
import dev.keyhole.testing.RawHandshake;
import dev.keyhole.testing.ServerLog;
import dev.keyhole.testing.Target;
import dev.keyhole.testing.Tls;
import dev.keyhole.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The perimeter on the target under test, with the settings failsafe gives every test server (pom.xml): allowed
 * origins https://app.keyhole.test and https://ops.keyhole.test:9443, a 15 s idle timeout with pings every 3 s.
 * The origin policy, CORS, the security headers, the HTTPS redirect, the per-identity connection limit and the
 * idle timeout must be the same on every server and behind the Apache front.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class PerimeterIT {

    private static final String APP = "https://app.keyhole.test";
    private static final int IDLE_TIMEOUT_SECONDS = 15;
    private static final int PER_IDENTITY = 20;

    private final Target target = Target.current();

    @Deployment(testable = false)
    static WebArchive keyhole() {
        return Deployments.builtWar();
    }

    @Test
    void handshakes_from_an_allowed_origin_and_from_keyholes_own_origin_are_upgraded() throws Exception {
        for (String origin : List.of(APP, "https://ops.keyhole.test:9443", "https://localhost:" + target.httpsPort())) {
            try (WsClient client = WsClient.connect(target.wss("/echo"), Tls.withCertificate(ItPki.client("alice")),
                    Map.of("Origin", origin))) {
                client.sendText("from " + origin);
                assertEquals("from " + origin, client.nextText());
            }
        }
    }

    @Test
    void lookalike_origins_are_refused_with_403_and_an_audit_line() throws Exception {
        List<String> lookalikes = List.of(
                "https://app.keyhole.test.evil.example",   // the allowed host as a prefix
                "https://evilapp.keyhole.test",            // a suffix of it
                "http://app.keyhole.test",                 // another scheme
                "https://app.keyhole.test:8443",           // another port
                "https://ops.keyhole.test",                // an allowed host on its default port instead of 9443
                "https://localhost.evil.example",          // Keyhole's own host as a prefix
                "http://localhost:" + target.httpsPort(),  // Keyhole's own port over plain http
                "null",                                    // sandboxed frames, file: pages
                "https://app.keyhole.test/chat");          // not an origin at all
        for (String origin : lookalikes) {
            ServerLog log = target.log();

            RawHandshake.Response response = RawHandshake.send(Tls.withCertificate(ItPki.client("alice")),
                    target.httpsPort(), "/echo", Map.of("Origin", origin));

            assertEquals(403, response.status(), origin);
            assertEquals("origin-not-allowed\n", response.body(), origin);
            log.awaitLine(Pattern.compile("event=origin decision=reject reason=origin-not-allowed .*origin=\"?"
                    + Pattern.quote(origin)), Duration.ofSeconds(20));
        }
    }

    @Test
    void the_page_over_https_carries_the_security_headers_once_and_no_server_version() throws Exception {
        HttpResponse<String> page = get(target.https("/"), Map.of());

        assertEquals(200, page.statusCode());
        HttpHeaders headers = page.headers();
        List<String> hsts = headers.allValues("Strict-Transport-Security");
        assertEquals(1, hsts.size(), "one HSTS header: " + hsts);
        assertTrue(hsts.get(0).matches("max-age=(\\d+); ?includeSubDomains")
                && Long.parseLong(hsts.get(0).replaceAll("\\D", "")) >= 31_536_000, hsts.get(0));
        List<String> csp = headers.allValues("Content-Security-Policy");
        assertEquals(1, csp.size(), "one CSP: " + csp);
        for (String directive : List.of("default-src 'none'", "frame-ancestors 'none'", "object-src 'none'",
                "base-uri 'none'", "connect-src 'self'", "script-src 'self'")) {
            assertTrue(csp.get(0).contains(directive), directive + " in " + csp);
        }
        assertEquals(List.of("nosniff"), headers.allValues("X-Content-Type-Options"));
        assertEquals(List.of("no-referrer"), headers.allValues("Referrer-Policy"));
        assertTrue(headers.firstValue("Permissions-Policy").orElseThrow().contains("camera=()"));
        assertEquals(List.of("same-origin"), headers.allValues("Cross-Origin-Opener-Policy"));
        assertTrue(headers.allValues("Vary").stream().anyMatch(vary -> vary.contains("Origin")), "Vary: Origin");
        assertNoServerVersion(headers);
    }

    @Test
    void plain_http_is_redirected_to_https_and_carries_no_hsts() throws Exception {
        HttpResponse<String> answer = get(target.http("/index.html?room=lobby"), Map.of());

        assertEquals(308, answer.statusCode());
        assertEquals(httpsBase() + "/index.html?room=lobby", answer.headers().firstValue("Location").orElseThrow());
        assertFalse(answer.headers().firstValue("Strict-Transport-Security").isPresent(), "HSTS over plain HTTP");
        assertNoServerVersion(answer.headers());
    }

    @Test
    void the_redirect_never_goes_to_the_host_the_request_names() throws Exception {
        for (String host : List.of("evil.example", "evil.example/phish?", "evil.example:8443", "localhost@evil.example",
                "[::1]:1/@evil.example")) {
            RawHandshake.Response answer = plainGet("/index.html?room=lobby", host);

            String location = answer.headers().getOrDefault("location", "");
            assertFalse(location.contains("evil.example"), host + " -> " + answer.status() + " " + location);
            if (answer.status() == 308) {
                assertEquals(httpsBase() + "/index.html?room=lobby", location, host);
            }
        }
    }

    @Test
    void the_redirect_carries_only_a_canonical_path_and_an_encoded_query() throws Exception {
        RawHandshake.Response odd = plainGet("/chat;x/lobby", "localhost");
        if (target.isBehindProxy()) {
            // Apache's own redirect keeps the path as sent, on its configured origin; over HTTPS Keyhole refuses it.
            assertEquals(308, odd.status());
            assertTrue(odd.headers().get("location").startsWith(httpsBase() + "/"), odd.headers().toString());
        } else {
            assertEquals(400, odd.status(), odd.headers().toString());
            assertEquals("bad-path\n", odd.body());
            assertFalse(odd.headers().containsKey("location"));
        }
        if (!target.isBehindProxy()) { // Apache's own redirect (server-config/apache) copies the query as it is
            // Undertow's parser refuses '<' and a bad escape itself (400); Grizzly passes them on, Keyhole encodes them.
            RawHandshake.Response query = plainGet("/index.html?a=%0d%0aX:1&b=%zz&c=<x>", "localhost");
            assertTrue(query.status() == 400 || query.status() == 308, query.status() + " " + query.headers());
            if (query.status() == 308) {
                assertEquals(httpsBase() + "/index.html?a=%0d%0aX:1&b=%25zz&c=%3Cx%3E", query.headers().get("location"));
            }
            RawHandshake.Response plain = plainGet("/index.html?a=%0d%0aX:1&b=x/y?z;w", "localhost");
            assertEquals(308, plain.status());
            assertEquals(httpsBase() + "/index.html?a=%0d%0aX:1&b=x/y?z;w", plain.headers().get("location"));
        }
    }

    /**
     * Where plain HTTP is redirected on this target: Keyhole's default, the HTTPS listener on the address the
     * request came in on (127.0.0.1 here); the Apache front's configured public URL.
     */
    private String httpsBase() {
        return target.isBehindProxy() ? "https://localhost:" + target.httpsPort() : "https://127.0.0.1:" + target.httpsPort();
    }

    /** A plain-HTTP GET written by hand, with any Host header. */
    @Test
    void a_folder_without_its_slash_is_never_redirected_to_the_host_the_request_names() throws Exception {
        // Both containers redirect /folder to /folder/ themselves, before any filter, building the URL from Host.
        RawHandshake.Response plain = plainGet("/assets", "evil.example");
        assertFalse(plain.headers().getOrDefault("location", "").contains("evil.example"), plain.headers().toString());

        try (javax.net.ssl.SSLSocket socket = RawHandshake.connect(Tls.anonymous(), null, target.httpsPort())) {
            socket.setSoTimeout((int) WsClient.TIMEOUT.toMillis());
            RawHandshake.Response secure = RawHandshake.exchange(socket,
                    "GET /assets HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
            assertFalse(secure.headers().getOrDefault("location", "").contains("evil.example"), secure.headers().toString());
            // Apache refuses a Host that does not match the SNI of the connection itself: 421 Misdirected Request.
            assertEquals(target.isBehindProxy() ? 421 : 404, secure.status(), secure.headers().toString());
        }
    }

    private RawHandshake.Response plainGet(String path, String host) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("localhost", target.httpPort())) {
            socket.setSoTimeout((int) WsClient.TIMEOUT.toMillis());
            return RawHandshake.exchange(socket, "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
        }
    }

    @Test
    void errors_are_plain_text_without_the_containers_branding() throws Exception {
        HttpResponse<String> missing = get(target.https("/no-such-thing"), Map.of());

        assertEquals(404, missing.statusCode());
        assertEquals("not-found\n", missing.body());
        assertTrue(missing.headers().firstValue("Content-Security-Policy").isPresent(), "security headers on errors");
        assertNoServerVersion(missing.headers());
    }

    @Test
    void cors_echoes_only_an_allowed_origin_and_answers_its_preflight() throws Exception {
        URI page = target.https("/");

        HttpResponse<String> allowed = get(page, Map.of("Origin", APP));
        assertEquals(List.of(APP), allowed.headers().allValues("Access-Control-Allow-Origin"));
        assertEquals(List.of("true"), allowed.headers().allValues("Access-Control-Allow-Credentials"));

        HttpResponse<String> other = get(page, Map.of("Origin", "https://evil.example"));
        assertFalse(other.headers().firstValue("Access-Control-Allow-Origin").isPresent());

        HttpResponse<String> preflight = send(HttpRequest.newBuilder(page).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", APP).header("Access-Control-Request-Method", "GET"));
        assertEquals(204, preflight.statusCode());
        assertEquals(List.of(APP), preflight.headers().allValues("Access-Control-Allow-Origin"));
        assertEquals("GET, HEAD", preflight.headers().firstValue("Access-Control-Allow-Methods").orElseThrow());

        HttpResponse<String> hostile = send(HttpRequest.newBuilder(page).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://evil.example").header("Access-Control-Request-Method", "GET"));
        assertEquals(403, hostile.statusCode());
        assertEquals("cors-not-allowed\n", hostile.body());
        assertFalse(hostile.headers().firstValue("Access-Control-Allow-Origin").isPresent());
    }

    @Test
    void the_connection_over_the_limit_of_one_identity_is_refused_with_429_until_one_closes() throws Exception {
        SSLContext limited = Tls.withCertificate(ItPki.client("lena"));
        List<WsClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < PER_IDENTITY; i++) {
                WsClient client = WsClient.connect(target.wss("/whoami"), limited);
                open.add(client);
                client.nextText();
            }
            ServerLog log = target.log();

            RawHandshake.Response refused = RawHandshake.send(limited, target.httpsPort(), "/whoami", Map.of());

            assertEquals(429, refused.status());
            assertEquals("too-many-connections\n", refused.body());
            log.awaitLine(Pattern.compile("event=limits decision=reject reason=too-many-connections .*subject=\"?CN=lena"),
                    Duration.ofSeconds(20));
            // Another identity is not affected.
            try (WsClient dave = WsClient.connect(target.wss("/whoami"), Tls.withCertificate(ItPki.client("dave")))) {
                dave.nextText();
            }

            open.remove(0).closeAndAwaitReply();

            assertEquals(101, RawHandshake.send(limited, target.httpsPort(), "/whoami", Map.of()).status());
        } finally {
            open.forEach(WsClient::close);
        }
    }

    @Test
    void a_silent_session_is_closed_after_the_idle_timeout_while_a_pinged_one_stays_open() throws Exception {
        SSLContext erin = Tls.withCertificate(ItPki.client("erin"));
        try (MuteClient mute = MuteClient.connect(erin, target.httpsPort(), "/echo", Map.of());
                WsClient live = WsClient.connect(target.wss("/echo"), erin)) {
            long opened = System.nanoTime();

            mute.await(MuteClient.Frame.PING, IDLE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            MuteClient.Frame close = mute.await(MuteClient.Frame.CLOSE, 3L * IDLE_TIMEOUT_SECONDS, TimeUnit.SECONDS);

            assertEquals(1000, close.closeCode());
            assertEquals("idle-timeout", close.closeReason());
            assertTrue(System.nanoTime() - opened >= TimeUnit.SECONDS.toNanos(IDLE_TIMEOUT_SECONDS - 1),
                    "closed before the timeout");
            // The JDK client answered every ping, so it is still open, past the timeout.
            live.sendText("still here");
            assertEquals("still here", live.nextText());
        }
    }

    /** No server name with a version, no X-Powered-By; X-XSS-Protection absent or 0. */
    private static void assertNoServerVersion(HttpHeaders headers) {
        headers.firstValue("Server").ifPresent(server -> assertFalse(server.matches(".*[0-9/].*"), "Server: " + server));
        assertFalse(headers.firstValue("X-Powered-By").isPresent(), "X-Powered-By: " + headers.firstValue("X-Powered-By"));
        headers.firstValue("X-XSS-Protection").ifPresent(value -> assertEquals("0", value));
    }

    private static HttpResponse<String> get(URI uri, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
        headers.forEach(request::header);
        return send(request);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(Tls.withCertificate(ItPki.client("alice")))
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(WsClient.TIMEOUT).build();
        return client.send(request.timeout(WsClient.TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    }
}
