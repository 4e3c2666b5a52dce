package dev.keyhole.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SecurityHeadersTest {

    private static SecurityHeaders headers(int hstsMaxAge, boolean subdomains, boolean preload) {
        return new SecurityHeaders("default-src 'none'; frame-ancestors 'none'", "no-referrer", "camera=()", hstsMaxAge,
                subdomains, preload);
    }

    @Test
    void every_response_gets_the_browser_protections() {
        Map<String, String> sent = headers(63072000, true, false).headers(true);

        assertEquals("default-src 'none'; frame-ancestors 'none'", sent.get("Content-Security-Policy"));
        assertEquals("nosniff", sent.get("X-Content-Type-Options"));
        assertEquals("DENY", sent.get("X-Frame-Options"));
        assertEquals("no-referrer", sent.get("Referrer-Policy"));
        assertEquals("camera=()", sent.get("Permissions-Policy"));
        assertEquals("same-origin", sent.get("Cross-Origin-Opener-Policy"));
        assertFalse(sent.containsKey("X-XSS-Protection"));
    }

    @Test
    void hsts_is_sent_over_https_only() {
        SecurityHeaders headers = headers(63072000, true, false);

        assertEquals("max-age=63072000; includeSubDomains", headers.headers(true).get("Strict-Transport-Security"));
        assertFalse(headers.headers(false).containsKey("Strict-Transport-Security"));
        assertEquals(headers.headers(true).get("Content-Security-Policy"), headers.headers(false).get("Content-Security-Policy"));
    }

    @Test
    void hsts_options_are_spelled_as_browsers_expect() {
        assertEquals("max-age=31536000", headers(31536000, false, false).headers(true).get("Strict-Transport-Security"));
        assertEquals("max-age=63072000; includeSubDomains; preload",
                headers(63072000, true, true).headers(true).get("Strict-Transport-Security"));
        assertFalse(headers(0, true, false).headers(true).containsKey("Strict-Transport-Security"), "max-age 0: none");
    }

    @Test
    void an_empty_policy_is_not_sent() {
        Map<String, String> sent = new SecurityHeaders("", "", "", 0, false, false).headers(true);

        assertFalse(sent.containsKey("Content-Security-Policy"));
        assertFalse(sent.containsKey("Referrer-Policy"));
        assertFalse(sent.containsKey("Permissions-Policy"));
        assertEquals("nosniff", sent.get("X-Content-Type-Options"));
    }
}
