package dev.keyhole.chat;

import java.time.Instant;
import java.util.List;

/** What the server tells a chat client (protocol version 1, see docs/chat-protocol.md). */
public sealed interface ChatEvent {

    /** The first frame of every connection: who you are, who is here, and where the room's sequence stands. */
    record Welcome(String room, String name, String subject, List<String> members, long lastSeq, String epoch,
            Instant time) implements ChatEvent {
        public Welcome {
            members = List.copyOf(members);
        }
    }

    /** A message posted to the room; {@code from} is the sender's certificate CN, never chosen by a client. */
    record Message(String room, long seq, String from, String text, Instant time, String clientId) implements ChatEvent {
    }

    /**
     * A member joined (first connection) or left (last connection); {@code count} members are in the room now.
     * {@code members} lists them all in small rooms and is null in large ones (see {@code Room}).
     */
    record Presence(String room, String event, String member, int count, List<String> members, Instant time)
            implements ChatEvent {
        public Presence {
            members = members == null ? null : List.copyOf(members);
        }
    }

    /** A command was refused; the connection stays open. */
    record Error(String code, String message) implements ChatEvent {
    }

    /**
     * The resume point is outside what the room remembers (too old, or from before a restart): the messages that
     * follow are the room's retained history, not a gapless continuation.
     */
    record Resync(String room, String reason, long oldestSeq, long lastSeq, String epoch) implements ChatEvent {
    }

    /** The answer to a resume command: past messages, as a batch, oldest first. */
    record History(String room, List<String> messages) implements ChatEvent {
        public History {
            messages = List.copyOf(messages);
        }
    }

    /** The answer to a ping. */
    record Pong(String id, Instant time) implements ChatEvent {
    }
}
