package dev.keyhole.testing;

import jakarta.websocket.CloseReason;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WebSocket {@link Session} for unit tests: a principal, user properties, a record of how it was closed, and an
 * asynchronous remote that records what was sent and completes each send at once ({@link #completeInline}) or when
 * the test says so ({@link #completeNext}).
 */
public final class FakeSession {

    private final List<Object> sent = Collections.synchronizedList(new ArrayList<>());
    private final Deque<SendHandler> waiting = new ConcurrentLinkedDeque<>();
    private volatile boolean completeInline = true;
    /** Whether the remote honours setBatchingAllowed (Undertow) or ignores it (Tyrus, the default here). */
    private volatile boolean batching;
    /** Whether the session stays open after close() until the client answers, as Undertow's does. */
    private volatile boolean closeHandshake;
    private volatile boolean failFlush;
    private volatile java.util.function.Consumer<Object> whenSending = message -> { };
    private boolean batchingAllowed;
    private final List<SendHandler> held = new ArrayList<>();
    /** How many messages each write to the client carried: 1 for an unbatched send, the batch's size on flushBatch. */
    private final List<Integer> writes = Collections.synchronizedList(new ArrayList<>());
    private volatile long sendTimeout;

    private final Principal principal;
    private final Map<String, Object> userProperties = new HashMap<>();
    private final List<CloseReason> closes = new CopyOnWriteArrayList<>();
    private final String id = UUID.randomUUID().toString();
    private volatile boolean open = true;
    private volatile Map<String, List<String>> requestParameters = Map.of();
    private final AtomicInteger pings = new AtomicInteger();
    private volatile Map<String, String> pathParameters = Map.of();
    private final Map<Class<?>, MessageHandler> handlers = new HashMap<>();
    private final Session session;
    private int maxTextMessageBufferSize = Integer.MAX_VALUE;
    private int maxBinaryMessageBufferSize = Integer.MAX_VALUE;

    public FakeSession(Principal principal) {
        this.principal = principal;
        this.session = (Session) Proxy.newProxyInstance(Session.class.getClassLoader(), new Class<?>[] {Session.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getUserPrincipal" -> this.principal;
                    case "getUserProperties" -> userProperties;
                    case "getId" -> id;
                    case "getRequestParameterMap" -> requestParameters;
                    case "getPathParameters" -> pathParameters;
                    case "getMaxIdleTimeout" -> 0L;
                    case "addMessageHandler" -> {
                        if (args.length != 2) {
                            throw new UnsupportedOperationException("addMessageHandler without a type");
                        }
                        if (!open) {
                            throw new IllegalStateException("connection has been closed"); // as Tyrus does
                        }
                        handlers.put((Class<?>) args[0], (MessageHandler) args[1]);
                        yield null;
                    }
                    case "getAsyncRemote" -> asyncRemote();
                    case "isOpen" -> open;
                    case "setMaxTextMessageBufferSize" -> {
                        maxTextMessageBufferSize = (Integer) args[0];
                        yield null;
                    }
                    case "setMaxBinaryMessageBufferSize" -> {
                        maxBinaryMessageBufferSize = (Integer) args[0];
                        yield null;
                    }
                    case "getMaxTextMessageBufferSize" -> maxTextMessageBufferSize;
                    case "getMaxBinaryMessageBufferSize" -> maxBinaryMessageBufferSize;
                    case "close" -> {
                        closes.add(args == null ? new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, "") : (CloseReason) args[0]);
                        open = !closeHandshake ? false : open;
                        yield null;
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "FakeSession[" + id + "]";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    public Session session() {
        return session;
    }

    private RemoteEndpoint.Async asyncRemote() {
        return (RemoteEndpoint.Async) Proxy.newProxyInstance(RemoteEndpoint.Async.class.getClassLoader(),
                new Class<?>[] {RemoteEndpoint.Async.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "sendText", "sendBinary" -> {
                        whenSending.accept(args[0]);
                        if (!open) {
                            ((SendHandler) args[1]).onResult(new SendResult(new IllegalStateException("closed")));
                            yield null;
                        }
                        sent.add(args[0]);
                        synchronized (held) {
                            if (batching && batchingAllowed) {
                                held.add((SendHandler) args[1]);
                                yield null;
                            }
                        }
                        writes.add(1);
                        written((SendHandler) args[1]);
                        yield null;
                    }
                    case "setBatchingAllowed" -> {
                        synchronized (held) {
                            batchingAllowed = batching && (Boolean) args[0];
                        }
                        yield null;
                    }
                    case "getBatchingAllowed" -> {
                        synchronized (held) {
                            yield batchingAllowed;
                        }
                    }
                    case "flushBatch" -> {
                        if (failFlush) {
                            throw new java.io.IOException("flush failed");
                        }
                        List<SendHandler> flushed;
                        synchronized (held) {
                            flushed = List.copyOf(held);
                            held.clear();
                        }
                        if (!flushed.isEmpty()) {
                            writes.add(flushed.size());
                            flushed.forEach(this::written);
                        }
                        yield null;
                    }
                    case "sendPing" -> {
                        pings.incrementAndGet();
                        yield null;
                    }
                    case "setSendTimeout" -> {
                        sendTimeout = (Long) args[0];
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private void written(SendHandler handler) {
        if (completeInline) {
            handler.onResult(new SendResult());
        } else {
            waiting.add(handler);
        }
    }

    /** The remote holds sends made while batching is allowed until flushBatch, as Undertow's does. */
    public FakeSession batching() {
        this.batching = true;
        return this;
    }

    /** The session stays open after close(), as one waiting for the client's close frame does. */
    public FakeSession closeHandshake() {
        this.closeHandshake = true;
        return this;
    }

    /** flushBatch throws an IOException. */
    public FakeSession failFlush() {
        this.failFlush = true;
        return this;
    }

    /** Runs {@code action} with each message as it is handed to the remote, before it is recorded. */
    public FakeSession whenSending(java.util.function.Consumer<Object> action) {
        this.whenSending = action;
        return this;
    }

    /** How many messages each write carried, in order (see {@link #batching()}). */
    public List<Integer> writes() {
        synchronized (writes) {
            return List.copyOf(writes);
        }
    }

    /** Sends complete at once, on the sending thread (true, the default) or only through {@link #completeNext}. */
    public FakeSession completeInline(boolean inline) {
        this.completeInline = inline;
        return this;
    }

    /** Completes the oldest send that is still in flight; returns false when there is none. */
    public boolean completeNext(SendResult result) {
        SendHandler handler = waiting.poll();
        if (handler == null) {
            return false;
        }
        handler.onResult(result);
        return true;
    }

    /** What was sent (String or ByteBuffer), in order. */
    public List<Object> sent() {
        synchronized (sent) {
            return List.copyOf(sent);
        }
    }

    public long sendTimeout() {
        return sendTimeout;
    }

    public Map<String, Object> userProperties() {
        return userProperties;
    }

    /** The query parameters of the handshake. */
    public FakeSession requestParameters(Map<String, List<String>> parameters) {
        this.requestParameters = Map.copyOf(parameters);
        return this;
    }

    /** The values of the endpoint path's template. */
    public FakeSession pathParameters(Map<String, String> parameters) {
        this.pathParameters = Map.copyOf(parameters);
        return this;
    }

    /** Delivers a part of a text message to the handler the endpoint added, as a container would. */
    @SuppressWarnings("unchecked")
    public void receiveText(String part, boolean last) {
        ((MessageHandler.Partial<String>) handlers.get(String.class)).onMessage(part, last);
    }

    /** Delivers a part of a binary message to the handler the endpoint added. */
    @SuppressWarnings("unchecked")
    public void receiveBinary(ByteBuffer part, boolean last) {
        ((MessageHandler.Partial<ByteBuffer>) handlers.get(ByteBuffer.class)).onMessage(part, last);
    }

    /** Delivers a pong to the handler the endpoint added. */
    @SuppressWarnings("unchecked")
    public void receivePong() {
        ((MessageHandler.Whole<PongMessage>) handlers.get(PongMessage.class)).onMessage(() -> ByteBuffer.allocate(0));
    }

    /** The connection broke without a close frame and without the container telling the endpoint. */
    public void drop() {
        open = false;
    }

    /** How many pings were sent. */
    public int pings() {
        return pings.get();
    }

    /** The close reasons sent, in order. */
    public List<CloseReason> closes() {
        return List.copyOf(closes);
    }
}
