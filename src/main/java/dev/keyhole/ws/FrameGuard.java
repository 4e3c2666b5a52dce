package dev.keyhole.ws;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Watches the bytes a client sends on one WebSocket connection, before the container reads them, and stops the
 * stream at the header of the first data frame that would take its message over the limit — whether the message
 * comes in many fragments or as one frame whose header announces a huge length. Tyrus assembles each frame whole
 * before any handler sees it, so without this a client could make it buffer up to its frame buffer per connection
 * (and close with 1011); with it, the container never receives a byte of a message over the limit, and the
 * connection is closed with 1009 (the trip action, given by {@link #attach}).
 *
 * <p>The trip action does not run at the header, but once the rest of that frame has arrived and been dropped (up to
 * {@link #DISCARD_LIMIT} bytes of it), or when {@link #settle()} says to stop waiting: a server that closes a
 * connection while the client's bytes are still unread makes its kernel answer with a reset, and a client that is
 * still sending its one oversized message would lose the 1009 close frame that tells it why.
 *
 * <p>Only frame headers are parsed (RFC 6455 §5.2); payloads are skipped, never copied. Control frames do not count
 * towards a message, but one longer than a control frame may be (125 bytes) trips the guard. Used by one container
 * read thread at a time; {@link #attach} and {@link #settle()} may come from another.
 */
public final class FrameGuard {

    /** How much of the frame that tripped the guard is read and dropped before the trip action runs. */
    static final long DISCARD_LIMIT = 1 << 20;
    private static final int MAX_HEADER = 14;
    private static final int MAX_CONTROL_PAYLOAD = 125;

    private volatile long limit;
    private volatile Runnable onTrip;
    private final AtomicBoolean reported = new AtomicBoolean();
    private volatile boolean tripped;
    /** Tripped, and the frame that tripped it dropped (or no longer waited for): the trip action may run. */
    private volatile boolean settled;
    /** Of the frame that tripped the guard: how much is still to be read and dropped. */
    private long discardLeft;

    private final byte[] header = new byte[MAX_HEADER];
    private int headerHave;
    private long payloadLeft;
    private long messageBytes;

    /** @param limit the largest message until the endpoint gives its own ({@link #attach}) */
    public FrameGuard(long limit) {
        this.limit = limit;
    }

    /**
     * The endpoint's limit and what to do when a message passes it. If that already happened, the action runs now.
     */
    public void attach(long endpointLimit, Runnable action) {
        limit = endpointLimit;
        onTrip = action;
        if (settled) {
            report();
        }
    }

    public boolean tripped() {
        return tripped;
    }

    /** Whether the guard tripped and is still waiting for the rest of the frame that tripped it. */
    public boolean waiting() {
        return tripped && !settled;
    }

    /** Stops waiting for the rest of the frame that tripped the guard (the client stopped sending): the action runs. */
    public void settle() {
        if (tripped) {
            settled = true;
            report();
        }
    }

    public long limit() {
        return limit;
    }

    /**
     * Looks at bytes the client sent, in order.
     *
     * @return how many of them, from {@code offset}, may be passed on: all of them, or those before the header of the
     *         frame that passes the limit (then {@link #tripped()} is true and every later call returns 0)
     */
    public int inspect(byte[] bytes, int offset, int length) {
        if (tripped) {
            discard(length);
            return 0;
        }
        int end = offset + length;
        int at = offset;
        while (at < end) {
            if (payloadLeft > 0) {
                int skip = (int) Math.min(payloadLeft, end - at);
                payloadLeft -= skip;
                at += skip;
                continue;
            }
            int frameStart = at - headerHave;
            header[headerHave++] = bytes[at++];
            int needed = headerLength();
            if (headerHave < needed) {
                continue;
            }
            headerHave = 0;
            if (!accept()) {
                tripped = true;
                discardLeft = Math.min(payloadLeft, DISCARD_LIMIT);
                discard(end - at);
                return Math.max(0, frameStart - offset);
            }
        }
        return length;
    }

    /** The length of the header being read, as far as its first two bytes tell (2 until they are there). */
    private int headerLength() {
        if (headerHave < 2) {
            return 2;
        }
        int length7 = header[1] & 0x7F;
        int extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
        int mask = (header[1] & 0x80) != 0 ? 4 : 0;
        return 2 + extended + mask;
    }

    /** A complete header: counts a data frame towards its message; false when that passes the limit. */
    private boolean accept() {
        int opcode = header[0] & 0x0F;
        long length = header[1] & 0x7F;
        if (length == 126) {
            length = ((header[2] & 0xFFL) << 8) | (header[3] & 0xFFL);
        } else if (length == 127) {
            length = 0;
            for (int i = 2; i < 10; i++) {
                length = (length << 8) | (header[i] & 0xFFL);
            }
            if (length < 0) {
                return false;
            }
        }
        payloadLeft = length;
        boolean data = opcode <= 2;
        if (!data) {
            // Control frames carry at most 125 bytes (RFC 6455 §5.5); a longer one, or a frame of a reserved opcode
            // announcing more, would otherwise pass unchecked into the container's frame buffer.
            return length <= MAX_CONTROL_PAYLOAD;
        }
        if (opcode != 0) {
            messageBytes = 0;
        }
        messageBytes += length;
        return messageBytes <= limit;
    }

    /** Drops bytes of the frame that tripped the guard; once it is all gone, the trip action runs. */
    private void discard(int bytes) {
        discardLeft -= Math.min(discardLeft, bytes);
        if (discardLeft == 0 && !settled) {
            settled = true;
            report();
        }
    }

    private void report() {
        Runnable action = onTrip;
        if (action != null && reported.compareAndSet(false, true)) {
            action.run();
        }
    }
}
