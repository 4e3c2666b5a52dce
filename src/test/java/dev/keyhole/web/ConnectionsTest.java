package dev.keyhole.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.config.Settings;
import dev.keyhole.testing.FakeSession;
import jakarta.websocket.CloseReason;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectionsTest {

    private static final long SECOND = 1_000_000_000L;
    private final long[] now = {0};
    private final Connections connections = connections(Map.of(
            "keyhole.limits.max-connections-per-identity", "1",
            "keyhole.ws.idle-timeout-seconds", "10",
            "keyhole.ws.ping-interval-seconds", "3",
            "keyhole.ws.shutdown-grace-seconds", "0"));

    private Connections connections(Map<String, String> settings) {
        Connections made = new Connections();
        made.settings = Settings.of(settings);
        made.clock = () -> now[0];
        made.configure();
        return made;
    }

    private FakeSession sessionWithLease(String identity) {
        ConnectionLimits.Outcome outcome = connections.limits().acquire("10.0.0.1", identity);
        assertTrue(outcome.granted());
        return new FakeSession(null).requestParameters(Map.of(Connections.LEASE_PARAMETER, List.of(outcome.lease().id())));
    }

    @Test
    void a_session_holds_its_lease_until_it_closes() {
        FakeSession bob = sessionWithLease("bob");
        connections.opened(bob.session(), null, 1024);

        assertFalse(connections.limits().acquire("10.0.0.1", "bob").granted());
        connections.closed(bob.session());
        assertTrue(connections.limits().acquire("10.0.0.1", "bob").granted());
        assertEquals(0, connections.size());
    }

    @Test
    void a_session_without_a_lease_to_claim_is_closed_with_1013() {
        FakeSession forged = new FakeSession(null).requestParameters(Map.of(Connections.LEASE_PARAMETER, List.of("forged")));

        assertFalse(connections.opened(forged.session(), null, 1024));

        assertEquals(1013, forged.closes().get(0).getCloseCode().getCode());
        assertEquals("try-again-later", forged.closes().get(0).getReasonPhrase());
    }

    @Test
    void a_session_closed_without_its_endpoint_reporting_it_gives_its_lease_back_at_the_idle_timeout() throws Exception {
        FakeSession bob = sessionWithLease("bob");
        connections.opened(bob.session(), null, 1024);
        bob.session().close();

        now[0] = 10 * SECOND;
        connections.sweep();

        assertEquals(0, connections.size());
        assertTrue(connections.limits().acquire("10.0.0.1", "bob").granted());
    }

    @Test
    void a_quiet_session_is_pinged_and_a_silent_one_closed_after_the_idle_timeout() {
        FakeSession quiet = sessionWithLease("alice");
        FakeSession silent = sessionWithLease("bob");
        connections.opened(quiet.session(), null, 1024);
        connections.opened(silent.session(), null, 1024);

        now[0] = 3 * SECOND;
        connections.sweep();
        assertEquals(1, quiet.pings());
        assertEquals(1, silent.pings());

        now[0] = 4 * SECOND;
        connections.touched(quiet.session()); // the pong
        now[0] = 10 * SECOND;
        connections.sweep();

        assertEquals(List.of(), quiet.closes());
        assertEquals(List.of(new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, "idle-timeout")).toString(),
                silent.closes().toString());
    }

    @Test
    void the_drain_tells_every_open_session_1001_and_refuses_what_comes_later() {
        FakeSession alice = sessionWithLease("alice");
        FakeSession bob = sessionWithLease("bob");
        connections.opened(alice.session(), null, 1024);
        connections.opened(bob.session(), null, 1024);

        connections.drain();

        assertTrue(connections.shuttingDown());
        for (FakeSession session : List.of(alice, bob)) {
            assertEquals(1, session.closes().size());
            assertEquals(1001, session.closes().get(0).getCloseCode().getCode());
            assertEquals("going-away", session.closes().get(0).getReasonPhrase());
        }
        FakeSession late = sessionWithLease("carol");
        assertFalse(connections.opened(late.session(), null, 1024));
        assertEquals(1001, late.closes().get(0).getCloseCode().getCode(), "a session opened during the drain");
        connections.drain();
        assertEquals(1, alice.closes().size(), "the drain runs once");
    }
}
