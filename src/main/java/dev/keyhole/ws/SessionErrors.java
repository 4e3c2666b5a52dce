package dev.keyhole.ws;

import dev.keyhole.log.LogLine;
import jakarta.websocket.DecodeException;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns a failure on a WebSocket connection into a close code with a stable reason code and one log line.
 * The client learns only the reason code; details, and for server faults the stack trace, stay in the log.
 */
public final class SessionErrors {

    private static final Logger LOG = Logger.getLogger(SessionErrors.class.getName());
    /** How far down a chain of causes to look; a chain can loop. */
    private static final int MAX_CAUSES = 16;

    private SessionErrors() {
    }

    /**
     * How to close after a failure, or empty when the connection itself failed (the peer is gone and there is
     * nobody to tell).
     */
    public static Optional<CloseCause> classify(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth++ < MAX_CAUSES; t = t.getCause()) {
            if (t instanceof MessageTooBigException || isContainerTooBig(t)) {
                return Optional.of(CloseCause.MESSAGE_TOO_BIG);
            }
            if (t instanceof DecodeException || t instanceof CharacterCodingException) {
                return Optional.of(CloseCause.INVALID_DATA);
            }
            if (t instanceof IOException) {
                return Optional.empty();
            }
        }
        return Optional.of(CloseCause.INTERNAL_ERROR);
    }

    /** Containers signal their own size limits with exceptions of their own (Tyrus: MessageTooBigException). */
    private static boolean isContainerTooBig(Throwable t) {
        return t.getClass().getSimpleName().equals("MessageTooBigException");
    }

    /** The session property that holds why Keyhole closed it (the first cause), for the close counter. */
    static final String CLOSE_CAUSE = "dev.keyhole.close-cause";

    /** Notes why Keyhole is closing the session, unless a cause was noted already (the first one is the reason). */
    static void noteCause(Session session, CloseCause cause) {
        try {
            session.getUserProperties().putIfAbsent(CLOSE_CAUSE, cause);
        } catch (RuntimeException closed) {
            // a session whose properties are gone is closed already
        }
    }

    /** Why Keyhole closed the session: its reason code, or {@code client} when the client (or the network) did. */
    static String closedBecause(Session session) {
        Object cause;
        try {
            cause = session.getUserProperties().get(CLOSE_CAUSE);
        } catch (RuntimeException gone) {
            cause = null;
        }
        return cause instanceof CloseCause known ? known.reasonCode() : "client";
    }

    /** Logs the failure and closes the session with the matching code, if it is still open. */
    public static void close(Session session, Throwable failure, String endpoint) {
        Optional<CloseCause> closure = classify(failure);
        LogLine line = LogLine.event("ws.error")
                .with("endpoint", endpoint)
                .with("session", session.getId())
                .with("code", closure.map(c -> c.code().getCode()).orElse(null))
                .with("reason", closure.map(CloseCause::reasonCode).orElse("connection-lost"))
                .with("error", failure.getClass().getName());
        if (closure.isEmpty()) {
            LOG.fine(line::toString);
            return;
        }
        if (closure.get() == CloseCause.INTERNAL_ERROR) {
            LOG.log(Level.WARNING, line.toString(), failure);
        } else {
            LOG.info(line::toString);
        }
        close(session, closure.get());
    }

    /** Closes the session with the given reason if it is still open; a connection that is already gone is fine. */
    public static void close(Session session, CloseCause closure) {
        if (!session.isOpen()) {
            return;
        }
        noteCause(session, closure);
        try {
            session.close(closure.toCloseReason());
        } catch (IOException | IllegalStateException e) {
            LOG.fine(() -> LogLine.event("ws.close-failed").with("session", session.getId())
                    .with("error", e.getClass().getName()).toString());
        }
    }
}
