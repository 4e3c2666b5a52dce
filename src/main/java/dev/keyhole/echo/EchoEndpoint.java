package dev.keyhole.echo;

import dev.keyhole.config.Setting;
import dev.keyhole.config.Settings;
import dev.keyhole.ws.MessageAssembler;
import dev.keyhole.ws.SessionErrors;
import jakarta.inject.Inject;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Echoes every text and binary message back to its sender: a diagnostic endpoint for wss clients. A message
 * over {@code keyhole.echo.max-message-bytes} closes the connection with 1009.
 */
@ServerEndpoint("/echo")
public class EchoEndpoint {

    @Inject
    Settings settings;

    private MessageAssembler assembler;

    @OnOpen
    public void open() {
        assembler = new MessageAssembler(settings.get(Setting.ECHO_MAX_MESSAGE_BYTES));
    }

    @OnMessage
    public void text(String part, boolean last, Session session) throws IOException {
        Optional<String> message = assembler.text(part, last);
        if (message.isPresent()) {
            session.getBasicRemote().sendText(message.get());
        }
    }

    @OnMessage
    public void binary(ByteBuffer part, boolean last, Session session) throws IOException {
        Optional<ByteBuffer> message = assembler.binary(part, last);
        if (message.isPresent()) {
            session.getBasicRemote().sendBinary(message.get());
        }
    }

    @OnError
    public void error(Session session, Throwable failure) {
        SessionErrors.close(session, failure, "echo");
    }
}
