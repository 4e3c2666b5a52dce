package dev.keyhole.web;

import dev.keyhole.log.LogLine;
import dev.keyhole.web.HandshakeRefusal;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Instant;
import java.util.logging.Logger;

/**
 * The origin policy, before any certificate is looked at: a WebSocket handshake from a page of another origin gets
 * 403 {@code origin-not-allowed} (and an audit line), whatever certificate the browser presented. Other requests get
 * CORS: allowed origins are echoed, every answer varies by Origin, preflights are answered here.
 */
public class OriginFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(OriginFilter.class.getName());

    @Inject
    private transient Perimeter perimeter;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String origin = request.getHeader("Origin");
        OriginPolicy.Verdict verdict = perimeter.origins().check(origin, Perimeter.self(request));
        if (Perimeter.isWebSocketHandshake(request)) {
            if (!verdict.accepted()) {
                LOG.warning(LogLine.event("origin").with("decision", "reject").with("reason", "origin-not-allowed")
                        .with("time", Instant.now()).with("remote", request.getRemoteAddr())
                        .with("path", request.getRequestURI()).with("origin", origin).toString());
                HandshakeRefusal.send(request, response, HttpServletResponse.SC_FORBIDDEN, "origin-not-allowed");
                return;
            }
            chain.doFilter(request, response);
            return;
        }
        Cors.Answer answer = perimeter.cors().answer(verdict, origin, request.getMethod(),
                request.getHeader("Access-Control-Request-Method"));
        answer.headers().forEach(response::setHeader);
        if (answer.preflight()) {
            if (answer.refused()) {
                HandshakeRefusal.send(request, response, HttpServletResponse.SC_FORBIDDEN, "cors-not-allowed");
            } else {
                response.setStatus(HttpServletResponse.SC_NO_CONTENT);
            }
            return;
        }
        chain.doFilter(request, response);
    }
}
