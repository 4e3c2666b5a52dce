package dev.keyhole.chat;

/** What a client asks of a chat room; {@link Invalid} stands for anything that could not be read. */
public sealed interface ChatCommand {

    /** Post a message; {@code clientId} (optional) comes back in the broadcast so the sender can match it. */
    record Send(String text, String clientId) implements ChatCommand {
    }

    /** Send the messages after {@code after} that this connection has not received. */
    record Resume(long after, String epoch) implements ChatCommand {
    }

    /** Keep-alive and latency probe; answered with a pong carrying the same id. */
    record Ping(String id) implements ChatCommand {
    }

    /** A frame that is not a valid command: answered with an error, and the connection stays. */
    record Invalid(String code, String message) implements ChatCommand {
    }
}
