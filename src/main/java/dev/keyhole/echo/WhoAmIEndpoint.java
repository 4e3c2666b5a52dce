package dev.keyhole.echo;

import dev.keyhole.auth.IdentityJson;
import dev.keyhole.auth.LiveSessions;
import dev.keyhole.web.Connections;
import dev.keyhole.ws.Closure;
import dev.keyhole.ws.MessageAssembler;
import dev.keyhole.ws.MessageLimits;
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
 * A diagnostic endpoint: tells the client which identity Keyhole sees for its certificate, as JSON, when the
 * connection opens and again for every text message it sends. The session stays open, so it also shows when
 * Keyhole closes a session because its certificate was revoked or expired. Text over
 * {@link MessageLimits#WHOAMI_BYTES} closes with 1009; binary with 1003.
 */
@ServerEndpoint("/whoami")
public class WhoAmIEndpoint {

    @Inject
    LiveSessions sessions;

    @Inject
    Sending sending;

    @Inject
    Connections connections;

    private final MessageAssembler assembler = new MessageAssembler(MessageLimits.WHOAMI_BYTES);
    private Outbox outbox;
    private String answer;

    @OnOpen
    public void open(Session session) {
        outbox = sending.outboxFor(session);
        if (!connections.opened(session, outbox, MessageLimits.WHOAMI_BYTES)) {
            return;
        }
        answer = IdentityJson.of(sessions.opened(session)).toString();
        outbox.send(answer);
    }

    @OnMessage
    public void again(String part, boolean last, Session session) {
        connections.touched(session);
        assembler.text(part, last).ifPresent(request -> outbox.send(answer));
    }

    /** A partial handler, so that the container never assembles a binary message only to have it refused. */
    @OnMessage
    public void binary(ByteBuffer ignored, boolean last, Session session) {
        connections.touched(session);
        SessionErrors.close(session, Closure.UNSUPPORTED_DATA);
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
        SessionErrors.close(session, failure, "whoami");
    }
}
