package dev.keyhole.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Rooms} implementation promises the chat endpoint — in memory on one server, or in a cluster's
 * Redis. Each implementation's test extends this class; frames may arrive on other threads, so every check waits
 * for what it expects (with a timeout) before it looks.
 */
public abstract class RoomsContract {

    /** The rooms under test, with these settings; calls within one test share the same rooms (nodes of one cluster). */
    protected abstract Rooms rooms(Map<String, String> settings);

    protected Rooms rooms() {
        return rooms(Map.of());
    }

    private static RoomName room(String name) {
        return new RoomName(name);
    }

    private static List<Long> range(long first, long last) {
        return LongStream.rangeClosed(first, last).boxed().toList();
    }

    private static void post(Rooms.Membership member, int count) {
        for (int i = 0; i < count; i++) {
            member.post("message " + i, "c" + i);
        }
    }

    private static String epochOf(RecordingConnection connection) {
        return connection.await("welcome", 1).get(0).getString("epoch");
    }

    @Test
    void every_member_receives_every_message_once_in_the_same_order_the_sender_included() throws Exception {
        Rooms rooms = rooms();
        RecordingConnection alice = new RecordingConnection("alice");
        RecordingConnection bob = new RecordingConnection("bob");
        Rooms.Membership a = rooms.join(room("lobby"), alice, null);
        Rooms.Membership b = rooms.join(room("lobby"), bob, null);

        CompletableFuture<Void> fromAlice = CompletableFuture.runAsync(() -> post(a, 50));
        CompletableFuture<Void> fromBob = CompletableFuture.runAsync(() -> post(b, 50));
        fromAlice.get(10, TimeUnit.SECONDS);
        fromBob.get(10, TimeUnit.SECONDS);

        alice.await("message", 100);
        bob.await("message", 100);
        assertEquals(range(1, 100), alice.seqs());
        assertEquals(alice.events("message"), bob.events("message"), "the same messages in the same order");
    }

    @Test
    void a_member_who_joins_is_welcomed_with_everyone_and_announced_to_the_others() {
        Rooms rooms = rooms();
        RecordingConnection alice = new RecordingConnection("alice");
        RecordingConnection bob = new RecordingConnection("bob");
        rooms.join(room("lobby"), alice, null);
        rooms.join(room("lobby"), bob, null);

        JsonObject welcome = bob.await("welcome", 1).get(0);
        assertEquals(List.of("alice", "bob"), welcome.getJsonArray("members").getValuesAs(jakarta.json.JsonString.class)
                .stream().map(jakarta.json.JsonString::getString).toList());
        JsonObject join = alice.await("presence", 1).get(0);
        assertEquals("join", join.getString("event"));
        assertEquals("bob", join.getString("member"));
        assertEquals(List.of(), bob.events("presence"), "the joiner's welcome says it all");
    }

    @Test
    void a_member_whose_last_connection_leaves_is_announced_and_one_identity_is_one_member() {
        Rooms rooms = rooms();
        RecordingConnection alice = new RecordingConnection("alice");
        RecordingConnection bobPhone = new RecordingConnection("bob");
        RecordingConnection bobLaptop = new RecordingConnection("bob");
        rooms.join(room("lobby"), alice, null);
        Rooms.Membership phone = rooms.join(room("lobby"), bobPhone, null);
        Rooms.Membership laptop = rooms.join(room("lobby"), bobLaptop, null);
        alice.await("presence", 1);

        phone.leave();
        laptop.leave();

        List<JsonObject> presence = alice.await("presence", 2);
        assertEquals(2, presence.size(), "one join and one leave: " + presence);
        assertEquals("leave", presence.get(1).getString("event"));
        assertEquals(1, presence.get(1).getInt("count"));
    }

    @Test
    void a_reconnect_after_a_sequence_number_gets_exactly_the_messages_it_missed_then_the_live_ones() {
        Rooms rooms = rooms();
        RecordingConnection alice = new RecordingConnection("alice");
        Rooms.Membership a = rooms.join(room("lobby"), alice, null);
        post(a, 10);
        alice.await("message", 10);

        RecordingConnection back = new RecordingConnection("bob");
        rooms.join(room("lobby"), back, new ResumePoint(4, epochOf(alice)));
        back.await("message", 6);
        a.post("live", null);

        back.await("message", 7);
        assertEquals(range(5, 11), back.seqs());
        assertEquals(List.of(), back.events("resync"));
        assertEquals(10, back.events("welcome").get(0).getJsonNumber("lastSeq").longValue());
    }

    @Test
    void a_resume_from_another_epoch_gets_a_resync_restarted_and_the_history() {
        Rooms rooms = rooms();
        RecordingConnection alice = new RecordingConnection("alice");
        post(rooms.join(room("lobby"), alice, null), 3);
        alice.await("message", 3);

        RecordingConnection back = new RecordingConnection("bob");
        rooms.join(room("lobby"), back, new ResumePoint(2, "an-epoch-that-is-gone"));

        JsonObject resync = back.await("resync", 1).get(0);
        assertEquals("restarted", resync.getString("reason"));
        assertEquals(epochOf(alice), resync.getString("epoch"));
        assertEquals(range(1, 3), back.await("message", 3).stream().map(m -> m.getJsonNumber("seq").longValue()).toList());
    }

