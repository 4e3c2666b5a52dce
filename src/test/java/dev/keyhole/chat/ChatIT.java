package dev.keyhole.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.testing.ChatClient;
import dev.keyhole.testing.Deployments;
import dev.keyhole.testing.ItPki;
import dev.keyhole.testing.RawHandshake;
import dev.keyhole.testing.ServerLog;
import dev.keyhole.testing.Tls;
import dev.keyhole.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import java.util.stream.LongStream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Chat rooms on a real Payara Micro over wss, every member with a client certificate of its own. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ChatIT {

    @Deployment(testable = false)
    static WebArchive keyhole() {
        return Deployments.builtWar();
    }

    private URI room(String name) {
        return Deployments.wss("/chat/" + name);
    }

    private static String user(int i) {
        return String.format("user%02d", i);
    }

    private static String presence(JsonObject frame) {
        return frame.getString("event") + " " + frame.getString("member");
    }

    private ChatClient join(String room, String user) throws Exception {
        return ChatClient.join(room(room), Tls.withCertificate(ItPki.client(user)));
    }

    private static final int WINDOW = 16;

    /** Half the members speak protocol version 2 (events batched when several wait), half version 1. */
    @Test
    void twenty_members_posting_200_messages_each_all_receive_all_4000_exactly_once_in_order() throws Exception {
        int members = 20;
        int perMember = 200;
        List<ChatClient> clients = new ArrayList<>();
        for (int i = 1; i <= members; i++) {
            clients.add(i % 2 == 0 ? join("busy", user(i))
                    : ChatClient.joinBatched(room("busy"), Tls.withCertificate(ItPki.client(user(i)))));
        }
        long start = clients.get(members - 1).welcome().getJsonNumber("lastSeq").longValue();
        ExecutorService threads = Executors.newFixedThreadPool(2 * members);
        try {
            // Each member has at most WINDOW of its own messages in flight, like a client that shows "sending…":
            // the room's backlog stays bounded, so this measures ordering under concurrency, not the slow-consumer
            // limit (a member that cannot keep up with an unbounded flood is closed by design; tested below).
            List<Semaphore> credits = new ArrayList<>();
            List<Future<List<JsonObject>>> received = new ArrayList<>();
            for (int i = 0; i < members; i++) {
                ChatClient client = clients.get(i);
                String name = user(i + 1);
                Semaphore own = new Semaphore(WINDOW);
                credits.add(own);
                received.add(threads.submit(() -> {
                    List<JsonObject> messages = new ArrayList<>(members * perMember);
                    while (messages.size() < members * perMember) {
                        JsonObject message = client.next("message");
                        messages.add(message);
                        if (message.getString("from").equals(name)) {
                            own.release();
                        }
                    }
                    return messages;
                }));
            }
            List<Future<Void>> sent = new ArrayList<>();
            for (int i = 0; i < members; i++) {
                ChatClient client = clients.get(i);
                String name = user(i + 1);
                Semaphore own = credits.get(i);
                sent.add(threads.submit((Callable<Void>) () -> {
                    for (int n = 0; n < perMember; n++) {
                        assertTrue(own.tryAcquire(1, TimeUnit.MINUTES), name + " got its message #" + (n - WINDOW) + " back");
                        client.send(name + " #" + n);
                    }
                    return null;
                }));
            }
            for (Future<Void> done : sent) {
                done.get(2, TimeUnit.MINUTES);
            }
            List<Long> expectedSeqs = LongStream.rangeClosed(start + 1, start + members * perMember).boxed().toList();
            for (int i = 0; i < members; i++) {
                List<JsonObject> messages = received.get(i).get(2, TimeUnit.MINUTES);
                assertEquals(expectedSeqs, messages.stream().map(m -> m.getJsonNumber("seq").longValue()).toList(),
                        "every message once, in sequence order, for " + user(i + 1));
                Map<String, Integer> nextFromSender = new HashMap<>();
                for (JsonObject message : messages) {
                    String from = message.getString("from");
                    int n = nextFromSender.merge(from, 1, Integer::sum) - 1;
                    assertEquals(from + " #" + n, message.getString("text"), "each sender's messages in the order sent");
                }
                assertEquals(members, nextFromSender.size());
            }
            int batches = 0;
            for (int i = 0; i < members; i += 2) {
                batches += clients.get(i).batches();
                assertEquals(0, clients.get(i + 1).batches(), "a version 1 client gets one event per message");
            }
            System.out.println("version 2 members got " + batches + " WebSocket messages with several events");
        } finally {
            threads.shutdownNow();
            clients.forEach(ChatClient::close);
        }
    }

    @Test
    void a_client_that_asks_for_version_2_gets_it_and_one_that_asks_for_another_protocol_gets_version_1() throws Exception {
        SSLContext tls = Tls.withCertificate(ItPki.client("alice"));
        try (ChatClient batched = ChatClient.joinBatched(room("versions"), tls);
                ChatClient plain = join("versions", "bob");
                WsClient other = WsClient.connect(room("versions"), tls, "keyhole.chat.v9")) {
            assertEquals(ChatClient.BATCHED, batched.subprotocol());
            assertEquals("", plain.subprotocol());
            assertEquals("", other.subprotocol(), "an unknown subprotocol is not chosen; the connection speaks version 1");
            assertEquals("welcome", json(other.nextText()).getString("type"));

            plain.send("to both");
            assertEquals("to both", batched.next("message").getString("text"));
            assertEquals("to both", plain.next("message").getString("text"));
        }
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    @Test
    void a_member_that_stops_reading_is_closed_while_the_others_receive_everything() throws Exception {
        ServerLog log = ServerLog.fromNow();
        Pattern slowConsumer = Pattern.compile("event=ws.slow-consumer ");
        String text = "x".repeat(3900);
        try (ChatClient alice = join("stall", "alice");
                ChatClient bob = join("stall", "bob");
                RawHandshake.StalledClient stalled = RawHandshake.stalledClient(Tls.withCertificate(ItPki.client("erin")),
                        Deployments.httpsPort(), room("stall").getRawPath(), 0)) {
            alice.next("presence"); // erin joined
            // Post until erin's queue overflows: the server's socket and write buffers absorb several megabytes
            // first (see docs/architecture.md), so the amount is found, not assumed. Bounded: at most 40 MB.
            // Alice and bob read each batch before the next, as live clients do, so only erin falls behind (posting
            // unread megabytes to them as well would overflow their own queues on a busy machine).
            int posted = 0;
            while (posted < 10_000 && !log.contains(slowConsumer)) {
                for (int n = 0; n < 100; n++, posted++) {
                    (n % 2 == 0 ? alice : bob).send(text);
                }
                assertEquals(100, alice.messages(100).size());
                assertEquals(100, bob.messages(100).size());
            }
            log.awaitLine(slowConsumer, Duration.ofSeconds(30));
            assertEquals("join erin", presence(bob.next("presence")));
            assertEquals("leave erin", presence(bob.next("presence")), "erin's seat is given up");
            assertEquals(0, stalled.framesWritten(), "erin never sent a message (only heartbeats), nor read");
            assertTrue(stalled.isOpen(), "the server closed erin's session; she did not leave by herself");
        }
    }

    @Test
    void a_client_that_reconnects_with_resume_gets_exactly_what_it_missed_then_live_messages() throws Exception {
        try (ChatClient bob = join("resume", "bob")) {
            long after;
            String epoch;
            try (ChatClient alice = join("resume", "alice")) {
                for (int n = 1; n <= 5; n++) {
                    bob.send("before " + n);
                }
                List<JsonObject> seen = alice.messages(5);
                after = seen.get(4).getJsonNumber("seq").longValue();
                epoch = alice.welcome().getString("epoch");
            }
            for (int n = 1; n <= 7; n++) {
                bob.send("missed " + n);
            }
            bob.messages(12);

            try (ChatClient alice = ChatClient.join(URI.create(room("resume") + "?after=" + after + "&epoch=" + epoch),
                    Tls.withCertificate(ItPki.client("alice")))) {
                List<JsonObject> missed = alice.messages(7);
                bob.send("live");
                JsonObject live = alice.next("message");

                assertEquals(LongStream.rangeClosed(after + 1, after + 7).boxed().toList(),
                        missed.stream().map(m -> m.getJsonNumber("seq").longValue()).toList());
                assertEquals("missed 1", missed.get(0).getString("text"));
                assertEquals(after + 8, live.getJsonNumber("seq").longValue());
                assertEquals("live", live.getString("text"));
            }
        }
    }

    @Test
    void the_sender_is_named_by_its_certificate_whatever_it_claims() throws Exception {
        try (ChatClient alice = join("names", "alice")) {
            alice.sendRaw("{\"v\":1,\"type\":\"send\",\"text\":\"hi\",\"from\":\"the admin\"}");

            JsonObject message = alice.next("message");
            assertEquals("alice", message.getString("from"));
            assertEquals("alice", alice.welcome().getJsonObject("you").getString("name"));
        }
    }

    @Test
    void two_connections_of_one_identity_are_one_member() throws Exception {
        try (ChatClient bob = join("twice", "bob"); ChatClient laptop = join("twice", "alice")) {
            assertEquals("join", bob.next("presence").getString("event"));
            try (ChatClient phone = join("twice", "alice")) {
                assertEquals("[\"alice\",\"bob\"]", phone.welcome().getJsonArray("members").toString());
            }
            laptop.send("still here");

            JsonObject next = bob.next();
            assertEquals("message", next.getString("type"), "no presence came before it: " + next);
            assertEquals("still here", next.getString("text"));
        }
    }

    @Test
    void a_malformed_command_gets_an_error_reply_and_the_connection_stays() throws Exception {
        try (ChatClient alice = join("errors", "alice")) {
            alice.sendRaw("{ not json");
            assertEquals("bad-json", alice.next("error").getString("code"));
            alice.sendRaw("{\"v\":1,\"type\":\"shout\"}");
            assertEquals("unknown-type", alice.next("error").getString("code"));

            alice.send("fine now");
            assertEquals("fine now", alice.next("message").getString("text"));
        }
    }

    @Test
    void a_binary_frame_closes_with_1003() throws Exception {
        try (WsClient client = WsClient.connect(room("binary"), Tls.withCertificate(ItPki.client("alice")))) {
            client.nextText(); // welcome
            client.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}));

            assertEquals(new WsClient.Close(1003, "unsupported-data"), client.awaitClose());
        }
    }

    @Test
    void a_frame_over_the_limit_closes_with_1009() throws Exception {
        try (WsClient client = WsClient.connect(room("big"), Tls.withCertificate(ItPki.client("alice")))) {
            client.nextText(); // welcome
            try {
                client.sendText("{\"v\":1,\"type\":\"send\",\"text\":\"" + "y".repeat(20_000) + "\"}");
            } catch (java.util.concurrent.ExecutionException closedWhileSending) {
                // the server may refuse the frame at its header, before all of it is written
            }

            assertEquals(new WsClient.Close(1009, "message-too-big"), client.awaitClose());
        }
    }

    @Test
    void an_invalid_room_name_closes_with_1008() throws Exception {
        // (A name that needs a percent-escape never gets this far: the path is refused with 400 bad-path.)
        for (String name : List.of("-starts-with-a-dash", "x".repeat(65))) {
            try (WsClient client = WsClient.connect(room(name), Tls.withCertificate(ItPki.client("alice")))) {
                assertEquals(new WsClient.Close(1008, "invalid-room"), client.awaitClose(), name);
            }
        }
    }

    @Test
    void a_ping_gets_a_pong() throws Exception {
        try (ChatClient alice = join("ping", "alice")) {
            alice.sendRaw("{\"v\":1,\"type\":\"ping\",\"id\":\"p-1\"}");

            JsonObject pong = alice.next("pong");
            assertEquals("p-1", pong.getString("id"));
            assertTrue(pong.containsKey("time"));
        }
    }

    @Test
    void json_that_strains_the_parser_gets_an_error_reply_never_1011() throws Exception {
        try (ChatClient alice = join("parser", "alice")) {
            for (String frame : List.of(
                    "{\"type\":\"resume\",\"after\":1e99999999999}",
                    "{\"type\":\"resume\",\"after\":" + "7".repeat(1200) + "}",
                    "{\"type\":\"ping\",\"x\":" + "[".repeat(1200) + "]".repeat(1200) + "}",
                    "{\"type\":\"send\",\"text\":\"\\ud800\"}")) {
                alice.sendRaw(frame);
                String code = alice.next("error").getString("code");
                assertTrue(code.equals("bad-json") || code.equals("bad-request"), code);
            }

            alice.sendRaw("{\"v\":1,\"type\":\"ping\",\"id\":\"still-here\"}");
            assertEquals("still-here", alice.next("pong").getString("id"));
        }
    }

    @Test
    void a_resume_over_history_that_is_not_ascii_gets_a_resync_and_the_connection_stays() throws Exception {
        String euros = "\u20ac".repeat(4000);
        try (ChatClient alice = join("euro", "alice")) {
            for (int i = 0; i < 130; i++) {
                alice.send(euros);
                alice.next("message");
            }
        }

        try (ChatClient bob = ChatClient.join(URI.create(room("euro") + "?after=0"), Tls.withCertificate(ItPki.client("bob")))) {
            JsonObject resync = bob.next("resync");
            assertTrue(List.of("outside-retention", "too-far-behind").contains(resync.getString("reason")), resync.toString());

            bob.sendRaw("{\"v\":1,\"type\":\"resume\",\"after\":0}");
            bob.sendRaw("{\"v\":1,\"type\":\"ping\",\"id\":\"after-resume\"}");
            assertEquals("after-resume", bob.next("pong").getString("id"), "the connection stays open after both resumes");
        }
    }

    @Test
    void two_identities_with_the_same_common_name_are_told_apart() throws Exception {
        try (ChatClient alice = join("twins", "alice"); ChatClient elsewhere = join("twins", "alice-elsewhere")) {
            JsonObject you = elsewhere.welcome().getJsonObject("you");
            assertEquals(2, elsewhere.welcome().getJsonArray("members").size(), "two members, not one");
            assertTrue(you.getString("subject").contains("OU=Elsewhere"), you.toString());
            assertEquals("alice #" + you.getString("tag"), you.getString("name"));

            elsewhere.send("who am I?");

            JsonObject message = alice.next("message");
            assertEquals(you.getString("tag"), message.getString("fromTag"));
            assertEquals("alice #" + you.getString("tag"), message.getString("from"));
            assertTrue(!alice.welcome().getJsonObject("you").getString("tag").equals(you.getString("tag")));
        }
    }
}
