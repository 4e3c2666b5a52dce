package dev.keyhole.chat;

import dev.keyhole.log.LogLine;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParser;
import jakarta.websocket.Decoder;
import jakarta.websocket.EndpointConfig;
import java.io.StringReader;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Reads a client's frame as a {@link ChatCommand} (protocol version 1, see docs/chat-protocol.md). It never
 * throws: whatever cannot be read becomes {@link ChatCommand.Invalid} with an error code, so a client's mistake
 * gets an error reply instead of a closed connection.
 *
 * <p>The frame is read as a stream of parser events, never as a tree, with limits of its own rather than the JSON
 * implementation's (which differ per container): nesting at most {@link #MAX_DEPTH} deep, numbers kept as their
 * text and read only when they are plain integers of at most 18 digits. So an exponent of {@code 1e99999999999},
 * a number of a thousand digits or an array nested a thousand deep costs a bounded amount of work and answers
 * {@code bad-json} or {@code bad-request}.
 */
public class ChatCommandDecoder implements Decoder.Text<ChatCommand> {

    static final JsonProvider JSON = JsonProvider.provider();

    /** How deep a command may nest (a command is a flat object; unknown fields may hold a little structure). */
    static final int MAX_DEPTH = 8;
    /** Longest number text read at all; a longer one is not a sequence number or a version. */
    static final int MAX_NUMBER_CHARS = 32;

    private static final Logger LOG = Logger.getLogger(ChatCommandDecoder.class.getName());
    private static final int MAX_ID = 64;
    private static final Pattern INTEGER = Pattern.compile("-?(0|[1-9][0-9]{0,17})");
    private static final Object NESTED = new Object();
    private static final Object OTHER = new Object();

    /** A number as the client wrote it. */
    private record NumberText(String text) {
        /** The value, when it is a plain integer that fits a long; null otherwise. */
        Long integer() {
            return INTEGER.matcher(text).matches() ? Long.valueOf(text) : null;
        }
    }

    private static ChatCommand.Invalid badJson(String message) {
        return new ChatCommand.Invalid("bad-json", message);
    }

    @Override
    public ChatCommand decode(String frame) {
        try {
            return command(frame);
        } catch (RuntimeException e) {
            // Client input: never an exception (and never a stack trace) — whatever the JSON implementation of the
            // container throws (JsonException, NumberFormatException, IllegalStateException, ...), it is bad JSON.
            LOG.fine(() -> LogLine.event("chat.bad-json").with("error", e.getClass().getName()).toString());
            return badJson("the frame is not valid JSON");
        }
    }

    private ChatCommand command(String frame) {
        Map<String, Object> fields = new HashMap<>();
        try (JsonParser parser = JSON.createParser(new StringReader(frame))) {
            if (!parser.hasNext()) {
                return badJson("the frame is not valid JSON");
            }
            if (parser.next() != JsonParser.Event.START_OBJECT) {
                return new ChatCommand.Invalid("bad-request", "a command is a JSON object");
            }
            int depth = 1;
            String key = null;
            while (depth > 0) {
                JsonParser.Event event = parser.next();
                switch (event) {
                    case KEY_NAME -> {
                        if (depth == 1) {
                            key = parser.getString();
                        }
                    }
                    case START_OBJECT, START_ARRAY -> {
                        if (++depth > MAX_DEPTH) {
                            return badJson("the frame nests deeper than " + MAX_DEPTH);
                        }
                        if (depth == 2) {
                            fields.put(key, NESTED);
                        }
                    }
                    case END_OBJECT, END_ARRAY -> depth--;
                    case VALUE_STRING -> {
                        if (depth == 1) {
                            fields.put(key, parser.getString());
                        }
                    }
                    case VALUE_NUMBER -> {
                        String text = parser.getString();
                        if (depth == 1) {
                            fields.put(key, text.length() > MAX_NUMBER_CHARS ? OTHER : new NumberText(text));
                        }
                    }
                    default -> {
                        if (depth == 1) {
                            fields.put(key, OTHER);
                        }
                    }
                }
            }
            if (parser.hasNext()) {
                return badJson("a frame holds exactly one JSON object");
            }
        }
        return interpret(fields);
    }

    private static ChatCommand interpret(Map<String, Object> command) {
        Object version = command.get("v");
        if (version != null && !(version instanceof NumberText number && Long.valueOf(1).equals(number.integer()))) {
            return new ChatCommand.Invalid("unsupported-version", "this server speaks version 1");
        }
        if (!(command.get("type") instanceof String type)) {
            return new ChatCommand.Invalid("bad-request", "type is missing");
        }
        return switch (type) {
            case "send" -> send(command);
            case "resume" -> resume(command);
            case "ping" -> new ChatCommand.Ping(optionalId(command, "id"));
            default -> new ChatCommand.Invalid("unknown-type", "unknown command type");
        };
    }

    private static ChatCommand send(Map<String, Object> command) {
        if (!(command.get("text") instanceof String text)) {
            return new ChatCommand.Invalid("bad-request", "send needs a text");
        }
        if (text.isBlank()) {
            return new ChatCommand.Invalid("bad-request", "text is empty");
        }
        if (!wellFormed(text)) {
            return new ChatCommand.Invalid("bad-request", "text is not valid Unicode");
        }
        return new ChatCommand.Send(text, optionalId(command, "id"));
    }

    private static ChatCommand resume(Map<String, Object> command) {
        Long after = command.get("after") instanceof NumberText number ? number.integer() : null;
        if (after == null || after < 0) {
            return new ChatCommand.Invalid("bad-request", "resume needs after, a sequence number");
        }
        return new ChatCommand.Resume(after, optionalId(command, "epoch"));
    }

    /** A short optional string field; anything else (too long, not a string, not valid Unicode) is dropped. */
    private static String optionalId(Map<String, Object> command, String name) {
        return command.get(name) instanceof String id && id.length() <= MAX_ID && wellFormed(id) ? id : null;
    }

    /**
     * Whether every surrogate is half of a pair: JSON's {@code \ud800} escapes can make text that no UTF-8 encoder
     * can send, and one such message would break the send to every member of the room.
     */
    static boolean wellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean willDecode(String frame) {
        return true;
    }

    @Override
    public void init(EndpointConfig config) {
    }

    @Override
    public void destroy() {
    }
}
