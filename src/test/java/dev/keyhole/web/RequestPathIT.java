package dev.keyhole.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.testing.Deployments;
import dev.keyhole.testing.ItPki;
import dev.keyhole.testing.RawHandshake;
import dev.keyhole.testing.RawHandshake.Response;
import dev.keyhole.testing.ServerLog;
import dev.keyhole.testing.Target;
import dev.keyhole.testing.Tls;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The path a location is decided on is the path the container routes, on every target: every other spelling of a
 * path — path parameters in any segment, percent-escapes, dot-segments, empty segments, trailing slashes and dots,
 * other letter case, a query string, characters outside RFC 3986 — gets 400 {@code bad-path} or exactly the
 * decision of the canonical path, never 101. Sent over raw sockets: HTTP clients would normalise the paths first.
 *
 * <p>The failsafe environment (pom.xml) gives two locations to bypass: {@code chat} ({@code /chat/*}) refuses
 * dave, and {@code vault} ({@code /chat/vault}, before {@code chat}) admits carol only, so alice — admitted at
 * {@code /chat/lobby} — is refused there. Behind the Apache front, Apache may answer some spellings itself (it
 * resolves dot-segments, refuses encoded slashes); there the rule is "refused or the canonical decision, never 101".
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RequestPathIT {

    private static final Logger LOG = Logger.getLogger(RequestPathIT.class.getName());
    private static final Duration LOG_TIMEOUT = Duration.ofSeconds(20);

    private final Target target = Target.current();

    @Deployment(testable = false)
    static WebArchive keyhole() {
        return Deployments.builtWar();
    }

    /** Other spellings of {@code /chat/<room>}; each must be refused or decided as the canonical path. */
    private static List<String> spellings(String room) {
        String canonical = "/chat/" + room;
        return List.of(
                // path parameters, in every segment
                "/chat;x/" + room, "/chat;/" + room, canonical + ";x", canonical + ";", "/;x" + canonical,
                "/chat;jsessionid=1/" + room,
                // escapes: ';', '.', '/', '\'
                "/chat%3Bx/" + room, "/chat%3bx/" + room, canonical + "%3B", "/chat/%2e/" + room, "/chat/%2E%2E" + canonical,
                "/%2e%2e" + canonical, "/chat%2f" + room, "/chat%2F" + room, "/chat%5c" + room, "/chat/%" + hex(room),
                // empty and dot segments, trailing slashes and dots
                "/" + canonical, "/chat//" + room, "/chat/./" + room, "/chat/../chat/" + room, "/x/.." + canonical,
                "/./chat/" + room, canonical + "/", canonical + "/.", canonical + ".", canonical + "..",
                // letter case
                "/CHAT/" + room, "/Chat/" + room, "/chat/" + room.toUpperCase(java.util.Locale.ROOT),
                // query strings
                canonical + "?x=/../lobby", canonical + "?;x", canonical + "?after=0", canonical + "?",
                canonical + "?x=%3B/..%2f",
                // characters outside RFC 3986
                canonical + "|", "/chat/{" + room + "}", canonical + "^", "/chat\\" + room, "/chat/..\\" + room,
                canonical + "`", canonical + "\"", canonical + "<x>", canonical + "#x");
    }

    /** {@code lobby} as {@code 6Cobby}: a room name with its first letter escaped, to be prefixed with '%'. */
    private static String hex(String room) {
        return Integer.toHexString(room.charAt(0)).toUpperCase(java.util.Locale.ROOT) + room.substring(1);
    }

    @Test
    void the_canonical_paths_decide_as_configured() throws Exception {
        assertEquals(403, handshake("dave", "/chat/lobby").status());
        assertEquals("subject-not-allowed\n", handshake("dave", "/chat/lobby").body());
        assertEquals(403, handshake("alice", "/chat/vault").status());
        assertEquals(101, handshake("carol", "/chat/vault").status());
        assertEquals(101, handshake("alice", "/chat/lobby").status());
        assertEquals(101, handshake("alice", "/chat/lobby?after=0").status());
    }

    @Test
    void no_spelling_of_a_refused_chat_path_is_upgraded() throws Exception {
        assertRefusedOrDecidedAsCanonical("dave", spellings("lobby"));
    }

    @Test
    void no_spelling_of_a_room_with_its_own_location_escapes_that_location() throws Exception {
        assertRefusedOrDecidedAsCanonical("alice", spellings("vault"));
    }

    @Test
    void a_path_parameter_is_refused_with_400_bad_path_the_security_headers_and_a_log_line() throws Exception {
        ServerLog log = target.log();

        Response response = handshake("alice", "/chat;x/vault");

        assertEquals(400, response.status());
        assertEquals("bad-path\n", response.body());
        assertTrue(response.headers().containsKey("content-security-policy"), response.headers().toString());
        assertEquals("nosniff", response.headers().get("x-content-type-options"));
        if (!target.isBehindProxy()) {
            log.awaitLine(Pattern.compile("event=path decision=reject reason=bad-path rule=path-parameter .*path=\"?/chat;x/vault"),
                    LOG_TIMEOUT);
        }
    }

    /**
     * Payara resolves a handshake path that ends in a dot-segment before any filter runs, and answers it itself
     * (measured: {@code /chat/..} 200 with an empty body, {@code /chat/.} and {@code /chat/%2e%2e} its own 404): such
     * a request never reaches Keyhole, and is never upgraded. Where it does reach Keyhole, it gets 400 bad-path.
     */
    @Test
    void dot_segments_out_of_chat_without_a_certificate_are_never_upgraded() throws Exception {
        for (String path : List.of("/chat/..", "/chat/%2e%2e", "/chat/%2E%2E/", "/chat/.", "/chat/x/..")) {
            Response response = RawHandshake.send(Tls.anonymous(), target.httpsPort(), path, Map.of());
            record("anonymous", path, response);
            assertNotEquals(101, response.status(), path);
            boolean keyhole = response.headers().containsKey("content-security-policy");
            if (target.isBehindProxy()) {
                continue; // Apache resolves the dot-segments first: /chat/.. is decided (and served) as /
            }
            if (keyhole) {
                assertEquals(400, response.status(), path);
                assertEquals("bad-path\n", response.body(), path);
            } else {
                assertTrue(response.status() >= 400 || response.body().isEmpty(), path + ": " + response.status());
            }
        }
    }

    /**
     * What the server answers itself, before any application code: an over-long URI, huge headers, a malformed
     * request line (docs/perimeter.md, "What the servers answer themselves"), or, where the server accepts them
     * (WildFly takes 20 KB URIs and headers), what Keyhole answers. Never a version or a stack trace.
     */
    @Test
    void the_servers_own_refusals_carry_no_version_and_no_stack_trace() throws Exception {
        String longPath = "/" + "a".repeat(20_000);
        String bigHeader = "X-Big: " + "b".repeat(20_000) + "\r\n";
        StringBuilder manyHeaders = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            manyHeaders.append("X-H").append(i).append(": ").append("c".repeat(100)).append("\r\n");
        }
        Map<String, String> requests = new java.util.LinkedHashMap<>();
        requests.put("uri-20000", "GET " + longPath + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        requests.put("header-20000", "GET / HTTP/1.1\r\nHost: localhost\r\n" + bigHeader + "Connection: close\r\n\r\n");
        requests.put("200-headers", "GET / HTTP/1.1\r\nHost: localhost\r\n" + manyHeaders + "Connection: close\r\n\r\n");
        requests.put("bad-version", "GET /x HTTP/9.9 junk\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        requests.put("space-in-path", "GET /a b HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        for (Map.Entry<String, String> request : requests.entrySet()) {
            try (SSLSocket socket = RawHandshake.connect(Tls.anonymous(), null, target.httpsPort())) {
                Response response = RawHandshake.exchange(socket, request.getValue());
                LOG.info(() -> "server-own target=" + target.id() + " request=" + request.getKey() + " status="
                        + response.status() + " headers=" + response.headers().keySet() + " server="
                        + response.headers().get("server") + " body-bytes=" + response.body().length());
                String server = response.headers().getOrDefault("server", "");
                assertTrue(!server.matches(".*[0-9].*"), request.getKey() + " Server: " + server);
                assertTrue(!response.body().contains("Exception") && !response.body().contains("\tat "), request.getKey());
            } catch (IOException closed) {
                LOG.info(() -> "server-own target=" + target.id() + " request=" + request.getKey() + " closed: " + closed);
            }
        }
    }

    @Test
    void odd_characters_in_a_handshake_path_get_400_not_500() throws Exception {
        for (String path : List.of("/echo|", "/echo{x}", "/echo^", "/whoami|x", "/chat/lobby{")) {
            Response response = RawHandshake.send(Tls.anonymous(), target.httpsPort(), path, Map.of());
            record("anonymous", path, response);
            if (target.isBehindProxy()) {
                // Apache answers some itself (403 no-certificate under /chat, its own 400); never 101 or 500
                assertTrue(response.status() == 400 || response.status() == 403, path + ": " + response.status());
            } else {
                assertEquals(400, response.status(), path + ": " + response.body());
            }
            assertTrue(!response.body().contains("Exception") && !response.body().contains("\tat "), response.body());
        }
    }

    @Test
    void the_page_and_its_assets_still_load() throws Exception {
        for (String path : List.of("/", "/index.html", "/assets/app.js", "/assets/app.css", "/assets/favicon.svg")) {
            Response response = get(path);
            assertEquals(200, response.status(), path + ": " + response.body());
        }
    }

    private void assertRefusedOrDecidedAsCanonical(String client, List<String> paths) throws IOException {
        List<String> wrong = new ArrayList<>();
        for (String path : paths) {
            Response response = handshake(client, path);
            record(client, path, response);
            boolean keyholeRefusal = response.status() == 400 && response.body().equals("bad-path\n")
                    || response.status() == 403 && response.body().equals("subject-not-allowed\n");
            boolean acceptable = target.isBehindProxy()
                    ? response.status() >= 400 && response.status() < 500
                    : keyholeRefusal || isContainersOwn400(response);
            if (!acceptable) {
                wrong.add(path + " -> " + response.status() + " " + response.body().strip());
            }
        }
        assertEquals(List.of(), wrong, "spellings not refused as bad-path nor decided as the canonical path");
    }

    /**
     * A 400 the server's HTTP parser sent before any application code ran (Grizzly: escapes above the root,
     * backslashes): none of Keyhole's headers, no body of Keyhole's.
     */
    private static boolean isContainersOwn400(Response response) {
        return response.status() == 400 && !response.headers().containsKey("content-security-policy")
                && !response.body().contains("bad-path");
    }

    private Response handshake(String client, String path) throws IOException {
        return RawHandshake.send(Tls.withCertificate(ItPki.client(client)), target.httpsPort(), path, Map.of());
    }

    private Response get(String path) throws IOException {
        SSLContext tls = Tls.anonymous();
        try (SSLSocket socket = RawHandshake.connect(tls, null, target.httpsPort())) {
            return RawHandshake.exchange(socket, "GET " + path + " HTTP/1.1\r\nHost: localhost:" + target.httpsPort()
                    + "\r\nConnection: close\r\n\r\n");
        }
    }

    /**
     * What each target answered, in the test log: docs/perimeter.md describes what Apache does with each. The headers
     * tell who answered (Keyhole's security headers, Apache's, the container's) when a status is not the expected one.
     */
    private void record(String client, String path, Response response) {
        String body = response.body().strip().replaceAll("\\s+", " ");
        LOG.info(() -> "path-matrix target=" + target.id() + " client=" + client + " path=" + path + " status="
                + response.status() + " body=" + body.substring(0, Math.min(40, body.length())) + " headers="
                + response.headers());
    }
}
