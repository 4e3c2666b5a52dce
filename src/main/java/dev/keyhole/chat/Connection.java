package dev.keyhole.chat;

import dev.keyhole.auth.ClientIdentity;
import dev.keyhole.ws.Outbox;

/**
 * A chat connection as a room sees it: the verified identity (member key: subject DN; display name: CN) and the
 * session's outbox. A resume may fill at most half of the outbox, so that live messages still fit behind it.
 */
final class Connection implements Participant {

    private final ClientIdentity identity;
    private final Outbox outbox;

    Connection(ClientIdentity identity, Outbox outbox) {
        this.identity = identity;
        this.outbox = outbox;
    }

    @Override
    public String memberKey() {
        return identity.subject();
    }

    @Override
    public String name() {
        return identity.commonName();
    }

    @Override
    public String subject() {
        return identity.subject();
    }

    @Override
    public boolean enqueue(String frame) {
        return outbox.enqueue(frame);
    }

    @Override
    public void flush() {
        outbox.flush();
    }

    @Override
    public Backlog backlog() {
        return new Backlog(Math.max(1, outbox.limits().maxMessages() / 2), outbox.limits().maxBytes() / 2);
    }
}
