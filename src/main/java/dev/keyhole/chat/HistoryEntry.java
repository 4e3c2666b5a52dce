package dev.keyhole.chat;

import dev.keyhole.ws.Utf8;
import java.time.Instant;

/**
 * One retained message: its sequence number, when it was posted, the JSON text every member received (so a client
 * that resumes gets exactly the same frame) and its size in UTF-8 bytes (the unit of the send queue).
 */
public record HistoryEntry(long seq, Instant time, String json, long bytes) {

    public static HistoryEntry of(long seq, Instant time, String json) {
        return new HistoryEntry(seq, time, json, Utf8.length(json));
    }
}
