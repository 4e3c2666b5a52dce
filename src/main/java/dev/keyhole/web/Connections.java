package dev.keyhole.web;

import dev.keyhole.config.Setting;
import dev.keyhole.config.Settings;
import dev.keyhole.log.LogLine;
import dev.keyhole.ws.Closure;
import dev.keyhole.ws.FrameGuard;
import dev.keyhole.ws.MessageLimits;
import dev.keyhole.ws.MessageTooBigException;
import dev.keyhole.ws.Outbox;
import dev.keyhole.ws.SessionErrors;
import dev.keyhole.ws.TyrusIdleTimer;
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
import java.io.IOException;
import java.nio.ByteBuffer;
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
 * Every open WebSocket session, whatever its endpoint: the connection lease its handshake was granted (given back
 * when it closes), when the client last sent anything (pings for quiet connections, the idle timeout for dead
 * ones), and the drain when Keyhole stops: new handshakes get 503 and every open session is told 1001.
 *
 * <p>The drain runs when the application is undeployed ({@code @PreDestroy}) and, when the JVM is stopped (SIGTERM,
 * Ctrl-C), from a shutdown hook. The hook matters on Payara Micro: there the servlet context is stopped before CDI
 * beans are destroyed, so {@code @PreDestroy} comes too late to answer handshakes. The hook runs while the server
 * still serves, for as long as the server's own shutdown grace lasts ({@code fish.payara.shutdowngrace}, set in the
 * uber-jar; see docs/architecture.md).
 */
@ApplicationScoped
public class Connections {

    /** The request parameter that carries a handshake's lease to its session. */
    public static final String LEASE_PARAMETER = "keyhole-lease";

    private static final Logger LOG = Logger.getLogger(Connections.class.getName());
    private static final long LEASE_CLAIM_GRACE_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final byte[] PING = {'k'};
    /**
     * How far above an endpoint's limit the container's own per-session buffer limit lies. The endpoints take every
     * message in parts and close at their limit with {@code message-too-big}; Undertow reads ahead of a busy
     * endpoint (parts queue for its thread), and its own limit, a backstop, would otherwise close first with a reason
     * of its own (seen with 64 KiB on a loaded machine). 1 MiB bounds that read-ahead and lets the endpoint's stable
     * reason come first.
     */
    static final int CONTAINER_SLACK_BYTES = 1024 * 1024;

    @Inject
    Settings settings;

    @Resource
    ManagedScheduledExecutorService scheduler;

    /** The clock; tests replace it. */
    LongSupplier clock = System::nanoTime;

    private final Map<Session, Tracked> open = new ConcurrentHashMap<>();
    /** The frame guards of upgraded connections whose session has not opened yet, by lease id. */
    private final Map<String, FrameGuard> guards = new ConcurrentHashMap<>();
    /** Read at the first handshake, so that an invalid message limit is reported by StartupCheck, by its key. */
    private volatile int containerCap;
    private final AtomicBoolean drained = new AtomicBoolean();
    private volatile boolean shuttingDown;
    private ConnectionLimits limits;
    private KeepAlive keepAlive;
    private long shutdownGraceMillis;
    private ScheduledFuture<?> sweep;
    private Thread exitHook;
    /**
     * Made when the application starts: when the JVM stops, the application's class loader may already be closed
     * while the drain runs, so the drain must not need a class that was not loaded before.
     */
    private CloseReason goingAway;

    private static final class Tracked {
        final ConnectionLimits.Lease lease;
        final Outbox outbox;
        volatile long lastIncoming;
        volatile long lastPing;
        /** Read and written by the sweep only. */
        long lastDelivery;
        long deliveredAtLastSweep;

        Tracked(ConnectionLimits.Lease lease, Outbox outbox, long now) {
            this.lease = lease;
            this.outbox = outbox;
            this.lastIncoming = now;
            this.lastPing = now;
            this.lastDelivery = now;
        }

        /** Notes, once per sweep, whether messages reached the container for this client since the last one. */
        long lastDelivery(long now) {
            long delivered = outbox == null ? 0 : outbox.delivered();
            if (delivered != deliveredAtLastSweep) {
                deliveredAtLastSweep = delivered;
                lastDelivery = now;
            }
            return lastDelivery;
        }
    }

    @PostConstruct
    void start() {
        configure();
        sweep = scheduler.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
        exitHook = new Thread(this::drainOnExit, "keyhole-drain-on-exit");
        Runtime.getRuntime().addShutdownHook(exitHook);
    }

