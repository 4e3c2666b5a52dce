package dev.keyhole.chat;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * One chat room: it numbers messages, remembers the recent ones, and hands every message to every connection
 * exactly once, in sequence order. A message is encoded once and the same text is queued for every connection
 * while the room holds its lock — so the order is the same everywhere — and sent after the lock is released, so a
 * slow connection never holds the room. Joining is atomic with the backlog a resuming client missed: nothing is
 * lost between the two and nothing comes twice.
 *
 * <p>A presence event names the member who joined or left and the new count; it lists every member only while the
 * room has at most {@link #PRESENCE_LIST_LIMIT}. (A full list in every presence event costs each join O(members)
 * bytes for each of O(members) recipients: a room of 1,000 filling up would send gigabytes.) Clients keep the list
 * from the welcome and the joins and leaves after it.
 *
 * <p>Methods return the connections to flush; the caller flushes them after the call, outside the lock.
 */
final class Room {

    /** Rooms up to this many members list them all in every presence event. */
    static final int PRESENCE_LIST_LIMIT = 100;

    /** A connection that joined: who to flush, and the sequence number its welcome carried. */
    record Joined(List<Participant> flush, long welcomeSeq) {
    }

    private record Member(String name, List<Participant> connections) {
    }

    /** How to bring a connection up to date: a resync (or null when the history is gapless) and the messages. */
    private record Catchup(ChatEvent.Resync resync, List<History.Entry> entries) {
    }

    private final RoomName name;
    private final String epoch = UUID.randomUUID().toString();
    private final History history;
    private final Clock clock;
    private final ChatEventEncoder encoder = new ChatEventEncoder();
    private final Map<String, Member> members = new LinkedHashMap<>();
    private long lastSeq;

    Room(RoomName name, History history, Clock clock) {
        this.name = Objects.requireNonNull(name, "name");
        this.history = history;
        this.clock = clock;
    }

    /**
     * Adds a connection: it gets the welcome, then the messages it missed (or a resync and the recent history),
     * then everything after. The other members learn of a new member.
     */
    synchronized Joined join(Participant joining, ResumePoint resume) {
        Instant now = clock.instant();
        history.prune(now);
        Member member = members.computeIfAbsent(joining.memberKey(), key -> new Member(joining.name(), new ArrayList<>()));
        boolean newMember = member.connections().isEmpty();
        member.connections().add(joining);

        joining.enqueue(encoder.encode(new ChatEvent.Welcome(name.value(), joining.name(), joining.subject(), memberNames(),
                lastSeq, epoch, now)));
        if (resume != null) {
            Catchup catchup = catchup(joining, resume);
            if (catchup.resync() != null) {
                joining.enqueue(encoder.encode(catchup.resync()));
            }
            catchup.entries().forEach(entry -> joining.enqueue(entry.json()));
        }
        List<Participant> flush = new ArrayList<>(List.of(joining));
        if (newMember) {
            String presence = encoder.encode(presence("join", joining.name(), now));
            flush.addAll(deliverToOthers(presence, joining.memberKey()));
        }
        return new Joined(flush, lastSeq);
    }

    /**
     * Numbers a message, remembers it and queues it for every connection, the sender's included. A connection that
     * cannot take it (too far behind) leaves the room at once — its session is being closed as a slow consumer, and
     * the others should not wait for the container to notice before they learn that the member left.
     */
    synchronized Collection<Participant> post(Participant from, String text, String clientId) {
        Instant now = clock.instant();
        long seq = ++lastSeq;
        String frame = encoder.encode(new ChatEvent.Message(name.value(), seq, from.name(), text, now, clientId));
        history.add(new History.Entry(seq, now, frame));
        Set<Participant> flush = new LinkedHashSet<>();
        List<Participant> dropped = new ArrayList<>();
        for (Member member : members.values()) {
            for (Participant connection : member.connections()) {
                flush.add(connection);
                if (!connection.enqueue(frame)) {
                    dropped.add(connection);
                }
            }
        }
        for (Participant gone : dropped) {
            flush.addAll(remove(gone));
        }
        return flush;
    }

