package dev.keyhole.chat;

import java.util.List;

/**
 * The room service the chat endpoint talks to. The default, {@link InMemoryRooms}, keeps rooms in this server;
 * an implementation that fans out through a broker can replace it without touching the endpoint.
 */
public interface Rooms {

    /**
     * Joins a connection to a room. The connection gets the welcome, then — when {@code resume} is given — the
     * messages it missed (or a resync and the recent history), then every later message, in order.
     *
     * @param resume where the client's history ends, or null for a fresh start
     * @throws RoomLimitException when the room does not exist and no more rooms may be created (by this identity)
     * @throws UnavailableException when the rooms are kept elsewhere (a cluster's Redis) that cannot be reached now
     */
    Membership join(RoomName room, MemberConnection connection, ResumePoint resume);

    /**
     * The rooms this node holds now, for the metrics and the admin API. In a cluster: the rooms with connections on
     * this node, their members as last read from Redis, and no history (it is in Redis: {@code historyMessages} and
     * {@code historyBytes} are -1).
     */
    List<RoomStats> stats();

    /**
     * One room as this node sees it.
     *
     * @param members the members (identities) in the room
     * @param connections the connections to it on this node
     * @param lastSeq the room's top sequence number (offset) as this node last saw it
     */
    record RoomStats(String name, int members, int connections, String epoch, long lastSeq, int historyMessages,
            long historyBytes) {
    }

    /** One connection's place in a room. */
    interface Membership {

        /**
         * Posts a message; every member receives it, in sequence order. When it cannot be posted now (the cluster's
         * Redis is unreachable), the sender gets an {@code error} {@code unavailable} with the message's id instead.
         */
        void post(String text, String clientId);

        /** Answers a resume command with the messages the connection did not receive live. */
        void replay(long after, String epoch);

        /** Leaves the room (idempotent). */
        void leave();
    }

    /**
     * No more rooms may be created right now: the server has {@code keyhole.chat.max-rooms} rooms with members, or
     * this identity created {@code keyhole.chat.max-rooms-per-identity} rooms that still exist and none of them can
     * be retired (they all have members).
     */
    final class RoomLimitException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final boolean quota;

        public RoomLimitException(boolean quota) {
            super(quota ? "this identity created too many rooms" : "too many rooms");
            this.quota = quota;
        }

        /** Whether the identity's own quota was reached (rather than the server's limit). */
        public boolean quota() {
            return quota;
        }
    }

    /** The rooms are kept elsewhere — the cluster's Redis — and that cannot be reached now; the client may retry. */
    final class UnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
