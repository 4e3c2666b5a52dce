package dev.keyhole;

import dev.keyhole.chat.ChatEndpoint;
import dev.keyhole.diagnostic.EchoEndpoint;
import dev.keyhole.diagnostic.WhoAmIEndpoint;
import dev.keyhole.ws.ManagedEndpoint;
import jakarta.websocket.Endpoint;
import jakarta.websocket.server.ServerApplicationConfig;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.Set;

/**
 * Keyhole's WebSocket endpoints, where they are served. Each runs the one session lifecycle of
 * {@link ManagedEndpoint}; adding an endpoint is a {@code MessageEndpoint} bean and a line here. Both containers
 * (Tyrus, Undertow) find this class in the WAR and deploy exactly what it returns.
 */
public class Endpoints implements ServerApplicationConfig {

    @Override
    public Set<ServerEndpointConfig> getEndpointConfigs(Set<Class<? extends Endpoint>> scanned) {
        return Set.of(ManagedEndpoint.at(ChatEndpoint.PATH, ChatEndpoint.class, ChatEndpoint.BATCHED_PROTOCOL),
                ManagedEndpoint.at(EchoEndpoint.PATH, EchoEndpoint.class),
                ManagedEndpoint.at(WhoAmIEndpoint.PATH, WhoAmIEndpoint.class));
    }

    /** None: Keyhole serves only the endpoints above, whatever else an archive might carry. */
    @Override
    public Set<Class<?>> getAnnotatedEndpointClasses(Set<Class<?>> scanned) {
        return Set.of();
    }
}
