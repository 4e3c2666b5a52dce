package dev.keyhole.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Refuses an HTTP request — a WebSocket handshake before the upgrade — with a status and a stable reason code. */
public final class HandshakeRefusal {

    private HandshakeRefusal() {
    }

    /** The request attribute that holds the reason code of a refusal, for the handshake counter. */
    static final String REFUSED = "dev.keyhole.refused";
    /** The request attribute that says how an accepted request was authenticated: certificate or anonymous. */
    static final String ACCEPTED = "dev.keyhole.accepted";

    /**
     * Answers {@code status} with the reason code as a short plain-text body, never cached, and notes the reason on
     * the request ({@link HandshakeMetricsFilter}).
     */
    public static void send(HttpServletRequest request, HttpServletResponse response, int status, String reasonCode)
            throws IOException {
        request.setAttribute(REFUSED, reasonCode);
        send(response, status, reasonCode);
    }

    /** Answers {@code status} with the reason code as a short plain-text body, never cached. */
    public static void send(HttpServletResponse response, int status, String reasonCode) throws IOException {
        response.setStatus(status);
        response.setContentType("text/plain");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.setHeader("Cache-Control", "no-store");
        if (status == 429 || status == 503) {
            response.setHeader("Retry-After", "5");
        }
        response.getWriter().write(reasonCode + "\n");
    }
}
