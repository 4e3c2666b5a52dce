package dev.keyhole.web;

import dev.keyhole.auth.AuthenticationPolicy;
import dev.keyhole.auth.Authentication;
import dev.keyhole.auth.ClientPrincipal;

import dev.keyhole.auth.AuthenticationPolicy.Accepted;
import dev.keyhole.auth.AuthenticationPolicy.Decision;
import dev.keyhole.auth.AuthenticationPolicy.Rejected;
import dev.keyhole.web.Perimeter;
import dev.keyhole.web.RequestPath;
import dev.keyhole.web.HandshakeRefusal;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;

/**
 * Authenticates every request by its client certificate before the WebSocket upgrade (declared in web.xml, so its
 * place among the filters is explicit). It reads the chain the container attached to the request, hands the facts
 * to the {@link AuthenticationPolicy} and either refuses the request with 403 and a stable reason code, or passes
 * it on wrapped, so that the identity reaches every endpoint. It decides on the canonical path
 * ({@link RequestPath}): the raw path as sent, which is also the path the container routes.
 */
public class ClientCertificateFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;

    /** Where Jakarta Servlet containers put the client's certificate chain. */
    static final String CERTIFICATES = "jakarta.servlet.request.X509Certificate";
    /** The Java EE name of the same attribute, which older containers and bridges still set. */
    static final String LEGACY_CERTIFICATES = "javax.servlet.request.X509Certificate";

    @Inject
    private transient Authentication authentication;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        RequestPath.Verdict path = RequestPath.of(request);
        if (!path.accepted()) {
            // RequestPathFilter refuses these before; this is its second line, should the filters be reordered.
            HandshakeRefusal.send(request, response, HttpServletResponse.SC_BAD_REQUEST, RequestPath.REASON);
            return;
        }
        AuthenticationPolicy.Request facts = new AuthenticationPolicy.Request(path.path(), request.getRemoteAddr(),
                certificates(request), name -> headers(request, name));
        Decision decision = authentication.decide(facts, Perimeter.isWebSocketHandshake(request));
        if (decision instanceof Rejected rejected) {
            HandshakeRefusal.send(request, response, HttpServletResponse.SC_FORBIDDEN, rejected.reason().code());
            return;
        }
        Accepted accepted = (Accepted) decision;
        ClientPrincipal principal = accepted.credential()
                .map(credential -> new ClientPrincipal(credential, decision.facts().client().address())).orElse(null);
        request.setAttribute(HandshakeRefusal.ACCEPTED, principal == null ? "anonymous" : "certificate");
        chain.doFilter(new AuthenticatedRequest(request, principal, decision.facts().client()), response);
    }

    static List<X509Certificate> certificates(HttpServletRequest request) {
        Object chain = request.getAttribute(CERTIFICATES);
        if (chain == null) {
            chain = request.getAttribute(LEGACY_CERTIFICATES);
        }
        return chain instanceof X509Certificate[] certificates && certificates.length > 0 ? List.of(certificates) : List.of();
    }

    private static List<String> headers(HttpServletRequest request, String name) {
        return Collections.list(request.getHeaders(name));
    }
}
