package dev.keyhole.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * A chat client for the tests: speaks protocol version 1 (one event per WebSocket message), or version 2 (the
 * subprotocol {@code keyhole.chat.v2}: several events per message, one per line) over a {@link WsClient}, and reads
 * events as JSON.
 */
public final class ChatClient implements AutoCloseable {

    /** The subprotocol of chat protocol version 2. */
    public static final String BATCHED = "keyhole.chat.v2";

    private final WsClient socket;
    private final JsonObject welcome;
    private final List<JsonObject> skipped = new ArrayList<>();
    /** Events of a version 2 message not read yet. */
    private final ArrayDeque<String> lines = new ArrayDeque<>();
    private int batches;

    private ChatClient(WsClient socket) throws InterruptedException {
        this.socket = socket;
        this.welcome = next();
        assertEquals("welcome", welcome.getString("type"), welcome.toString());
    }

    /** Connects with protocol version 1 and reads the welcome. */
    public static ChatClient join(URI room, SSLContext tls) throws Exception {
        return new ChatClient(WsClient.connect(room, tls));
    }

    /** Connects asking for protocol version 2 and reads the welcome. */
    public static ChatClient joinBatched(URI room, SSLContext tls) throws Exception {
        return new ChatClient(WsClient.connect(room, tls, BATCHED));
    }

    /** The subprotocol the server chose, empty for version 1. */
    public String subprotocol() {
        return socket.subprotocol();
    }

    /** How many WebSocket messages so far carried more than one event. */
    public int batches() {
        return batches;
    }

    public JsonObject welcome() {
        return welcome;
    }

    public void send(String text) throws Exception {
        socket.sendText(Json.createObjectBuilder().add("v", 1).add("type", "send").add("text", text).build().toString());
    }

    /** Sends a message with the client's own id, which comes back in the broadcast (or in an error). */
    public void send(String text, String id) throws Exception {
        socket.sendText(Json.createObjectBuilder().add("v", 1).add("type", "send").add("text", text).add("id", id).build()
                .toString());
    }

    /**
     * Waits until the connection ended (closed, or broken by its server's death) and returns the frames that had
     * arrived and were not read yet, those kept by {@link #next(String)} first.
     */
    public List<JsonObject> awaitEndAndDrain() throws InterruptedException {
        List<JsonObject> left = new ArrayList<>(skipped);
        skipped.clear();
        List<String> events = new ArrayList<>(lines);
        lines.clear();
        for (String message : socket.awaitEndAndDrain()) {
            events.addAll(List.of(message.split("\n", -1)));
        }
        for (String event : events) {
            left.add(Json.createReader(new StringReader(event)).readObject());
        }
        return left;
    }

    public void sendRaw(String frame) throws Exception {
        socket.sendText(frame);
    }

    /** The next frame from the server, whatever its type (frames kept by {@link #next(String)} aside). */
    public JsonObject next() throws InterruptedException {
        if (lines.isEmpty()) {
            split(socket.nextText());
        }
        return Json.createReader(new StringReader(lines.poll())).readObject();
    }

    /**
     * The next frame of a type. Frames of other types that arrive first are kept, in order, for later calls: a
     * presence frame between messages is not lost to a test that reads the messages first.
     */
    public JsonObject next(String type) throws InterruptedException {
        for (Iterator<JsonObject> kept = skipped.iterator(); kept.hasNext(); ) {
            JsonObject frame = kept.next();
            if (frame.getString("type").equals(type)) {
                kept.remove();
                return frame;
            }
        }
        for (JsonObject frame = next(); ; frame = next()) {
            if (frame.getString("type").equals(type)) {
                return frame;
            }
            skipped.add(frame);
        }
    }

    /** The next {@code count} message frames, skipping other frames. */
    public List<JsonObject> messages(int count) throws InterruptedException {
        List<JsonObject> messages = new ArrayList<>(count);
        while (messages.size() < count) {
            messages.add(next("message"));
        }
        return messages;
    }

    /**
     * Message frames until there are {@code count} or the connection ends (its node died), other frames skipped:
     * fewer than {@code count} means it ended.
     */
    public List<JsonObject> messagesUntilEnd(int count) throws InterruptedException {
        List<JsonObject> messages = new ArrayList<>();
        for (Iterator<JsonObject> kept = skipped.iterator(); kept.hasNext() && messages.size() < count; ) {
            JsonObject frame = kept.next();
            if (frame.getString("type").equals("message")) {
                kept.remove();
                messages.add(frame);
            }
        }
        while (messages.size() < count) {
            if (lines.isEmpty()) {
                String text = socket.nextTextOrEnd();
                if (text == null) {
                    break;
                }
                split(text);
            }
            JsonObject frame = Json.createReader(new StringReader(lines.poll())).readObject();
            if (frame.getString("type").equals("message")) {
                messages.add(frame);
            }
        }
        return messages;
    }

    /** Keeps the events of one WebSocket message (one, or one per line in version 2). */
    private void split(String message) {
        String[] events = message.split("\n", -1);
        if (events.length > 1) {
            batches++;
        }
        lines.addAll(List.of(events));
    }

    public WsClient.Close awaitClose() throws InterruptedException {
        return socket.awaitClose();
    }

    @Override
    public void close() {
        socket.close();
    }
}
