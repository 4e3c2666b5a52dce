package dev.keyhole.web;

import dev.keyhole.auth.ClientAddress;

import dev.keyhole.auth.ClientPrincipal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.security.Principal;

/**
 * A request as Keyhole authenticated it: the principal is the verified client certificate (or none), roles come
 * from keyhole.auth.role.*, and behind a trusted proxy the remote address is the client's, not the proxy's. The
 * WebSocket containers take the principal from here into {@code Session.getUserPrincipal()}.
 */
final class AuthenticatedRequest extends HttpServletRequestWrapper {

    private final ClientPrincipal principal;
    private final ClientAddress client;

    AuthenticatedRequest(HttpServletRequest request, ClientPrincipal principal, ClientAddress client) {
        super(request);
        this.principal = principal;
        this.client = client;
    }

    @Override
    public Principal getUserPrincipal() {
        return principal;
    }

    @Override
    public String getRemoteUser() {
        return principal == null ? null : principal.getName();
    }

    @Override
    public boolean isUserInRole(String role) {
        return principal != null && principal.identity().roles().contains(role);
    }

    @Override
    public String getAuthType() {
        return principal == null ? null : HttpServletRequest.CLIENT_CERT_AUTH;
    }

    @Override
    public String getRemoteAddr() {
        return client.address();
    }

    @Override
    public String getRemoteHost() {
        return client.viaProxy() ? client.address() : super.getRemoteHost();
    }
}