    /**
     * The answer to a resume command: the messages after {@code resume} that this connection did not receive live
     * (those up to {@code welcomeSeq}, the sequence number of its welcome) as one history frame, or a resync and the
     * recent history.
     */
    synchronized List<Participant> replay(Participant asking, ResumePoint resume, long welcomeSeq) {
        history.prune(clock.instant());
        Catchup catchup = catchup(asking, resume);
        if (catchup.resync() != null) {
            asking.enqueue(encoder.encode(catchup.resync()));
            catchup.entries().forEach(entry -> asking.enqueue(entry.json()));
        } else {
            List<String> missed = catchup.entries().stream().filter(entry -> entry.seq() <= welcomeSeq)
                    .map(History.Entry::json).toList();
            asking.enqueue(encoder.encode(new ChatEvent.History(name.value(), missed)));
        }
        return List.of(asking);
    }

    /** Removes a connection (again: no effect); when it was its member's last, the others learn that it left. */
    synchronized List<Participant> leave(Participant leaving) {
        return remove(leaving);
    }

    private List<Participant> remove(Participant leaving) {
        Member member = members.get(leaving.memberKey());
        if (member == null || !member.connections().remove(leaving)) {
            return List.of();
        }
        if (!member.connections().isEmpty()) {
            return List.of();
        }
        members.remove(leaving.memberKey());
        String presence = encoder.encode(presence("leave", leaving.name(), clock.instant()));
        return deliverToOthers(presence, leaving.memberKey());
    }

    /** Whether the room can be forgotten: nobody in it and nothing to resume. */
    synchronized boolean idle() {
        history.prune(clock.instant());
        return members.isEmpty() && history.isEmpty();
    }

    String epoch() {
        return epoch;
    }

    String name() {
        return name.value();
    }

    /** What brings a connection from {@code resume} to now, within its backlog budget. */
    private Catchup catchup(Participant connection, ResumePoint resume) {
        long oldest = history.oldestSeq(lastSeq);
        String reason = null;
        if (resume.epoch() != null && !resume.epoch().equals(epoch)) {
            reason = "restarted";
        } else if (resume.seq() > lastSeq) {
            reason = "unknown-sequence";
        } else if (resume.seq() + 1 < oldest) {
            reason = "outside-retention";
        }
        List<History.Entry> wanted = history.after(reason == null ? resume.seq() : Long.MIN_VALUE);
        List<History.Entry> fitting = newestWithin(wanted, connection.backlog());
        if (reason == null && fitting.size() < wanted.size()) {
            reason = "too-far-behind";
        }
        if (reason == null) {
            return new Catchup(null, fitting);
        }
        long first = fitting.isEmpty() ? lastSeq + 1 : fitting.get(0).seq();
        return new Catchup(new ChatEvent.Resync(name.value(), reason, first, lastSeq, epoch), fitting);
    }

    /** The newest entries whose count and size stay within the budget, oldest first. */
    private static List<History.Entry> newestWithin(List<History.Entry> entries, Participant.Backlog budget) {
        long bytes = 0;
        int start = entries.size();
        while (start > 0 && entries.size() - start < budget.messages()) {
            long size = entries.get(start - 1).json().length();
            if (bytes + size > budget.bytes()) {
                break;
            }
            bytes += size;
            start--;
        }
        return entries.subList(start, entries.size());
    }

    private List<Participant> deliverToOthers(String frame, String exceptMemberKey) {
        List<Participant> others = new ArrayList<>();
        members.forEach((key, member) -> {
            if (!key.equals(exceptMemberKey)) {
                for (Participant connection : member.connections()) {
                    connection.enqueue(frame);
                    others.add(connection);
                }
            }
        });
        return others;
    }

    private ChatEvent.Presence presence(String event, String member, Instant now) {
        return new ChatEvent.Presence(name.value(), event, member, members.size(),
                members.size() <= PRESENCE_LIST_LIMIT ? memberNames() : null, now);
    }

    private List<String> memberNames() {
        return members.values().stream().map(Member::name).sorted().toList();
    }
}
