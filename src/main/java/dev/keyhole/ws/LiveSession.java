package dev.keyhole.ws;

import dev.keyhole.auth.AuthenticationPolicy.Credential;
import dev.keyhole.auth.ClientIdentity;
import dev.keyhole.auth.ClientPrincipal;
import dev.keyhole.limits.ConnectionLimits;
import dev.keyhole.log.LogLine;
import jakarta.websocket.Session;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One open WebSocket session as the {@link SessionRuntime} holds it: the connection lease its handshake was granted,
 * the client's certificate credential (for the expiry and revocation sweep), its outbox, when the client was last
 * heard from, and the endpoint's listener. Endpoints see its identity, its outbox and {@link #close(CloseCause)}.
 */
public final class LiveSession {

    private static final Logger LOG = Logger.getLogger(LiveSession.class.getName());
    /** The revocation generation of a session not checked yet. */
    static final long UNCHECKED = Long.MIN_VALUE;

    private final Session session;
    private final MessageEndpoint endpoint;
    private final ConnectionLimits.Lease lease;
    private final Credential credential;
    private final Instant notAfter;
    private final Outbox outbox;
    private final SessionMeters.Endpoint meters;
    private final MessageAssembler assembler;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile SessionListener listener;

    /** When the session opened (wall clock). */
    private Instant openedAt = Instant.EPOCH;
    /** The revocation generation this session's certificate was last checked against; the sweep's only. */
    long revocationChecked = UNCHECKED;
    volatile long lastIncoming;
    volatile long lastPing;
    /** Read and written by the sweep only. */
    private long lastDelivery;
    private long deliveredAtLastSweep;
    /** The connection's frame guard, if it has one (Tyrus); set before the session is shared. */
    private FrameGuard guard;
    /** When the sweep first saw the guard waiting for the rest of an oversized frame; the sweep's only. */
    private long guardWaitingSince;

    LiveSession(Session session, MessageEndpoint endpoint, ConnectionLimits.Lease lease, Outbox outbox, long now) {
        this(session, endpoint, lease, outbox, SessionMeters.unobserved().endpoint(endpoint.name()), now);
    }

    LiveSession(Session session, MessageEndpoint endpoint, ConnectionLimits.Lease lease, Outbox outbox,
            SessionMeters.Endpoint meters, long now) {
        this.meters = meters;
        this.session = session;
        this.endpoint = endpoint;
        this.lease = lease;
        this.credential = ClientPrincipal.credentialOf(session.getUserPrincipal()).orElse(null);
        this.notAfter = credential == null ? null : earliestNotAfter(credential);
        this.outbox = outbox;
        this.assembler = new MessageAssembler(endpoint.maxMessageBytes());
        this.lastIncoming = now;
        this.lastPing = now;
        this.lastDelivery = now;
    }

    private static Instant earliestNotAfter(Credential credential) {
        Instant earliest = credential.anchor().getNotAfter().toInstant();
        for (X509Certificate certificate : credential.path()) {
            Instant end = certificate.getNotAfter().toInstant();
            earliest = end.isBefore(earliest) ? end : earliest;
        }
        return earliest;
    }

    /** The verified identity of the client's certificate, or empty for a session without one. */
    public Optional<ClientIdentity> identity() {
        return credential == null ? Optional.empty() : Optional.of(credential.identity());
    }

    /** The principal the handshake was authenticated as (with the client's address), or empty. */
    public Optional<ClientPrincipal> principal() {
        return session.getUserPrincipal() instanceof ClientPrincipal principal ? Optional.of(principal) : Optional.empty();
    }

    /** The values of the endpoint path's template, e.g. {@code room} for {@code /chat/{room}}. */
    public Optional<String> pathParameter(String name) {
        return Optional.ofNullable(session.getPathParameters().get(name));
    }

    /** The handshake's query parameters. */
    public Map<String, List<String>> queryParameters() {
        return session.getRequestParameterMap();
    }

    /** Where the session's outgoing messages queue. */
    public Outbox outbox() {
        return outbox;
    }

