package dev.keyhole.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.auth.ClientIdentity;
import dev.keyhole.config.Settings;
import dev.keyhole.testing.FakeSession;
import dev.keyhole.testing.TestPki;
import dev.keyhole.ws.Outbox;
import jakarta.websocket.CloseReason;
import java.time.Clock;
import java.util.ArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InMemoryRoomsTest {

    private static final TestPki.Authority CA = TestPki.root("Keyhole Test CA");

    private static SessionMemberConnection connection(String name, FakeSession session, int queueMessages) {
        ClientIdentity identity = ClientIdentity.of(CA.client(name).build(), Set.of());
        return new SessionMemberConnection(identity, new Outbox(session.session(), new Outbox.Limits(queueMessages, 1_000_000)));
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

    private static SessionMemberConnection connection(String name, FakeSession session) {
        return connection(name, session, 512);
    }

    private static SessionMemberConnection connectionWithQueue(String name, FakeSession session, long queueBytes) {
        ClientIdentity identity = ClientIdentity.of(CA.client(name).build(), Set.of());
        return new SessionMemberConnection(identity, new Outbox(session.session(), new Outbox.Limits(512, queueBytes)));
    }

    @Test
    void a_join_never_lands_in_a_room_that_was_retired() throws Exception {
        InMemoryRooms rooms = new InMemoryRooms(Settings.of(Map.of("keyhole.chat.history-messages", "0")), Clock.systemUTC());
        int threads = 8;
        int rounds = 3_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger orphans = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            SessionMemberConnection connection = connection("user" + t, new FakeSession(null));
            done.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < rounds; i++) {
                    Rooms.Membership membership = rooms.join(new RoomName("reload"), connection, null);
                    if (rooms.current("reload") != ((InMemoryRooms.RoomMembership) membership).room()) {
                        orphans.incrementAndGet(); // a member of a room that is no longer the room of its name
                    }
                    membership.leave();
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> future : done) {
            future.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        assertEquals(0, orphans.get());
    }

    @Test
    void one_identity_cannot_take_every_room_and_empty_rooms_do_not_hold_slots() {
        InMemoryRooms rooms = new InMemoryRooms(Settings.of(Map.of("keyhole.chat.max-rooms", "50",
                "keyhole.chat.max-rooms-per-identity", "10")), Clock.systemUTC());
        SessionMemberConnection mallory = connection("mallory", new FakeSession(null));
        int created = 0;
        for (int i = 0; i < 50; i++) {
            Rooms.Membership membership = rooms.join(new RoomName("spam" + i), mallory, null);
            membership.post("one message", null);
            membership.leave();
            created++;
        }
        assertEquals(50, created, "mallory's own empty rooms were retired to make room for the new ones");
        assertTrue(rooms.size() <= 10, "mallory keeps at most its quota of rooms: " + rooms.size());

        FakeSession bobSession = new FakeSession(null);
        rooms.join(new RoomName("bobs-room"), connection("bob", bobSession), null);
        assertEquals(List.of(), bobSession.closes());
    }

    @Test
    void an_identity_at_its_quota_of_rooms_with_members_is_refused_with_the_quota_reason() {
        InMemoryRooms rooms = new InMemoryRooms(Settings.of(Map.of("keyhole.chat.max-rooms-per-identity", "2")),
                Clock.systemUTC());
        SessionMemberConnection alice = connection("alice", new FakeSession(null));
        rooms.join(new RoomName("one"), alice, null);
        rooms.join(new RoomName("two"), alice, null);

        Rooms.RoomLimitException refused = assertThrows(Rooms.RoomLimitException.class,
                () -> rooms.join(new RoomName("three"), alice, null));

        assertTrue(refused.quota());
        rooms.join(new RoomName("three"), connection("bob", new FakeSession(null)), null);
    }

    @Test
    void when_every_room_has_members_a_new_room_is_refused_with_too_many_rooms() {
        InMemoryRooms rooms = new InMemoryRooms(Settings.of(Map.of("keyhole.chat.max-rooms", "1")), Clock.systemUTC());
        rooms.join(new RoomName("one"), connection("alice", new FakeSession(null)), null);

        Rooms.RoomLimitException refused = assertThrows(Rooms.RoomLimitException.class,
                () -> rooms.join(new RoomName("two"), connection("bob", new FakeSession(null)), null));

        assertFalse(refused.quota());
    }

    @Test
    void history_is_bounded_in_bytes_per_room_and_in_total_and_empty_rooms_give_theirs_up_first() {
        InMemoryRooms rooms = new InMemoryRooms(Settings.of(Map.of("keyhole.chat.history-bytes-per-room", "40000",
                "keyhole.chat.history-bytes", "100000")), Clock.systemUTC());
        String text = "x".repeat(3_000);
        Rooms.Membership old = rooms.join(new RoomName("old"), connection("alice", new FakeSession(null)), null);
        for (int i = 0; i < 100; i++) {
            old.post(text, null);
        }
        assertTrue(rooms.historyBytes() <= 40_000, "per room: " + rooms.historyBytes());
        old.leave();
        assertEquals(1, rooms.size(), "an empty room with history is kept while nothing needs its bytes");

        for (int r = 0; r < 3; r++) {
            Rooms.Membership busy = rooms.join(new RoomName("busy" + r), connection("bob", new FakeSession(null)), null);
            for (int i = 0; i < 100; i++) {
                busy.post(text, null);
            }
        }

        assertTrue(rooms.historyBytes() <= 100_000 + 4_000, "in total: " + rooms.historyBytes());
        assertEquals(null, rooms.current("old"), "the empty room gave its history up first");
        assertEquals(3, rooms.size());
    }

    @Test
    void a_resume_over_non_ascii_history_gets_a_resync_never_a_slow_consumer_close() {
        InMemoryRooms rooms = new InMemoryRooms(Settings.of(Map.of()), Clock.systemUTC());
        Rooms.Membership poster = rooms.join(new RoomName("euro"), connection("alice", new FakeSession(null)), null);
        for (int i = 0; i < 130; i++) {
            poster.post("\u20ac".repeat(4_000), null);
        }
        FakeSession resuming = new FakeSession(null).completeInline(false);

        Rooms.Membership member = rooms.join(new RoomName("euro"),
                connectionWithQueue("bob", resuming, 1_048_576), new ResumePoint(0, null));
        member.replay(0, null);

        assertEquals(List.of(), resuming.closes());
    }
}
