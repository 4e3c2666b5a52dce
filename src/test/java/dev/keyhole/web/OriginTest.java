package dev.keyhole.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class OriginTest {

    @Test
    void an_origin_is_normalised_to_lower_case_without_its_schemes_default_port() {
        assertEquals(Origin.parse("https://app.example.com"), Origin.parse("HTTPS://App.Example.COM:443"));
        assertEquals("https://app.example.com", Origin.parse("https://app.example.com:443").orElseThrow().toString());
        assertEquals("http://app.example.com:8080", Origin.parse("http://app.example.com:8080").orElseThrow().toString());
        assertEquals(new Origin("http", "localhost", 80), Origin.parse("http://localhost").orElseThrow());
    }

    @Test
    void ip_literals_are_origins() {
        assertEquals(new Origin("https", "127.0.0.1", 8443), Origin.parse("https://127.0.0.1:8443").orElseThrow());
        assertEquals(new Origin("https", "[::1]", 8443), Origin.parse("https://[::1]:8443").orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "", "https://", "app.example.com", "ftp://app.example.com", "https://app.example.com/",
        "https://app.example.com/path", "https://user@app.example.com", "https://app.example.com:0",
        "https://app.example.com:70000", "https://app.example.com:", "https://app example.com", "https://-app.example.com",
        "https://app.example.com?x", "https://app.example.com#x", "https://*.example.com"})
    void anything_that_is_not_exactly_an_origin_is_refused(String text) {
        assertTrue(Origin.parse(text).isEmpty(), text);
    }

    @Test
    void a_missing_header_is_no_origin() {
        assertEquals(Optional.empty(), Origin.parse(null));
        assertEquals(Optional.empty(), Origin.ofRequest("https", null));
    }

    @Test
    void a_request_is_addressed_to_its_scheme_and_host_header() {
        assertEquals(new Origin("https", "localhost", 8443), Origin.ofRequest("https", "localhost:8443").orElseThrow());
        assertEquals(new Origin("https", "keyhole.example", 443), Origin.ofRequest("https", "keyhole.example").orElseThrow());
    }
}
