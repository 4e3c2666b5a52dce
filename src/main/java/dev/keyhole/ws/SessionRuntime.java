package dev.keyhole.ws;

import dev.keyhole.auth.Authentication;
import dev.keyhole.auth.AuthenticationPolicy.Credential;
import dev.keyhole.auth.CrlStore;
import dev.keyhole.auth.Revocation;
import dev.keyhole.config.Setting;
import dev.keyhole.config.Settings;
import dev.keyhole.limits.ConnectionLimits;
import dev.keyhole.log.LogLine;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The WebSocket session runtime: every open session, whatever its endpoint, in one registry ({@link LiveSession}).
 * It opens a session once — message limits, the connection lease its handshake was granted, its outbox — and
 * closes it once, giving the lease back and telling the endpoint. Once a second it pings quiet sessions, closes
 * idle ones, closes those whose certificate expired or (after a CRL change) was revoked, and forgets sessions the
 * container closed without reporting it. When Keyhole stops it drains: new handshakes get 503 and every open
 * session is told 1001.
 *
 * <p>The drain runs when the application is undeployed ({@code @PreDestroy}) and, when the JVM is stopped (SIGTERM,
 * Ctrl-C), from a shutdown hook. The hook matters on Payara Micro: there the servlet context is stopped before CDI
 * beans are destroyed, so {@code @PreDestroy} comes too late to answer handshakes. The hook runs while the server
 * still serves, for as long as the server's own shutdown grace lasts ({@code fish.payara.shutdowngrace}, set in the
 * uber-jar; see docs/architecture.md).
 */
@ApplicationScoped
public class SessionRuntime {

    /** The request parameter that carries a handshake's lease to its session. */
    public static final String LEASE_PARAMETER = "keyhole-lease";

    private static final Logger LOG = Logger.getLogger(SessionRuntime.class.getName());
    private static final long LEASE_CLAIM_GRACE_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** How long a tripped frame guard waits for the rest of the oversized frame before the session is closed. */
    private static final long GUARD_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final byte[] PING = {'k'};

    @Inject
    Settings settings;

    @Inject
    Authentication authentication;

    @Resource
    ManagedScheduledExecutorService scheduler;

    @Inject
    MeterRegistry registry;

    /** The clocks; tests replace them. */
    LongSupplier nanoTime = System::nanoTime;
    Clock wallClock = Clock.systemUTC();
    /** Which certificates are revoked now; tests replace it. */
    Revocation revocation;

    private final Map<Session, LiveSession> open = new ConcurrentHashMap<>();
    /** The frame guards of upgraded connections whose session has not opened yet, by lease id. */
    private final Map<String, FrameGuard> guards = new ConcurrentHashMap<>();
    /** Read at the first handshake, so that an invalid message limit is reported by StartupCheck, by its key. */
    private volatile int containerCap;
    private final AtomicBoolean drained = new AtomicBoolean();
    private volatile boolean shuttingDown;
    private ConnectionLimits limits;
    private KeepAlive keepAlive;
    private Outbox.Limits outboxLimits;
    private long sendTimeoutMillis;
    private boolean tyrusIdleTimerBypass;
    private boolean upgradeTrim;
    private long shutdownGraceMillis;
    private ScheduledFuture<?> sweep;
    private Thread exitHook;
    private SessionMeters meters;
    /** When the sweep last started (nanoTime): a sweep that stopped running stops keepalive and revocation. */
    private volatile long lastSweep;
    /**
     * Made when the application starts: when the JVM stops, the application's class loader may already be closed
     * while the drain runs, so the drain must not need a class that was not loaded before.
     */
    private CloseReason goingAway;

    @PostConstruct
    void start() {
        revocation = authentication.revocation();
        configure();
        lastSweep = nanoTime.getAsLong();
        sweep = scheduler.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
        exitHook = new Thread(this::drainOnExit, "keyhole-drain-on-exit");
        Runtime.getRuntime().addShutdownHook(exitHook);
    }

