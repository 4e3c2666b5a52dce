package dev.keyhole.chat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A connection for room tests: records every frame queued for it, as parsed JSON. */
class RecordingConnection implements MemberConnection {

    private final String name;
    private final String subject;
    private final String issuer;
    private final Backlog backlog;
    private final List<String> frames = Collections.synchronizedList(new ArrayList<>());

    RecordingConnection(String name) {
        this(name, new Backlog(1000, 1_000_000));
    }

    RecordingConnection(String name, Backlog backlog) {
        this(name, "CN=" + name + ",O=Test", "CN=Test CA", backlog);
    }

    /** A connection with its own subject and issuer: two of the same CN are different identities. */
    RecordingConnection(String name, String subject, String issuer, Backlog backlog) {
        this.name = name;
        this.subject = subject;
        this.issuer = issuer;
        this.backlog = backlog;
    }

    @Override
    public String memberKey() {
        return issuer.length() + ":" + issuer + "|" + subject;
    }

    @Override
    public String tag() {
        return Integer.toHexString(memberKey().hashCode());
    }

    @Override
    public String issuer() {
        return issuer;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String subject() {
        return subject;
    }

    @Override
    public boolean enqueue(String frame) {
        frames.add(frame);
        return true;
    }

    @Override
    public void flush() {
    }

    @Override
    public Backlog backlog() {
        return backlog;
    }

    List<JsonObject> events() {
        synchronized (frames) {
            return frames.stream().map(frame -> Json.createReader(new StringReader(frame)).readObject()).toList();
        }
    }

    List<JsonObject> events(String type) {
        return events().stream().filter(event -> event.getString("type").equals(type)).toList();
    }

    /** The sequence numbers of the message frames received, in order. */
    List<Long> seqs() {
        return events("message").stream().map(event -> event.getJsonNumber("seq").longValue()).toList();
    }

    void clear() {
        frames.clear();
    }
}
