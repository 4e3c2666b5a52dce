package dev.keyhole.chat;

import java.time.Instant;
import java.util.List;

/** What the server tells a chat client (protocol version 1, see docs/chat-protocol.md). */
public sealed interface ChatEvent {

    /**
     * A member as others see it: the display name (the CN, with the tag added while another member of the room has
     * the same CN), the tag of its identity key, and the certificate's subject and issuer.
     */
    record Person(String name, String tag, String subject, String issuer) {
    }

    /**
     * The first frame of every connection: who you are, who is here, and where the room's sequence stands.
     * {@code people} details every member in small rooms and is null in large ones.
     */
    record Welcome(String room, Person you, List<String> members, List<Person> people, long lastSeq, String epoch,
            Instant time) implements ChatEvent {
        public Welcome {
            members = List.copyOf(members);
            people = people == null ? null : List.copyOf(people);
        }
    }

    /**
     * A message posted to the room; {@code from} is the sender's display name and {@code fromTag} the tag of its
     * identity, never chosen by a client.
     */
    record Message(String room, long seq, String from, String fromTag, String text, Instant time, String clientId)
            implements ChatEvent {
    }

    /**
     * Who joined (first connection) or left (last connection); {@code count} members are in the room now.
     * {@code event} is {@code join} or {@code leave} with {@code member}, or {@code changes} with the lists
     * {@code joined} and {@code left} when presence was coalesced (see {@code Room}). {@code members} lists every
     * display name in small rooms and is null in large ones.
     */
    record Presence(String room, String event, Person member, List<Person> joined, List<Person> left, int count,
            List<String> members, Instant time) implements ChatEvent {
        public Presence {
            joined = joined == null ? null : List.copyOf(joined);
            left = left == null ? null : List.copyOf(left);
            members = members == null ? null : List.copyOf(members);
        }
    }

    /**
     * A command was refused; the connection stays open. {@code id} is the refused send's own id, when it had one and
     * the refusal came after the send was accepted for posting (code {@code unavailable}).
     */
    record Error(String code, String message, String id) implements ChatEvent {
        public Error(String code, String message) {
            this(code, message, null);
        }
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
