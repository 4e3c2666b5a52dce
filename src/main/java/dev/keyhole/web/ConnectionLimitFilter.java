package dev.keyhole.web;

import dev.keyhole.ws.SessionRuntime;

import dev.keyhole.limits.ConnectionLimits;

import dev.keyhole.auth.ClientIdentity;
import dev.keyhole.auth.ClientPrincipal;
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
 * Connection limits, after authentication (they count per identity and per client address): a WebSocket handshake
 * over a limit gets 429 or 503 before the upgrade, and an audit line; during shutdown every handshake gets 503. A
 * granted handshake carries its lease to the session in the request; if the upgrade does not happen, the lease is
 * given back at once.
 */
public class ConnectionLimitFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(ConnectionLimitFilter.class.getName());

    @Inject
    private transient SessionRuntime runtime;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!Perimeter.isWebSocketHandshake(request)) {
            chain.doFilter(request, response);
            return;
        }
        if (runtime.shuttingDown()) {
            HandshakeRefusal.send(request, response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "shutting-down");
            return;
        }
        String identityKey = ClientPrincipal.identityOf(request.getUserPrincipal())
                .map(ClientIdentity::key).orElse(null);
        ConnectionLimits.Outcome outcome = runtime.limits().acquire(request.getRemoteAddr(), identityKey);
        if (!outcome.granted()) {
            LOG.warning(LogLine.event("limits").with("decision", "reject").with("reason", outcome.refusal().code())
                    .with("pool", identityKey == null ? "anonymous" : "certificate")
                    .with("time", Instant.now()).with("remote", request.getRemoteAddr()).with("path", request.getRequestURI())
                    .with("subject", request.getUserPrincipal() == null ? null : request.getUserPrincipal().getName()).toString());
            HandshakeRefusal.send(request, response, outcome.refusal().status(), outcome.refusal().code());
            return;
        }
        try {
            String leaseId = outcome.lease().id();
            LeasedRequest leased = new LeasedRequest(request, leaseId, runtime.guardFor(leaseId), runtime.trimsUpgrades());
            chain.doFilter(leased, response);
        } finally {
            // Not upgraded: nobody will claim the lease. (Upgraded: the session claims it, or it expires unclaimed.)
            if (response.getStatus() != HttpServletResponse.SC_SWITCHING_PROTOCOLS) {
                runtime.limits().release(outcome.lease());
            }
        }
    }
}
