package dev.keyhole.echo;

import dev.keyhole.auth.LiveSessions;
import dev.keyhole.config.Setting;
import dev.keyhole.config.Settings;
import dev.keyhole.web.Connections;
import dev.keyhole.ws.MessageAssembler;
import dev.keyhole.ws.Outbox;
import dev.keyhole.ws.Sending;
import dev.keyhole.ws.SessionErrors;
import jakarta.inject.Inject;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.nio.ByteBuffer;

/**
 * Echoes every text and binary message back to its sender: a diagnostic endpoint for wss clients, with or without
 * a client certificate (location {@code echo}). A message over {@code keyhole.echo.max-message-bytes} closes the
 * connection with 1009; a client that sends without reading the echoes is closed as a slow consumer.
 */
@ServerEndpoint("/echo")
public class EchoEndpoint {

    @Inject
    Settings settings;

    @Inject
    LiveSessions sessions;

    @Inject
    Sending sending;

    @Inject
    Connections connections;

    private MessageAssembler assembler;
    private Outbox outbox;

    @OnOpen
    public void open(Session session) {
        int maxBytes = settings.get(Setting.ECHO_MAX_MESSAGE_BYTES);
        assembler = new MessageAssembler(maxBytes);
        outbox = sending.outboxFor(session);
        if (connections.opened(session, outbox, maxBytes)) {
            sessions.opened(session);
        }
    }

    @OnMessage
    public void text(String part, boolean last, Session session) {
        connections.touched(session);
        assembler.text(part, last).ifPresent(outbox::send);
    }

    @OnMessage
    public void binary(ByteBuffer part, boolean last, Session session) {
        connections.touched(session);
        assembler.binary(part, last).ifPresent(outbox::send);
    }

    @OnMessage
    public void pong(PongMessage pong, Session session) {
        connections.touched(session);
    }

    @OnClose
    public void close(Session session) {
        connections.closed(session);
        sessions.closed(session);
    }

    @OnError
    public void error(Session session, Throwable failure) {
        SessionErrors.close(session, failure, "echo");
    }
}
