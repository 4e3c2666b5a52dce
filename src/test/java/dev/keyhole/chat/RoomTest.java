package dev.keyhole.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import dev.keyhole.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class RoomTest {


    private final TestClock clock = new TestClock(Instant.parse("2026-11-21T10:00:00Z"));

    private Room room(int historyMessages, Duration historyAge) {
        return new Room(new RoomName("lobby"), new History(historyMessages, historyAge), clock);
    }

    private Room room() {
        return room(100, Duration.ofHours(1));
    }

    private static void post(Room room, MemberConnection from, int count) {
        for (int i = 0; i < count; i++) {
            room.post(from, "message " + i, null);
        }
    }

    @Test
    void the_welcome_says_who_you_are_who_is_here_and_where_the_sequence_stands() {
        Room room = room();
        RecordingConnection alice = new RecordingConnection("alice");
        room.join(alice, null);
        post(room, alice, 3);
        RecordingConnection bob = new RecordingConnection("bob");

        room.join(bob, null);

        JsonObject welcome = bob.events().get(0);
        assertEquals("welcome", welcome.getString("type"));
        assertEquals(1, welcome.getInt("v"));
        assertEquals("bob", welcome.getJsonObject("you").getString("name"));
        assertEquals("[\"alice\",\"bob\"]", welcome.getJsonArray("members").toString());
        assertEquals(3, welcome.getJsonNumber("lastSeq").longValue());
        assertEquals(room.epoch(), welcome.getString("epoch"));
    }

    @Test
    void every_member_receives_every_message_once_in_sequence_order_with_the_senders_name() {
        Room room = room();
        RecordingConnection alice = new RecordingConnection("alice");
        RecordingConnection bob = new RecordingConnection("bob");
        room.join(alice, null);
        room.join(bob, null);

        room.post(alice, "hello", "c-1");
        room.post(bob, "hi alice", null);

        for (RecordingConnection member : List.of(alice, bob)) {
            assertEquals(List.of(1L, 2L), member.seqs());
            List<JsonObject> messages = member.events("message");
            assertEquals("alice", messages.get(0).getString("from"));
            assertEquals("hello", messages.get(0).getString("text"));
            assertEquals("c-1", messages.get(0).getString("id"));
            assertEquals("bob", messages.get(1).getString("from"));
        }
    }

    @Test
    void concurrent_posts_reach_everyone_exactly_once_in_the_same_order() throws Exception {
        Room room = room(10_000, Duration.ofHours(1));
        List<RecordingConnection> members = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            RecordingConnection member = new RecordingConnection("user" + i);
            members.add(member);
            room.join(member, null);
        }
        ExecutorService senders = Executors.newFixedThreadPool(8);
        CountDownLatch done = new CountDownLatch(8);
        for (RecordingConnection member : members) {
            senders.execute(() -> {
                post(room, member, 250);
                done.countDown();
            });
        }
        assertTrue(done.await(30, TimeUnit.SECONDS));
        senders.shutdown();

        List<Long> expected = LongStream.rangeClosed(1, 2000).boxed().toList();
        for (RecordingConnection member : members) {
            assertEquals(expected, member.seqs(), member.name());
        }
    }

    @Test
    void presence_in_a_large_room_names_only_the_member_and_the_count() {
        Room room = room();
        RecordingConnection first = new RecordingConnection("user0");
        room.join(first, null);
        for (int i = 1; i < Roster.PRESENCE_LIST_LIMIT; i++) {
            room.join(new RecordingConnection("user" + i), null);
        }
        JsonObject lastListed = first.events("presence").get(first.events("presence").size() - 1);
        assertEquals(Roster.PRESENCE_LIST_LIMIT, lastListed.getJsonArray("members").size());
        assertEquals(Roster.PRESENCE_LIST_LIMIT, lastListed.getInt("count"));

        room.join(new RecordingConnection("late"), null);

        JsonObject unlisted = first.events("presence").get(first.events("presence").size() - 1);
        assertEquals("late", unlisted.getString("member"));
        assertEquals(Roster.PRESENCE_LIST_LIMIT + 1, unlisted.getInt("count"));
        assertTrue(!unlisted.containsKey("members"), "no member list beyond the limit");
    }

    @Test
    void several_connections_of_one_identity_are_one_member() {
        Room room = room();
        RecordingConnection bob = new RecordingConnection("bob");
        room.join(bob, null);
        RecordingConnection alicePhone = new RecordingConnection("alice");
        RecordingConnection aliceLaptop = new RecordingConnection("alice");

        room.join(alicePhone, null);
        room.join(aliceLaptop, null);
        room.leave(alicePhone);

        List<JsonObject> presence = bob.events("presence");
        assertEquals(1, presence.size(), "one join, no leave while a connection remains");
        assertEquals("join", presence.get(0).getString("event"));
        assertEquals("[\"alice\",\"bob\"]", aliceLaptop.events().get(0).getJsonArray("members").toString());

        room.leave(aliceLaptop);

        assertEquals("leave", bob.events("presence").get(1).getString("event"));
        assertEquals("[\"bob\"]", bob.events("presence").get(1).getJsonArray("members").toString());
    }

    @Test
    void a_connection_that_cannot_take_a_message_leaves_the_room_at_once() {
        Room room = room();
        RecordingConnection alice = new RecordingConnection("alice");
        RecordingConnection full = new RecordingConnection("stalled") {
            @Override
            public boolean enqueue(String frame) {
                super.enqueue(frame);
                return !frame.contains("\"type\":\"message\"");
            }
        };
        room.join(alice, null);
        room.join(full, null);

        room.post(alice, "one", null);
        room.post(alice, "two", null);

        assertEquals(List.of(1L, 2L), alice.seqs());
        List<JsonObject> presence = alice.events("presence");
        assertEquals("leave", presence.get(presence.size() - 1).getString("event"));
        assertEquals("stalled", presence.get(presence.size() - 1).getString("member"));
        assertEquals(1, full.seqs().size(), "it was offered the first message only");
    }

    @Test
    void history_is_bounded_by_count() {
        Room room = room(5, Duration.ofHours(1));
        RecordingConnection alice = new RecordingConnection("alice");
        room.join(alice, null);
        post(room, alice, 12);
        RecordingConnection late = new RecordingConnection("late");

        room.join(late, new ResumePoint(0, room.epoch()));

        assertEquals("outside-retention", late.events("resync").get(0).getString("reason"));
        assertEquals(List.of(8L, 9L, 10L, 11L, 12L), late.seqs());
    }

    @Test
    void history_is_bounded_by_age() {
        Room room = room(100, Duration.ofMinutes(10));
        RecordingConnection alice = new RecordingConnection("alice");
        room.join(alice, null);
        post(room, alice, 3);
        clock.advance(Duration.ofMinutes(11));
        room.post(alice, "fresh", null);
        RecordingConnection late = new RecordingConnection("late");

        room.join(late, new ResumePoint(0, null));

        assertEquals(List.of(4L), late.seqs());
        assertEquals(1, late.events("resync").size());
    }

    @Test
    void resuming_inside_retention_gets_exactly_the_missed_messages_then_live_ones() {
        Room room = room();
        RecordingConnection alice = new RecordingConnection("alice");
        room.join(alice, null);
        post(room, alice, 10);
        RecordingConnection bob = new RecordingConnection("bob");

        room.join(bob, new ResumePoint(6, room.epoch()));
        room.post(alice, "live", null);

        assertEquals(List.of(), bob.events("resync"));
        assertEquals(List.of(7L, 8L, 9L, 10L, 11L), bob.seqs());
        assertEquals("welcome", bob.events().get(0).getString("type"));
    }

    @Test
    void resuming_at_the_newest_message_gets_nothing_but_live_ones() {
        Room room = room();
        RecordingConnection alice = new RecordingConnection("alice");
        room.join(alice, null);
        post(room, alice, 3);
        RecordingConnection bob = new RecordingConnection("bob");

        room.join(bob, new ResumePoint(3, null));
        room.post(alice, "live", null);

        assertEquals(List.of(4L), bob.seqs());
    }

    @Test
    void resuming_in_another_epoch_or_from_an_unknown_sequence_gets_a_resync() {
        Room room = room();
        RecordingConnection alice = new RecordingConnection("alice");
        room.join(alice, null);
        post(room, alice, 2);
        RecordingConnection restarted = new RecordingConnection("bob");
        RecordingConnection future = new RecordingConnection("carol");

        room.join(restarted, new ResumePoint(1, "an-older-epoch"));
        room.join(future, new ResumePoint(99, room.epoch()));

        assertEquals("restarted", restarted.events("resync").get(0).getString("reason"));
        assertEquals(List.of(1L, 2L), restarted.seqs());
        assertEquals("unknown-sequence", future.events("resync").get(0).getString("reason"));
    }

    @Test
    void a_backlog_larger_than_the_connection_may_take_is_a_resync_with_the_newest_messages() {
        Room room = room();
        RecordingConnection alice = new RecordingConnection("alice");
        room.join(alice, null);
        post(room, alice, 10);
        RecordingConnection small = new RecordingConnection("bob", new MemberConnection.Backlog(4, 1_000_000));

        room.join(small, new ResumePoint(2, room.epoch()));

        JsonObject resync = small.events("resync").get(0);
        assertEquals("too-far-behind", resync.getString("reason"));
        assertEquals(7, resync.getJsonNumber("oldestSeq").longValue());
        assertEquals(List.of(7L, 8L, 9L, 10L), small.seqs());
    }

    @Test
    void a_resume_command_returns_only_what_the_connection_did_not_receive_live() {
        Room room = room();
        RecordingConnection alice = new RecordingConnection("alice");
        room.join(alice, null);
        post(room, alice, 5);
        RecordingConnection bob = new RecordingConnection("bob");
        Room.Joined joined = room.join(bob, null);
        room.post(alice, "live 6", null);

        room.replay(bob, new ResumePoint(3, room.epoch()), joined.welcomeSeq());

        JsonObject history = bob.events("history").get(0);
        List<Long> replayed = history.getJsonArray("messages").getValuesAs(JsonObject.class).stream()
                .map(message -> message.getJsonNumber("seq").longValue()).toList();
        assertEquals(List.of(4L, 5L), replayed);
        assertEquals(List.of(6L), bob.seqs(), "the live message came once, as live");
    }

    @Test
    void two_identities_with_the_same_cn_are_two_members_told_apart_by_their_tag() {
        Room room = room();
        RecordingConnection devUser = new RecordingConnection("dev-user", "CN=dev-user", "CN=Keyhole CA", new MemberConnection.Backlog(100, 1_000_000));
        RecordingConnection other = new RecordingConnection("dev-user", "CN=dev-user,OU=Elsewhere", "CN=Keyhole CA",
                new MemberConnection.Backlog(100, 1_000_000));
        room.join(devUser, null);
        room.join(other, null);

        JsonObject welcome = other.events("welcome").get(0);
        List<String> members = welcome.getJsonArray("members").getValuesAs(jakarta.json.JsonString.class).stream()
                .map(jakarta.json.JsonString::getString).toList();
        assertEquals(List.of("dev-user #" + devUser.tag(), "dev-user #" + other.tag()).stream().sorted().toList(), members);
        assertEquals("CN=dev-user,OU=Elsewhere", welcome.getJsonObject("you").getString("subject"));
        assertEquals("CN=Keyhole CA", welcome.getJsonObject("you").getString("issuer"));
        JsonObject joined = devUser.events("presence").get(0);
        assertEquals("dev-user #" + other.tag(), joined.getString("member"));
        assertEquals("CN=dev-user,OU=Elsewhere", joined.getString("subject"));

        room.post(other, "hello", null);

        JsonObject message = devUser.events("message").get(0);
        assertEquals("dev-user #" + other.tag(), message.getString("from"));
        assertEquals(other.tag(), message.getString("fromTag"));
    }

    @Test
    void a_name_gets_its_tag_only_while_another_member_has_it() {
        Room room = room();
        RecordingConnection alice = new RecordingConnection("alice");
        room.join(alice, null);

        room.post(alice, "alone", null);

        assertEquals("alice", alice.events("message").get(0).getString("from"));
        assertEquals(alice.tag(), alice.events("message").get(0).getString("fromTag"));
    }

    @Test
    void presence_beyond_the_rate_is_coalesced_into_one_changes_event() {
        long[] nanos = {0};
        Room room = new Room(new RoomName("lobby"), null, new History(100, Duration.ofHours(1)), new Roster.PresenceRate(1, 2),
                clock, () -> nanos[0]);
        RecordingConnection watcher = new RecordingConnection("watcher");
        room.join(watcher, null);
        RecordingConnection bob = new RecordingConnection("bob");
        room.join(bob, null); // the watcher's join and this one take the burst
        for (int i = 0; i < 50; i++) {
            RecordingConnection flapping = new RecordingConnection("flapping");
            room.join(flapping, null);
            room.leave(flapping);
        }
        room.join(new RecordingConnection("carol"), null);
        room.leave(bob);
        int before = watcher.events("presence").size();

        assertTrue(before <= 2, "at most the burst went out at once, got " + before);
        assertEquals(List.of(), room.flushPresence(), "no token yet: nothing more");

        nanos[0] += 1_000_000_000L;
        room.flushPresence();

        JsonObject changes = watcher.events("presence").get(watcher.events("presence").size() - 1);
        assertEquals("changes", changes.getString("event"));
        assertEquals(List.of("carol"), changes.getJsonArray("joined").getValuesAs(JsonObject.class).stream()
                .map(person -> person.getString("name")).toList());
        assertEquals(List.of("flapping", "bob"), changes.getJsonArray("left").getValuesAs(JsonObject.class).stream()
                .map(person -> person.getString("name")).toList(), "fifty flaps cost one entry: where flapping stands now");
        assertEquals(2, changes.getInt("count"));
        assertEquals(before + 1, watcher.events("presence").size());
    }

    @Test
    void a_member_who_leaves_is_named_as_the_others_saw_it() {
        Room room = room();
        RecordingConnection watcher = new RecordingConnection("watcher");
        RecordingConnection one = new RecordingConnection("dev-user", "CN=dev-user", "CN=Test CA", new MemberConnection.Backlog(10, 100_000));
        RecordingConnection two = new RecordingConnection("dev-user", "CN=dev-user,OU=Elsewhere", "CN=Test CA",
                new MemberConnection.Backlog(10, 100_000));
        room.join(watcher, null);
        room.join(one, null);
        room.join(two, null);

        room.leave(two);

        JsonObject leave = watcher.events("presence").get(watcher.events("presence").size() - 1);
        assertEquals("leave", leave.getString("event"));
        assertEquals("dev-user #" + two.tag(), leave.getString("member"));
        assertEquals(two.tag(), leave.getString("tag"));
    }

    /** The member list a client keeps: its welcome, then joins and leaves applied as set operations. */
    private static java.util.Set<String> memberList(RecordingConnection client) {
        java.util.Set<String> members = new java.util.TreeSet<>();
        for (JsonObject event : client.events()) {
            switch (event.getString("type")) {
                case "welcome" -> event.getJsonArray("members").getValuesAs(jakarta.json.JsonString.class)
                        .forEach(name -> members.add(name.getString()));
                case "presence" -> {
                    switch (event.getString("event")) {
                        case "join" -> members.add(event.getString("member"));
                        case "leave" -> members.remove(event.getString("member"));
                        default -> {
                            event.getJsonArray("joined").getValuesAs(JsonObject.class).forEach(p -> members.add(p.getString("name")));
                            event.getJsonArray("left").getValuesAs(JsonObject.class).forEach(p -> members.remove(p.getString("name")));
                        }
                    }
                }
                default -> {
                }
            }
        }
        return members;
    }

    @Test
    void every_client_ends_with_the_true_member_list_whenever_its_welcome_came_during_held_back_presence() {
        long[] nanos = {0};
        Room room = new Room(new RoomName("lobby"), null, new History(100, Duration.ofHours(1)), new Roster.PresenceRate(1, 1),
                clock, () -> nanos[0]);
        RecordingConnection early = new RecordingConnection("early");
        room.join(early, null); // takes the only token
        RecordingConnection leaver = new RecordingConnection("leaver");
        room.join(leaver, null);                  // held back
        RecordingConnection middle = new RecordingConnection("middle");
        room.join(middle, null);                  // its welcome lists the leaver
        room.leave(leaver);                       // held back
        RecordingConnection returner = new RecordingConnection("returner");
        room.join(returner, null);
        room.leave(returner);
        RecordingConnection late = new RecordingConnection("late");
        room.join(late, null);                    // its welcome does not list the returner
        room.join(new RecordingConnection("returner"), null);

        nanos[0] += 1_000_000_000L;
        room.flushPresence();

        java.util.Set<String> truth = java.util.Set.of("early", "middle", "late", "returner");
        assertEquals(truth, memberList(early));
        assertEquals(truth, memberList(middle));
        assertEquals(truth, memberList(late));
    }
}
