package dev.keyhole.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.chat.RecordingConnection;
import dev.keyhole.chat.RoomName;
import dev.keyhole.chat.Rooms;
import dev.keyhole.config.Settings;
import dev.keyhole.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import jakarta.json.JsonObject;
import dev.keyhole.testing.TestClock;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What only a cluster has to get right, on a real Redis: nodes sharing a room, a message lost on the way, a node
 * that crashed, a Redis that stopped or restarted empty. Each node is a {@link RedisRooms} of its own; the test
 * runs their once-a-second sweep itself.
 */
class RedisRoomsIT {


    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<RedisRooms> nodes = new ArrayList<>();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        nodes.forEach(RedisRooms::stop);
        for (AutoCloseable resource : closing) {
            resource.close();
        }
        executor.shutdownNow();
    }

    private RedisServer redis(String name, boolean persistent) throws Exception {
        RedisServer redis = RedisServer.start(name, persistent, List.of());
        closing.add(redis);
        return redis;
    }

    private RedisRooms node(RedisServer redis, Clock clock, Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.put("keyhole.cluster.redis-uri", redis.uri());
        all.put("keyhole.cluster.command-timeout-millis", "1000");
        RedisRooms node = new RedisRooms(Settings.of(all), executor, clock);
        nodes.add(node);
        return node;
    }

    private RedisRooms node(RedisServer redis) {
        return node(redis, Clock.systemUTC(), Map.of());
    }

    private StatefulRedisConnection<String, String> client(RedisServer redis) {
        RedisClient client = RedisClient.create(redis.uri());
        closing.add(client::shutdown);
        return client.connect();
    }

    private static RoomName lobby() {
        return new RoomName("lobby");
    }

    private static List<Long> range(long first, long last) {
        return LongStream.rangeClosed(first, last).boxed().toList();
    }

    @Test
    void members_on_two_nodes_posting_at_once_all_see_every_message_once_in_the_same_order() throws Exception {
        RedisServer redis = redis("two-nodes", false);
        RedisRooms nodeA = node(redis);
        RedisRooms nodeB = node(redis);
        RecordingConnection alice = new RecordingConnection("alice");
        RecordingConnection bob = new RecordingConnection("bob");
        RecordingConnection carol = new RecordingConnection("carol");
        Rooms.Membership a = nodeA.join(lobby(), alice, null);
        Rooms.Membership b = nodeB.join(lobby(), bob, null);
        nodeB.join(lobby(), carol, null);

        int each = 1000;
        CompletableFuture<Void> fromA = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < each; i++) {
                a.post("a" + i, null);
            }
        });
        CompletableFuture<Void> fromB = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < each; i++) {
                b.post("b" + i, null);
            }
        });
        fromA.get(30, TimeUnit.SECONDS);
        fromB.get(30, TimeUnit.SECONDS);

        for (RecordingConnection member : List.of(alice, bob, carol)) {
            member.await("message", 2 * each);
            assertEquals(range(1, 2 * each), member.seqs(), "every message once, in order");
        }
        assertEquals(alice.events("message"), bob.events("message"));
        assertEquals(alice.events("message"), carol.events("message"));
    }

    @Test
    void a_join_and_a_leave_on_one_node_are_announced_on_the_other() throws Exception {
        RedisServer redis = redis("presence", false);
        RedisRooms nodeA = node(redis);
        RedisRooms nodeB = node(redis);
        RecordingConnection alice = new RecordingConnection("alice");
        nodeA.join(lobby(), alice, null);

        RecordingConnection bob = new RecordingConnection("bob");
        Rooms.Membership b = nodeB.join(lobby(), bob, null);
        JsonObject join = alice.await("presence", 1).get(0);
        assertEquals("join", join.getString("event"));
        assertEquals("bob", join.getString("member"));
        assertEquals(2, bob.await("welcome", 1).get(0).getJsonArray("members").size(), "the welcome lists both nodes' members");

        b.leave();
        JsonObject leave = alice.await("presence", 2).get(1);
        assertEquals("leave", leave.getString("event"));
        assertEquals(1, leave.getInt("count"));
    }

    @Test
    void a_message_lost_on_the_channel_is_filled_from_the_stream_and_a_lost_last_message_by_the_sweep() throws Exception {
        RedisServer redis = redis("lost", false);
        RedisRooms node = node(redis);
        RecordingConnection alice = new RecordingConnection("alice");
        Rooms.Membership a = node.join(lobby(), alice, null);
        a.post("one", null);
        alice.await("message", 1);
        StatefulRedisConnection<String, String> direct = client(redis);

        postWithoutPublishing(direct, 2, "two"); // as if the channel had lost it
        a.post("three", null);
        alice.await("message", 3);
        assertEquals(range(1, 3), alice.seqs());

        postWithoutPublishing(direct, 4, "four"); // the last message lost: nothing after it tells
        node.sweep(true); // behind: maybe still on its way
        node.sweep(true); // still behind a second later: lost
        alice.await("message", 4);
        assertEquals(range(1, 4), alice.seqs());
        assertEquals(List.of(), alice.events("resync"), "filled without a gap");
    }

    /** Numbers and keeps a message the way the post script does, but publishes nothing. */
    private static void postWithoutPublishing(StatefulRedisConnection<String, String> redis, long seq, String text) {
        String room = "keyhole:room:lobby";
        assertEquals(seq, redis.sync().hincrby(room, "seq", 1));
        String frame = "{\"v\":1,\"type\":\"message\",\"room\":\"lobby\",\"seq\":" + seq
                + ",\"from\":\"ghost\",\"fromTag\":\"0\",\"text\":\"" + text + "\",\"time\":\"2026-12-05T00:00:00Z\"}";
        redis.sync().xadd(room + ":log", new io.lettuce.core.XAddArgs().id(seq + "-0"),
                Map.of("t", Long.toString(System.currentTimeMillis()), "f", frame));
    }

    @Test
    void while_redis_is_down_a_post_is_answered_unavailable_and_a_join_refused_and_afterwards_posts_go_on() throws Exception {
        RedisServer redis = redis("outage", true);
        RedisRooms node = node(redis);
        RecordingConnection alice = new RecordingConnection("alice");
        Rooms.Membership a = node.join(lobby(), alice, null);
        a.post("before", null);
        alice.await("message", 1);

        int reconnects = node.reconnects();
        redis.stop();
        a.post("during", "c-2");
        JsonObject refused = alice.await("error", 1).get(0);
        assertEquals("unavailable", refused.getString("code"));
        assertEquals("c-2", refused.getString("id"), "the client knows which send to retry");
        assertThrows(Rooms.UnavailableException.class, () -> node.join(lobby(), new RecordingConnection("bob"), null));

        redis.startAgain();
        node.awaitReconnects(reconnects + 1, Duration.ofSeconds(30));
        a.post("after", "c-3");
        alice.await("message", 2);
        assertEquals(range(1, 2), alice.seqs(), "a persistent Redis continues the room's numbering");
        assertEquals(List.of(), alice.events("resync"));
    }

    @Test
    void a_redis_that_restarted_empty_starts_a_new_epoch_and_every_member_is_told_restarted() throws Exception {
        RedisServer redis = redis("restart-empty", false);
        RedisRooms nodeA = node(redis);
        RedisRooms nodeB = node(redis);
        RecordingConnection alice = new RecordingConnection("alice");
        RecordingConnection bob = new RecordingConnection("bob");
        Rooms.Membership a = nodeA.join(lobby(), alice, null);
        nodeB.join(lobby(), bob, null);
        a.post("before", null);
        bob.await("message", 1);
        String before = alice.await("welcome", 1).get(0).getString("epoch");

        int reconnectsA = nodeA.reconnects();
        int reconnectsB = nodeB.reconnects();
        redis.stop();
        redis.startAgain();
        nodeA.awaitReconnects(reconnectsA + 1, Duration.ofSeconds(30));
        nodeB.awaitReconnects(reconnectsB + 1, Duration.ofSeconds(30));
        a.post("after", null);

        for (RecordingConnection member : List.of(alice, bob)) {
            JsonObject resync = member.await("resync", 1).get(0);
            assertEquals("restarted", resync.getString("reason"));
            assertTrue(!before.equals(resync.getString("epoch")), "a new epoch");
            List<JsonObject> messages = member.await("message", 2);
            assertEquals(1, messages.get(1).getJsonNumber("seq").longValue(), "numbering starts again in the new epoch");
        }
    }

    @Test
    void a_crashed_nodes_members_leave_the_others_list_once_their_presence_expires() throws Exception {
        RedisServer redis = redis("crash", false);
        TestClock clock = new TestClock();
        RedisRooms survivor = node(redis, clock, Map.of("keyhole.cluster.presence-ttl-seconds", "30"));
        RedisRooms crashed = node(redis, Clock.systemUTC(), Map.of("keyhole.cluster.presence-ttl-seconds", "30"));
        RecordingConnection alice = new RecordingConnection("alice");
        survivor.join(lobby(), alice, null);
        crashed.join(lobby(), new RecordingConnection("bob"), null);
        alice.await("presence", 1);
        crashed.stop(); // no leave, no more refreshes: as if the process had died

        clock.advance(Duration.ofSeconds(29));
        survivor.sweep(true);
        clock.advance(Duration.ofSeconds(2));
        survivor.sweep(true);

        JsonObject leave = alice.await("presence", 2).get(1);
        assertEquals("leave", leave.getString("event"));
        assertEquals("bob", leave.getString("member"));
    }

    @Test
    void a_command_sent_on_the_control_channel_reaches_every_node_and_every_node_announces_itself() throws Exception {
        RedisServer redis = redis("control", false);
        RedisRooms nodeA = node(redis, Clock.systemUTC(), Map.of("keyhole.cluster.node-id", "node-a"));
        RedisRooms nodeB = node(redis, Clock.systemUTC(), Map.of("keyhole.cluster.node-id", "node-b"));
        CompletableFuture<ClusterCommand> atA = new CompletableFuture<>();
        CompletableFuture<ClusterCommand> atB = new CompletableFuture<>();
        nodeA.observers.add(atA::complete);
        nodeB.observers.add(atB::complete);

        nodeA.broadcast("disconnect", Map.of("identity", "CN=mallory"));

        ClusterCommand expected = new ClusterCommand("disconnect", Map.of("identity", "CN=mallory"), "node-a");
        assertEquals(expected, atA.get(10, TimeUnit.SECONDS));
        assertEquals(expected, atB.get(10, TimeUnit.SECONDS));
        nodeB.sweep(true);
        Map<String, String> announced = client(redis).sync().hgetall("keyhole:node:node-b");
        assertEquals("0", announced.get("connections"));
        assertTrue(announced.containsKey("started") && announced.containsKey("address"), announced.toString());
    }

    @Test
    void a_redis_that_lost_messages_it_had_published_starts_a_new_epoch_so_no_member_skips_the_reused_numbers()
            throws Exception {
        RedisServer redis = redis("rollback", false);
        RedisRooms node = node(redis);
        RecordingConnection alice = new RecordingConnection("alice");
        Rooms.Membership a = node.join(lobby(), alice, null);
        for (int i = 1; i <= 5; i++) {
            a.post("m" + i, null);
        }
        alice.await("message", 5);
        String before = alice.await("welcome", 1).get(0).getString("epoch");
        forgetAfterThree(client(redis));

        a.post("the new fourth", null); // numbered 4 again: not a duplicate of the 4 alice saw
        node.sweep(true);

        JsonObject resync = alice.await("resync", 1).get(0);
        assertEquals("restarted", resync.getString("reason"));
        assertTrue(!before.equals(resync.getString("epoch")));
        alice.await("the new message", frame -> frame.getString("text", "").equals("the new fourth"));
    }

    @Test
    void a_redis_that_lost_messages_and_whose_new_posts_caught_up_is_found_out_by_content_when_the_node_reconnects()
            throws Exception {
        RedisServer redis = redis("rollback-caught-up", false);
        RedisRooms node = node(redis);
        RecordingConnection alice = new RecordingConnection("alice");
        Rooms.Membership a = node.join(lobby(), alice, null);
        for (int i = 1; i <= 5; i++) {
            a.post("m" + i, null);
        }
        alice.await("message", 5);
        StatefulRedisConnection<String, String> direct = client(redis);
        forgetAfterThree(direct);

        a.post("another 4", null); // numbered 4 and 5 again: the count is back where alice is
        a.post("another 5", null);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!"5".equals(direct.sync().hget("keyhole:room:lobby", "seq")) && System.nanoTime() < deadline) {
            // both posts numbered (each HGET is a round trip to Redis: no sleep needed)
        }
        assertEquals("5", direct.sync().hget("keyhole:room:lobby", "seq"));
        node.syncNow(); // what Redis coming back does

        assertEquals("restarted", alice.await("resync", 1).get(0).getString("reason"));
        alice.await("the new fifth", frame -> frame.getString("text", "").equals("another 5"));
    }

    /** Redis as if it came back from a snapshot taken after message 3 of the lobby: 4 and 5 gone, numbers free. */
    private static void forgetAfterThree(StatefulRedisConnection<String, String> direct) {
        direct.sync().hset("keyhole:room:lobby", "seq", "3");
        direct.sync().xdel("keyhole:room:lobby:log", "4-0", "5-0");
        direct.sync().eval("return redis.call('XSETID', KEYS[1], ARGV[1])", io.lettuce.core.ScriptOutputType.STATUS,
                new String[] {"keyhole:room:lobby:log"}, "3-0");
    }

    @Test
    void a_node_that_stops_takes_its_members_out_of_the_room_at_once() throws Exception {
        RedisServer redis = redis("graceful", false);
        TestClock clock = new TestClock(); // never moved: the presence TTL does not run out
        RedisRooms survivor = node(redis, clock, Map.of());
        RedisRooms leaving = node(redis);
        RecordingConnection alice = new RecordingConnection("alice");
        survivor.join(lobby(), alice, null);
        leaving.join(lobby(), new RecordingConnection("bob"), null);
        alice.await("presence", 1);

        leaving.stop();

        JsonObject leave = alice.await("presence", 2).get(1);
        assertEquals("leave", leave.getString("event"));
        assertEquals("bob", leave.getString("member"));
    }

    @Test
    void rooms_work_over_rediss_with_an_acl_user_and_a_wrong_password_is_refused_without_being_logged() throws Exception {
        RedisServer redis = RedisServer.startTls("tls", "s3cret-for-the-test");
        closing.add(redis);
        Map<String, String> settings = Map.of("keyhole.cluster.redis-uri",
                "rediss://keyhole:s3cret-for-the-test@localhost:" + redis.port(),
                "keyhole.cluster.redis-ca-file", dev.keyhole.testing.ItPki.keyhole().resolve("ca.crt").toString());
        RedisRooms node = new RedisRooms(Settings.of(settings), executor, Clock.systemUTC());
        nodes.add(node);
        RecordingConnection alice = new RecordingConnection("alice");
        node.join(lobby(), alice, null).post("over TLS", null);
        assertEquals("over TLS", alice.await("message", 1).get(0).getString("text"));

        dev.keyhole.testing.LogCapture linkLog = dev.keyhole.testing.LogCapture.of(RedisLink.class);
        dev.keyhole.testing.LogCapture roomsLog = dev.keyhole.testing.LogCapture.of(RedisRooms.class);
        RedisRooms wrong = new RedisRooms(Settings.of(Map.of("keyhole.cluster.redis-uri",
                "rediss://keyhole:not-the-password@localhost:" + redis.port(),
                "keyhole.cluster.redis-ca-file", dev.keyhole.testing.ItPki.keyhole().resolve("ca.crt").toString())),
                executor, Clock.systemUTC());
        nodes.add(wrong);
        assertThrows(Rooms.UnavailableException.class, () -> wrong.join(lobby(), new RecordingConnection("bob"), null));
        List<String> lines = new ArrayList<>(linkLog.lines());
        lines.addAll(roomsLog.lines());
        linkLog.close();
        roomsLog.close();
        assertTrue(lines.stream().anyMatch(line -> line.contains("cluster.redis-connect-failed")), lines.toString());
        assertTrue(lines.stream().noneMatch(line -> line.contains("not-the-password")), "no password in the log: " + lines);
    }
}
