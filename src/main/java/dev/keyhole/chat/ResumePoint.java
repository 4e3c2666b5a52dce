package dev.keyhole.chat;

/**
 * Where a client's history of a room ends: after sequence number {@code seq}, in the room instance {@code epoch}
 * (null when the client does not know it; a room that restarted has a new epoch).
 */
public record ResumePoint(long seq, String epoch) {
}
