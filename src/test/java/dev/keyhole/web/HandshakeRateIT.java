package dev.keyhole.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.testing.ItPki;
import dev.keyhole.testing.MuteClient;
import dev.keyhole.testing.RawHandshake;
import dev.keyhole.testing.ServerLog;
import dev.keyhole.testing.ServerProcess;
import dev.keyhole.testing.Tls;
import dev.keyhole.testing.UberJar;
import dev.keyhole.testing.WsClient;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The perimeter on a real Payara Micro (the uber-jar, configured through its environment as an operator would):
 * the origin policy, CORS, security headers, the HTTPS redirect, connection limits, idle timeout and keepalive.
 */
class PerimeterIT {

    private static final String NAME = "perimeter";
    private static final String APP = "https://app.keyhole.test";
    private static final int IDLE_TIMEOUT_SECONDS = 4;

    private static ServerProcess server;
    private static int https;
    private static int http;

    @BeforeAll
    static void start() throws Exception {
        https = Integer.parseInt(UberJar.httpsPort(NAME));
        http = Integer.parseInt(UberJar.httpPort(NAME));
        server = UberJar.start(NAME, Map.of(
                "KEYHOLE_WEB_ALLOWED_ORIGINS", APP + ", https://ops.keyhole.test:9443",
                "KEYHOLE_WEB_HTTPS_PORT", Integer.toString(https),
                "KEYHOLE_LIMITS_MAX_CONNECTIONS_PER_IDENTITY", "2",
                "KEYHOLE_LIMITS_HANDSHAKES_PER_SECOND_PER_ADDRESS", "1",
                "KEYHOLE_LIMITS_HANDSHAKE_BURST_PER_ADDRESS", "12",
                "KEYHOLE_WS_IDLE_TIMEOUT_SECONDS", Integer.toString(IDLE_TIMEOUT_SECONDS),
                "KEYHOLE_WS_PING_INTERVAL_SECONDS", "1"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void handshakes_from_an_allowed_origin_and_from_keyholes_own_origin_are_upgraded() throws Exception {
        for (String origin : List.of(APP, "https://ops.keyhole.test:9443", "https://localhost:" + https)) {
            try (WsClient client = WsClient.connect(wss("/echo"), Tls.withCertificate(ItPki.client("alice")),
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
                "http://localhost:" + https,               // Keyhole's own port over plain http
                "null",                                    // sandboxed frames, file: pages
                "https://app.keyhole.test/chat");          // not an origin at all
        for (String origin : lookalikes) {
            ServerLog log = ServerLog.fromNow(server);

            RawHandshake.Response response = RawHandshake.send(Tls.withCertificate(ItPki.client("alice")), https, "/echo",
                    Map.of("Origin", origin));

            assertEquals(403, response.status(), origin);
            assertEquals("origin-not-allowed\n", response.body(), origin);
            log.awaitLine(Pattern.compile("event=origin decision=reject reason=origin-not-allowed .*origin=\"?"
                    + Pattern.quote(origin)), Duration.ofSeconds(10));
        }
    }

    @Test
    void the_page_over_https_carries_the_security_headers_and_no_server_version() throws Exception {
        HttpResponse<String> page = get(URI.create("https://localhost:" + https + "/"), Map.of());

        assertEquals(200, page.statusCode());
        HttpHeaders headers = page.headers();
        String hsts = headers.firstValue("Strict-Transport-Security").orElseThrow();
        assertTrue(hsts.matches("max-age=(\\d+); includeSubDomains")
                && Long.parseLong(hsts.replaceAll("\\D", "")) >= 31_536_000, hsts);
        String csp = headers.firstValue("Content-Security-Policy").orElseThrow();
        for (String directive : List.of("default-src 'none'", "frame-ancestors 'none'", "object-src 'none'",
                "base-uri 'none'", "connect-src 'self'", "script-src 'self'")) {
            assertTrue(csp.contains(directive), directive + " in " + csp);
        }
        assertEquals("nosniff", headers.firstValue("X-Content-Type-Options").orElseThrow());
        assertEquals("no-referrer", headers.firstValue("Referrer-Policy").orElseThrow());
        assertTrue(headers.firstValue("Permissions-Policy").orElseThrow().contains("camera=()"));
        assertEquals("same-origin", headers.firstValue("Cross-Origin-Opener-Policy").orElseThrow());
        assertEquals(List.of("Origin"), headers.allValues("Vary"));
        assertNoServerBranding(headers);
    }

    @Test
    void plain_http_is_redirected_to_https_and_carries_no_hsts() throws Exception {
        HttpResponse<String> answer = get(URI.create("http://localhost:" + http + "/index.html?room=lobby"), Map.of());

        assertEquals(308, answer.statusCode());
        assertEquals("https://localhost:" + https + "/index.html?room=lobby", answer.headers().firstValue("Location").orElseThrow());
        assertFalse(answer.headers().firstValue("Strict-Transport-Security").isPresent(), "HSTS over plain HTTP");
        assertNoServerBranding(answer.headers());
    }

    @Test
    void errors_are_plain_text_without_the_containers_branding() throws Exception {
        HttpResponse<String> missing = get(URI.create("https://localhost:" + https + "/no-such-thing"), Map.of());

        assertEquals(404, missing.statusCode());
        assertEquals("not-found\n", missing.body());
        assertFalse(missing.body().contains("Payara"));
        assertTrue(missing.headers().firstValue("Content-Security-Policy").isPresent(), "security headers on errors");
        assertNoServerBranding(missing.headers());
    }

    @Test
    void cors_echoes_only_an_allowed_origin_and_answers_its_preflight() throws Exception {
        URI page = URI.create("https://localhost:" + https + "/");

        HttpResponse<String> allowed = get(page, Map.of("Origin", APP));
        assertEquals(APP, allowed.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        assertEquals("true", allowed.headers().firstValue("Access-Control-Allow-Credentials").orElseThrow());
        assertEquals(List.of("Origin"), allowed.headers().allValues("Vary"));

        HttpResponse<String> other = get(page, Map.of("Origin", "https://evil.example"));
        assertFalse(other.headers().firstValue("Access-Control-Allow-Origin").isPresent());

        HttpResponse<String> preflight = send(HttpRequest.newBuilder(page).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", APP).header("Access-Control-Request-Method", "GET"));
        assertEquals(204, preflight.statusCode());
        assertEquals(APP, preflight.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        assertEquals("GET, HEAD", preflight.headers().firstValue("Access-Control-Allow-Methods").orElseThrow());

        HttpResponse<String> hostile = send(HttpRequest.newBuilder(page).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://evil.example").header("Access-Control-Request-Method", "GET"));
        assertEquals(403, hostile.statusCode());
        assertEquals("cors-not-allowed\n", hostile.body());
        assertFalse(hostile.headers().firstValue("Access-Control-Allow-Origin").isPresent());
    }

    @Test
    void an_identity_over_its_connection_limit_is_refused_with_429_until_one_of_its_connections_closes() throws Exception {
        SSLContext bob = Tls.withCertificate(ItPki.client("bob"));
        try (WsClient first = WsClient.connect(wss("/whoami"), bob); WsClient second = WsClient.connect(wss("/whoami"), bob)) {
            first.nextText();
            second.nextText();
            ServerLog log = ServerLog.fromNow(server);

            RawHandshake.Response third = RawHandshake.send(bob, https, "/whoami", Map.of());

            assertEquals(429, third.status());
            assertEquals("too-many-connections\n", third.body());
            assertTrue(third.headers().containsKey("retry-after"));
            log.awaitLine(Pattern.compile("event=limits decision=reject reason=too-many-connections .*subject=\"?CN=bob"),
                    Duration.ofSeconds(10));
            // Another identity is not affected.
            try (WsClient dave = WsClient.connect(wss("/whoami"), Tls.withCertificate(ItPki.client("dave")))) {
                dave.nextText();
            }

            first.closeAndAwaitReply();

            assertEquals(101, RawHandshake.send(bob, https, "/whoami", Map.of()).status());
        }
    }

    @Test
    void a_burst_of_handshakes_from_one_address_is_refused_with_429() throws Exception {
        // From 127.0.0.3, so that this burst uses up no other test's allowance. 12 handshakes may come at once, then
        // one per second: 40 in a row cannot all pass.
        InetAddress other = InetAddress.getByName("127.0.0.3");
        RawHandshake.Response refused = null;
        for (int attempt = 0; attempt < 40 && refused == null; attempt++) {
            RawHandshake.Response response = RawHandshake.send(Tls.anonymous(), other, https, "/echo", Map.of(), false);
            if (response.status() != 101) {
                refused = response;
            }
        }

        assertTrue(refused != null, "no handshake refused");
        assertEquals(429, refused.status());
        assertEquals("too-many-handshakes\n", refused.body());
    }

    @Test
    void a_silent_session_is_closed_after_the_idle_timeout_while_a_pinged_one_stays_open() throws Exception {
        SSLContext erin = Tls.withCertificate(ItPki.client("erin"));
        try (MuteClient mute = MuteClient.connect(erin, https, "/echo", Map.of());
                WsClient live = WsClient.connect(wss("/echo"), erin)) {
            long opened = System.nanoTime();

            mute.await(MuteClient.Frame.PING, IDLE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            MuteClient.Frame close = mute.await(MuteClient.Frame.CLOSE, 3L * IDLE_TIMEOUT_SECONDS, TimeUnit.SECONDS);

            assertEquals(1000, close.closeCode());
            assertEquals("idle-timeout", close.closeReason());
            assertTrue(System.nanoTime() - opened >= TimeUnit.SECONDS.toNanos(IDLE_TIMEOUT_SECONDS),
                    "closed before the timeout");
            // The JDK client answered every ping, so it is still open, past the timeout.
            live.sendText("still here");
            assertEquals("still here", live.nextText());
        }
    }

    private static void assertNoServerBranding(HttpHeaders headers) {
        assertFalse(headers.firstValue("Server").isPresent(), "Server: " + headers.firstValue("Server"));
        assertFalse(headers.firstValue("X-Powered-By").isPresent(), "X-Powered-By: " + headers.firstValue("X-Powered-By"));
        headers.firstValue("X-XSS-Protection").ifPresent(value -> assertEquals("0", value));
    }

    private static URI wss(String path) {
        return URI.create("wss://localhost:" + https + path);
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
