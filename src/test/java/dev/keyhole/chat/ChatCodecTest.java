package dev.keyhole.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChatCodecTest {

    private final ChatCommandDecoder decoder = new ChatCommandDecoder();
    private final ChatEventEncoder encoder = new ChatEventEncoder();

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    @Test
    void the_three_commands_are_read() {
        assertEquals(new ChatCommand.Send("hi", "c-1"), decoder.decode("{\"v\":1,\"type\":\"send\",\"text\":\"hi\",\"id\":\"c-1\"}"));
        assertEquals(new ChatCommand.Resume(7, "e"), decoder.decode("{\"v\":1,\"type\":\"resume\",\"after\":7,\"epoch\":\"e\"}"));
        assertEquals(new ChatCommand.Ping(null), decoder.decode("{\"type\":\"ping\"}"));
    }

    @Test
    void what_cannot_be_read_is_an_invalid_command_with_a_code_never_an_exception() {
        Map<String, String> expected = Map.of(
                "[1,2]", "bad-request",
                "{\"v\":1}", "bad-request",
                "{\"v\":2,\"type\":\"send\",\"text\":\"x\"}", "unsupported-version",
                "{\"type\":\"send\"}", "bad-request",
                "{\"type\":\"send\",\"text\":\"  \"}", "bad-request",
                "{\"type\":\"resume\",\"after\":-1}", "bad-request",
                "{\"type\":\"resume\",\"after\":1.5}", "bad-request",
                "{\"type\":42}", "bad-request",
                "", "bad-json",
                "{\"type\":\"send\",\"text\":\"x\"} trailing", "bad-json");
        expected.forEach((frame, code) ->
                assertEquals(code, ((ChatCommand.Invalid) decoder.decode(frame)).code(), frame));
    }

    @Test
    void an_overlong_client_id_is_dropped() {
        assertEquals(new ChatCommand.Send("x", null),
                decoder.decode("{\"type\":\"send\",\"text\":\"x\",\"id\":\"" + "i".repeat(65) + "\"}"));
    }

    @Test
    void a_message_is_written_with_every_field_and_any_text_survives() {
        String text = "quote \" backslash \\ newline \n emoji 😀 <script>";
        String frame = encoder.encode(new ChatEvent.Message("lobby", 42, "alice", "3f9a1c2b7d10", text, Instant.parse("2026-11-21T10:00:00Z"), "c-9"));

        JsonObject message = json(frame);
        assertEquals(1, message.getInt("v"));
        assertEquals("message", message.getString("type"));
        assertEquals(42, message.getJsonNumber("seq").longValue());
        assertEquals("alice", message.getString("from"));
        assertEquals("3f9a1c2b7d10", message.getString("fromTag"));
        assertEquals(text, message.getString("text"));
        assertEquals("2026-11-21T10:00:00Z", message.getString("time"));
        assertEquals("c-9", message.getString("id"));
    }

    /** Protocol version 2 puts several events in one WebSocket message, one per line: no event may hold a line break. */
    @Test
    void no_event_holds_a_line_break_whatever_its_text_and_names() {
        String odd = "line\nbreak\r\u2028\u2029 end";
        ChatEvent.Person person = new ChatEvent.Person(odd, "t", "CN=" + odd, "CN=ca\n");
        Instant time = Instant.EPOCH;
        String message = encoder.encode(new ChatEvent.Message(odd, 1, odd, "t", odd, time, odd));
        List<ChatEvent> events = List.of(
                new ChatEvent.Welcome(odd, person, List.of(odd), List.of(person), 1, odd, time),
                new ChatEvent.Message(odd, 1, odd, "t", odd, time, odd),
                new ChatEvent.Presence(odd, "changes", person, List.of(person), List.of(person), 2, List.of(odd), time),
                new ChatEvent.Error("bad-json", odd, odd),
                new ChatEvent.Resync(odd, odd, 1, 2, odd),
                new ChatEvent.History(odd, List.of(message, message)),
                new ChatEvent.Pong(odd, time));
        for (ChatEvent event : events) {
            String frame = encoder.encode(event);
            assertFalse(frame.contains("\n") || frame.contains("\r"), frame);
            json(frame); // and it is still one JSON object
        }
    }

    @Test
    void a_history_batch_embeds_the_messages_as_members_received_them() {
        String one = encoder.encode(new ChatEvent.Message("lobby", 1, "a", "t1", "x", Instant.EPOCH, null));
        String two = encoder.encode(new ChatEvent.Message("lobby", 2, "b", "t2", "y", Instant.EPOCH, null));

        JsonObject history = json(encoder.encode(new ChatEvent.History("lobby", List.of(one, two))));

        assertEquals("history", history.getString("type"));
        assertEquals(List.of(json(one), json(two)), history.getJsonArray("messages").getValuesAs(JsonObject.class));
    }

    @Test
    void the_query_of_a_resuming_client_is_read() {
        assertEquals(new ResumePoint(12, "e1"), ChatEndpoint.resumePoint(Map.of("after", List.of("12"), "epoch", List.of("e1"))));
        assertEquals(null, ChatEndpoint.resumePoint(Map.of()));
        assertEquals(new ResumePoint(Long.MAX_VALUE, null), ChatEndpoint.resumePoint(Map.of("after", List.of("soon"))),
                "an unreadable point gets a resync, not silence");
    }

    @Test
    void room_names_are_short_and_plain() {
        assertEquals(true, RoomName.parse("ops-2026.q4_team").isPresent());
        assertEquals("ops", RoomName.parse("OPS").orElseThrow().value(), "names are case-insensitive, like locations");
        assertEquals(false, RoomName.parse("\u212Aey").isPresent(), "only ASCII letters fold");
        for (String bad : List.of("", "-x", "a b", "ä", "a/b", "x".repeat(65), "ops.", "ops..", "..")) {
            assertEquals(false, RoomName.parse(bad).isPresent(), bad);
        }
    }
}
