package dev.keyhole.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.testing.ApacheFront;
import dev.keyhole.testing.ChatClient;
import dev.keyhole.testing.ItPki;
import dev.keyhole.testing.Ports;
import dev.keyhole.testing.RedisServer;
import dev.keyhole.testing.ServerProcess;
import dev.keyhole.testing.Tls;
import dev.keyhole.testing.UberJar;
import jakarta.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A cluster of real nodes — Payara Micro uber-jars, each a process of its own — sharing rooms through a real Redis
 * (redis-server, started and stopped by PID): messages cross nodes in one order, a node killed with SIGKILL loses
 * nothing for its clients, which resume on another node, and a Redis that stops or restarts is explicit to every
 * client. Each test uses a room of its own.
 */
class ClusterIT {

    private static final Pattern REDIS_BACK = Pattern.compile("event=cluster.redis-reachable");

    private static RedisServer redis;
    private static final List<ServerProcess> nodes = new ArrayList<>();
    private static Ports nodeA;
    private static Ports nodeB;

    @BeforeAll
    static void startCluster() throws Exception {
        redis = RedisServer.start("cluster", true, List.of());
        nodeA = Ports.free();
        nodeB = Ports.free();
        nodes.add(startNode("node-a", nodeA));
        nodes.add(startNode("node-b", nodeB));
    }

    /** A test that stopped Redis and failed before starting it again leaves it running for the next test. */
    @AfterEach
    void redisRunsAgain() throws Exception {
        if (!redis.isRunning()) {
            redis.startAgain();
        }
    }

    @AfterAll
    static void stopCluster() {
        nodes.forEach(ServerProcess::close);
        if (redis != null) {
            redis.close();
        }
    }

    private static ServerProcess startNode(String name, Ports ports) throws Exception {
        Map<String, String> settings = new HashMap<>();
        settings.put("KEYHOLE_CLUSTER_REDIS_URI", redis.uri());
        settings.put("KEYHOLE_CLUSTER_NODE_ID", name);
        settings.put("KEYHOLE_CLUSTER_PRESENCE_TTL_SECONDS", "6");
        // The Apache balancer of one test connects from here, with its proxy certificate.
        settings.put("KEYHOLE_AUTH_PROXY_ADDRESSES", "127.0.0.1");
        // Clients here post thousands of messages as fast as they can, and read them all.
        settings.put("KEYHOLE_CHAT_RATE_PER_SECOND", "100000");
        settings.put("KEYHOLE_CHAT_RATE_BURST", "100000");
        settings.put("KEYHOLE_WS_SEND_QUEUE_MESSAGES", "100000");
        settings.put("KEYHOLE_WS_SEND_QUEUE_BYTES", "67108864");
        return UberJar.start("cluster-" + name, ports, settings);
    }

    private static URI room(Ports node, String room) {
        return URI.create("wss://localhost:" + node.https() + "/chat/" + room);
    }

    private static SSLContext as(String name) throws Exception {
        return Tls.withCertificate(ItPki.client(name));
    }

    private static List<Long> range(long first, long last) {
        return LongStream.rangeClosed(first, last).boxed().toList();
    }

    private static List<Long> seqs(List<JsonObject> messages) {
        return messages.stream().map(message -> message.getJsonNumber("seq").longValue()).toList();
    }

    private static List<String> texts(List<JsonObject> messages) {
        return messages.stream().map(message -> message.getString("text")).toList();
    }

    @Test
    void members_on_two_nodes_posting_at_once_all_see_every_message_once_in_the_same_order() throws Exception {
        int each = 1000;
        try (ChatClient alice = ChatClient.join(room(nodeA, "together"), as("alice"));
                ChatClient bob = ChatClient.join(room(nodeB, "together"), as("bob"));
                ChatClient carol = ChatClient.join(room(nodeA, "together"), as("carol"));
                ChatClient user1 = ChatClient.join(room(nodeB, "together"), as("user01"))) {
            CompletableFuture<Void> fromA = CompletableFuture.runAsync(() -> send(alice, "a", each));
            CompletableFuture<Void> fromB = CompletableFuture.runAsync(() -> send(bob, "b", each));
            fromA.get(60, TimeUnit.SECONDS);
            fromB.get(60, TimeUnit.SECONDS);

            List<JsonObject> seenByAlice = alice.messages(2 * each);
            assertEquals(range(1, 2 * each), seqs(seenByAlice));
            for (ChatClient member : List.of(bob, carol, user1)) {
                List<JsonObject> seen = member.messages(2 * each);
                assertEquals(seqs(seenByAlice), seqs(seen), "every message once, in order");
                assertEquals(texts(seenByAlice), texts(seen), "the same order on both nodes");
            }
        }
    }

