package dev.keyhole.chat;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of history all rooms of this server retain together ({@code keyhole.chat.history-bytes}). Rooms add
 * and release what they keep; when the total is over the budget, {@link InMemoryRooms} frees history, the oldest idle
 * room's first. Thread-safe.
 */
final class HistoryBudget {

    private final long maxBytes;
    private final AtomicLong used = new AtomicLong();

    HistoryBudget(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    void add(long bytes) {
        used.addAndGet(bytes);
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    long max() {
        return maxBytes;
    }

    long used() {
        return used.get();
    }

    /** How many bytes over the budget the rooms are (zero or less: within it). */
    long overBy() {
        return used.get() - maxBytes;
    }
}
