package dev.keyhole.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The echo scenarios: connections that each keep a fixed number of 64-byte messages in flight and send the next
 * one as soon as an echo comes back (one connection with one message in flight measures the round trip; 50 with
 * 16 each, throughput). Echoes come back in order, so each connection times them with a ring of send times.
 */
final class Echo {

    /** Opens one benchmark connection (the n-th). */
    interface Connector {
        WsConnection open(int n) throws IOException;
    }

    /** What one run measured. */
    record Outcome(long messages, Meter.Window window, long[] latencies) {

        double perSecond() {
            return messages / window.seconds();
        }
    }

    static final byte[] PAYLOAD = payload(64);

    private static final int WARMING = 0;
    private static final int MEASURING = 1;
    private static final int STOPPING = 2;

    private Echo() {
    }

    static Outcome run(Connector connector, ServerUnderTest server, int connections, int inFlight, double warmupSeconds,
            double measureSeconds) throws IOException, InterruptedException {
        List<WsConnection> open = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                open.add(connector.open(i));
            }
            Shared shared = new Shared(connections);
            List<Samples> samples = new ArrayList<>();
            long[] counts = new long[connections];
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                Samples recorder = new Samples();
                samples.add(recorder);
                int index = i;
                WsConnection connection = open.get(i);
                Thread thread = new Thread(() -> loop(connection, inFlight, shared, recorder, counts, index), "echo-" + i);
                thread.setDaemon(true);
                threads.add(thread);
            }
            threads.forEach(Thread::start);
            TimeUnit.MILLISECONDS.sleep((long) (warmupSeconds * 1000));
            check(shared);
            shared.phase = MEASURING;
            Meter meter = Meter.start(server);
            TimeUnit.MILLISECONDS.sleep((long) (measureSeconds * 1000));
            shared.phase = STOPPING;
            Meter.Window window = meter.stop();
            shared.stopped.await(10, TimeUnit.SECONDS);
            check(shared);
            long messages = Arrays.stream(counts).sum();
            return new Outcome(messages, window, Samples.sorted(samples));
        } finally {
            open.forEach(WsConnection::close);
        }
    }

    private static final class Shared {
        volatile int phase = WARMING;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final CountDownLatch stopped;

        Shared(int connections) {
            stopped = new CountDownLatch(connections);
        }
    }

    private static void check(Shared shared) {
        if (shared.failure.get() != null) {
            throw new IllegalStateException("an echo connection failed", shared.failure.get());
        }
    }

    /** Pacing the measurement: the main thread sleeps through the warm-up and the window; the workers never do. */
    private static void loop(WsConnection connection, int inFlight, Shared shared, Samples samples, long[] counts,
            int index) {
        byte[] frame = connection.textFrame(PAYLOAD);
        byte[] batch = new byte[frame.length * inFlight];
        for (int i = 0; i < inFlight; i++) {
            System.arraycopy(frame, 0, batch, i * frame.length, frame.length);
        }
        long[] sentAt = new long[inFlight];
        int head = 0;
        int tail = 0;
        long count = 0;
        try {
            long now = System.nanoTime();
            for (int i = 0; i < inFlight; i++) {
                sentAt[tail] = now;
                tail = (tail + 1) % inFlight;
            }
            connection.write(batch, batch.length);
            while (shared.phase != STOPPING) {
                int due = 0;
                do {
                    connection.readFrame();
                    long at = System.nanoTime();
                    if (shared.phase == MEASURING) {
                        samples.add(at - sentAt[head]);
                        count++;
                    }
                    head = (head + 1) % inFlight;
                    due++;
                } while (connection.hasBuffered() && due < inFlight);
                long at = System.nanoTime();
                for (int i = 0; i < due; i++) {
                    sentAt[tail] = at;
                    tail = (tail + 1) % inFlight;
                }
                connection.write(batch, frame.length * due);
            }
        } catch (IOException | RuntimeException e) {
            if (shared.phase != STOPPING) {
                shared.failure.compareAndSet(null, e);
            }
        } finally {
            counts[index] = count;
            shared.stopped.countDown();
        }
    }

    private static byte[] payload(int length) {
        byte[] payload = new byte[length];
        for (int i = 0; i < length; i++) {
            payload[i] = (byte) ('a' + i % 26);
        }
        return payload;
    }
}
