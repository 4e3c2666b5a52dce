package dev.keyhole.chat;

import dev.keyhole.auth.ClientIdentity;
import dev.keyhole.ws.Outbox;

/**
 * A chat connection as a room sees it: the verified identity (member key: issuer and subject; display name: CN)
 * and the session's outbox. A resume may fill at most half of the outbox, and never more than is free in it now
 * less {@link #HEADROOM_BYTES} for the frames that come with it (welcome, resync), so live messages still fit.
 */
final class Connection implements Participant {

    /** Room kept free in the send queue for the frames around a catch-up (a resync, the history batch's envelope). */
    static final long HEADROOM_BYTES = 4096;

    private final ClientIdentity identity;
    private final String tag;
    private final Outbox outbox;

    Connection(ClientIdentity identity, Outbox outbox) {
        this.identity = identity;
        this.tag = identity.tag();
        this.outbox = outbox;
    }

    @Override
    public String memberKey() {
        return identity.key();
    }

    @Override
    public String tag() {
        return tag;
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
    public String issuer() {
        return identity.issuer();
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
        Outbox.Space free = outbox.space();
        int messages = Math.min(outbox.limits().maxMessages() / 2, free.messages() - 2);
        long bytes = Math.min(outbox.limits().maxBytes() / 2, free.bytes() - HEADROOM_BYTES);
        return new Backlog(Math.max(0, messages), Math.max(0, bytes));
    }
}
