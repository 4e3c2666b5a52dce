package dev.keyhole.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class HttpsRedirectTest {

    private static final HttpsRedirect LOCAL = new HttpsRedirect(Optional.empty(), 8443);

    @Test
    void without_a_public_origin_requests_go_to_the_https_listener_on_their_local_address() {
        assertEquals("https://192.0.2.10:8443/index.html?room=lobby", LOCAL.target("192.0.2.10", "/index.html", "room=lobby"));
        assertEquals("https://127.0.0.1:8443/", LOCAL.target("127.0.0.1", "/", null));
    }

    @Test
    void an_ipv6_local_address_is_bracketed_and_loses_its_zone() {
        assertEquals("https://[2001:db8::1]:8443/echo", LOCAL.target("2001:db8::1", "/echo", null));
        assertEquals("https://[fe80::1]:8443/echo", LOCAL.target("fe80::1%eth0", "/echo", null));
        assertEquals("https://[::1]:8443/echo", LOCAL.target("[::1]", "/echo", null));
    }

    @Test
    void port_443_is_left_out() {
        assertEquals("https://192.0.2.10/", new HttpsRedirect(Optional.empty(), 443).target("192.0.2.10", "/", null));
    }

    @Test
    void a_public_origin_replaces_address_and_port() {
        HttpsRedirect redirect = new HttpsRedirect(HttpsRedirect.parsePublicOrigin("https://Chat.Example.com"), 8443);

        assertEquals("https://chat.example.com/chat/lobby?after=3", redirect.target("10.0.0.5", "/chat/lobby", "after=3"));
        assertEquals("https://chat.example.com:9443/", new HttpsRedirect(
                HttpsRedirect.parsePublicOrigin("https://chat.example.com:9443"), 8443).target("10.0.0.5", "/", null));
        assertEquals("https://chat.example.com", redirect.describe());
        assertEquals("https://<local address>:8443", LOCAL.describe());
    }

    @Test
    void the_public_origin_must_be_an_https_origin_and_nothing_more() {
        assertEquals(Optional.empty(), HttpsRedirect.parsePublicOrigin(""));
        assertEquals(Optional.empty(), HttpsRedirect.parsePublicOrigin("  "));
        for (String bad : new String[] {"http://chat.example.com", "https://chat.example.com/", "https://chat.example.com/x",
                "chat.example.com", "https://user@chat.example.com", "https://*.example.com", "https://chat.example.com:0",
                "https://chat.example.com?x", "https://chat.example.com\r\nX-Evil: 1"}) {
            assertThrows(IllegalArgumentException.class, () -> HttpsRedirect.parsePublicOrigin(bad), bad);
        }
    }

    @Test
    void a_valid_query_is_passed_on_unchanged() {
        assertEquals("after=12&epoch=a1b2-c3", HttpsRedirect.encodeQuery("after=12&epoch=a1b2-c3"));
        assertEquals("q=a%20b&r=%2F/?x;y", HttpsRedirect.encodeQuery("q=a%20b&r=%2F/?x;y"));
    }

    @Test
    void what_a_query_may_not_contain_is_percent_encoded() {
        assertEquals("x=%0D%0ALocation:%20https://evil.example", HttpsRedirect.encodeQuery("x=\r\nLocation: https://evil.example"));
        assertEquals("x=%22%3C%3E%7C%7B%7D%5E%60%5C%23", HttpsRedirect.encodeQuery("x=\"<>|{}^`\\#"));
        assertEquals("x=%25&y=%25zz&z=%252", HttpsRedirect.encodeQuery("x=%&y=%zz&z=%2"));
        assertEquals("x=%C3%A9%F0%9F%98%80", HttpsRedirect.encodeQuery("x=\u00e9\uD83D\uDE00"));
    }
}
