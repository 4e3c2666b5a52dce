package dev.keyhole.ops;

import dev.keyhole.auth.Authentication;
import dev.keyhole.auth.CrlStore;
import dev.keyhole.chat.Rooms;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The gauges of what Keyhole holds and depends on, read when Prometheus scrapes: rooms, members and history on
 * this node, the age and next update of each CRL file, and the time left on the listener's certificate.
 */
@ApplicationScoped
public class ServiceGauges {

    @Inject
    MeterRegistry registry;

    @Inject
    Rooms rooms;

    @Inject
    Authentication authentication;

    private final Clock clock = Clock.systemUTC();
    private final ServerCertificate serverCertificate = new ServerCertificate(clock);
    private List<Rooms.RoomStats> statsRead;
    private long statsReadAt;

    @PostConstruct
    void register() {
        Gauge.builder("keyhole.rooms", this, gauges -> gauges.roomStats().size())
                .description("Rooms this node holds (in a cluster: rooms with connections on this node)").register(registry);
        Gauge.builder("keyhole.room.members", this, gauges -> gauges.roomStats().stream()
                        .mapToInt(Rooms.RoomStats::members).sum())
                .description("Members of the rooms this node holds, summed over its rooms").register(registry);
        Gauge.builder("keyhole.history", this, ServiceGauges::historyBytes).baseUnit("bytes")
                .description("Bytes of history the rooms of this node keep (NaN in a cluster: the history is in Redis)")
                .register(registry);
        authentication.crls().ifPresent(crls -> {
            for (CrlStore.FileStatus file : crls.files()) {
                String name = file.file().toString(); // the configured path: two files may share a name
                Gauge.builder("keyhole.crl.age", crls, store -> fileStatus(store, file.file())
                                .map(status -> status.thisUpdate() == null ? Double.NaN
                                        : Duration.between(status.thisUpdate(), clock.instant()).toMillis() / 1000.0)
                                .orElse(Double.NaN))
                        .baseUnit("seconds").tag("file", name)
                        .description("Time since the thisUpdate of the CRL file (NaN: it holds no readable CRL)")
                        .register(registry);
                Gauge.builder("keyhole.crl.fresh", crls, store -> fileStatus(store, file.file())
                                .map(status -> status.freshAt(clock.instant()) ? 1.0 : 0.0).orElse(0.0))
                        .tag("file", name)
                        .description("1 when the CRL file holds a CRL before its nextUpdate, else 0").register(registry);
                Gauge.builder("keyhole.crl.next.update.timestamp", crls, store -> fileStatus(store, file.file())
                                .map(status -> epochSeconds(status.nextUpdate())).orElse(Double.NaN))
                        .baseUnit("seconds").tag("file", name)
                        .description("The nextUpdate of the CRL file, in seconds since the epoch (NaN: none)")
                        .register(registry);
            }
        });
        Gauge.builder("keyhole.server.certificate.expiry", serverCertificate, ServerCertificate::secondsLeft)
                .baseUnit("seconds")
                .description("Time until the certificate of the listener that served the last scrape expires")
                .register(registry);
    }

    /** Created when the application starts, so that the gauges are there at the first scrape. */
    void onStartup(@Observes Startup startup) {
        // the gauges are registered by @PostConstruct
    }

    ServerCertificate serverCertificate() {
        return serverCertificate;
    }

    /** The rooms' stats, read once per scrape (the three room gauges share them for a second). */
    private synchronized List<Rooms.RoomStats> roomStats() {
        long now = System.nanoTime();
        if (statsRead == null || now - statsReadAt > TimeUnit.SECONDS.toNanos(1)) {
            statsRead = rooms.stats();
            statsReadAt = now;
        }
        return statsRead;
    }

    private double historyBytes() {
        long sum = 0;
        for (Rooms.RoomStats room : roomStats()) {
            if (room.historyBytes() < 0) {
                return Double.NaN;
            }
            sum += room.historyBytes();
        }
        return sum;
    }

    private static Optional<CrlStore.FileStatus> fileStatus(CrlStore store, Path file) {
        return store.files().stream().filter(status -> status.file().equals(file)).findFirst();
    }

    private static double epochSeconds(Instant instant) {
        return instant == null ? Double.NaN : instant.toEpochMilli() / 1000.0;
    }
}
