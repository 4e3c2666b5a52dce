package dev.keyhole.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Generated and mutated input for the command decoder: whatever a client sends, the answer is a command or an
 * {@link ChatCommand.Invalid} with a code — never an exception, which the endpoint would turn into 1011.
 */
class ChatCommandDecoderFuzzTest {

    private static final long SEED = 20261204L;
    private static final int CASES = 20_000;
    private static final List<String> VALID = List.of(
            "{\"v\":1,\"type\":\"send\",\"text\":\"hello\",\"id\":\"c-1\"}",
            "{\"v\":1,\"type\":\"resume\",\"after\":17,\"epoch\":\"e-1\"}",
            "{\"type\":\"ping\",\"id\":\"p\"}",
            "{\"type\":\"send\",\"text\":\"\\u20ac \\ud83d\\ude00\",\"extra\":{\"a\":[1,2,{\"b\":null}]}}");
    private static final List<String> FRAGMENTS = List.of(
            "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\ud800", "\\udc00", "1e99999999999", "-0", "1.5e-400",
            "9".repeat(1200), "null", "true", "false", "\"type\"", "\"send\"", "\"after\"", "\"v\"", "\u0000", "\u20ac",
            "\ud83d", "NaN", "Infinity", "0x10", "-", "+1", ".5", "1e", "[[[[[[[[[[", "]]]]]]]]]]", "{\"a\":", "\n", " ");

    private final ChatCommandDecoder decoder = new ChatCommandDecoder();

    private ChatCommand decodes(String frame) {
        try {
            ChatCommand command = decoder.decode(frame);
            assertNotNull(command, frame);
            return command;
        } catch (RuntimeException e) {
            return fail("decoding threw " + e + " for a frame of " + frame.length() + " chars (seed " + SEED + ")");
        }
    }

    @Test
    void the_inputs_from_the_review_answer_with_an_error_code() {
        for (String frame : List.of(
                "{\"type\":\"resume\",\"after\":1e99999999999}",
                "{\"type\":\"resume\",\"after\":" + "7".repeat(1200) + "}",
                "{\"v\":1e99999999999,\"type\":\"ping\"}",
                "{\"type\":\"ping\",\"x\":" + "[".repeat(1200) + "]".repeat(1200) + "}",
                "[".repeat(1200) + "]".repeat(1200),
                "{\"type\":\"ping\",\"x\":" + "{\"a\":".repeat(1200) + "1" + "}".repeat(1200) + "}")) {
            ChatCommand.Invalid invalid = assertInstanceOf(ChatCommand.Invalid.class, decodes(frame),
                    frame.substring(0, Math.min(40, frame.length())));
            assertTrue(List.of("bad-json", "bad-request", "unsupported-version").contains(invalid.code()), invalid.code());
        }
    }

    @Test
    void text_with_a_lone_surrogate_is_refused_so_it_never_reaches_the_room() {
        assertEquals("bad-request", ((ChatCommand.Invalid) decodes("{\"type\":\"send\",\"text\":\"a\\ud800b\"}")).code());
        assertEquals("bad-request", ((ChatCommand.Invalid) decodes("{\"type\":\"send\",\"text\":\"\\udc00\"}")).code());
        assertEquals(new ChatCommand.Send("\ud83d\ude00", null), decodes("{\"type\":\"send\",\"text\":\"\\ud83d\\ude00\"}"));
    }

    @Test
    void random_text_never_escapes_as_an_exception() {
        Random random = new Random(SEED);
        for (int i = 0; i < CASES; i++) {
            StringBuilder frame = new StringBuilder();
            int parts = random.nextInt(12);
            for (int p = 0; p < parts; p++) {
                frame.append(random.nextInt(3) == 0 ? randomChars(random, 1 + random.nextInt(8))
                        : FRAGMENTS.get(random.nextInt(FRAGMENTS.size())));
            }
            decodes(frame.toString());
        }
    }

    @Test
    void mutated_commands_never_escape_as_an_exception() {
        Random random = new Random(SEED + 1);
        for (int i = 0; i < CASES; i++) {
            StringBuilder frame = new StringBuilder(VALID.get(random.nextInt(VALID.size())));
            int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations && frame.length() > 0; m++) {
                int at = random.nextInt(frame.length());
                switch (random.nextInt(4)) {
                    case 0 -> frame.deleteCharAt(at);
                    case 1 -> frame.insert(at, FRAGMENTS.get(random.nextInt(FRAGMENTS.size())));
                    case 2 -> frame.setCharAt(at, (char) random.nextInt(0x10000));
                    default -> frame.insert(at, frame.substring(at, Math.min(frame.length(), at + 1 + random.nextInt(16))));
                }
            }
            decodes(frame.toString());
        }
    }

    private static String randomChars(Random random, int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append(random.nextInt(4) == 0 ? (char) random.nextInt(0x10000) : (char) (0x20 + random.nextInt(0x5f)));
        }
        return text.toString();
    }
}
