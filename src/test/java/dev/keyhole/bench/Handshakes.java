package dev.keyhole.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Full handshakes per second: every connection is new, with a new client SSL context (no session to resume), and
 * presents a client certificate. Against Keyhole a handshake is TLS plus the WebSocket upgrade through the
 * authentication filter (chain, CRL, audit line), then a close; against the floor it is the TLS handshake alone.
 */
final class Handshakes {

    /** One handshake of the n-th kind; returns when it is complete and the connection closed. */
    interface Handshake {
        void run(int n) throws IOException;
    }

    record Outcome(long handshakes, Meter.Window window) {
        double perSecond() {
            return handshakes / window.seconds();
        }
    }

    private Handshakes() {
    }

    static Outcome run(ServerUnderTest server, Handshake handshake, int threads, double warmupSeconds,
            double measureSeconds) throws InterruptedException {
        LongAdder done = new LongAdder();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmupSeconds * 1e9);
        long measureUntil = measureFrom + (long) (measureSeconds * 1e9);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int first = t;
            Thread worker = new Thread(() -> {
                int n = first;
                try {
                    for (long now = System.nanoTime(); now < measureUntil; now = System.nanoTime()) {
                        handshake.run(n);
                        n += threads;
                        if (now >= measureFrom) {
                            done.increment();
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
            }, "handshakes-" + t);
            worker.setDaemon(true);
            workers.add(worker);
        }
        workers.forEach(Thread::start);
        TimeUnit.NANOSECONDS.sleep(measureFrom - System.nanoTime());
        Meter meter = Meter.start(server);
        for (Thread worker : workers) {
            worker.join(TimeUnit.NANOSECONDS.toMillis(measureUntil - System.nanoTime()) + 60_000);
        }
        Meter.Window window = meter.stop();
        if (failure.get() != null) {
            throw new IllegalStateException("a handshake failed", failure.get());
        }
        return new Outcome(done.sum(), window);
    }
}
