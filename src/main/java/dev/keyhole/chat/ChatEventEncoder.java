package dev.keyhole.chat;

import jakarta.json.stream.JsonGenerator;
import jakarta.websocket.Encoder;
import jakarta.websocket.EndpointConfig;
import java.io.StringWriter;
import java.util.List;

/**
 * Writes a {@link ChatEvent} as JSON (protocol version 1). A room encodes each message once and hands the same text
 * to every member; a {@code history} batch embeds messages already encoded.
 */
public class ChatEventEncoder implements Encoder.Text<ChatEvent> {

    /** What a message frame has before and after its sequence number, which the cluster fills in when it posts. */
    public record MessageTemplate(String head, String tail) {

        public String withSeq(long seq) {
            return head + seq + tail;
        }
    }

    /** The protocol version every frame carries. */
    public static final int VERSION = 1;

    @Override
    public String encode(ChatEvent event) {
        if (event instanceof ChatEvent.History history) {
            // Messages in the history are JSON objects this encoder wrote; they are embedded as they are.
            return "{\"v\":" + VERSION + ",\"type\":\"history\",\"room\":" + ChatCommandDecoder.JSON.createValue(history.room())
                    + ",\"messages\":[" + String.join(",", history.messages()) + "]}";
        }
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = ChatCommandDecoder.JSON.createGenerator(out)) {
            json.writeStartObject().write("v", VERSION);
            if (event instanceof ChatEvent.Welcome w) {
                json.write("type", "welcome").write("room", w.room());
                person(json.writeStartObject("you"), w.you()).writeEnd();
                strings(json, "members", w.members());
                if (w.people() != null) {
                    people(json, "people", w.people());
                }
                json.write("lastSeq", w.lastSeq()).write("epoch", w.epoch()).write("time", w.time().toString());
            } else if (event instanceof ChatEvent.Message m) {
                json.write("type", "message").write("room", m.room()).write("seq", m.seq()).write("from", m.from())
                        .write("fromTag", m.fromTag()).write("text", m.text()).write("time", m.time().toString());
                if (m.clientId() != null) {
                    json.write("id", m.clientId());
                }
            } else if (event instanceof ChatEvent.Presence p) {
                json.write("type", "presence").write("room", p.room()).write("event", p.event());
                if (p.member() != null) {
                    json.write("member", p.member().name()).write("tag", p.member().tag());
                    if (p.member().subject() != null) {
                        json.write("subject", p.member().subject()).write("issuer", p.member().issuer());
                    }
                }
                if (p.joined() != null) {
                    people(json, "joined", p.joined());
                }
                if (p.left() != null) {
                    people(json, "left", p.left());
                }
                json.write("count", p.count());
                if (p.members() != null) {
                    strings(json, "members", p.members());
                }
                json.write("time", p.time().toString());
            } else if (event instanceof ChatEvent.Error e) {
                json.write("type", "error").write("code", e.code()).write("message", e.message());
                if (e.id() != null) {
                    json.write("id", e.id());
                }
            } else if (event instanceof ChatEvent.Resync r) {
                json.write("type", "resync").write("room", r.room()).write("reason", r.reason())
                        .write("oldestSeq", r.oldestSeq()).write("lastSeq", r.lastSeq()).write("epoch", r.epoch());
            } else if (event instanceof ChatEvent.Pong p) {
                json.write("type", "pong");
                if (p.id() != null) {
                    json.write("id", p.id());
                }
                json.write("time", p.time().toString());
            }
            json.writeEnd();
        }
        return out.toString();
    }

    /**
     * A message whose sequence number is not known yet, as the text before and after it: the frame is
     * {@code head + seq + tail}, byte for byte what {@link #encode} writes for that sequence number.
     */
    public MessageTemplate template(ChatEvent.Message message) {
        String frame = encode(new ChatEvent.Message(message.room(), 0, message.from(), message.fromTag(), message.text(),
                message.time(), message.clientId()));
        String seq = "\"seq\":0"; // the first field after the room, whose name cannot contain a quote
        int at = frame.indexOf(seq) + seq.length() - 1;
        return new MessageTemplate(frame.substring(0, at), frame.substring(at + 1));
    }

    private static JsonGenerator person(JsonGenerator json, ChatEvent.Person person) {
        json.write("name", person.name()).write("tag", person.tag());
        if (person.subject() != null) {
            json.write("subject", person.subject()).write("issuer", person.issuer());
        }
        return json;
    }

    private static void people(JsonGenerator json, String name, List<ChatEvent.Person> people) {
        json.writeStartArray(name);
        people.forEach(person -> person(json.writeStartObject(), person).writeEnd());
        json.writeEnd();
    }

    private static void strings(JsonGenerator json, String name, List<String> values) {
        json.writeStartArray(name);
        values.forEach(json::write);
        json.writeEnd();
    }

    @Override
    public void init(EndpointConfig config) {
    }

    @Override
    public void destroy() {
    }
}
