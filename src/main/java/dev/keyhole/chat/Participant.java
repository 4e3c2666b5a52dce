package dev.keyhole.chat;

/**
 * One connection in a room, as the room sees it: whose it is, and where its frames go. Several connections of one
 * identity share a {@link #memberKey()} and count as one member.
 */
public interface Participant {

    /** What makes two connections the same member: the certificate's subject DN. */
    String memberKey();

    /** The display name: the certificate's CN. */
    String name();

    /** The certificate's subject DN, for the welcome. */
    String subject();

    /**
     * Queues a frame, without blocking and without calling into the container (the room holds its lock).
     *
     * @return false when the connection cannot take it (closed, or too far behind)
     */
    boolean enqueue(String frame);

    /** Sends what was queued; called by the room after it released its lock. */
    void flush();

    /** How much past history may be queued at once for this connection, so that a resume never overflows it. */
    Backlog backlog();

    /** A budget of messages and bytes. */
    record Backlog(int messages, long bytes) {
    }
}
