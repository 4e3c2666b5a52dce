package dev.keyhole.testing;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;

/**
 * A wss client on the JDK's {@code java.net.http} WebSocket that records every message and how the connection
 * closed. Every wait has a timeout, so a test fails instead of hanging.
 */
public final class WsClient implements AutoCloseable {

    public static final Duration TIMEOUT = Duration.ofSeconds(20);

    /** How the server closed the connection. */
    public record Close(int code, String reason) {
    }

    private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<Close> closed = new CompletableFuture<>();
    private final WebSocket socket;

    private WsClient(URI uri, SSLContext tls, Map<String, String> headers, String subprotocol) throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(tls).connectTimeout(TIMEOUT).build();
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(TIMEOUT);
        headers.forEach(builder::header);
        if (subprotocol != null) {
            builder.subprotocols(subprotocol);
        }
        socket = builder.buildAsync(uri, new Recorder()).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Opens a connection; the handshake's failure is thrown as it is (an ExecutionException with the cause). */
    public static WsClient connect(URI uri, SSLContext tls) throws Exception {
        return new WsClient(uri, tls, Map.of(), null);
    }

    /** Opens a connection that asks for a WebSocket subprotocol ({@link #subprotocol()} says what the server chose). */
    public static WsClient connect(URI uri, SSLContext tls, String subprotocol) throws Exception {
        return new WsClient(uri, tls, Map.of(), subprotocol);
    }

    /** Opens a connection with extra handshake headers (e.g. the Origin a browser sends). */
    public static WsClient connect(URI uri, SSLContext tls, Map<String, String> headers) throws Exception {
        return new WsClient(uri, tls, headers, null);
    }

    /** The subprotocol the server chose, empty when none. */
    public String subprotocol() {
        return socket.getSubprotocol();
    }

    public void sendText(String text) throws Exception {
        socket.sendText(text, true).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Sends one part of a text message; {@code last} ends the message. */
    public void sendTextPart(String part, boolean last) throws Exception {
        socket.sendText(part, last).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    public void sendBinary(ByteBuffer data) throws Exception {
        socket.sendBinary(data, true).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /** The next text message from the server; fails the test if none arrives in time. */
    public String nextText() throws InterruptedException {
        Object message = next();
        if (!(message instanceof String text)) {
            throw new AssertionError("expected a text message, got " + describe(message));
        }
        return text;
    }

    /** The next binary message from the server; fails the test if none arrives in time. */
    public ByteBuffer nextBinary() throws InterruptedException {
        Object message = next();
        if (!(message instanceof ByteBuffer data)) {
            throw new AssertionError("expected a binary message, got " + describe(message));
        }
        return data;
    }

    private Object next() throws InterruptedException {
        Object message = received.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(message, "no message from the server within " + TIMEOUT);
        return message;
    }

    /**
     * The next text message, or null once the connection has ended (closed or broken) with nothing left to read;
     * fails the test if neither happens in time.
     */
    public String nextTextOrEnd() throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Object message = received.poll(100, TimeUnit.MILLISECONDS);
            if (message instanceof String text) {
                return text;
            }
            if (message == null && closed.isDone() && received.isEmpty()) {
                return null;
            }
        }
        return fail("neither a message nor the end of the connection within " + TIMEOUT);
    }

    /**
     * Waits until the connection ended — closed, or broken (its server killed) — and returns the text messages that
     * arrived before, not yet read.
     */
    public List<String> awaitEndAndDrain() throws InterruptedException {
        try {
            closed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException broken) {
            // what the test waits for
        } catch (TimeoutException e) {
            fail("the connection did not end within " + TIMEOUT);
        }
        List<String> left = new java.util.ArrayList<>();
        for (Object message = received.poll(); message != null; message = received.poll()) {
            if (message instanceof String text) {
                left.add(text);
            }
        }
        return left;
    }

    /** How the server closed the connection; fails the test if it is not closed in time. */
    public Close awaitClose() throws InterruptedException {
        try {
            return closed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return fail("the server did not close the connection within " + TIMEOUT);
        } catch (ExecutionException e) {
            return fail("the connection failed instead of closing: " + e.getCause());
        }
    }

    private static String describe(Object message) {
        return message instanceof ByteBuffer data ? "binary message of " + data.remaining() + " bytes" : "text message";
    }

    /**
     * Closes from this side and waits for the server's answering close frame (on Payara the endpoint's @OnClose has
     * run by then); fails the test if it does not come in time.
     */
    public Close closeAndAwaitReply() throws InterruptedException {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "");
        return awaitClose();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null);
        }
        socket.abort();
    }

    private final class Recorder implements WebSocket.Listener {

        private StringBuilder text = new StringBuilder();
        private ByteBuffer binary = ByteBuffer.allocate(0);

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                received.add(text.toString());
                text = new StringBuilder();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            ByteBuffer joined = ByteBuffer.allocate(binary.remaining() + data.remaining());
            joined.put(binary).put(data).flip();
            binary = joined;
            if (last) {
                received.add(binary);
                binary = ByteBuffer.allocate(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(new Close(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }
    }
}
