package dev.keyhole.ws;

/**
 * What a WebSocket endpoint does, and nothing else: whom it takes and what it does with their messages. The session
 * lifecycle — the connection lease, keepalive and idle timeout, the certificate's expiry and revocation, message
 * assembly up to {@link #maxMessageBytes()}, the outbox, close codes for failures, the drain on shutdown — is the
 * {@link SessionRuntime}'s, run for every endpoint by {@link ManagedEndpoint}. An implementation is a CDI bean;
 * one instance serves every session and keeps per-session state in the {@link SessionListener} it returns.
 */
public interface MessageEndpoint {

    /** The endpoint's name in log lines: {@code chat}, {@code echo}, {@code whoami}. */
    String name();

    /** The largest message accepted, in bytes (UTF-8 for text); a larger one closes the session with 1009. */
    int maxMessageBytes();

    /** Whether binary messages are accepted; when not, the first binary frame closes the session with 1003. */
    default boolean acceptsBinary() {
        return false;
    }

    /**
     * A session opened and the runtime took it on (it holds a lease; Keyhole is not stopping).
     *
     * @return what handles the session's messages
     * @throws Refusal to close the session at once with the refusal's close code
     */
    SessionListener open(LiveSession session) throws Refusal;

    /** A session the endpoint does not take, and the close code that tells the client why. */
    final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;

        private final transient CloseCause cause;

        public Refusal(CloseCause cause) {
            super(cause.reasonCode(), null, false, false);
            this.cause = cause;
        }

        public CloseCause closeCause() {
            return cause;
        }
    }
}
