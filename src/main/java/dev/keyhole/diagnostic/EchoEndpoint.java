package dev.keyhole.diagnostic;

import dev.keyhole.config.Setting;
import dev.keyhole.config.Settings;
import dev.keyhole.ws.LiveSession;
import dev.keyhole.ws.MessageEndpoint;
import dev.keyhole.ws.SessionListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;

/**
 * Echoes every text and binary message back to its sender at {@code /echo}: a diagnostic endpoint for wss clients,
 * with or without a client certificate (location {@code echo}). A message over {@code keyhole.echo.max-message-bytes}
 * closes the connection with 1009; a client that sends without reading the echoes is closed as a slow consumer.
 */
@ApplicationScoped
public class EchoEndpoint implements MessageEndpoint {

    /** The endpoint's URI. */
    public static final String PATH = "/echo";

    @Inject
    Settings settings;

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public int maxMessageBytes() {
        return settings.get(Setting.ECHO_MAX_MESSAGE_BYTES);
    }

    @Override
    public boolean acceptsBinary() {
        return true;
    }

    @Override
    public SessionListener open(LiveSession session) {
        return new SessionListener() {
            @Override
            public void text(String message) {
                session.outbox().send(message);
            }

            @Override
            public void binary(ByteBuffer message) {
                session.outbox().send(message);
            }
        };
    }
}
