package dev.keyhole.ws;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The session runtime's meters (docs/operations.md#metrics). Labels are bounded sets only: the endpoint's name, a
 * close reason code; never an identity, an address or a room.
 */
public final class SessionMeters {

    /** The buckets of the delivery latency histogram. */
    private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
            Duration.ofSeconds(5), Duration.ofSeconds(10)};

    /** The meters of one endpoint. */
    public static final class Endpoint {
        private final AtomicInteger open = new AtomicInteger();
        private final Counter received;
        private final Counter delivered;
        private final Timer latency;

        private Endpoint(MeterRegistry registry, String name) {
            Gauge.builder("keyhole.connections.open", open, AtomicInteger::get).tag("endpoint", name)
                    .description("Open WebSocket sessions").register(registry);
            received = Counter.builder("keyhole.messages.received").tag("endpoint", name)
                    .description("Whole messages received from clients").register(registry);
            delivered = Counter.builder("keyhole.messages.delivered").tag("endpoint", name)
                    .description("Messages the container took for sending to a client").register(registry);
            latency = Timer.builder("keyhole.delivery.latency").tag("endpoint", name)
                    .description("From a chat message's post to its delivery to a member's connection")
                    .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
        }

        void opened() {
            open.incrementAndGet();
        }

        void closed() {
            open.decrementAndGet();
        }

        void received() {
            received.increment();
        }

        /** A message went to the client; {@code postedAtMillis} is when it was posted (0: not a posted message). */
        void delivered(long postedAtMillis) {
            delivered.increment();
            if (postedAtMillis > 0) {
                latency.record(Math.max(0, System.currentTimeMillis() - postedAtMillis), TimeUnit.MILLISECONDS);
            }
        }
    }

    private final MeterRegistry registry;
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();

    public SessionMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Meters that go nowhere a scrape can see (tests). */
    public static SessionMeters unobserved() {
        return new SessionMeters(new SimpleMeterRegistry());
    }

    /** The meters of the endpoint called {@code name}. */
    public Endpoint endpoint(String name) {
        return endpoints.computeIfAbsent(name, endpoint -> new Endpoint(registry, endpoint));
    }

    /** A session closed: who closed it and why — a close reason code of Keyhole's, or {@code client}. */
    void closed(String endpoint, String reason) {
        registry.counter("keyhole.sessions.closed", "endpoint", endpoint, "reason", reason).increment();
    }

    MeterRegistry registry() {
        return registry;
    }
}