    /** Reads the settings; an invalid one fails the deployment. */
    void configure() {
        meters = new SessionMeters(registry);
        Gauge.builder("keyhole.outbox.queued.messages", this, runtime -> runtime.queued(Outbox::pending))
                .description("Messages waiting in the send queues of all sessions").register(registry);
        Gauge.builder("keyhole.outbox.queued.bytes", this, runtime -> runtime.queued(Outbox::queuedBytes))
                .baseUnit("bytes").description("Bytes waiting in the send queues of all sessions").register(registry);
        limits = new ConnectionLimits(new ConnectionLimits.Limits(settings.get(Setting.LIMITS_MAX_CONNECTIONS),
                settings.get(Setting.LIMITS_MAX_PER_ADDRESS), settings.get(Setting.LIMITS_MAX_PER_IDENTITY),
                settings.get(Setting.LIMITS_HANDSHAKE_RATE), settings.get(Setting.LIMITS_HANDSHAKE_BURST),
                settings.get(Setting.LIMITS_MAX_ANONYMOUS), settings.get(Setting.LIMITS_MAX_ANONYMOUS_PER_ADDRESS)), nanoTime);
        int idle = settings.get(Setting.WS_IDLE_TIMEOUT_SECONDS);
        keepAlive = settings.get(Setting.WS_PING_INTERVAL_SECONDS, ping -> new KeepAlive(TimeUnit.SECONDS.toNanos(idle),
                TimeUnit.SECONDS.toNanos(ping)));
        outboxLimits = new Outbox.Limits(settings.get(Setting.WS_SEND_QUEUE_MESSAGES), settings.get(Setting.WS_SEND_QUEUE_BYTES));
        sendTimeoutMillis = TimeUnit.SECONDS.toMillis(settings.get(Setting.WS_SEND_TIMEOUT_SECONDS));
        tyrusIdleTimerBypass = settings.get(Setting.WS_TYRUS_IDLE_TIMER_BYPASS);
        upgradeTrim = settings.get(Setting.WS_UPGRADE_TRIM);
        shutdownGraceMillis = TimeUnit.SECONDS.toMillis(settings.get(Setting.WS_SHUTDOWN_GRACE_SECONDS));
        goingAway = CloseCause.GOING_AWAY.toCloseReason();
        if (!tyrusIdleTimerBypass) {
            LOG.info(() -> LogLine.event("ws.tyrus-idle-timer").with("bypass", "off")
                    .with("setting", "keyhole.ws.tyrus-idle-timer-bypass=false").toString());
        }
        if (!upgradeTrim) {
            LOG.info(() -> LogLine.event("ws.upgrade-trim").with("trim", "off")
                    .with("setting", "keyhole.ws.upgrade-trim=false").toString());
        }
    }

    /** Created when the application starts, so that an invalid setting fails the deployment. */
    void onStartup(@Observes Startup startup) {
        LOG.fine("session runtime ready");
    }

    public ConnectionLimits limits() {
        return limits;
    }

    /** Whether an upgraded connection lets go of what the container keeps but no longer needs (on Payara). */
    public boolean trimsUpgrades() {
        return upgradeTrim;
    }

    /** Whether Keyhole is stopping: new handshakes are refused. */
    public boolean shuttingDown() {
        return shuttingDown;
    }

    /**
     * The frame guard for the connection of a granted handshake: until its session opens it holds messages to the
     * largest any endpoint accepts; then to the endpoint's own limit.
     */
    public FrameGuard guardFor(String leaseId) {
        if (containerCap == 0) {
            containerCap = MessageLimits.containerCap(settings);
        }
        return guards.computeIfAbsent(leaseId, id -> new FrameGuard(containerCap));
    }

    /**
     * A session of {@code endpoint} opened: its messages are limited to the endpoint's limit (the frame guard, and
     * the container's buffers a little above: over it, 1009), it claims the lease its handshake was granted, gets
     * its outbox and is watched from now on. It is closed at once while Keyhole stops (1001), or when it has no lease
     * to claim (1013: it would count against no limit).
     *
     * @param coalescing whether the client asked for several messages per WebSocket message (a batching subprotocol)
     * @return the session, or empty when it was closed and the endpoint must not take it
     */
    Optional<LiveSession> open(Session session, MessageEndpoint endpoint, boolean coalescing) {
        int maxMessageBytes = endpoint.maxMessageBytes();
        if (tyrusIdleTimerBypass) {
            TyrusIdleTimer.install(session);
        }
        session.setMaxTextMessageBufferSize(maxMessageBytes + MessageLimits.CONTAINER_SLACK_BYTES);
        session.setMaxBinaryMessageBufferSize(maxMessageBytes + MessageLimits.CONTAINER_SLACK_BYTES);
        List<String> leaseParameter = session.getRequestParameterMap().get(LEASE_PARAMETER);
        String leaseId = leaseParameter == null || leaseParameter.isEmpty() ? null : leaseParameter.get(0);
        FrameGuard guard = leaseId == null ? null : guards.remove(leaseId);
        if (guard != null) {
            guard.attach(maxMessageBytes, () -> SessionErrors.close(session, new MessageTooBigException(maxMessageBytes),
                    endpoint.name()));
        }
        session.getAsyncRemote().setSendTimeout(sendTimeoutMillis);
        SessionMeters.Endpoint endpointMeters = meters.endpoint(endpoint.name());
        Outbox outbox = new Outbox(session, outboxLimits, endpointMeters, coalescing);
        Optional<ConnectionLimits.Lease> claimed = limits.claim(leaseId);
        LiveSession live;
        try {
            live = new LiveSession(session, endpoint, claimed.orElse(null), outbox, endpointMeters, nanoTime.getAsLong());
        } catch (RuntimeException e) {
            claimed.ifPresent(limits::release);
            throw e;
        }
        live.guard(guard);
        live.openedAt(wallClock.instant());
        open.put(session, live);
        endpointMeters.opened();
        if (shuttingDown) {
            live.close(CloseCause.GOING_AWAY);
            return Optional.empty();
        }
        if (claimed.isEmpty()) {
            LOG.warning(() -> LogLine.event("limits").with("decision", "reject").with("reason", "not-counted")
                    .with("endpoint", endpoint.name()).with("session", session.getId()).toString());
            live.close(CloseCause.NOT_COUNTED);
            return Optional.empty();
        }
        return Optional.of(live);
    }

