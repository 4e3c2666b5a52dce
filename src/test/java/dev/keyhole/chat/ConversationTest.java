package dev.keyhole.chat;

import dev.keyhole.limits.TokenBucket;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.ws.CloseCause;
import jakarta.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConversationTest {

    /** A membership that records what it was asked. */
    private static final class RecordingMembership implements Rooms.Membership {
        final List<String> posts = new ArrayList<>();
        final List<Long> replays = new ArrayList<>();

        @Override
        public void post(String text, String clientId) {
            posts.add(text);
        }

        @Override
        public void replay(long after, String epoch) {
            replays.add(after);
        }

        @Override
        public void leave() {
        }
    }

    private final long[] now = {0};
    private final RecordingMembership membership = new RecordingMembership();
    private final RecordingConnection self = new RecordingConnection("alice");

    private Conversation conversation(int rate, int burst, int strikes) {
        return new Conversation(membership, self, new TokenBucket(rate, burst, () -> now[0]),
                Conversation.strikes(strikes, () -> now[0]), 10, Clock.systemUTC());
    }

    private String lastError() {
        List<JsonObject> errors = self.events("error");
        return errors.get(errors.size() - 1).getString("code");
    }

    @Test
    void a_send_command_posts_the_text() {
        assertEquals(Optional.empty(), conversation(10, 10, 5).onFrame("{\"v\":1,\"type\":\"send\",\"text\":\"hello\"}"));

        assertEquals(List.of("hello"), membership.posts);
    }

    @Test
    void malformed_or_unknown_commands_get_an_error_and_the_connection_stays() {
        Conversation conversation = conversation(10, 10, 5);

        assertEquals(Optional.empty(), conversation.onFrame("not json"));
        assertEquals("bad-json", lastError());
        assertEquals(Optional.empty(), conversation.onFrame("{\"type\":\"dance\"}"));
        assertEquals("unknown-type", lastError());
        assertEquals(Optional.empty(), conversation.onFrame("{\"type\":\"send\",\"text\":\"far too long text\"}"));
        assertEquals("text-too-long", lastError());
        assertEquals(List.of(), membership.posts);
    }

    @Test
    void commands_over_the_rate_get_an_error_first_and_persistent_abuse_closes_with_1008() {
        Conversation conversation = conversation(1, 3, 4);
        String send = "{\"type\":\"send\",\"text\":\"x\"}";
        for (int i = 0; i < 3; i++) {
            assertEquals(Optional.empty(), conversation.onFrame(send), "the burst");
        }

        for (int i = 0; i < 4; i++) {
            assertEquals(Optional.empty(), conversation.onFrame(send), "warned, not closed yet");
            assertEquals("rate-limited", lastError());
        }

        assertEquals(Optional.of(CloseCause.RATE_LIMITED), conversation.onFrame(send));
        assertEquals(3, membership.posts.size());
    }

    @Test
    void the_rate_recovers_with_time() {
        Conversation conversation = conversation(10, 1, 5);
        String send = "{\"type\":\"send\",\"text\":\"x\"}";
        conversation.onFrame(send);
        conversation.onFrame(send);
        assertEquals("rate-limited", lastError());

        now[0] += 200_000_000L; // 0.2 s at 10 per second: two more tokens, capped by the burst of 1

        assertEquals(Optional.empty(), conversation.onFrame(send));
        assertEquals(2, membership.posts.size());
    }

    @Test
    void a_client_that_keeps_sending_garbage_is_closed_with_too_many_errors() {
        Conversation conversation = conversation(1000, 1000, 3);

        conversation.onFrame("{");
        conversation.onFrame("{");
        conversation.onFrame("{");

        assertEquals(Optional.of(CloseCause.TOO_MANY_ERRORS), conversation.onFrame("{"));
    }

    @Test
    void a_ping_gets_a_pong_with_its_id_and_resume_asks_the_room_for_a_replay() {
        Conversation conversation = conversation(10, 10, 5);

        conversation.onFrame("{\"v\":1,\"type\":\"ping\",\"id\":\"p1\"}");
        conversation.onFrame("{\"v\":1,\"type\":\"resume\",\"after\":41}");

        assertEquals("p1", self.events("pong").get(0).getString("id"));
        assertEquals(List.of(41L), membership.replays);
        assertTrue(self.events("error").isEmpty());
    }
}
