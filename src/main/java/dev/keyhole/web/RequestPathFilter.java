package dev.keyhole.web;

import dev.keyhole.log.LogLine;
import dev.keyhole.web.HandshakeRefusal;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Instant;
import java.util.logging.Logger;

/**
 * Second of the filters: a request whose path is not canonical ({@link RequestPath}) gets 400 {@code bad-path}, so
 * that the later filters and the endpoints only ever see a path that the container routes as it reads.
 */
public class RequestPathFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(RequestPathFilter.class.getName());

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        RequestPath.Verdict verdict = RequestPath.of(request);
        if (!verdict.accepted()) {
            LOG.warning(LogLine.event("path").with("decision", "reject").with("reason", RequestPath.REASON)
                    .with("rule", verdict.rule()).with("time", Instant.now()).with("remote", request.getRemoteAddr())
                    .with("path", request.getRequestURI()).with("container-path", RequestPath.containerPath(request))
                    .toString());
            HandshakeRefusal.send(request, response, HttpServletResponse.SC_BAD_REQUEST, RequestPath.REASON);
            return;
        }
        chain.doFilter(request, response);
    }
}