    /** Queues a text message and starts sending it. */
    public void send(String text) {
        outbox.send(text);
    }

    /** Closes the session with the given code and reason, if it is still open. */
    public void close(CloseCause cause) {
        SessionErrors.close(session, cause);
    }

    public String id() {
        return session.getId();
    }

    String endpointName() {
        return endpoint.name();
    }

    SessionMeters.Endpoint meters() {
        return meters;
    }

    Session session() {
        return session;
    }

    ConnectionLimits.Lease lease() {
        return lease;
    }

    Optional<Credential> credential() {
        return Optional.ofNullable(credential);
    }

    void openedAt(Instant at) {
        openedAt = at;
    }

    /** What an operator sees of the session (the admin API). */
    public SessionRuntime.OpenSession view() {
        Optional<ClientPrincipal> principal = principal();
        return new SessionRuntime.OpenSession(session.getId(), endpoint.name(), openedAt,
                principal.flatMap(ClientPrincipal::address).orElse(null), Map.copyOf(session.getPathParameters()),
                identity());
    }

    void guard(FrameGuard connectionGuard) {
        guard = connectionGuard;
    }

    /**
     * Stops waiting for the rest of an oversized frame (so the session is closed with 1009) once the guard has waited
     * {@code graceNanos}: the client sends no more of it.
     */
    void settleGuard(long now, long graceNanos) {
        if (guard == null || !guard.waiting()) {
            return;
        }
        if (guardWaitingSince == 0) {
            guardWaitingSince = now;
        } else if (now - guardWaitingSince >= graceNanos) {
            guard.settle();
        }
    }

    /** Whether the certificate path has reached its end of validity (the earliest notAfter in it). */
    boolean expiredAt(Instant now) {
        return notAfter != null && !now.isBefore(notAfter);
    }

    /** The endpoint took the session; if it closed meanwhile (sweep, drain, a failed send), the listener is told now. */
    void listen(SessionListener taken) {
        synchronized (this) {
            listener = taken;
        }
        if (closed.get()) {
            tellClosed();
        }
    }

    /** The client answered a ping: it is alive. */
    void ponged(long now) {
        lastIncoming = now;
    }

    /** A part of a text message: assembled up to the limit, handed on when whole. */
    void text(String part, boolean last, long now) {
        lastIncoming = now;
        SessionListener current = listener;
        if (current != null) {
            assembler.text(part, last).ifPresent(text -> {
                meters.received();
                current.text(text);
            });
        }
    }

    /** A part of a binary message: refused at once (1003) by an endpoint that takes none. */
    void binary(ByteBuffer part, boolean last, long now) {
        lastIncoming = now;
        SessionListener current = listener;
        if (current == null) {
            return;
        }
        if (!endpoint.acceptsBinary()) {
            close(CloseCause.UNSUPPORTED_DATA);
            return;
        }
        assembler.binary(part, last).ifPresent(data -> {
            meters.received();
            current.binary(data);
        });
    }

    /**
     * Notes, once per sweep, whether messages reached the container for this client since the last one.
     *
     * @return when a message was last delivered
     */
    long lastDelivery(long now) {
        long delivered = outbox.delivered();
        if (delivered != deliveredAtLastSweep) {
            deliveredAtLastSweep = delivered;
            lastDelivery = now;
        }
        return lastDelivery;
    }

    /** Marks the session closed and tells the listener, the first time only; returns whether this was the first. */
    boolean markClosed() {
        if (!closed.compareAndSet(false, true)) {
            return false;
        }
        tellClosed();
        return true;
    }

    /** Hands the listener its close, once, whichever of listen and markClosed comes second. */
    private void tellClosed() {
        SessionListener current;
        synchronized (this) {
            current = listener;
            listener = null;
        }
        if (current == null) {
            return;
        }
        try {
            current.closed();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, LogLine.event("ws.close-failed").with("endpoint", endpoint.name())
                    .with("session", session.getId()).with("error", e.getClass().getName()).toString(), e);
        }
    }
}
