package dev.keyhole.ws;

import dev.keyhole.log.LogLine;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * The outgoing messages of one session. They are sent in order and asynchronously, so no container thread
 * ever waits for a client that does not read. The queue is bounded in messages and in bytes: a client that falls
 * so far behind that a new message does not fit is closed with 1008 {@code slow-consumer}, and its queue is
 * dropped, so a slow reader costs a bounded amount of memory and never delays anyone else.
 *
 * <p>A <em>coalescing</em> outbox (a session whose client negotiated a batching subprotocol, such as the chat's
 * {@code keyhole.chat.v2}) sends the text messages that are waiting when the previous send completes together, as
 * one WebSocket message with one message per line ({@code \n} between them), in order, up to
 * {@link #MAX_BATCH_BYTES} (the batch is one string of its own, a copy of the messages, while it is sent).
 * A message that finds nothing in flight is sent alone and at once, so batching never
 * delays a lone message; it only merges what would otherwise queue behind a send in flight. The bounds count each
 * message as before. Binary messages are never merged.
 *
 * <p>Any other outbox, on a container that batches (the WebSocket API's {@code setBatchingAllowed}: Undertow does,
 * Tyrus ignores it), hands the messages that are waiting when the previous ones complete to the container together,
 * each its own WebSocket message, and flushes once: they leave in one write instead of one write each (up to
 * {@link #MAX_GROUP_MESSAGES} messages and {@link #MAX_BATCH_BYTES} bytes). The next group waits until the whole group
 * has completed. A message that finds nothing in flight is sent and flushed alone and at once, as before. On a
 * container that ignores batching, one message is in flight at a time.
 *
 * <p>Thread-safe: any thread may send. A send that the container completes on the calling thread does not nest
 * the next one (the queue is drained in a loop, not by recursion).
 */
public final class Outbox {

    private static final Logger LOG = Logger.getLogger(Outbox.class.getName());
    /**
     * The most UTF-8 bytes merged into one WebSocket message by a coalescing outbox, or handed to a batching
     * container as one group (a single larger message is sent alone, as it is): with its frame header, a batch fits
     * one TLS record (16 KiB of plaintext), and the copy a batch in flight makes of its messages stays small.
     */
    public static final int MAX_BATCH_BYTES = 16_000;
    /**
     * The most messages handed to a batching container together (see above): well under the 50 frames waiting to be
     * written at which Undertow stops reading a connection (its {@code QUEUED_FRAMES_HIGH_WATER_MARK}), so that a
     * group never stops the client's own frames (pongs, a close) from being read.
     */
    static final int MAX_GROUP_MESSAGES = 32;
    /** Whether the first outbox that could group has said whether its container batches (once per application). */
    private static final AtomicBoolean GROUPING_REPORTED = new AtomicBoolean();
    /** What separates the messages merged into one WebSocket message. */
    private static final char BATCH_SEPARATOR = '\n';

    /** How much may wait in one session's queue. */
    public record Limits(int maxMessages, long maxBytes) {
        public Limits {
            if (maxMessages < 1 || maxBytes < 1) {
                throw new IllegalArgumentException("limits must be positive");
            }
        }
    }

    /** @param postedAtMillis when the message was posted (a chat message), for the delivery latency; 0: not known */
    private record Pending(Object message, long bytes, long postedAtMillis) {
    }

    private final Session session;
    private final Limits limits;
    private final boolean coalescing;
    /** Whether the messages waiting are handed to the container together, and flushed once (see above). */
    private final boolean grouping;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private long queuedBytes;
    /** How many queued messages the sends in flight carry (0: none in flight). */
    private int inFlight;
    /** How many sends are in flight (one, or a group's). */
    private int inFlightSends;
    private boolean draining;
    private boolean closed;
    private boolean overflowed;
    /** Whether the session was closed as a slow consumer (an overflow, a failed send or flush): it is told once. */
    private boolean closeSent;
    private volatile long delivered;
    private final SessionMeters.Endpoint meters;

    public Outbox(Session session, Limits limits) {
        this(session, limits, SessionMeters.unobserved().endpoint("-"), false);
    }

    /** @param coalescing whether text messages waiting together are sent as one WebSocket message (see above) */
    public Outbox(Session session, Limits limits, SessionMeters.Endpoint meters, boolean coalescing) {
        this.session = session;
        this.limits = limits;
        this.meters = meters;
        this.coalescing = coalescing;
        this.grouping = !coalescing && batches(session);
        if (!coalescing && GROUPING_REPORTED.compareAndSet(false, true)) {
            LOG.info(() -> LogLine.event("ws.send-grouping").with("grouping", grouping ? "on" : "off").toString());
        }
    }

    /** Whether the container holds this session's sends until {@code flushBatch} when it is allowed to. */
    private static boolean batches(Session session) {
        RemoteEndpoint.Async remote;
        try {
            remote = session.getAsyncRemote();
            remote.setBatchingAllowed(true);
        } catch (IOException | RuntimeException e) {
            return false;
        }
        boolean batches;
        try {
            batches = remote.getBatchingAllowed();
        } catch (RuntimeException e) {
            batches = false;
        }
        try {
            remote.setBatchingAllowed(false);
            remote.flushBatch(); // whatever another thread queued meanwhile (a ping) leaves now
        } catch (IOException | RuntimeException e) {
            return false; // batching may be left on: only lone sends, never a group, on such a container
        }
        return batches;
    }

    /**
     * Queues a text message and starts sending.
     *
     * @return false when the outbox is closed, now (overflow) or before
     */
    public boolean send(String text) {
        boolean queued = enqueue(text);
        flush();
        return queued;
    }

    /** Queues a copy of a binary message (the container may reuse the given buffer once its handler returns). */
    public boolean send(ByteBuffer data) {
        ByteBuffer copy = ByteBuffer.allocate(data.remaining());
        copy.put(data.duplicate()).flip();
        boolean queued = offer(copy, copy.remaining(), 0);
        flush();
        return queued;
    }

    /**
     * Queues a text message without sending yet and without calling into the container, so it is safe under a
     * caller's lock (a chat room queues one message for every member in sequence order, then flushes each).
     *
     * @return false when the outbox is closed, now (overflow) or before; the session is closed by {@link #flush}
     */
    public boolean enqueue(String text) {
        return offer(text, Utf8.length(text), 0);
    }

    /**
     * {@link #enqueue(String)} for a text whose UTF-8 size the caller already knows (a room queues one frame for
     * every member: its size is counted once).
     */
    public boolean enqueue(String text, long utf8Bytes) {
        return offer(text, utf8Bytes, 0);
    }

    /**
     * {@link #enqueue(String, long)} for a message posted at {@code postedAtMillis} (epoch milliseconds, the room's
     * clock): its delivery is measured from then ({@code keyhole_delivery_latency_seconds}).
     */
    public boolean enqueue(String text, long utf8Bytes, long postedAtMillis) {
        return offer(text, utf8Bytes, postedAtMillis);
    }

    /** Sends what is queued, or, after an overflow, closes the session as a slow consumer (once). */
    public void flush() {
        boolean closeNow;
        synchronized (this) {
            closeNow = overflowed && !closeSent;
            closeSent |= closeNow;
        }
        if (closeNow) {
            LOG.info(() -> LogLine.event("ws.slow-consumer").with("session", session.getId()).with("subject", subject())
                    .with("limit-messages", limits.maxMessages()).with("limit-bytes", limits.maxBytes()).toString());
            SessionErrors.close(session, CloseCause.SLOW_CONSUMER);
            return;
        }
        drain();
    }

    public Limits limits() {
        return limits;
    }

    /** How many messages the container has taken so far (a counter that moves while data flows to the client). */
    public long delivered() {
        return delivered;
    }

    /** What could still be queued without overflowing: messages, and UTF-8 bytes (the unit {@link #enqueue} counts). */
    public record Space(int messages, long bytes) {
    }

    /** The space left in the queue now; none once the outbox is closed. */
    public synchronized Space space() {
        if (closed) {
            return new Space(0, 0);
        }
        int waiting = queue.size() + inFlight;
        return new Space(Math.max(0, limits.maxMessages() - waiting), Math.max(0, limits.maxBytes() - queuedBytes));
    }

    /** How many messages wait, the one being sent included. */
    public int pending() {
        synchronized (this) {
            return queue.size() + inFlight;
        }
    }

    /** How many UTF-8 bytes (text) and bytes (binary) wait, the message being sent included. */
    public synchronized long queuedBytes() {
        return queuedBytes;
    }

    private boolean offer(Object message, long bytes, long postedAtMillis) {
        synchronized (this) {
            if (closed) {
                return false;
            }
            int waiting = queue.size() + inFlight;
            if (waiting >= limits.maxMessages() || queuedBytes + bytes > limits.maxBytes()) {
                closed = true;
                overflowed = true;
                queue.clear();
                queuedBytes = 0;
                return false;
            }
            queue.add(new Pending(message, bytes, postedAtMillis));
            queuedBytes += bytes;
            return true;
        }
    }

    /** Sends queued messages while none is in flight; only one thread drains at a time. */
    private void drain() {
        synchronized (this) {
            if (draining) {
                return;
            }
            draining = true;
        }
        while (true) {
            List<List<Pending>> group;
            synchronized (this) {
                if (inFlightSends > 0 || closed || queue.isEmpty()) {
                    draining = false;
                    return;
                }
                group = grouping ? takeGroup() : List.of(takeNext());
                inFlightSends = group.size();
                for (List<Pending> send : group) {
                    inFlight += send.size();
                }
            }
            if (group.size() == 1) {
                transmit(group.get(0));
            } else {
                transmitTogether(group);
            }
        }
    }

    /** The next message and those behind it, each a send of its own, up to one batch's size in all. */
    private List<List<Pending>> takeGroup() {
        List<List<Pending>> group = new ArrayList<>();
        Pending first = queue.poll();
        group.add(List.of(first));
        long bytes = first.bytes();
        for (Pending more = queue.peek(); more != null && group.size() < MAX_GROUP_MESSAGES
                && bytes + more.bytes() <= MAX_BATCH_BYTES; more = queue.peek()) {
            group.add(List.of(queue.poll()));
            bytes += more.bytes();
        }
        return group;
    }

    /** Hands the container several sends with batching allowed, then flushes them together. */
    private void transmitTogether(List<List<Pending>> group) {
        RemoteEndpoint.Async remote = session.getAsyncRemote();
        try {
            remote.setBatchingAllowed(true);
        } catch (IOException | RuntimeException e) {
            // sent one by one, as without batching
        }
        try {
            for (List<Pending> send : group) {
                if (isClosed()) { // an overflow or a failed send closed the session: the rest is not sent after it
                    completed(send, new SendResult(new IllegalStateException("outbox closed")));
                } else {
                    transmit(send);
                }
            }
        } finally {
            try {
                remote.setBatchingAllowed(false);
                remote.flushBatch();
            } catch (IOException | RuntimeException e) {
                // The container did not take the group: the session cannot go on in order.
                boolean tell;
                synchronized (this) {
                    tell = fail();
                }
                if (tell) {
                    closeAsSlow("ws.flush-failed", e);
                }
            }
        }
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    /** Closes the outbox after a failed send or flush (under the lock); true when the session is still to be told. */
    private boolean fail() {
        boolean tell = !closeSent;
        closeSent = true;
        closed = true;
        queue.clear();
        queuedBytes = 0;
        return tell;
    }

    /** Logs why and closes the session with 1008 {@code slow-consumer}, unless the connection is already gone. */
    private void closeAsSlow(String event, Throwable error) {
        if (!session.isOpen()) {
            return; // nobody to tell
        }
        LOG.info(() -> LogLine.event(event).with("session", session.getId()).with("subject", subject())
                .with("error", error == null ? null : error.getClass().getName()).toString());
        SessionErrors.close(session, CloseCause.SLOW_CONSUMER);
    }

    /** The next message, and, when coalescing, the text messages behind it that fit in one batch. */
    private List<Pending> takeNext() {
        Pending first = queue.poll();
        if (!coalescing || !(first.message() instanceof String) || !isText(queue.peek())) {
            return List.of(first);
        }
        List<Pending> batch = new ArrayList<>();
        batch.add(first);
        long bytes = first.bytes();
        for (Pending more = queue.peek(); isText(more) && bytes + 1 + more.bytes() <= MAX_BATCH_BYTES; more = queue.peek()) {
            batch.add(queue.poll());
            bytes += 1 + more.bytes();
        }
        return batch;
    }

    private static boolean isText(Pending pending) {
        return pending != null && pending.message() instanceof String;
    }

    private void transmit(List<Pending> batch) {
        SendHandler done = result -> completed(batch, result);
        try {
            Object message = batch.get(0).message();
            if (batch.size() > 1) {
                session.getAsyncRemote().sendText(joined(batch), done);
            } else if (message instanceof String text) {
                session.getAsyncRemote().sendText(text, done);
            } else {
                session.getAsyncRemote().sendBinary((ByteBuffer) message, done);
            }
        } catch (RuntimeException e) {
            completed(batch, new SendResult(e));
        }
    }

    private static String joined(List<Pending> batch) {
        int length = batch.size() - 1;
        for (Pending pending : batch) {
            length += ((String) pending.message()).length();
        }
        StringBuilder text = new StringBuilder(length);
        for (Pending pending : batch) {
            if (text.length() > 0) {
                text.append(BATCH_SEPARATOR);
            }
            text.append((String) pending.message());
        }
        return text.toString();
    }

    private String subject() {
        return session.getUserPrincipal() == null ? null : session.getUserPrincipal().getName();
    }

    private void completed(List<Pending> batch, SendResult result) {
        boolean groupDone;
        boolean tell = false;
        synchronized (this) {
            inFlight -= batch.size();
            inFlightSends--;
            groupDone = inFlightSends == 0;
            if (!closed) { // an overflow already emptied the count, this batch's bytes included
                for (Pending pending : batch) {
                    queuedBytes -= pending.bytes();
                }
            }
            if (result.isOK()) {
                delivered += batch.size();
            } else {
                tell = fail();
            }
        }
        if (result.isOK()) {
            for (Pending pending : batch) {
                meters.delivered(pending.postedAtMillis());
            }
        } else {
            if (tell) { // the client stopped reading long enough for the send to time out, or the connection broke
                closeAsSlow("ws.send-failed", result.getException());
            }
            return;
        }
        if (groupDone) {
            drain();
        }
    }
}
