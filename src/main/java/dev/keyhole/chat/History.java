package dev.keyhole.chat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * A room's recent messages, bounded by count and by age, oldest first. Each is kept as the JSON text every member
 * received, so a client that resumes gets exactly the same frames. Not thread-safe: its room guards it.
 */
final class History {

    /** One retained message. */
    record Entry(long seq, Instant time, String json) {
    }

    private final int maxMessages;
    private final Duration maxAge;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();

    History(int maxMessages, Duration maxAge) {
        this.maxMessages = maxMessages;
        this.maxAge = maxAge;
    }

    void add(Entry entry) {
        entries.addLast(entry);
        prune(entry.time());
    }

    /** Forgets what is over the count or older than the age limit. */
    void prune(Instant now) {
        while (entries.size() > maxMessages) {
            entries.removeFirst();
        }
        Instant oldestKept = now.minus(maxAge);
        while (!entries.isEmpty() && entries.peekFirst().time().isBefore(oldestKept)) {
            entries.removeFirst();
        }
    }

    /** The sequence number of the oldest retained message, or {@code lastSeq + 1} when none is retained. */
    long oldestSeq(long lastSeq) {
        return entries.isEmpty() ? lastSeq + 1 : entries.peekFirst().seq();
    }

    /** The retained messages after {@code seq}, oldest first. */
    List<Entry> after(long seq) {
        List<Entry> result = new ArrayList<>();
        Iterator<Entry> newestFirst = entries.descendingIterator();
        while (newestFirst.hasNext()) {
            Entry entry = newestFirst.next();
            if (entry.seq() <= seq) {
                break;
            }
            result.add(entry);
        }
        Collections.reverse(result);
        return result;
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    int size() {
        return entries.size();
    }
}
