package dev.keyhole.ws;

import java.nio.ByteBuffer;

/** One session's messages as its endpoint handles them: whole messages, one at a time, then the close. */
public interface SessionListener {

    /** A whole text message, within the endpoint's size limit. */
    void text(String message);

    /** A whole binary message, within the endpoint's size limit; only for an endpoint that accepts binary. */
    default void binary(ByteBuffer message) {
        throw new UnsupportedOperationException("binary messages are not accepted");
    }

    /** The session closed, for whatever reason; called once. */
    default void closed() {
    }
}
