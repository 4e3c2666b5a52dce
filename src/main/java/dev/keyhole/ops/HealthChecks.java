package dev.keyhole.ops;

import dev.keyhole.auth.Authentication;
import dev.keyhole.auth.CrlStore;
import dev.keyhole.cluster.RedisRooms;
import dev.keyhole.cluster.RoomsProducer;
import dev.keyhole.config.Setting;
import dev.keyhole.config.Settings;
import dev.keyhole.ws.SessionRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What {@code /health/live} and {@code /health/ready} check, the same on every server.
 * <ul>
 *   <li>Live: the session runtime's once-a-second sweep (keepalive, idle timeout, revocation) still runs.</li>
 *   <li>Ready: handshakes are accepted (not draining for a stop); every CRL file holds a CRL before its nextUpdate
 *       (a stale CRL refuses every certificate unless {@code keyhole.auth.crl-fail-open}); in a cluster, a message
 *       published to this node through Redis comes back within the command timeout.</li>
 * </ul>
 */
@ApplicationScoped
public class HealthChecks {

    /** A sweep this late means the scheduler stopped running it. */
    static final Duration SWEEP_LATE = Duration.ofSeconds(10);
    /** How long one cluster probe's answer is reused: a balancer polling every node often costs one round trip. */
    static final Duration PROBE_REUSE = Duration.ofSeconds(1);

    @Inject
    SessionRuntime sessions;

    @Inject
    Authentication authentication;

    @Inject
    Settings settings;

    @Inject
    Instance<RedisRooms> cluster;

    private final Clock clock = Clock.systemUTC();
    private volatile CompletableFuture<Duration> lastProbe;
    private volatile long lastProbeStarted;

    Health live() {
        Duration since = sessions.sinceLastSweep();
        boolean up = sessions.shuttingDown() || since.compareTo(SWEEP_LATE) < 0;
        return new Health(List.of(new Health.Check("sessions", up, Map.of("since-last-sweep-ms", since.toMillis()))));
    }

    Health ready() {
        List<Health.Check> checks = new ArrayList<>();
        Map<String, Object> handshakes = Map.of("open-sessions", sessions.size());
        checks.add(sessions.shuttingDown() ? Health.Check.down("handshakes", Map.of("reason", "shutting-down"))
                : Health.Check.up("handshakes", handshakes));
        authentication.crls().ifPresent(crls -> checks.add(crl(crls)));
        if (RoomsProducer.clustered(settings)) {
            checks.add(cluster());
        }
        return new Health(checks);
    }

    private Health.Check crl(CrlStore crls) {
        Instant now = clock.instant();
        List<CrlStore.FileStatus> files = crls.files();
        long fresh = files.stream().filter(file -> file.freshAt(now)).count();
        Optional<Instant> earliest = files.stream().map(CrlStore.FileStatus::nextUpdate).filter(java.util.Objects::nonNull)
                .min(Instant::compareTo);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("files", files.size());
        data.put("fresh", fresh);
        earliest.ifPresent(next -> data.put("next-update", next.toString()));
        if (fresh == files.size()) {
            return Health.Check.up("crl", data);
        }
        data.put("fail-open", authentication.crlFailOpen());
        // Failing open, the node still serves (and says so); failing closed, it refuses every certificate.
        return new Health.Check("crl", authentication.crlFailOpen(), data);
    }

    private Health.Check cluster() {
        Duration timeout = Duration.ofMillis(settings.get(Setting.CLUSTER_COMMAND_TIMEOUT_MILLIS));
        CompletableFuture<Duration> probe = probe(timeout);
        try {
            Duration roundTrip = probe.get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS);
            return Health.Check.up("cluster", Map.of("node", cluster.get().node(), "round-trip-ms", roundTrip.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Health.Check.down("cluster", Map.of("reason", "interrupted"));
        } catch (Exception e) {
            return Health.Check.down("cluster", Map.of("node", cluster.get().node(), "reason", "redis-unavailable"));
        }
    }

    /** The probe started within {@link #PROBE_REUSE}, or a new one. */
    private synchronized CompletableFuture<Duration> probe(Duration timeout) {
        long now = System.nanoTime();
        if (lastProbe == null || now - lastProbeStarted > PROBE_REUSE.toNanos()) {
            lastProbeStarted = now;
            lastProbe = cluster.get().probe(timeout);
        }
        return lastProbe;
    }
}