    long now() {
        return nanoTime.getAsLong();
    }

    /** A session closed: its lease is given back and its endpoint told, once. */
    void closed(Session session) {
        LiveSession live = open.remove(session);
        try {
            if (live != null) {
                try {
                    limits.release(live.lease());
                } finally {
                    live.markClosed();
                    live.meters().closed();
                    meters.closed(live.endpointName(), SessionErrors.closedBecause(session));
                }
            }
        } finally {
            if (open.isEmpty()) {
                synchronized (open) {
                    open.notifyAll();
                }
            }
        }
    }

    /** A session failed: logged, and closed with the code that fits the failure. */
    void failed(Session session, Throwable failure, String endpointName) {
        SessionErrors.close(session, failure, endpointName);
    }

    /**
     * An open session as an operator sees it.
     *
     * @param remoteAddress the client's address when the session has a certificate principal, else null
     * @param pathParameters the values of the endpoint path's template, e.g. {@code room}
     */
    public record OpenSession(String id, String endpoint, Instant since, String remoteAddress,
            Map<String, String> pathParameters, Optional<dev.keyhole.auth.ClientIdentity> identity) {
    }

    /** Every open session, oldest first. */
    public List<OpenSession> openSessions() {
        return open.values().stream().map(LiveSession::view)
                .sorted(java.util.Comparator.comparing(OpenSession::since).thenComparing(OpenSession::id)).toList();
    }

    /**
     * Closes the open sessions the predicate picks, with the given cause.
     *
     * @return how many were closed
     */
    public int close(java.util.function.Predicate<OpenSession> which, CloseCause cause) {
        int closed = 0;
        for (LiveSession live : open.values()) {
            if (which.test(live.view())) {
                live.close(cause);
                closed++;
            }
        }
        return closed;
    }

