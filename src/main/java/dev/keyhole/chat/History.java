package dev.keyhole.chat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * A room's recent messages, bounded by count, by UTF-8 bytes and by age, oldest first. Each is kept as the JSON text
 * every member received, so a client that resumes gets exactly the same frames. What it keeps is counted in the
 * server-wide {@link HistoryBudget}. Not thread-safe: its room guards it.
 */
final class History {

    private final int maxMessages;
    private final long maxBytes;
    private final Duration maxAge;
    private final HistoryBudget budget;
    private final ArrayDeque<HistoryEntry> entries = new ArrayDeque<>();
    private long bytes;

    History(int maxMessages, long maxBytes, Duration maxAge, HistoryBudget budget) {
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        this.maxAge = maxAge;
        this.budget = budget;
    }

    /** For tests: history without a byte limit of its own or a shared budget. */
    History(int maxMessages, Duration maxAge) {
        this(maxMessages, Long.MAX_VALUE, maxAge, new HistoryBudget(Long.MAX_VALUE));
    }

    void add(HistoryEntry entry) {
        entries.addLast(entry);
        bytes += entry.bytes();
        budget.add(entry.bytes());
        prune(entry.time());
    }

    /** Forgets what is over the count or the bytes, or older than the age limit. */
    void prune(Instant now) {
        while (entries.size() > maxMessages || bytes > maxBytes) {
            removeOldest();
        }
        Instant oldestKept = now.minus(maxAge);
        while (!entries.isEmpty() && entries.peekFirst().time().isBefore(oldestKept)) {
            removeOldest();
        }
    }

    /**
     * Forgets the oldest messages until at least {@code wanted} bytes are freed (or none is left).
     *
     * @return the bytes freed
     */
    long shed(long wanted) {
        long freed = 0;
        while (freed < wanted && !entries.isEmpty()) {
            freed += removeOldest();
        }
        return freed;
    }

    /** Forgets everything. */
    void clear() {
        shed(Long.MAX_VALUE);
    }

    private long removeOldest() {
        HistoryEntry oldest = entries.removeFirst();
        bytes -= oldest.bytes();
        budget.release(oldest.bytes());
        return oldest.bytes();
    }

    /** The sequence number of the oldest retained message, or {@code lastSeq + 1} when none is retained. */
    long oldestSeq(long lastSeq) {
        return entries.isEmpty() ? lastSeq + 1 : entries.peekFirst().seq();
    }

    /** The newest {@code newest} retained messages after {@code seq} and up to {@code upTo}, oldest first. */
    List<HistoryEntry> read(long seq, long upTo, int newest) {
        List<HistoryEntry> result = new ArrayList<>();
        Iterator<HistoryEntry> newestFirst = entries.descendingIterator();
        while (newestFirst.hasNext() && result.size() < newest) {
            HistoryEntry entry = newestFirst.next();
            if (entry.seq() <= seq) {
                break;
            }
            if (entry.seq() <= upTo) {
                result.add(entry);
            }
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

    long bytes() {
        return bytes;
    }
}
