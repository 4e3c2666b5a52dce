package dev.keyhole.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.websocket.DecodeException;
import java.io.EOFException;
import java.io.UncheckedIOException;
import java.nio.charset.MalformedInputException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SessionErrorsTest {

    /** Stands in for a container's own exception, which Keyhole recognises by name. */
    static final class MessageTooBigException extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    @Test
    void keyholes_size_limit_closes_with_1009() {
        assertEquals(Optional.of(CloseCause.MESSAGE_TOO_BIG),
                SessionErrors.classify(new dev.keyhole.ws.MessageTooBigException(10)));
    }

    @Test
    void a_containers_size_limit_closes_with_1009_too() {
        assertEquals(Optional.of(CloseCause.MESSAGE_TOO_BIG), SessionErrors.classify(new MessageTooBigException()));
    }

    @Test
    void undecodable_messages_close_with_1007() {
        assertEquals(Optional.of(CloseCause.INVALID_DATA), SessionErrors.classify(new DecodeException("x", "bad")));
        assertEquals(Optional.of(CloseCause.INVALID_DATA),
                SessionErrors.classify(new IllegalStateException(new MalformedInputException(1))));
    }

    @Test
    void a_lost_connection_needs_no_close_frame() {
        assertEquals(Optional.empty(), SessionErrors.classify(new EOFException()));
        assertEquals(Optional.empty(), SessionErrors.classify(new UncheckedIOException(new EOFException())));
    }

    @Test
    void anything_else_is_the_servers_fault_and_closes_with_1011() {
        assertEquals(Optional.of(CloseCause.INTERNAL_ERROR), SessionErrors.classify(new NullPointerException()));
    }

    @Test
    void a_chain_of_causes_that_loops_is_not_followed_forever() {
        RuntimeException first = new RuntimeException("first");
        RuntimeException second = new RuntimeException("second", first);
        first.initCause(second);

        assertEquals(Optional.of(CloseCause.INTERNAL_ERROR), SessionErrors.classify(first));
    }

    @Test
    void reason_codes_are_stable_and_short_enough_for_a_close_frame() {
        for (CloseCause closure : CloseCause.values()) {
            assertEquals(closure.reasonCode(), closure.toCloseReason().getReasonPhrase());
            // RFC 6455: the close reason must fit in a control frame, 123 bytes at most.
            assertEquals(true, closure.reasonCode().matches("[a-z-]{1,40}"), closure.reasonCode());
        }
    }
}
