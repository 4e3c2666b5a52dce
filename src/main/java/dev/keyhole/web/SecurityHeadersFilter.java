package dev.keyhole.web;

import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * First of the filters: puts the security headers on every response (refusals from later filters included), HSTS
 * only over HTTPS, and redirects plain HTTP to HTTPS (308, so the method is kept; a ws:// handshake is refused by
 * it, since browsers do not follow redirects for WebSockets) — to the configured public origin or the local
 * address ({@link HttpsRedirect}), never to the request's Host header.
 */
public class SecurityHeadersFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;

    @Inject
    private transient Perimeter perimeter;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        boolean secure = request.isSecure();
        perimeter.headers().headers(secure).forEach(response::setHeader);
        if (!secure && perimeter.redirectHttp()) {
            RequestPath.Verdict path = RequestPath.of(request);
            if (path.accepted()) {
                response.setStatus(308);
                response.setHeader("Location", perimeter.redirect().target(request.getLocalAddr(), path.path(),
                        request.getQueryString()));
                response.setHeader("Cache-Control", "no-store");
                return;
            }
            // A path that is not canonical is not redirected anywhere: the next filter refuses it with 400.
        }
        chain.doFilter(request, response);
    }
}
