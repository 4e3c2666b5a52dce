package dev.keyhole.chat;

import java.util.List;

/**
 * How to bring one connection from where its history ends to where the room is: the messages it missed, or — when
 * they cannot be continued without a gap — a resync saying why, and the newest messages that fit. Either way within
 * the connection's backlog budget. The same rules for a room on one server and for a room kept in a cluster.
 *
 * @param resync null when the connection's history continues without a gap
 * @param entries the messages to send, oldest first
 */
public record Catchup(ChatEvent.Resync resync, List<HistoryEntry> entries) {

    public Catchup {
        entries = List.copyOf(entries);
    }

    /** Reads a room's retained history. */
    @FunctionalInterface
    public interface HistoryReader {

        /** The newest {@code newest} retained messages with a sequence number in {@code (after, upTo]}, oldest first. */
        List<HistoryEntry> read(long after, long upTo, int newest);
    }

    /** Where the room stands: its epoch, last sequence number, and the oldest one it retains. */
    public record RoomState(String room, String epoch, long lastSeq, long oldestSeq) {
    }

    /**
     * Plans a catch-up from {@code resume} to the room's state, sending nothing after {@code upTo}.
     *
     * @param budget how much history the connection may be sent now
     */
    public static Catchup plan(RoomState room, ResumePoint resume, long upTo, MemberConnection.Backlog budget,
            HistoryReader history) {
        String reason = null;
        if (resume.epoch() != null && !resume.epoch().equals(room.epoch())) {
            reason = "restarted";
        } else if (resume.seq() > room.lastSeq()) {
            reason = "unknown-sequence";
        } else if (resume.seq() + 1 < room.oldestSeq()) {
            reason = "outside-retention";
        }
        // One more than the budget allows: then a catch-up that does not fit is told from one that just fits.
        List<HistoryEntry> wanted = history.read(reason == null ? resume.seq() : Long.MIN_VALUE, upTo,
                budget.messages() == Integer.MAX_VALUE ? Integer.MAX_VALUE : budget.messages() + 1);
        List<HistoryEntry> fitting = newestWithin(wanted, budget);
        if (reason == null && fitting.size() < wanted.size()) {
            reason = "too-far-behind";
        }
        if (reason == null) {
            return new Catchup(null, fitting);
        }
        long first = fitting.isEmpty() ? room.lastSeq() + 1 : fitting.get(0).seq();
        return new Catchup(new ChatEvent.Resync(room.room(), reason, first, room.lastSeq(), room.epoch()), fitting);
    }

    /** The newest entries whose count and UTF-8 size stay within the budget, oldest first. */
    private static List<HistoryEntry> newestWithin(List<HistoryEntry> entries, MemberConnection.Backlog budget) {
        long bytes = 0;
        int start = entries.size();
        while (start > 0 && entries.size() - start < budget.messages()) {
            long size = entries.get(start - 1).bytes() + 1; // + 1: the comma between messages of a history batch
            if (bytes + size > budget.bytes()) {
                break;
            }
            bytes += size;
            start--;
        }
        return entries.subList(start, entries.size());
    }

    /** The frames that bring the connection up to date on (re)joining: the resync, if any, then the messages. */
    public List<String> frames(ChatEventEncoder encoder) {
        List<String> frames = new java.util.ArrayList<>();
        if (resync != null) {
            frames.add(encoder.encode(resync));
        }
        entries.forEach(entry -> frames.add(entry.json()));
        return frames;
    }
}
