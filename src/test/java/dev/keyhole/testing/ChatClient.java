package dev.keyhole.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.net.ssl.SSLContext;

/** A chat client for the tests: speaks protocol version 1 over a {@link WsClient} and reads frames as JSON. */
public final class ChatClient implements AutoCloseable {

    private final WsClient socket;
    private final JsonObject welcome;
    private final List<JsonObject> skipped = new ArrayList<>();

    private ChatClient(WsClient socket) throws InterruptedException {
        this.socket = socket;
        this.welcome = next();
        assertEquals("welcome", welcome.getString("type"), welcome.toString());
    }

    /** Connects and reads the welcome. */
    public static ChatClient join(URI room, SSLContext tls) throws Exception {
        return new ChatClient(WsClient.connect(room, tls));
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
        for (String frame : socket.awaitEndAndDrain()) {
            left.add(Json.createReader(new StringReader(frame)).readObject());
        }
        return left;
    }

    public void sendRaw(String frame) throws Exception {
        socket.sendText(frame);
    }

    /** The next frame from the server, whatever its type (frames kept by {@link #next(String)} aside). */
    public JsonObject next() throws InterruptedException {
        return Json.createReader(new StringReader(socket.nextText())).readObject();
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
            String text = socket.nextTextOrEnd();
            if (text == null) {
                break;
            }
            JsonObject frame = Json.createReader(new StringReader(text)).readObject();
            if (frame.getString("type").equals("message")) {
                messages.add(frame);
            }
        }
        return messages;
    }

    public WsClient.Close awaitClose() throws InterruptedException {
        return socket.awaitClose();
    }

    @Override
    public void close() {
        socket.close();
    }
}
