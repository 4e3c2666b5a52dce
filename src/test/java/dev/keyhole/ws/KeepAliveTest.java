package dev.keyhole.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keyhole.ws.KeepAlive.Action;
import org.junit.jupiter.api.Test;

class KeepAliveTest {

    private static final long SECOND = 1_000_000_000L;
    private final KeepAlive keepAlive = new KeepAlive(120 * SECOND, 30 * SECOND);

    @Test
    void a_connection_that_sent_something_lately_is_left_alone() {
        assertEquals(Action.NONE, keepAlive.next(29 * SECOND, 0, 0, 0));
    }

    @Test
    void a_quiet_connection_is_pinged_once_per_interval() {
        assertEquals(Action.PING, keepAlive.next(30 * SECOND, 0, 0, 0));
        assertEquals(Action.NONE, keepAlive.next(45 * SECOND, 0, 0, 30 * SECOND), "pinged 15 s ago");
        assertEquals(Action.PING, keepAlive.next(60 * SECOND, 0, 0, 30 * SECOND));
    }

    @Test
    void a_connection_silent_for_the_idle_timeout_is_closed_however_often_it_was_pinged() {
        assertEquals(Action.CLOSE, keepAlive.next(120 * SECOND, 0, 0, 90 * SECOND));
    }

    @Test
    void an_answered_ping_keeps_a_connection_open() {
        // pinged at 30 s, the pong came at 31 s: at 130 s it is not idle
        assertEquals(Action.NONE, keepAlive.next(60 * SECOND, 31 * SECOND, 31 * SECOND, 30 * SECOND));
        assertEquals(Action.PING, keepAlive.next(61 * SECOND, 31 * SECOND, 31 * SECOND, 30 * SECOND));
        assertEquals(Action.NONE, keepAlive.next(130 * SECOND, 125 * SECOND, 125 * SECOND, 121 * SECOND));
    }

    @Test
    void messages_still_reaching_a_client_that_answers_late_keep_it_open() {
        // a member far behind a busy room: its pongs queue behind the backlog, but its messages keep flowing
        assertEquals(Action.NONE, keepAlive.next(130 * SECOND, 0, 100 * SECOND, 120 * SECOND));
        assertEquals(Action.CLOSE, keepAlive.next(220 * SECOND, 0, 100 * SECOND, 210 * SECOND), "nothing either way");
    }

    @Test
    void the_ping_interval_must_be_shorter_than_the_idle_timeout() {
        assertThrows(IllegalArgumentException.class, () -> new KeepAlive(30 * SECOND, 30 * SECOND));
    }
}
