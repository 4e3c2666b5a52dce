package dev.keyhole.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.web.OriginPolicy.Verdict;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CorsTest {

    private static final String APP = "https://app.example.com";
    private final Cors cors = new Cors(600);

    @Test
    void an_allowed_origin_is_echoed_with_credentials_and_the_answer_varies_by_origin() {
        Cors.Answer answer = cors.answer(Verdict.ALLOWED, APP, "GET", null);

        assertEquals(Map.of("Vary", "Origin", "Access-Control-Allow-Origin", APP, "Access-Control-Allow-Credentials", "true"),
                answer.headers());
        assertFalse(answer.preflight());
    }

    @Test
    void the_origin_is_echoed_as_browsers_spell_it() {
        assertEquals(APP, cors.answer(Verdict.ALLOWED, "HTTPS://App.Example.com:443", "GET", null).headers()
                .get("Access-Control-Allow-Origin"));
    }

    @Test
    void other_origins_get_no_cors_headers_but_the_vary() {
        assertEquals(Map.of("Vary", "Origin"), cors.answer(Verdict.REFUSED, "https://evil.example", "GET", null).headers());
        assertEquals(Map.of("Vary", "Origin"), cors.answer(Verdict.NO_ORIGIN, null, "GET", null).headers());
        // Same-origin requests need no CORS headers.
        assertEquals(Map.of("Vary", "Origin"), cors.answer(Verdict.SAME_ORIGIN, "https://keyhole.example", "GET", null).headers());
    }

    @Test
    void the_wildcard_is_never_sent() {
        for (Verdict verdict : Verdict.values()) {
            for (String method : new String[] {"GET", "OPTIONS"}) {
                Cors.Answer answer = cors.answer(verdict, APP, method, method.equals("OPTIONS") ? "GET" : null);
                assertFalse(answer.headers().containsValue("*"), verdict + " " + method);
            }
        }
    }

    @Test
    void a_preflight_from_an_allowed_origin_for_get_is_answered() {
        Cors.Answer answer = cors.answer(Verdict.ALLOWED, APP, "OPTIONS", "GET");

        assertTrue(answer.preflight());
        assertFalse(answer.refused());
        assertEquals(APP, answer.headers().get("Access-Control-Allow-Origin"));
        assertEquals("true", answer.headers().get("Access-Control-Allow-Credentials"));
        assertEquals("GET, HEAD", answer.headers().get("Access-Control-Allow-Methods"));
        assertEquals("600", answer.headers().get("Access-Control-Max-Age"));
        assertEquals("Origin", answer.headers().get("Vary"));
    }

    @Test
    void a_preflight_from_another_origin_or_for_another_method_is_refused() {
        assertTrue(cors.answer(Verdict.REFUSED, "https://evil.example", "OPTIONS", "GET").refused());
        assertTrue(cors.answer(Verdict.ALLOWED, APP, "OPTIONS", "POST").refused());
        assertTrue(cors.answer(Verdict.ALLOWED, APP, "OPTIONS", "DELETE").refused());
        Cors.Answer refused = cors.answer(Verdict.REFUSED, "https://evil.example", "OPTIONS", "GET");
        assertFalse(refused.headers().containsKey("Access-Control-Allow-Origin"));
    }

    @Test
    void options_without_the_preflight_headers_is_an_ordinary_request() {
        assertFalse(cors.answer(Verdict.ALLOWED, APP, "OPTIONS", null).preflight());
        assertFalse(cors.answer(Verdict.NO_ORIGIN, null, "OPTIONS", "GET").preflight());
    }
}
