package dev.keyhole.web;

import dev.keyhole.ws.SessionRuntime;

import dev.keyhole.ws.FrameGuard;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpUpgradeHandler;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A WebSocket handshake carrying the id of its connection lease as a request parameter, the one part of a request
 * that both containers hand to the session ({@code Session.getRequestParameterMap()}). A value the client put in
 * that parameter is dropped. A container that upgrades through this request gets the connection behind the lease's
 * {@link FrameGuard} ({@link GuardedUpgrade}).
 */
final class LeasedRequest extends HttpServletRequestWrapper {

    private final Map<String, String[]> parameters;
    private final String queryString;
    private final FrameGuard guard;
    private final boolean trim;

    /**
     * @param trim whether the upgraded connection lets go of what Payara keeps for it but no longer needs
     *             ({@link UpgradeTrim})
     */
    LeasedRequest(HttpServletRequest request, String leaseId, FrameGuard guard, boolean trim) {
        super(request);
        this.guard = guard;
        this.trim = trim;
        Map<String, String[]> own = new LinkedHashMap<>(request.getParameterMap());
        own.remove(SessionRuntime.LEASE_PARAMETER);
        own.put(SessionRuntime.LEASE_PARAMETER, new String[] {leaseId});
        parameters = Collections.unmodifiableMap(own);
        String original = request.getQueryString();
        String kept = original == null ? "" : Stream.of(original.split("&"))
                .filter(pair -> !pair.equals(SessionRuntime.LEASE_PARAMETER) && !pair.startsWith(SessionRuntime.LEASE_PARAMETER + "="))
                .collect(Collectors.joining("&"));
        queryString = (kept.isEmpty() ? "" : kept + "&") + SessionRuntime.LEASE_PARAMETER + "=" + leaseId;
    }

    @Override
    public String getParameter(String name) {
        String[] values = parameters.get(name);
        return values == null || values.length == 0 ? null : values[0];
    }

    @Override
    public Map<String, String[]> getParameterMap() {
        return parameters;
    }

    @Override
    public Enumeration<String> getParameterNames() {
        return Collections.enumeration(parameters.keySet());
    }

    @Override
    public String[] getParameterValues(String name) {
        String[] values = parameters.get(name);
        return values == null ? null : values.clone();
    }

    @Override
    public String getQueryString() {
        return queryString;
    }

    /**
     * The local address, not a host name, unlike the Servlet API's contract for this method. Tyrus asks every upgrade
     * for the local host name and uses it only as the host of {@code Session.getRequestURI()}, which Keyhole does not
     * read (that host is now the address). Grizzly answers with a reverse lookup of the connection's local address,
     * which the JDK does not cache: a resolver query per handshake (0.06 ms on loopback through /etc/hosts, a DNS round
     * trip elsewhere), and a handshake that waits as long as a hanging resolver does. Keyhole's own code asks for the
     * address ({@code getLocalAddr()}), never the name.
     */
    @Override
    public String getLocalName() {
        return getLocalAddr();
    }

    @Override
    public <T extends HttpUpgradeHandler> T upgrade(Class<T> type) throws IOException, ServletException {
        UpgradeTrim trimmed = trim ? UpgradeTrim.of(getRequest()) : UpgradeTrim.NONE;
        return GuardedUpgrade.upgrade(super::upgrade, type, guard, trimmed);
    }
}
