package dev.keyhole.ws;

import dev.keyhole.config.Setting;
import dev.keyhole.config.Settings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.Session;
import java.util.concurrent.atomic.LongAdder;

/**
 * Gives each session its {@link Outbox}, with the limits and the send timeout from the settings, and counts the
 * sessions closed as slow consumers.
 */
@ApplicationScoped
public class Sending {

    @Inject
    Settings settings;

    private final LongAdder slowConsumers = new LongAdder();

    /** An outbox for a session that just opened; also sets the session's asynchronous send timeout. */
    public Outbox outboxFor(Session session) {
        session.getAsyncRemote().setSendTimeout(settings.get(Setting.WS_SEND_TIMEOUT_SECONDS) * 1000L);
        return new Outbox(session, new Outbox.Limits(settings.get(Setting.WS_SEND_QUEUE_MESSAGES),
                settings.get(Setting.WS_SEND_QUEUE_BYTES)), slowConsumers::increment);
    }

    /** How many sessions were closed because their send queue overflowed, since start. */
    public long slowConsumers() {
        return slowConsumers.sum();
    }
}
