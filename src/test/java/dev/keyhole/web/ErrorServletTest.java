package dev.keyhole.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ErrorServletTest {

    @Test
    void statuses_get_stable_code_words() {
        assertEquals("not-found", ErrorServlet.reasonCode(404));
        assertEquals("method-not-allowed", ErrorServlet.reasonCode(405));
        assertEquals("internal-error", ErrorServlet.reasonCode(500));
        assertEquals("error-418", ErrorServlet.reasonCode(418));
    }
}
