package dev.keyhole.chat;

import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParser;
import jakarta.websocket.Decoder;
import jakarta.websocket.EndpointConfig;
import java.io.StringReader;
import java.util.NoSuchElementException;

/**
 * Reads a client's frame as a {@link ChatCommand} (protocol version 1, see docs/chat-protocol.md). It never
 * throws: whatever cannot be read becomes {@link ChatCommand.Invalid} with an error code, so a client's mistake
 * gets an error reply instead of a closed connection.
 */
public class ChatCommandDecoder implements Decoder.Text<ChatCommand> {

    static final JsonProvider JSON = JsonProvider.provider();
    private static final int MAX_ID = 64;

    @Override
    public ChatCommand decode(String frame) {
        JsonObject command;
        try (JsonParser parser = JSON.createParser(new StringReader(frame))) {
            if (!parser.hasNext()) {
                return new ChatCommand.Invalid("bad-json", "the frame is not valid JSON");
            }
            if (parser.next() != JsonParser.Event.START_OBJECT) {
                return new ChatCommand.Invalid("bad-request", "a command is a JSON object");
            }
            command = parser.getObject();
            if (parser.hasNext()) {
                return new ChatCommand.Invalid("bad-json", "a frame holds exactly one JSON object");
            }
        } catch (JsonException | IllegalStateException | NoSuchElementException e) {
            return new ChatCommand.Invalid("bad-json", "the frame is not valid JSON");
        }
        JsonValue version = command.get("v");
        if (version != null && !(version instanceof JsonNumber number && number.isIntegral() && number.longValue() == 1)) {
            return new ChatCommand.Invalid("unsupported-version", "this server speaks version 1");
        }
        if (!(command.get("type") instanceof JsonString type)) {
            return new ChatCommand.Invalid("bad-request", "type is missing");
        }
        return switch (type.getString()) {
            case "send" -> send(command);
            case "resume" -> resume(command);
            case "ping" -> new ChatCommand.Ping(optionalId(command, "id"));
            default -> new ChatCommand.Invalid("unknown-type", "unknown command type");
        };
    }

    private static ChatCommand send(JsonObject command) {
        if (!(command.get("text") instanceof JsonString text)) {
            return new ChatCommand.Invalid("bad-request", "send needs a text");
        }
        if (text.getString().isBlank()) {
            return new ChatCommand.Invalid("bad-request", "text is empty");
        }
        return new ChatCommand.Send(text.getString(), optionalId(command, "id"));
    }

    private static ChatCommand resume(JsonObject command) {
        if (!(command.get("after") instanceof JsonNumber after) || !after.isIntegral() || after.longValue() < 0) {
            return new ChatCommand.Invalid("bad-request", "resume needs after, a sequence number");
        }
        return new ChatCommand.Resume(after.longValue(), optionalId(command, "epoch"));
    }

    /** A short optional string field; anything else (too long, not a string) is dropped. */
    private static String optionalId(JsonObject command, String name) {
        return command.get(name) instanceof JsonString id && id.getString().length() <= MAX_ID ? id.getString() : null;
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