    /** Reads the settings; an invalid one fails the deployment. */
    void configure() {
        limits = new ConnectionLimits(new ConnectionLimits.Limits(settings.get(Setting.LIMITS_MAX_CONNECTIONS),
                settings.get(Setting.LIMITS_MAX_PER_ADDRESS), settings.get(Setting.LIMITS_MAX_PER_IDENTITY),
                settings.get(Setting.LIMITS_HANDSHAKE_RATE), settings.get(Setting.LIMITS_HANDSHAKE_BURST),
                settings.get(Setting.LIMITS_MAX_ANONYMOUS), settings.get(Setting.LIMITS_MAX_ANONYMOUS_PER_ADDRESS)), clock);
        int idle = settings.get(Setting.WS_IDLE_TIMEOUT_SECONDS);
        keepAlive = settings.get(Setting.WS_PING_INTERVAL_SECONDS, ping -> new KeepAlive(TimeUnit.SECONDS.toNanos(idle),
                TimeUnit.SECONDS.toNanos(ping)));
        shutdownGraceMillis = TimeUnit.SECONDS.toMillis(settings.get(Setting.WS_SHUTDOWN_GRACE_SECONDS));
        goingAway = Closure.GOING_AWAY.toCloseReason();
    }

    /** Created when the application starts, so that an invalid setting fails the deployment. */
    void onStartup(@Observes Startup startup) {
        LOG.fine("connections ready");
    }

    public ConnectionLimits limits() {
        return limits;
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
     * A session opened: its messages are limited to {@code maxMessageBytes} (the frame guard, and the container's
     * buffers a little above: over it, 1009), it claims the lease its handshake was granted and is watched from now on. It is closed
     * at once — and the endpoint must not go on — while Keyhole stops (1001), or when it has no lease to claim
     * (1013: it would count against no limit).
     *
     * @param outbox the session's outbox: messages flowing through it count as activity for the idle timeout
     * @param maxMessageBytes the largest message the endpoint accepts
     * @return whether the session may go on
     */
    public boolean opened(Session session, Outbox outbox, int maxMessageBytes) {
        TyrusIdleTimer.install(session);
        session.setMaxTextMessageBufferSize(maxMessageBytes + CONTAINER_SLACK_BYTES);
        session.setMaxBinaryMessageBufferSize(maxMessageBytes + CONTAINER_SLACK_BYTES);
        List<String> lease = session.getRequestParameterMap().get(LEASE_PARAMETER);
        String leaseId = lease == null || lease.isEmpty() ? null : lease.get(0);
        FrameGuard guard = leaseId == null ? null : guards.remove(leaseId);
        if (guard != null) {
            guard.attach(maxMessageBytes, () -> SessionErrors.close(session, new MessageTooBigException(maxMessageBytes), "frame-guard"));
        }
        Optional<ConnectionLimits.Lease> claimed = limits.claim(leaseId);
        open.put(session, new Tracked(claimed.orElse(null), outbox, clock.getAsLong()));
        if (shuttingDown) {
            SessionErrors.close(session, Closure.GOING_AWAY);
            return false;
        }
        if (claimed.isEmpty()) {
            LOG.warning(() -> LogLine.event("limits").with("decision", "reject").with("reason", "not-counted")
                    .with("session", session.getId()).toString());
            SessionErrors.close(session, Closure.NOT_COUNTED);
            return false;
        }
        return true;
    }

    /** The client sent something (a message or a pong): it is alive. */
    public void touched(Session session) {
        Tracked tracked = open.get(session);
        if (tracked != null) {
            tracked.lastIncoming = clock.getAsLong();
        }
    }

    /** A session closed: its lease is given back. */
    public void closed(Session session) {
        Tracked tracked = open.remove(session);
        if (tracked != null) {
            limits.release(tracked.lease);
        }
        if (open.isEmpty()) {
            synchronized (open) {
                open.notifyAll();
            }
        }
    }

    /** How many sessions are open. */
    public int size() {
        return open.size();
    }

    /** Once a second: pings quiet sessions, closes idle ones, gives back leases no session claimed. */
    void sweep() {
        long now = clock.getAsLong();
        open.forEach((session, tracked) -> {
            try {
                check(session, tracked, now);
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

    private void check(Session session, Tracked tracked, long now) {
        switch (keepAlive.next(now, tracked.lastIncoming, tracked.lastDelivery(now), tracked.lastPing)) {
            case CLOSE -> {
                if (!session.isOpen()) {
                    // Closed without its endpoint reporting it (its @OnClose failed): give the lease back.
                    closed(session);
                    return;
                }
                LOG.info(() -> LogLine.event("ws.idle-timeout").with("session", session.getId())
                        .with("subject", session.getUserPrincipal() == null ? null : session.getUserPrincipal().getName())
                        .toString());
                SessionErrors.close(session, Closure.IDLE_TIMEOUT);
            }
            case PING -> {
                tracked.lastPing = now;
                ping(session);
            }
            case NONE -> {
            }
        }
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
