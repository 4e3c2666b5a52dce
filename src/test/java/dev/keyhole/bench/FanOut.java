package dev.keyhole.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One chat room full of benchmark members, read by two selector threads. Some members post messages at a set total
 * rate (each within the room's per-member rate limit); every member times every message it receives against the
 * send time written into the text, so one message gives one latency per member. In a cluster the members are spread
 * over the nodes in turn and only those on the first node post: the others' latencies are the cross-node ones.
 * Members speak chat protocol version 2 (several events per WebSocket message, as the page does) unless the
 * benchmark is told to use version 1; every event in a message is timed.
 */
final class FanOut implements AutoCloseable {

    /**
     * What one step measured: deliveries to members, their latency (all, and for members on the senders' node and
     * on the other nodes), and the costs (server CPU: the first node's).
     */
    record Step(double rate, long deliveries, Meter.Window window, long[] latencies, long[] sameNode, long[] otherNodes,
            int closedMembers) {

        double deliveriesPerSecond() {
            return deliveries / window.seconds();
        }

        double p99Millis() {
            return Samples.percentileMicros(latencies, 99) / 1000.0;
        }
    }

    private static final byte[] MARKER = "\"text\":\"t=".getBytes(StandardCharsets.US_ASCII);
    /** Per member and second, below the room's default rate limit (20 per second, burst 40). */
    private static final double MAX_RATE_PER_SENDER = 10;
    private static final int READERS = 2;

    private final ServerUnderTest server;
    private final List<NioConnection> members = new ArrayList<>();
    /** The members on the first node: the ones that post. */
    private final List<NioConnection> senders = new ArrayList<>();
    private final List<Reader> readers = new ArrayList<>();
    private final AtomicLong lastFrame = new AtomicLong();
    private final AtomicInteger closed = new AtomicInteger();
    private volatile long windowStart = Long.MAX_VALUE;
    private volatile long windowEnd = Long.MAX_VALUE;

    /** A selector thread reading its share of the members. */
    private final class Reader implements Runnable, NioConnection.FrameSink {
        final Selector selector;
        final Thread thread;
        private Samples samples = new Samples();
        private Samples same = new Samples();
        private Samples other = new Samples();
        private long count;
        /** Whether the connection being read is on the senders' node. */
        private boolean readingSameNode;

        Reader(int number) throws IOException {
            selector = Selector.open();
            thread = new Thread(this, "fan-out-reader-" + number);
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            try {
                while (selector.isOpen()) {
                    selector.select(key -> {
                        Member member = (Member) key.attachment();
                        readingSameNode = member.node() == 0;
                        try {
                            member.connection().readAvailable(this);
                        } catch (IOException e) {
                            key.cancel();
                            closed.incrementAndGet();
                        }
                    }, 1000);
                }
            } catch (IOException | ClosedSelectorException e) {
                // the room is closed
            }
        }

        @Override
        public void frame(ByteBuffer payload) {
            long now = System.nanoTime();
            lastFrame.lazySet(now);
            for (int at = payload.position(); (at = nextMarker(payload, at)) >= 0; at += MARKER.length) {
                long sent = sendTime(payload, at + MARKER.length);
                if (sent >= windowStart && sent < windowEnd) {
                    synchronized (this) {
                        samples.add(now - sent);
                        (readingSameNode ? same : other).add(now - sent);
                        count++;
                    }
                }
            }
        }

        /** Hands over what was recorded since the last call: the latencies go into {@code into}, the count is returned. */
        synchronized long drainInto(List<Samples> into, List<Samples> sameInto, List<Samples> otherInto) {
            into.add(samples);
            sameInto.add(same);
            otherInto.add(other);
            samples = new Samples();
            same = new Samples();
            other = new Samples();
            long taken = count;
            count = 0;
            return taken;
        }
    }

    /** A member and the index of the node it is connected to. */
    private record Member(NioConnection connection, int node) {
    }

    /**
     * Opens {@code size} members in {@code room}, two handshakes at a time, and waits until the room is quiet again
     * (every join is a presence event to every member).
     */
    FanOut(ServerUnderTest server, BenchPki pki, int size, String room, String subprotocol)
            throws IOException, InterruptedException {
        this(List.of(server), pki, size, room, subprotocol);
    }

    /**
     * A room whose members are spread over the nodes of a cluster in turn (member i on node i mod n), asking for
     * {@code subprotocol} (null: none, chat protocol version 1).
     */
    FanOut(List<ServerUnderTest> nodes, BenchPki pki, int size, String room, String subprotocol)
            throws IOException, InterruptedException {
        this.server = nodes.get(0);
        for (int i = 0; i < READERS; i++) {
            Reader reader = new Reader(i);
            readers.add(reader);
            reader.thread.start();
        }
        ExecutorService openers = Executors.newFixedThreadPool(2);
        try {
            List<Future<NioConnection>> opening = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                int index = i;
                ServerUnderTest node = nodes.get(i % nodes.size());
                opening.add(openers.submit(() -> NioConnection.open(pki.fresh(index), node.httpsPort, "/chat/" + room,
                        subprotocol)));
            }
            for (Future<NioConnection> opened : opening) {
                NioConnection connection = opened.get(2, TimeUnit.MINUTES);
                int node = members.size() % nodes.size();
                Reader reader = readers.get(members.size() % READERS);
                members.add(connection);
                if (node == 0) {
                    senders.add(connection);
                }
                reader.selector.wakeup();
                connection.channel().register(reader.selector, SelectionKey.OP_READ, new Member(connection, node));
                reader.selector.wakeup();
            }
        } catch (Exception e) {
            close();
            throw new IOException("could not fill the room", e);
        } finally {
            openers.shutdownNow();
        }
        awaitQuiet();
    }

    private void awaitQuiet() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        lastFrame.set(System.nanoTime());
        while (System.nanoTime() - lastFrame.get() < TimeUnit.MILLISECONDS.toNanos(500) && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    /** Stops reading member {@code index}: the server must cope with one member that takes nothing. */
    void stall(int index) {
        NioConnection member = members.get(index);
        for (Reader reader : readers) {
            SelectionKey key = member.channel().keyFor(reader.selector);
            if (key != null) {
                key.interestOps(0);
                reader.selector.wakeup();
            }
        }
    }

    /** Posts at {@code rate} messages per second for the warm-up, then measures for the window. */
    Step step(double rate, double warmupSeconds, double measureSeconds) throws InterruptedException {
        int posting = (int) Math.min(senders.size() - 1, Math.max(1, Math.ceil(rate / MAX_RATE_PER_SENDER)));
        long interval = (long) (1e9 / rate);
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmupSeconds * 1e9);
        long measureUntil = measureFrom + (long) (measureSeconds * 1e9);
        windowStart = measureFrom;
        windowEnd = measureUntil;
        int closedBefore = closed.get();
        Meter meter = null;
        long next = start;
        int sender = 0;
        while (true) {
            long now = System.nanoTime();
            if (meter == null && now >= measureFrom) {
                meter = Meter.start(server);
            }
            if (now >= measureUntil) {
                break;
            }
            if (now < next) {
                LockSupport.parkNanos(next - now);
                continue;
            }
            post(senders.get(sender), System.nanoTime());
            sender = (sender + 1) % posting;
            next += interval;
        }
        // Messages posted in the window still arriving are counted for a little longer; then the books close.
        TimeUnit.MILLISECONDS.sleep(1000);
        Meter.Window window = meter.stop();
        windowStart = Long.MAX_VALUE;
        List<Samples> all = new ArrayList<>();
        List<Samples> same = new ArrayList<>();
        List<Samples> other = new ArrayList<>();
        long deliveries = 0;
        for (Reader reader : readers) {
            deliveries += reader.drainInto(all, same, other);
        }
        Meter.Window measured = new Meter.Window(measureUntil - measureFrom, window.serverCpuNanos(),
                window.clientCpuNanos());
        return new Step(rate, deliveries, measured, Samples.sorted(all), Samples.sorted(same), Samples.sorted(other),
                closed.get() - closedBefore);
    }

    /** Posts as {@code member}; a member the server has closed (counted as lost by its reader) posts nothing. */
    private static void post(NioConnection member, long sentAt) {
        byte[] frame = member.textFrame(
                ("{\"type\":\"send\",\"text\":\"t=" + sentAt + "\"}").getBytes(StandardCharsets.US_ASCII));
        try {
            member.send(frame);
        } catch (IOException e) {
            // the server closed this member: its reader counts it as lost
        }
    }

    /** Where the next message text with a send time starts at or after {@code from}, or -1. */
    static int nextMarker(ByteBuffer payload, int from) {
        int end = payload.limit();
        outer:
        for (int i = from; i <= end - MARKER.length; i++) {
            for (int j = 0; j < MARKER.length; j++) {
                if (payload.get(i + j) != MARKER[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The send time whose digits start at {@code at}. */
    private static long sendTime(ByteBuffer payload, int at) {
        long value = 0;
        for (int k = at; k < payload.limit() && payload.get(k) >= '0' && payload.get(k) <= '9'; k++) {
            value = value * 10 + (payload.get(k) - '0');
        }
        return value;
    }

    int size() {
        return members.size();
    }

    @Override
    public void close() {
        for (Reader reader : readers) {
            try {
                reader.selector.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        members.forEach(NioConnection::close);
    }
}
