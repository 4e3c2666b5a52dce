package dev.keyhole.chat;

/**
 * One connection in a room, as the room sees it: whose it is, and where its frames go. Several connections of one
 * identity share a {@link #memberKey()} and count as one member.
 */
public interface MemberConnection {

    /** What makes two connections the same member: the identity key, issuer and subject ({@code ClientIdentity.key()}). */
    String memberKey();

    /** The short stable tag of the identity key, which tells apart members with the same name. */
    String tag();

    /** The display name: the certificate's CN. */
    String name();

    /** The certificate's subject DN. */
    String subject();

    /** The certificate issuer's DN. */
    String issuer();

    /**
     * Queues a frame, without blocking and without calling into the container (the room holds its lock).
     *
     * @return false when the connection cannot take it (closed, or too far behind)
     */
    boolean enqueue(String frame);

    /** {@link #enqueue(String)} for a frame whose UTF-8 size is known already. */
    default boolean enqueue(String frame, long utf8Bytes) {
        return enqueue(frame);
    }

    /**
     * {@link #enqueue(String, long)} for a message delivered live, posted at {@code postedAtMillis} (epoch
     * milliseconds): its delivery latency is measured from then.
     */
    default boolean enqueue(String frame, long utf8Bytes, long postedAtMillis) {
        return enqueue(frame, utf8Bytes);
    }

    /** Sends what was queued; called by the room after it released its lock. */
    void flush();

    /**
     * How much past history may be queued for this connection now, so that a resume never overflows it: counted in
     * UTF-8 bytes, the unit of the send queue, and leaving at least half of the queue free for live messages.
     */
    Backlog backlog();

    /** A budget of messages and UTF-8 bytes. */
    record Backlog(int messages, long bytes) {
    }
}