    private static void send(ChatClient client, String prefix, int count) {
        try {
            for (int i = 0; i < count; i++) {
                client.send(prefix + i, prefix + "-" + i);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void a_killed_nodes_clients_resume_on_another_node_with_every_message_once_and_its_members_leave_within_the_bound()
            throws Exception {
        Ports nodeC = Ports.free();
        ServerProcess doomed = startNode("node-c", nodeC);
        nodes.add(doomed);
        try (ChatClient alice = ChatClient.join(room(nodeA, "survive"), as("alice"));
                ChatClient bob = ChatClient.join(room(nodeC, "survive"), as("bob"));
                ChatClient gone = ChatClient.join(room(nodeC, "survive"), as("user02"))) {
            String epoch = alice.welcome().getString("epoch");
            assertTrue(gone.welcome().toString().contains("alice"), "user02 sees alice, on the other node");
            send(alice, "m", 100);
            List<JsonObject> beforeKill = new ArrayList<>(bob.messages(60));

            doomed.kill();
            send(alice, "m", 100); // on, while bob is away

            beforeKill.addAll(bob.awaitEndAndDrain().stream().filter(f -> f.getString("type").equals("message")).toList());
            long last = seqs(beforeKill).get(beforeKill.size() - 1);
            try (ChatClient back = ChatClient.join(URI.create(room(nodeA, "survive") + "?after=" + last + "&epoch=" + epoch),
                    as("bob"))) {
                List<JsonObject> all = new ArrayList<>(beforeKill);
                all.addAll(back.messages((int) (200 - last)));
                assertEquals(range(1, 200), seqs(all), "every message once, in order, across the two nodes");
            }

            // user02 did not come back: it leaves everyone's list once its node's presence expired (6 s here).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            boolean left = false;
            while (!left && System.nanoTime() < deadline) {
                JsonObject presence = alice.next("presence");
                left = presence.toString().contains("user02") && !presence.getJsonArray("members").toString().contains("user02");
            }
            assertTrue(left, "user02 left alice's list");
        }
    }

    @Test
    void clients_through_the_apache_balancer_whose_node_is_killed_resume_through_it_on_the_other_node() throws Exception {
        Ports nodeD = Ports.free();
        ServerProcess doomed = startNode("node-d", nodeD);
        nodes.add(doomed);
        List<String> names = List.of("alice", "bob", "carol", "user03");
        List<ChatClient> clients = new ArrayList<>();
        try (ApacheFront.Balancer apache = ApacheFront.balancer("cluster", List.of(nodeA.https(), nodeD.https()));
                ChatClient poster = ChatClient.join(room(nodeA, "balanced"), as("user04"))) {
            URI room = URI.create("wss://localhost:" + apache.httpsPort() + "/chat/balanced");
            for (String name : names) {
                clients.add(ChatClient.join(room, as(name)));
            }
            String epoch = poster.welcome().getString("epoch");
            send(poster, "m", 50);
            for (ChatClient client : clients) {
                assertEquals(range(1, 50), seqs(client.messages(50)));
            }

            doomed.kill();
            send(poster, "m", 50);

            int resumed = 0;
            for (int i = 0; i < clients.size(); i++) {
                List<JsonObject> seen = new ArrayList<>(clients.get(i).messagesUntilEnd(50));
                if (seen.size() < 50) { // its node died: back through the balancer, resuming where it was
                    long last = seen.isEmpty() ? 50 : seqs(seen).get(seen.size() - 1);
                    clients.get(i).close();
                    clients.set(i, ChatClient.join(URI.create(room + "?after=" + last + "&epoch=" + epoch), as(names.get(i))));
                    seen.addAll(clients.get(i).messages((int) (100 - last)));
                    resumed++;
                }
                assertEquals(range(51, 100), seqs(seen), names.get(i) + ": every message once, in order");
            }
            assertTrue(resumed > 0, "some clients were on the killed node (the balancer spreads new connections)");
        } finally {
            clients.forEach(ChatClient::close);
        }
    }

    @Test
    void the_page_in_chromium_through_the_balancer_survives_the_kill_of_its_node() throws Exception {
        Ports nodeE = Ports.free();
        ServerProcess doomed = startNode("node-e", nodeE);
        nodes.add(doomed);
        String room = "page-failover";
        Pattern joined = Pattern.compile("path=/chat/" + room);
        CountDownLatch onA = nodes.get(0).watch(joined, 1);
        CountDownLatch onE = doomed.watch(joined, 1);
        List<String> expected = List.of("while-away-1", "while-away-2", "while-away-3");
        Path p12 = ItPki.client("alice");
        try (ApacheFront.Balancer apache = ApacheFront.balancer("page", List.of(nodeA.https(), nodeE.https()))) {
            ProcessBuilder node = new ProcessBuilder("node", "failover.test.mjs").directory(Path.of("src/test/browser").toFile())
                    .redirectErrorStream(true);
            node.environment().putAll(Map.of("KEYHOLE_URL", "https://localhost:" + apache.httpsPort(), "KEYHOLE_ROOM", room,
                    "KEYHOLE_EXPECT", String.join(",", expected), "KEYHOLE_P12", p12.toString(),
                    "KEYHOLE_P12_PASSWORD", new String(ItPki.password(p12)),
                    "KEYHOLE_SCREENSHOTS", Path.of("target/it-logs").toAbsolutePath().toString()));
            Process browser = node.start();
            try (java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(browser.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8));
                    java.io.Writer in = new java.io.OutputStreamWriter(browser.getOutputStream(),
                            java.nio.charset.StandardCharsets.UTF_8)) {
                StringBuilder output = new StringBuilder();
                for (String line = out.readLine(); line != null && !line.equals("joined"); line = out.readLine()) {
                    output.append(line).append('\n');
                }
                assertTrue(browser.isAlive(), "the page did not join: " + output);
                // Kill the node the page's WebSocket went to: the one that logged its handshake.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (onA.getCount() > 0 && !onE.await(100, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline) {
                    // waiting for one of the two
                }
                boolean pageOnE = onE.getCount() == 0;
                assertTrue(pageOnE || onA.getCount() == 0, "a node took the page's handshake");
                ServerProcess victim = pageOnE ? doomed : nodes.get(0);
                Ports survivor = pageOnE ? nodeA : nodeE;
                victim.kill();
                in.write("killed\n");
                in.flush();
                try (ChatClient poster = ChatClient.join(room(survivor, room), as("bob"))) {
                    for (String text : expected) {
                        poster.send(text);
                    }
                    for (String line = out.readLine(); line != null; line = out.readLine()) {
                        output.append(line).append('\n');
                    }
                    assertTrue(browser.waitFor(2, TimeUnit.MINUTES), output.toString());
                    assertEquals(0, browser.exitValue(), output.toString());
                    assertTrue(output.toString().contains("browser failover passed"), output.toString());
                }
                if (!pageOnE) {
                    nodes.set(0, startNode("node-a", nodeA)); // node A, which the other tests use, back
                }
            } finally {
                browser.destroyForcibly();
            }
        }
    }

    /** A node's /health/ready, asked as the balancer does: without a certificate, from loopback. */
    private static java.net.http.HttpResponse<String> ready(Ports node) throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().sslContext(Tls.anonymous())
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        return client.send(java.net.http.HttpRequest.newBuilder(URI.create("https://localhost:" + node.https() + "/health/ready"))
                .timeout(java.time.Duration.ofSeconds(20)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    /** An admin API request to a node, as root (role admin); the JSON answer. */
    private static JsonObject admin(Ports node, String method, String pathAndQuery) throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().sslContext(as("root"))
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(
                URI.create("https://localhost:" + node.https() + pathAndQuery)).timeout(java.time.Duration.ofSeconds(20));
        request.header("X-Keyhole-Admin", "1");
        if (method.equals("POST")) {
            request.POST(java.net.http.HttpRequest.BodyPublishers.noBody());
        }
        java.net.http.HttpResponse<String> response = client.send(request.build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return jakarta.json.Json.createReader(new java.io.StringReader(response.body())).readObject();
    }

    @Test
    void the_admin_api_of_one_node_lists_and_disconnects_connections_on_every_node_and_reads_rooms_from_redis()
            throws Exception {
        try (ChatClient alice = ChatClient.join(room(nodeA, "administered"), as("alice"));
                ChatClient bob = ChatClient.join(room(nodeB, "administered"), as("bob"))) {
            alice.send("hello");
            assertEquals("hello", bob.next("message").getString("text"));
            assertEquals("hello", alice.next("message").getString("text"));

            JsonObject listed = admin(nodeA, "GET", "/admin/api/connections?room=administered");
            assertEquals(2, listed.getInt("total"), listed.toString());
            assertEquals(java.util.Set.of("node-a", "node-b"), listed.getJsonArray("connections").stream()
                    .map(row -> row.asJsonObject().getString("node")).collect(java.util.stream.Collectors.toSet()));

            JsonObject room = admin(nodeB, "GET", "/admin/api/rooms").getJsonArray("rooms").stream()
                    .map(row -> row.asJsonObject()).filter(row -> row.getString("name").equals("administered"))
                    .findFirst().orElseThrow();
            assertEquals(2, room.getInt("connections"));
            assertEquals(2, room.getInt("members"));
            assertEquals(1, room.getInt("lastSeq"));
            assertEquals(1, room.getInt("historyMessages"), "read from the room's stream in Redis");
            assertEquals(alice.welcome().getString("epoch"), room.getString("epoch"));

            JsonObject nodesAnswer = admin(nodeA, "GET", "/admin/api/nodes");
            assertTrue(nodesAnswer.getBoolean("clustered"));
            List<String> names = nodesAnswer.getJsonArray("nodes").stream().map(row -> row.asJsonObject().getString("node"))
                    .toList();
            assertTrue(names.containsAll(List.of("node-a", "node-b")), names.toString());

            JsonObject done = admin(nodeA, "POST", "/admin/api/disconnect?room=administered&subject="
                    + java.net.URLEncoder.encode("CN=bob,O=Keyhole IT", java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(1, done.getInt("disconnected"), done.toString());
            assertEquals(new dev.keyhole.testing.WsClient.Close(4001, "admin-disconnect"), bob.awaitClose(),
                    "bob, on the other node, is told not to reconnect");
            alice.send("still here");
            assertEquals("still here", alice.next("message").getString("text"));
        }
    }

    @Test
    void a_node_stopped_with_sigterm_closes_its_sessions_with_1001_and_they_resume_through_the_balancer_with_nothing_lost()
            throws Exception {
        Ports nodeF = Ports.free();
        ServerProcess stopping = startNode("node-f", nodeF);
        nodes.add(stopping);
        List<String> names = List.of("alice", "bob", "carol", "user05");
        List<ChatClient> clients = new ArrayList<>();
        try (ApacheFront.Balancer apache = ApacheFront.balancer("rolling", List.of(nodeA.https(), nodeF.https()));
                ChatClient poster = ChatClient.join(room(nodeA, "rolling"), as("user06"))) {
            URI room = URI.create("wss://localhost:" + apache.httpsPort() + "/chat/rolling");
            for (String name : names) {
                clients.add(ChatClient.join(room, as(name)));
            }
            String epoch = poster.welcome().getString("epoch");
            send(poster, "r", 30);
            for (ChatClient client : clients) {
                assertEquals(range(1, 30), seqs(client.messages(30)));
            }

            stopping.terminate(); // SIGTERM, as a rolling restart does
            send(poster, "r", 30);

            int moved = 0;
            for (int i = 0; i < clients.size(); i++) {
                List<JsonObject> seen = new ArrayList<>(clients.get(i).messagesUntilEnd(30));
                if (seen.size() < 30) {
                    assertEquals(new dev.keyhole.testing.WsClient.Close(1001, "going-away"), clients.get(i).awaitClose(),
                            names.get(i) + " is told its node is going away");
                    long last = seen.isEmpty() ? 30 : seqs(seen).get(seen.size() - 1);
                    clients.get(i).close();
                    clients.set(i, rejoin(URI.create(room + "?after=" + last + "&epoch=" + epoch), names.get(i)));
                    seen.addAll(clients.get(i).messages((int) (60 - last)));
                    moved++;
                }
                assertEquals(range(31, 60), seqs(seen), names.get(i) + ": every message once, in order");
            }
            assertTrue(moved > 0, "some clients were on the stopped node (the balancer spreads new connections)");
            assertEquals(143, stopping.awaitExit(java.time.Duration.ofSeconds(60)), "the node stopped on SIGTERM");
        } finally {
            clients.forEach(ChatClient::close);
        }
    }

    /**
     * Joins through the balancer as a client that was told 1001 does: again, with a short backoff, while the balancer
     * has not yet taken the stopping node out (its health check asks /health/ready every second).
     */
    private static ChatClient rejoin(URI room, String name) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (long backoff = 100; ; backoff = Math.min(2000, backoff * 2)) {
            try {
                return ChatClient.join(room, as(name));
            } catch (Exception refused) {
                if (System.nanoTime() > deadline) {
                    throw refused;
                }
                Thread.sleep(backoff); // a reconnecting client's backoff, not a wait for a result
            }
        }
    }

    @Test
    void while_redis_is_stopped_posts_are_refused_unavailable_and_afterwards_the_room_continues_without_a_gap()
            throws Exception {
        try (ChatClient alice = ChatClient.join(room(nodeA, "outage"), as("alice"));
                ChatClient bob = ChatClient.join(room(nodeB, "outage"), as("bob"))) {
            send(alice, "before", 20);
            assertEquals(range(1, 20), seqs(bob.messages(20)));

            List<CountDownLatch> back = nodes.subList(0, 2).stream().map(node -> node.watch(REDIS_BACK, 1)).toList();
            redis.stop();
            send(alice, "during", 5);
            // Each send is refused once, by its id. The refusals may come in another order than the sends: a send
            // already on its way to Redis when it stopped fails after one that Redis's client rejects at once.
            List<String> refused = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                JsonObject error = alice.next("error");
                assertEquals("unavailable", error.getString("code"));
                refused.add(error.getString("id"));
            }
            assertEquals(List.of("during-0", "during-1", "during-2", "during-3", "during-4"), refused.stream().sorted().toList());
            java.net.http.HttpResponse<String> down = ready(nodeA);
            assertEquals(503, down.statusCode(), "the balancer takes a node without Redis out: " + down.body());
            assertTrue(down.body().contains("{\"name\":\"cluster\",\"status\":\"DOWN\""), down.body());
            redis.startAgain(); // with its append-only file: the room is still there
            for (CountDownLatch node : back) {
                assertTrue(node.await(60, TimeUnit.SECONDS), "the node reconnected to Redis");
            }
            int status = ready(nodeA).statusCode();
            for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); status != 200 && System.nanoTime() < deadline; ) {
                status = ready(nodeA).statusCode(); // until the node has subscribed again (each probe waits up to 2 s)
            }
            assertEquals(200, status, "ready again: pub/sub delivers its probe");
            send(alice, "after", 10);

            List<JsonObject> afterwards = bob.messages(10);
            assertEquals(range(21, 30), seqs(afterwards), "the numbering goes on: nothing lost, no gap");
            assertEquals(List.of("after0", "after1", "after2", "after3", "after4", "after5", "after6", "after7", "after8",
                    "after9"), texts(afterwards));
        }
    }

    @Test
    void a_redis_that_restarted_empty_makes_every_member_resync_with_reason_restarted() throws Exception {
        try (ChatClient alice = ChatClient.join(room(nodeA, "amnesia"), as("alice"));
                ChatClient bob = ChatClient.join(room(nodeB, "amnesia"), as("bob"))) {
            String before = alice.welcome().getString("epoch");
            send(alice, "before", 5);
            assertEquals(range(1, 5), seqs(bob.messages(5)));

            List<CountDownLatch> back = nodes.subList(0, 2).stream().map(node -> node.watch(REDIS_BACK, 1)).toList();
            redis.stop();
            redis.wipe();
            redis.startAgain();
            for (CountDownLatch node : back) {
                assertTrue(node.await(60, TimeUnit.SECONDS), "the node reconnected to Redis");
            }
            send(alice, "after", 3);

            for (ChatClient member : List.of(alice, bob)) {
                JsonObject resync = member.next("resync");
                assertEquals("restarted", resync.getString("reason"));
                assertTrue(!before.equals(resync.getString("epoch")), "a new epoch");
                List<JsonObject> messages = member.messages(member == alice ? 8 : 3);
                List<JsonObject> fresh = messages.subList(messages.size() - 3, messages.size());
                assertEquals(range(1, 3), seqs(fresh), "numbered again in the new epoch");
            }
        }
    }
}