    @Test
    void a_resume_beyond_the_last_message_gets_a_resync_unknown_sequence() {
        Rooms rooms = rooms();
        RecordingConnection alice = new RecordingConnection("alice");
        post(rooms.join(room("lobby"), alice, null), 2);
        alice.await("message", 2);

        RecordingConnection back = new RecordingConnection("bob");
        rooms.join(room("lobby"), back, new ResumePoint(99, epochOf(alice)));

        assertEquals("unknown-sequence", back.await("resync", 1).get(0).getString("reason"));
    }

    @Test
    void a_resume_outside_retention_gets_a_resync_and_the_retained_history() {
        Rooms rooms = rooms(Map.of("keyhole.chat.history-messages", "5"));
        RecordingConnection alice = new RecordingConnection("alice");
        post(rooms.join(room("lobby"), alice, null), 10);
        alice.await("message", 10);

        RecordingConnection back = new RecordingConnection("bob");
        rooms.join(room("lobby"), back, new ResumePoint(2, epochOf(alice)));

        JsonObject resync = back.await("resync", 1).get(0);
        assertEquals("outside-retention", resync.getString("reason"));
        assertEquals(6, resync.getJsonNumber("oldestSeq").longValue());
        assertEquals(10, resync.getJsonNumber("lastSeq").longValue());
        back.await("message", 5);
        assertEquals(range(6, 10), back.seqs());
    }

    @Test
    void a_resume_that_does_not_fit_the_connections_backlog_gets_too_far_behind_and_the_newest_that_fit() {
        Rooms rooms = rooms();
        RecordingConnection alice = new RecordingConnection("alice");
        post(rooms.join(room("lobby"), alice, null), 10);
        alice.await("message", 10);

        RecordingConnection back = new RecordingConnection("bob", new MemberConnection.Backlog(3, 1_000_000));
        rooms.join(room("lobby"), back, new ResumePoint(0, epochOf(alice)));

        assertEquals("too-far-behind", back.await("resync", 1).get(0).getString("reason"));
        back.await("message", 3);
        assertEquals(range(8, 10), back.seqs());
    }

    @Test
    void the_resume_command_answers_with_one_history_frame_of_what_came_before_the_welcome() {
        Rooms rooms = rooms();
        RecordingConnection alice = new RecordingConnection("alice");
        post(rooms.join(room("lobby"), alice, null), 5);
        alice.await("message", 5);
        RecordingConnection bob = new RecordingConnection("bob");
        Rooms.Membership b = rooms.join(room("lobby"), bob, null);

        b.replay(2, epochOf(alice));

        JsonObject history = bob.await("history", 1).get(0);
        assertEquals(List.of(3L, 4L, 5L), history.getJsonArray("messages").getValuesAs(JsonObject.class).stream()
                .map(m -> m.getJsonNumber("seq").longValue()).toList());
    }

    @Test
    void members_with_the_same_common_name_are_shown_with_their_tags() {
        Rooms rooms = rooms();
        RecordingConnection one = new RecordingConnection("dev-user", "CN=dev-user,OU=Here", "CN=Test CA",
                new MemberConnection.Backlog(100, 100_000));
        RecordingConnection two = new RecordingConnection("dev-user", "CN=dev-user,OU=Elsewhere", "CN=Test CA",
                new MemberConnection.Backlog(100, 100_000));
        rooms.join(room("lobby"), one, null);
        Rooms.Membership second = rooms.join(room("lobby"), two, null);
        second.post("hello", null);

        JsonObject message = one.await("message", 1).get(0);
        assertEquals("dev-user #" + two.tag(), message.getString("from"));
        assertEquals(two.tag(), message.getString("fromTag"));
    }

    @Test
    void rooms_are_limited_and_a_room_whose_members_left_frees_its_slot() {
        Rooms rooms = rooms(Map.of("keyhole.chat.max-rooms", "2"));
        Rooms.Membership one = rooms.join(room("one"), new RecordingConnection("alice"), null);
        rooms.join(room("two"), new RecordingConnection("bob"), null);

        Rooms.RoomLimitException refused = assertThrows(Rooms.RoomLimitException.class,
                () -> rooms.join(room("three"), new RecordingConnection("carol"), null));
        assertTrue(!refused.quota(), "the room count, not the identity's quota");

        one.leave();
        rooms.join(room("three"), new RecordingConnection("carol"), null);
    }

    @Test
    void one_identity_cannot_create_more_rooms_than_its_quota_but_others_can() {
        Rooms rooms = rooms(Map.of("keyhole.chat.max-rooms-per-identity", "2"));
        RecordingConnection mallory = new RecordingConnection("mallory");
        rooms.join(room("m1"), mallory, null);
        rooms.join(room("m2"), mallory, null);

        Rooms.RoomLimitException refused = assertThrows(Rooms.RoomLimitException.class,
                () -> rooms.join(room("m3"), mallory, null));
        assertTrue(refused.quota());
        rooms.join(room("m1"), new RecordingConnection("alice"), null);
        rooms.join(room("a1"), new RecordingConnection("alice"), null);
    }
}
