package dev.keyhole.chat;

import dev.keyhole.auth.ClientIdentity;
import dev.keyhole.ws.Outbox;

/**
 * A chat connection as a room sees it: the verified identity (member key: issuer and subject; display name: CN)
 * and the session's outbox. A catch-up (resume) may take only what leaves at least half of the outbox free, so the
 * live messages behind it — a few maximum-size frames among them — still fit.
 */
final class SessionMemberConnection implements MemberConnection {

    private final ClientIdentity identity;
    private final String tag;
    private final Outbox outbox;

    SessionMemberConnection(ClientIdentity identity, Outbox outbox) {
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
    public boolean enqueue(String frame, long utf8Bytes) {
        return outbox.enqueue(frame, utf8Bytes);
    }

    @Override
    public boolean enqueue(String frame, long utf8Bytes, long postedAtMillis) {
        return outbox.enqueue(frame, utf8Bytes, postedAtMillis);
    }

    @Override
    public void flush() {
        outbox.flush();
    }

    @Override
    public Backlog backlog() {
        Outbox.Space free = outbox.space();
        int halfMessages = outbox.limits().maxMessages() / 2;
        long halfBytes = outbox.limits().maxBytes() / 2;
        // - 1: the resync or history frame that comes with the catch-up
        return new Backlog(Math.max(0, Math.min(halfMessages, free.messages() - halfMessages - 1)),
                Math.max(0, Math.min(halfBytes, free.bytes() - halfBytes)));
    }
}
