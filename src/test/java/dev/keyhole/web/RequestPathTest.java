package dev.keyhole.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestPathTest {

    private static RequestPath.Verdict check(String rawPath) {
        return RequestPath.check(rawPath, "", null);
    }

    @Test
    void the_paths_keyhole_serves_are_canonical() {
        for (String path : List.of("/", "/index.html", "/assets/app.js", "/assets/app.css", "/assets/favicon.svg",
                "/echo", "/whoami", "/chat/lobby", "/chat/a.b_c-d", "/chat/Room-01", "/chat/x~y", "/health")) {
            RequestPath.Verdict verdict = check(path);
            assertTrue(verdict.accepted(), path + ": " + verdict.rule());
            assertEquals(path, verdict.path());
        }
    }

    @Test
    void every_path_parameter_is_refused_whichever_segment_carries_it() {
        for (String path : List.of("/chat;x/lobby", "/chat;/lobby", "/chat/lobby;x", "/chat/lobby;", "/;/chat/lobby",
                "/chat;jsessionid=1/lobby")) {
            assertEquals("path-parameter", check(path).rule(), path);
        }
    }

    @Test
    void every_percent_escape_is_refused_since_no_keyhole_path_needs_one() {
        for (String path : List.of("/chat%3Bx/lobby", "/chat%3bx/lobby", "/chat/%2e%2e", "/chat/%2E%2E/echo",
                "/chat%2flobby", "/chat%2Flobby", "/chat%5clobby", "/chat/lob%62y", "/chat/%00", "/chat/%", "/chat/%zz")) {
            assertEquals("percent-escape", check(path).rule(), path);
        }
    }

    @Test
    void dot_segments_and_segments_ending_in_a_dot_are_refused() {
        for (String path : List.of("/chat/..", "/chat/.", "/chat/./lobby", "/chat/../chat/lobby", "/..", "/./",
                "/chat/lobby.", "/chat/lobby..", "/chat./lobby", "/assets/app.js.")) {
            RequestPath.Verdict verdict = check(path);
            assertFalse(verdict.accepted(), path);
            assertTrue(List.of("dot-segment", "trailing-slash").contains(verdict.rule()), path + ": " + verdict.rule());
        }
    }

    @Test
    void the_admin_page_folder_alone_ends_with_a_slash_and_only_as_the_container_routes_it() {
        assertTrue(RequestPath.check("/admin/", "", "/admin/").accepted());
        assertTrue(RequestPath.check("/admin/", "", "/admin/index.html").accepted(), "Payara maps it to its welcome file");
        assertEquals("container-mismatch", RequestPath.check("/admin/", "", "/chat/x").rule());
        assertEquals("trailing-slash", check("/ADMIN/").rule());
        assertEquals("trailing-slash", check("/admin/api/").rule());
        assertFalse(check("/admin//").accepted());
    }

    @Test
    void empty_segments_and_trailing_slashes_are_refused() {
        assertEquals("empty-segment", check("//chat/lobby").rule());
        assertEquals("empty-segment", check("/chat//lobby").rule());
        assertEquals("trailing-slash", check("/chat/lobby/").rule());
        assertEquals("trailing-slash", check("/assets/").rule());
        assertEquals("trailing-slash", check("//").rule());
    }

    @Test
    void characters_outside_rfc3986_pchar_are_refused() {
        for (String path : List.of("/chat/a|b", "/chat/{room}", "/chat/a^b", "/chat/a`b", "/chat/a\"b", "/chat/<b>",
                "/chat/a b", "/chat/a[b]", "/chat/a#b", "/chat/a?b")) {
            assertEquals("character", check(path).rule(), path);
        }
        assertEquals("backslash", check("/chat\\lobby").rule());
        assertEquals("backslash", check("/chat/..\\lobby").rule());
        assertEquals("control-character", check("/chat/lob\tby").rule());
        assertEquals("control-character", check("/chat/lobby\r\nX-Evil: 1").rule());
        assertEquals("control-character", check("/chat/\u007f").rule());
        assertEquals("non-ascii", check("/chat/caf\u00e9").rule());
        assertEquals("non-ascii", check("/chat/\u212Aelvin").rule());
    }

    @Test
    void a_path_must_be_absolute_and_inside_the_context() {
        assertEquals("not-absolute", check("chat/lobby").rule());
        assertEquals("not-absolute", check("*").rule());
        assertEquals("context", RequestPath.check("/other/chat", "/keyhole", null).rule());
        assertEquals("/chat/lobby", RequestPath.check("/keyhole/chat/lobby", "/keyhole", null).path());
        assertEquals("/", RequestPath.check("/keyhole", "/keyhole", null).path());
    }

    @Test
    void a_canonical_path_the_container_reads_otherwise_is_refused() {
        assertEquals("/chat/lobby", RequestPath.check("/chat/lobby", "", "/chat/lobby").path());
        assertEquals("container-mismatch", RequestPath.check("/chat/lobby", "", "/chat").rule());
        assertEquals("container-mismatch", RequestPath.check("/CHAT/lobby", "", "/chat/lobby").rule());
        assertEquals("container-mismatch", RequestPath.check("/echo", "", "/echo/index.html").rule());
    }

    @Test
    void the_root_may_be_mapped_to_its_welcome_file() {
        assertEquals("/", RequestPath.check("/", "", "/index.html").path());
    }

    @Test
    void the_container_path_is_servlet_path_and_path_info_and_slash_when_both_are_empty() {
        assertEquals("/chat/lobby", RequestPath.containerPath(request("/chat/lobby", "/chat", "/lobby")));
        assertEquals("/echo", RequestPath.containerPath(request("/echo", "/echo", null)));
        assertEquals("/", RequestPath.containerPath(request("/", "", null)));
        assertEquals("/", RequestPath.containerPath(request("/", "", "/")));
    }

    @Test
    void a_request_is_checked_on_its_raw_uri_against_its_container_path() {
        // Payara: servlet path cut at the first ';'.
        assertEquals("path-parameter", RequestPath.of(request("/chat;x/ops", "/chat", null)).rule());
        // A container that decoded and resolved the path before mapping it.
        assertEquals("percent-escape", RequestPath.of(request("/chat/%2e%2e", "/", null)).rule());
        assertEquals("/chat/ops", RequestPath.of(request("/chat/ops", "/chat/ops", null)).path());
        // Payara cuts ";jsessionid=..." (and what follows) out of the URI; the session id from the URL tells.
        assertEquals("path-parameter", RequestPath.of(request("/chat;jsessionid=1/ops", "/chat", null)).rule());
    }

    private static HttpServletRequest request(String uri, String servletPath, String pathInfo) {
        Map<String, Object> answers = new java.util.HashMap<>();
        answers.put("getRequestURI", uri);
        answers.put("getContextPath", "");
        answers.put("getServletPath", servletPath);
        answers.put("getPathInfo", pathInfo);
        answers.put("isRequestedSessionIdFromURL", uri.contains(";jsessionid="));
        return (HttpServletRequest) Proxy.newProxyInstance(HttpServletRequest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> {
                    if (!answers.containsKey(method.getName())) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    return answers.get(method.getName());
                });
    }
}
