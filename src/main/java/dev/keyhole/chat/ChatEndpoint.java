package dev.keyhole.chat;

import dev.keyhole.auth.Authentication;
import dev.keyhole.auth.ClientIdentity;
import dev.keyhole.auth.ClientPrincipal;
import dev.keyhole.auth.LiveSessions;
import dev.keyhole.config.Setting;
import dev.keyhole.config.Settings;
import dev.keyhole.web.Connections;
import dev.keyhole.ws.Closure;
import dev.keyhole.ws.MessageAssembler;
import dev.keyhole.ws.Outbox;
import dev.keyhole.ws.Sending;
import dev.keyhole.ws.SessionErrors;
import dev.keyhole.ws.TokenBucket;
import jakarta.inject.Inject;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.PathParam;
import jakarta.websocket.server.ServerEndpoint;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A chat room at {@code /chat/{room}} (protocol: docs/chat-protocol.md). Members are who their certificates say;
 * the room numbers, remembers and fans out messages ({@link Rooms}); this endpoint only connects a session to it.
 *
 * <p>Frames are assembled here and decoded with {@link ChatCommandDecoder} rather than by the container, so that a
 * frame over {@code keyhole.chat.max-message-bytes} closes with Keyhole's own 1009 reason on every server, and a
 * malformed command gets an error reply instead of a closed connection. Messages are encoded once per room with
 * {@link ChatEventEncoder}, not once per member.
 */
@ServerEndpoint("/chat/{room}")
public class ChatEndpoint {

    /** Where rooms are: a room's path is this and its name. */
    static final String PATH_PREFIX = "/chat/";

    @Inject
    Rooms rooms;

    @Inject
    LiveSessions sessions;

    @Inject
    Sending sending;

    @Inject
    Settings settings;

    @Inject
    Connections connections;

    @Inject
    Authentication authentication;

    private Rooms.Membership membership;
    private MessageAssembler assembler;
    private Conversation conversation;

    @OnOpen
    public void open(Session session, @PathParam("room") String room) {
        Outbox outbox = sending.outboxFor(session);
        if (!connections.opened(session, outbox, settings.get(Setting.CHAT_MAX_MESSAGE_BYTES))) {
            return;
        }
        Optional<ClientIdentity> identity = sessions.opened(session);
        if (identity.isEmpty()) {
            SessionErrors.close(session, Closure.NO_IDENTITY);
            return;
        }
        Optional<RoomName> name = RoomName.parse(room);
        if (name.isEmpty()) {
            SessionErrors.close(session, Closure.INVALID_ROOM);
            return;
        }
        // Defence in depth: the location rules of the room this session is about to join, whatever path the filter
        // decided on.
        if (session.getUserPrincipal() instanceof ClientPrincipal principal
                && authentication.recheck(PATH_PREFIX + name.get().value(), principal).isPresent()) {
            SessionErrors.close(session, Closure.NOT_ALLOWED);
            return;
        }
        Connection connection = new Connection(identity.get(), outbox);
        try {
            membership = rooms.join(name.get(), connection, resumePoint(session.getRequestParameterMap()));
        } catch (Rooms.RoomLimitException e) {
            SessionErrors.close(session, e.quota() ? Closure.ROOM_QUOTA : Closure.TOO_MANY_ROOMS);
            return;
        }
        assembler = new MessageAssembler(settings.get(Setting.CHAT_MAX_MESSAGE_BYTES));
        conversation = new Conversation(membership, connection,
                new TokenBucket(settings.get(Setting.CHAT_RATE_PER_SECOND), settings.get(Setting.CHAT_RATE_BURST), System::nanoTime),
                Conversation.strikes(settings.get(Setting.CHAT_STRIKES), System::nanoTime),
                settings.get(Setting.CHAT_MAX_TEXT_CHARS), Clock.systemUTC());
    }

    @OnMessage
    public void text(String part, boolean last, Session session) {
        connections.touched(session);
        if (conversation != null) {
            assembler.text(part, last).flatMap(conversation::onFrame).ifPresent(closure -> SessionErrors.close(session, closure));
        }
    }

    @OnMessage
    public void binary(ByteBuffer part, boolean last, Session session) {
        SessionErrors.close(session, Closure.UNSUPPORTED_DATA);
    }

    @OnMessage
    public void pong(PongMessage pong, Session session) {
        connections.touched(session);
    }

    @OnClose
    public void close(Session session) {
        connections.closed(session);
        try {
            if (membership != null) {
                membership.leave();
            }
        } finally {
            sessions.closed(session);
        }
    }

    @OnError
    public void error(Session session, Throwable failure) {
        SessionErrors.close(session, failure, "chat");
    }

    /**
     * {@code ?after=SEQ[&epoch=E]} resumes after SEQ. A value that is not a sequence number gets a resync rather than
     * being ignored, so the client learns that its history is not continued.
     */
    static ResumePoint resumePoint(Map<String, List<String>> query) {
        List<String> after = query.get("after");
        if (after == null || after.isEmpty()) {
            return null;
        }
        List<String> epoch = query.get("epoch");
        String epochValue = epoch == null || epoch.isEmpty() ? null : epoch.get(0);
        try {
            long seq = Long.parseLong(after.get(0));
            return new ResumePoint(seq < 0 ? Long.MAX_VALUE : seq, epochValue);
        } catch (NumberFormatException e) {
            return new ResumePoint(Long.MAX_VALUE, epochValue);
        }
    }
}
