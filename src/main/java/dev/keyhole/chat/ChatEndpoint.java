package dev.keyhole.chat;

import dev.keyhole.auth.Authentication;
import dev.keyhole.auth.ClientIdentity;
import dev.keyhole.config.Setting;
import dev.keyhole.config.Settings;
import dev.keyhole.limits.TokenBucket;
import dev.keyhole.ws.CloseCause;
import dev.keyhole.ws.LiveSession;
import dev.keyhole.ws.MessageEndpoint;
import dev.keyhole.ws.SessionListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * A chat room at {@code /chat/{room}} (protocol: docs/chat-protocol.md). Members are who their certificates say;
 * the room numbers, remembers and fans out messages ({@link Rooms}); this endpoint only joins a session to it and
 * hands its commands to a {@link Conversation}. Messages are encoded once per room with {@link ChatEventEncoder},
 * not once per member.
 */
@ApplicationScoped
public class ChatEndpoint implements MessageEndpoint {

    /** The endpoint's URI template. */
    public static final String PATH = "/chat/{room}";
    /**
     * The WebSocket subprotocol of chat protocol version 2: the events of version 1, several in one WebSocket
     * message (one per line) when several are waiting for the client. Without it, one event per message.
     */
    public static final String BATCHED_PROTOCOL = "keyhole.chat.v2";
    /** Where rooms are: a room's path is this and its name. */
    static final String PATH_PREFIX = "/chat/";

    @Inject
    Rooms rooms;

    @Inject
    Settings settings;

    @Inject
    Authentication authentication;

    @Override
    public String name() {
        return "chat";
    }

    @Override
    public int maxMessageBytes() {
        return settings.get(Setting.CHAT_MAX_MESSAGE_BYTES);
    }

    @Override
    public SessionListener open(LiveSession session) throws Refusal {
        ClientIdentity identity = session.identity().orElseThrow(() -> new Refusal(CloseCause.NO_IDENTITY));
        RoomName name = session.pathParameter("room").flatMap(RoomName::parse)
                .orElseThrow(() -> new Refusal(CloseCause.INVALID_ROOM));
        // Defence in depth: the location rules of the room this session is about to join, whatever path the filter
        // decided on.
        if (session.principal().flatMap(principal -> authentication.recheck(PATH_PREFIX + name.value(), principal)).isPresent()) {
            throw new Refusal(CloseCause.NOT_ALLOWED);
        }
        TokenBucket rate = new TokenBucket(settings.get(Setting.CHAT_RATE_PER_SECOND), settings.get(Setting.CHAT_RATE_BURST),
                System::nanoTime);
        TokenBucket strikes = Conversation.strikes(settings.get(Setting.CHAT_STRIKES), System::nanoTime);
        int maxTextChars = settings.get(Setting.CHAT_MAX_TEXT_CHARS);
        SessionMemberConnection connection = new SessionMemberConnection(identity, session.outbox());
        Rooms.Membership membership;
        try {
            membership = rooms.join(name, connection, resumePoint(session.queryParameters()));
        } catch (Rooms.RoomLimitException e) {
            throw new Refusal(e.quota() ? CloseCause.ROOM_QUOTA : CloseCause.TOO_MANY_ROOMS);
        } catch (Rooms.UnavailableException e) {
            throw new Refusal(CloseCause.UNAVAILABLE);
        }
        Conversation conversation;
        try {
            conversation = new Conversation(membership, connection, rate, strikes, maxTextChars, Clock.systemUTC());
        } catch (RuntimeException e) {
            membership.leave();
            throw e;
        }
        return new SessionListener() {
            @Override
            public void text(String message) {
                conversation.onFrame(message).ifPresent(session::close);
            }

            @Override
            public void closed() {
                membership.leave();
            }
        };
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