    /** Messages delivered to clients so far, over every endpoint (for the admin page's rate). */
    public double delivered() {
        return registry.find("keyhole.messages.delivered").counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    /** How long ago the once-a-second sweep (keepalive, idle and revocation checks) last ran. */
    public Duration sinceLastSweep() {
        return Duration.ofNanos(nanoTime.getAsLong() - lastSweep);
    }

    /** How many sessions are open. */
    public int size() {
        return open.size();
    }

    /** The sum of one measure of every open session's outbox. */
    private double queued(java.util.function.ToLongFunction<Outbox> measure) {
        long sum = 0;
        for (LiveSession live : open.values()) {
            sum += measure.applyAsLong(live.outbox());
        }
        return sum;
    }

    /**
     * Once a second: pings quiet sessions, closes idle ones and those whose certificate expired or was revoked,
     * forgets sessions closed without a report, gives back leases no session claimed.
     */
    void sweep() {
        long now = nanoTime.getAsLong();
        lastSweep = now;
        Instant instant = wallClock.instant();
        long generation = revocation == null ? 0 : revocation.generation();
        Map<Credential, CrlStore.Status> statuses = new HashMap<>();
        open.forEach((session, live) -> {
            try {
                check(session, live, now, instant, generation, statuses);
            } catch (RuntimeException e) {
                // One session's failure must not stop the others' keepalive: logged, and tried again next time.
                LOG.log(Level.WARNING, LogLine.event("ws.sweep-failed").with("session", session.getId())
                        .with("error", e.getClass().getName()).toString(), e);
            }
        });
        try {
            limits.releaseUnclaimed(LEASE_CLAIM_GRACE_NANOS);
            guards.keySet().removeIf(leaseId -> !limits.holds(leaseId));
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: log, and try again next time.
            LOG.log(Level.SEVERE, LogLine.event("ws.sweep-failed").with("error", e.getClass().getName()).toString(), e);
        }
    }

    private void check(Session session, LiveSession live, long now, Instant instant, long generation,
            Map<Credential, CrlStore.Status> statuses) {
        if (!session.isOpen()) {
            if (keepAlive.next(now, live.lastIncoming, live.lastDelivery(now), live.lastPing) == KeepAlive.Action.CLOSE) {
                // Closed without the container reporting it (onClose never ran): give the lease back, tell the endpoint.
                closed(session);
            }
            return;
        }
        live.settleGuard(now, GUARD_GRACE_NANOS);
        Optional<CloseCause> credentialProblem = credentialProblem(live, instant, generation, statuses);
        if (credentialProblem.isPresent()) {
            Credential credential = live.credential().orElseThrow();
            LOG.warning(LogLine.event("auth.session-closed").with("reason", credentialProblem.get().reasonCode())
                    .with("endpoint", live.endpointName()).with("session", session.getId())
                    .with("subject", credential.identity().subject()).with("serial", credential.identity().serial())
                    .with("fingerprint", credential.identity().fingerprint()).toString());
            live.close(credentialProblem.get());
            return;
        }
        switch (keepAlive.next(now, live.lastIncoming, live.lastDelivery(now), live.lastPing)) {
            case CLOSE -> {
                LOG.info(() -> LogLine.event("ws.idle-timeout").with("endpoint", live.endpointName())
                        .with("session", session.getId())
                        .with("subject", live.identity().map(identity -> identity.subject()).orElse(null)).toString());
                live.close(CloseCause.IDLE_TIMEOUT);
            }
            case PING -> {
                live.lastPing = now;
                ping(session);
            }
            case NONE -> {
            }
        }
    }

    /**
     * Expired (checked every sweep), or revoked: checked once for a new session (its handshake may have been decided
     * on the CRLs before a reload) and again whenever the CRLs changed. A CRL that cannot be read revokes nothing.
     */
    private Optional<CloseCause> credentialProblem(LiveSession live, Instant instant, long generation,
            Map<Credential, CrlStore.Status> statuses) {
        Optional<Credential> credential = live.credential();
        if (credential.isEmpty()) {
            return Optional.empty();
        }
        if (live.expiredAt(instant)) {
            return Optional.of(CloseCause.EXPIRED);
        }
        if (revocation == null || live.revocationChecked == generation) {
            return Optional.empty();
        }
        CrlStore.Status status = statuses.computeIfAbsent(credential.get(), revocation::status);
        live.revocationChecked = generation;
        return status == CrlStore.Status.REVOKED ? Optional.of(CloseCause.REVOKED) : Optional.empty();
    }

    private static void ping(Session session) {
        try {
            session.getAsyncRemote().sendPing(ByteBuffer.wrap(PING));
        } catch (IOException | IllegalStateException e) {
            LOG.fine(() -> LogLine.event("ws.ping-failed").with("session", session.getId())
                    .with("error", e.getClass().getName()).toString());
        }
    }

    /**
     * Stops taking connections: new handshakes get 503, every open session is told 1001, and this waits up to
     * {@code keyhole.ws.shutdown-grace-seconds} for them to close. Only the first call does anything.
     */
    void drain() {
        if (!drained.compareAndSet(false, true)) {
            return;
        }
        shuttingDown = true;
        if (sweep != null) {
            sweep.cancel(false);
        }
        int count = open.size();
        LOG.info(() -> LogLine.event("ws.shutdown").with("open", count).toString());
        for (Session session : open.keySet()) {
            try {
                if (session.isOpen()) {
                    SessionErrors.noteCause(session, CloseCause.GOING_AWAY);
                    session.close(goingAway);
                }
            } catch (IOException | RuntimeException gone) {
                // the connection is already gone: nobody to tell
            }
        }
        long deadline = System.currentTimeMillis() + shutdownGraceMillis;
        synchronized (open) {
            for (long left = shutdownGraceMillis; !open.isEmpty() && left > 0; left = deadline - System.currentTimeMillis()) {
                try {
                    open.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void drainOnExit() {
        try {
            drain();
        } catch (Throwable late) {
            // The server's own shutdown got ahead of this hook (no shutdown grace): there is nothing more to do.
        }
    }

    /** On undeploy: the drain (unless the JVM's shutdown already ran it), and the JVM no longer needs the hook. */
    @PreDestroy
    void stop() {
        drain();
        if (exitHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(exitHook);
            } catch (IllegalStateException exiting) {
                // the JVM is stopping: the hook has run or is running
            }
        }
    }
}
