package dev.keyhole.chat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A connection for room tests: records every frame queued for it, as parsed JSON, and lets a test wait for frames
 * that arrive from another thread (a cluster's rooms deliver asynchronously).
 */
public class RecordingConnection implements MemberConnection {

    private final String name;
    private final String subject;
    private final String issuer;
    private final Backlog backlog;
    private final List<String> frames = Collections.synchronizedList(new ArrayList<>());

    public RecordingConnection(String name) {
        this(name, new Backlog(1000, 1_000_000));
    }

    public RecordingConnection(String name, Backlog backlog) {
        this(name, "CN=" + name + ",O=Test", "CN=Test CA", backlog);
    }

    /** A connection with its own subject and issuer: two of the same CN are different identities. */
    public RecordingConnection(String name, String subject, String issuer, Backlog backlog) {
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
        synchronized (frames) {
            frames.add(frame);
            frames.notifyAll();
        }
        return true;
    }

    @Override
    public void flush() {
    }

    @Override
    public Backlog backlog() {
        return backlog;
    }

    public List<JsonObject> events() {
        synchronized (frames) {
            return frames.stream().map(frame -> Json.createReader(new StringReader(frame)).readObject()).toList();
        }
    }

    public List<JsonObject> events(String type) {
        return events().stream().filter(event -> event.getString("type").equals(type)).toList();
    }

    /** The sequence numbers of the message frames received, in order. */
    public List<Long> seqs() {
        return events("message").stream().map(event -> event.getJsonNumber("seq").longValue()).toList();
    }

    public void clear() {
        frames.clear();
    }

    /** Waits until at least {@code count} frames of the type arrived (at most ten seconds), and returns them all. */
    public List<JsonObject> await(String type, int count) {
        return awaitUntil(type + " x" + count, () -> events(type).size() >= count, () -> events(type));
    }

    /** Waits until a frame the test looks for arrived (at most ten seconds), and returns it. */
    public JsonObject await(String what, java.util.function.Predicate<JsonObject> frame) {
        return awaitUntil(what, () -> events().stream().anyMatch(frame),
                () -> events().stream().filter(frame).findFirst().orElseThrow());
    }

    private <T> T awaitUntil(String what, java.util.function.BooleanSupplier done, java.util.function.Supplier<T> result) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        synchronized (frames) {
            while (!done.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(name + ": waited in vain for " + what + "; got " + frames);
                }
                try {
                    frames.wait(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(left) + 1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
            return result.get();
        }
    }

    /** The frames received so far, as sent. */
    public List<String> frames() {
        synchronized (frames) {
            return List.copyOf(frames);
        }
    }
}
