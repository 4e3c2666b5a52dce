package dev.keyhole.ws;

import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpointConfig;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one WebSocket lifecycle every Keyhole endpoint runs: a programmatic endpoint (registered through
 * {@code dev.keyhole.Endpoints}, portable across Tyrus and Undertow) that opens the session in the
 * {@link SessionRuntime}, hands its whole messages to the {@link MessageEndpoint}'s listener, counts pongs as signs
 * of life, and reports close and failure to the runtime once. Keeps no state of its own, so one instance or one per
 * session works alike.
 */
public final class ManagedEndpoint extends Endpoint {

    /** How long a frame that arrives while its session is being opened waits for the open to finish. */
    private static final long OPEN_WAIT_SECONDS = 30;

    private final SessionRuntime runtime;
    private final MessageEndpoint endpoint;
    private final String batchingSubprotocol;

    ManagedEndpoint(SessionRuntime runtime, MessageEndpoint endpoint, String batchingSubprotocol) {
        this.runtime = runtime;
        this.endpoint = endpoint;
        this.batchingSubprotocol = batchingSubprotocol;
    }

    /** The configuration that serves {@code endpoint}, a CDI bean, at {@code path} (a URI template). */
    public static ServerEndpointConfig at(String path, Class<? extends MessageEndpoint> endpoint) {
        return ServerEndpointConfig.Builder.create(ManagedEndpoint.class, path).configurator(new Factory(endpoint, null)).build();
    }

    /**
     * {@link #at(String, Class)} for an endpoint whose clients may ask, with the WebSocket subprotocol
     * {@code batchingSubprotocol}, for several messages in one WebSocket message when several are waiting
     * ({@link Outbox}); a client that does not ask gets one message per WebSocket message.
     */
    public static ServerEndpointConfig at(String path, Class<? extends MessageEndpoint> endpoint, String batchingSubprotocol) {
        Objects.requireNonNull(batchingSubprotocol, "batchingSubprotocol");
        return ServerEndpointConfig.Builder.create(ManagedEndpoint.class, path).subprotocols(List.of(batchingSubprotocol))
                .configurator(new Factory(endpoint, batchingSubprotocol)).build();
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        // Handlers first, while the session is surely open (Tyrus refuses a handler on a closed session). A container
        // may deliver a frame on another thread before this returns: it waits until the endpoint has taken the
        // session, so nothing is handled before the limits are set and nothing is dropped. A frame of a refused
        // session finds no LiveSession and is dropped (the session is closing), never left to the container.
        CountDownLatch ready = new CountDownLatch(1);
        AtomicReference<LiveSession> taken = new AtomicReference<>();
        session.addMessageHandler(String.class, (MessageHandler.Partial<String>) (part, last) ->
                once(ready, taken).ifPresent(live -> live.text(part, last, runtime.now())));
        session.addMessageHandler(ByteBuffer.class, (MessageHandler.Partial<ByteBuffer>) (part, last) ->
                once(ready, taken).ifPresent(live -> live.binary(part, last, runtime.now())));
        session.addMessageHandler(PongMessage.class, (MessageHandler.Whole<PongMessage>) pong ->
                once(ready, taken).ifPresent(live -> live.ponged(runtime.now())));
        try {
            boolean coalescing = batchingSubprotocol != null && batchingSubprotocol.equals(session.getNegotiatedSubprotocol());
            Optional<LiveSession> opened = runtime.open(session, endpoint, coalescing);
            if (opened.isEmpty()) {
                return;
            }
            LiveSession live = opened.get();
            taken.set(live);
            try {
                live.listen(endpoint.open(live));
            } catch (MessageEndpoint.Refusal refusal) {
                taken.set(null);
                live.close(refusal.closeCause());
            } catch (RuntimeException e) {
                taken.set(null);
                runtime.failed(session, e, endpoint.name());
            }
        } finally {
            ready.countDown();
        }
    }

    /** The session once its open is done, or empty when it was refused (or the open never finished). */
    private static Optional<LiveSession> once(CountDownLatch ready, AtomicReference<LiveSession> taken) {
        try {
            if (!ready.await(OPEN_WAIT_SECONDS, TimeUnit.SECONDS)) {
                return Optional.empty();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        return Optional.ofNullable(taken.get());
    }

    @Override
    public void onClose(Session session, CloseReason closeReason) {
        runtime.closed(session);
    }

    @Override
    public void onError(Session session, Throwable failure) {
        runtime.failed(session, failure, endpoint.name());
    }

    /** Makes the endpoint for a connection from the application's CDI beans. */
    private static final class Factory extends ServerEndpointConfig.Configurator {

        private final Class<? extends MessageEndpoint> type;
        private final String batchingSubprotocol;
        private volatile ManagedEndpoint made;

        Factory(Class<? extends MessageEndpoint> type, String batchingSubprotocol) {
            this.type = type;
            this.batchingSubprotocol = batchingSubprotocol;
        }

        @Override
        public <T> T getEndpointInstance(Class<T> endpointClass) {
            ManagedEndpoint endpoint = made;
            if (endpoint == null) {
                CDI<Object> beans = CDI.current();
                endpoint = new ManagedEndpoint(beans.select(SessionRuntime.class).get(), beans.select(type).get(),
                        batchingSubprotocol);
                made = endpoint;
            }
            return endpointClass.cast(endpoint);
        }
    }
}
