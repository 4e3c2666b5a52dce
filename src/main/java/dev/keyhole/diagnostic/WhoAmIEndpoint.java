package dev.keyhole.diagnostic;

import dev.keyhole.ws.LiveSession;
import dev.keyhole.ws.MessageEndpoint;
import dev.keyhole.ws.MessageLimits;
import dev.keyhole.ws.SessionListener;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A diagnostic endpoint at {@code /whoami}: tells the client which identity Keyhole sees for its certificate, as
 * JSON, when the connection opens and again for every text message it sends. The session stays open, so it also
 * shows when Keyhole closes a session because its certificate was revoked or expired. Text over
 * {@link MessageLimits#WHOAMI_BYTES} closes with 1009; binary with 1003.
 */
@ApplicationScoped
public class WhoAmIEndpoint implements MessageEndpoint {

    /** The endpoint's URI. */
    public static final String PATH = "/whoami";

    @Override
    public String name() {
        return "whoami";
    }

    @Override
    public int maxMessageBytes() {
        return MessageLimits.WHOAMI_BYTES;
    }

    @Override
    public SessionListener open(LiveSession session) {
        String answer = IdentityJson.of(session.identity()).toString();
        session.send(answer);
        return request -> session.send(answer);
    }
}
