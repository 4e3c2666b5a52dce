package dev.keyhole.web;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Counts WebSocket handshakes by Keyhole's decision and its reason code ({@code keyhole_handshakes_total}): first in
 * the chain, it reads what the later filters noted on the request — a refusal's reason code
 * ({@link HandshakeRefusal}) or how an accepted handshake was authenticated ({@code certificate},
 * {@code anonymous}). A handshake the container itself refuses after Keyhole accepted it counts as accepted.
 */
public class HandshakeMetricsFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;

    @Inject
    private transient MeterRegistry registry;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!Perimeter.isWebSocketHandshake(request)) {
            chain.doFilter(request, response);
            return;
        }
        try {
            chain.doFilter(request, response);
        } finally {
            Object refused = request.getAttribute(HandshakeRefusal.REFUSED);
            Object accepted = request.getAttribute(HandshakeRefusal.ACCEPTED);
            if (refused != null) {
                count("refuse", refused.toString());
            } else if (accepted != null) {
                count("accept", accepted.toString());
            }
        }
    }

    private void count(String decision, String reason) {
        registry.counter("keyhole.handshakes", "decision", decision, "reason", reason).increment();
    }
}
