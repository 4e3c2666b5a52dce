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
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one WebSocket lifecycle every Keyhole endpoint runs: a programmatic endpoint (registered through
 * {@code dev.keyhole.Endpoints}, portable across Tyrus and Undertow) that opens the session in the
 * {@link SessionRuntime}, hands its whole messages to the {@link MessageEndpoint}'s listener, counts pongs as signs
 * of life, and reports close and failure to the runtime once. Keeps no state of its own, so one instance or one per
 * session works alike.
 */
public final class ManagedEndpoint extends Endpoint {

    private final SessionRuntime runtime;
    private final MessageEndpoint endpoint;

    ManagedEndpoint(SessionRuntime runtime, MessageEndpoint endpoint) {
        this.runtime = runtime;
        this.endpoint = endpoint;
    }

    /** The configuration that serves {@code endpoint}, a CDI bean, at {@code path} (a URI template). */
    public static ServerEndpointConfig at(String path, Class<? extends MessageEndpoint> endpoint) {
        return ServerEndpointConfig.Builder.create(ManagedEndpoint.class, path).configurator(new Factory(endpoint)).build();
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        // Handlers first, while the session is surely open (Tyrus refuses a handler on a closed session): a frame of
        // a session that is then refused finds no LiveSession and is dropped, never left to the container.
        AtomicReference<LiveSession> taken = new AtomicReference<>();
        session.addMessageHandler(String.class, (MessageHandler.Partial<String>) (part, last) -> {
            LiveSession live = taken.get();
            if (live != null) {
                live.text(part, last, runtime.now());
            }
        });
        session.addMessageHandler(ByteBuffer.class, (MessageHandler.Partial<ByteBuffer>) (part, last) -> {
            LiveSession live = taken.get();
            if (live != null) {
                live.binary(part, last, runtime.now());
            }
        });
        session.addMessageHandler(PongMessage.class, (MessageHandler.Whole<PongMessage>) pong -> {
            LiveSession live = taken.get();
            if (live != null) {
                live.ponged(runtime.now());
            }
        });
        Optional<LiveSession> opened = runtime.open(session, endpoint);
        if (opened.isEmpty()) {
            return;
        }
        LiveSession live = opened.get();
        try {
            live.listen(endpoint.open(live));
            taken.set(live);
        } catch (MessageEndpoint.Refusal refusal) {
            live.close(refusal.closeCause());
        } catch (RuntimeException e) {
            runtime.failed(session, e, endpoint.name());
        }
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
        private volatile ManagedEndpoint made;

        Factory(Class<? extends MessageEndpoint> type) {
            this.type = type;
        }

        @Override
        public <T> T getEndpointInstance(Class<T> endpointClass) {
            ManagedEndpoint endpoint = made;
            if (endpoint == null) {
                CDI<Object> beans = CDI.current();
                endpoint = new ManagedEndpoint(beans.select(SessionRuntime.class).get(), beans.select(type).get());
                made = endpoint;
            }
            return endpointClass.cast(endpoint);
        }
    }
}
