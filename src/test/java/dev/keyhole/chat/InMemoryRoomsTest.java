package dev.keyhole.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keyhole.auth.ClientIdentity;
import dev.keyhole.config.Settings;
import dev.keyhole.testing.FakeSession;
import dev.keyhole.testing.TestPki;
import dev.keyhole.ws.Outbox;
import jakarta.websocket.CloseReason;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InMemoryRoomsTest {

    private static final TestPki.Authority CA = TestPki.root("Keyhole Test CA");

    private static Connection connection(String name, FakeSession session, int queueMessages) {
        ClientIdentity identity = ClientIdentity.of(CA.client(name).build(), Set.of());
        return new Connection(identity, new Outbox(session.session(), new Outbox.Limits(queueMessages, 1_000_000)));
    }

    @Test
    void a_member_that_does_not_read_is_closed_and_the_others_get_every_message() {
        InMemoryRooms rooms = new InMemoryRooms(Settings.of(Map.of()), Clock.systemUTC());
        FakeSession aliceSession = new FakeSession(null);
        FakeSession stalledSession = new FakeSession(null).completeInline(false);
        Rooms.Membership alice = rooms.join(new RoomName("lobby"), connection("alice", aliceSession, 100), null);
        rooms.join(new RoomName("lobby"), connection("stalled", stalledSession, 10), null);

        for (int i = 0; i < 50; i++) {
            alice.post("message " + i, null);
        }

        assertEquals(List.of(new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY, "slow-consumer").toString()),
                stalledSession.closes().stream().map(CloseReason::toString).toList());
        long aliceMessages = aliceSession.sent().stream().filter(frame -> frame.toString().contains("\"type\":\"message\"")).count();
        assertEquals(50, aliceMessages);
        assertEquals(List.of(), aliceSession.closes());
    }

    @Test
    void rooms_are_bounded_and_an_empty_room_is_forgotten() {
        InMemoryRooms rooms = new InMemoryRooms(Settings.of(Map.of("keyhole.chat.max-rooms", "2",
                "keyhole.chat.history-messages", "0")), Clock.systemUTC());
        Rooms.Membership one = rooms.join(new RoomName("one"), connection("alice", new FakeSession(null), 100), null);
        rooms.join(new RoomName("two"), connection("bob", new FakeSession(null), 100), null);

        assertThrows(Rooms.RoomLimitException.class,
                () -> rooms.join(new RoomName("three"), connection("carol", new FakeSession(null), 100), null));

        one.leave();
        rooms.join(new RoomName("three"), connection("carol", new FakeSession(null), 100), null);
        assertEquals(2, rooms.size());
    }
}
