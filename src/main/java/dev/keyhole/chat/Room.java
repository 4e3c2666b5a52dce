package dev.keyhole.chat;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * One chat room: it numbers messages, remembers the recent ones, and hands every message to every connection
 * exactly once, in sequence order. A message is encoded once and the same text is queued for every connection
 * while the room holds its lock — so the order is the same everywhere — and sent after the lock is released, so a
 * slow connection never holds the room. Joining is atomic with the backlog a resuming client missed: nothing is
 * lost between the two and nothing comes twice.
 *
 * <p>Who is in the room, how they are shown and how presence is announced is the {@link Roster}'s: a join or leave
 * is announced at once while the room's presence bucket has a token ({@code keyhole.chat.presence-per-second},
 * bursts of {@code keyhole.chat.presence-burst}); beyond that, changes are coalesced and announced by
 * {@link #flushPresence}, called every second.
 *
 * <p>A room that has been {@linkplain #retire retired} (removed from its server's rooms) takes no more members:
 * {@link #join} answers null and the caller looks the room up again.
 *
 * <p>Methods return the connections to flush; the caller flushes them after the call, outside the lock.
 */
final class Room {

    /** A connection that joined: who to flush, and the sequence number its welcome carried. */
    record Joined(List<MemberConnection> flush, long welcomeSeq) {
    }

    private final RoomName name;
    private final String creatorKey;
    private final String epoch = UUID.randomUUID().toString();
    private final History history;
    private final Clock clock;
    private final Roster roster;
    private final ChatEventEncoder encoder = new ChatEventEncoder();
    /** Each member's connections, by member key. */
    private final Map<String, List<MemberConnection>> connections = new LinkedHashMap<>();
    private long lastSeq;
    private boolean retired;
    private boolean joinedOnce;
    private volatile Instant lastActivity;

    Room(RoomName name, String creatorKey, History history, Roster.PresenceRate presence, Clock clock,
            LongSupplier nanoTime) {
        this.name = Objects.requireNonNull(name, "name");
        this.creatorKey = creatorKey;
        this.history = history;
        this.clock = clock;
        this.roster = new Roster(name, presence, nanoTime);
        this.lastActivity = clock.instant();
    }

    /** For tests: presence never coalesced. */
    Room(RoomName name, History history, Clock clock) {
        this(name, null, history, new Roster.PresenceRate(1_000_000, 1_000_000), clock, System::nanoTime);
    }

    /**
     * Adds a connection: it gets the welcome, then the messages it missed (or a resync and the recent history),
     * then everything after. The other members learn of a new member.
     *
     * @return null when the room was retired: it takes no more members
     */
    synchronized Joined join(MemberConnection joining, ResumePoint resume) {
        if (retired) {
            return null;
        }
        joinedOnce = true;
        Instant now = clock.instant();
        lastActivity = now;
        history.prune(now);
        Roster.Member member = Roster.Member.of(joining);
        boolean newMember = roster.add(member);
        connections.computeIfAbsent(member.key(), key -> new ArrayList<>()).add(joining);

        joining.enqueue(encoder.encode(roster.welcome(roster.member(member.key()).orElseThrow(), lastSeq, epoch, now)));
        if (resume != null) {
            Catchup catchup = catchup(joining, resume, Long.MAX_VALUE);
            if (catchup.resync() != null) {
                joining.enqueue(encoder.encode(catchup.resync()));
            }
            catchup.entries().forEach(entry -> joining.enqueue(entry.json(), entry.bytes()));
        }
        Set<MemberConnection> flush = new LinkedHashSet<>(List.of(joining));
        if (newMember) {
            flush.addAll(announce(now));
        }
        return new Joined(new ArrayList<>(flush), lastSeq);
    }

    /**
     * Numbers a message, remembers it and queues it for every connection, the sender's included. A connection that
     * cannot take it (too far behind) leaves the room at once — its session is being closed as a slow consumer, and
     * the others should not wait for the container to notice before they learn that the member left.
     */
    synchronized Collection<MemberConnection> post(MemberConnection from, String text, String clientId) {
        List<MemberConnection> senders = connections.get(from.memberKey());
        if (retired || senders == null || !senders.contains(from)) {
            return List.of(); // no longer a member (closed as a slow consumer, its close still on its way): nothing to post
        }
        Instant now = clock.instant();
        lastActivity = now;
        long seq = ++lastSeq;
        Roster.Member sender = roster.member(from.memberKey()).orElseThrow();
        String frame = encoder.encode(new ChatEvent.Message(name.value(), seq, roster.displayName(sender), from.tag(), text,
                now, clientId));
        HistoryEntry entry = HistoryEntry.of(seq, now, frame);
        history.add(entry);
        Set<MemberConnection> flush = new LinkedHashSet<>();
        List<MemberConnection> dropped = new ArrayList<>();
        long postedAt = now.toEpochMilli();
        for (List<MemberConnection> member : connections.values()) {
            for (MemberConnection connection : member) {
                flush.add(connection);
                if (!connection.enqueue(frame, entry.bytes(), postedAt)) {
                    dropped.add(connection);
                }
            }
        }
        for (MemberConnection gone : dropped) {
            flush.addAll(remove(gone, now));
        }
        return flush;
    }

    /**
     * The answer to a resume command: the messages after {@code resume} that this connection did not receive live
     * (those up to {@code welcomeSeq}, the sequence number of its welcome) as one history frame, or a resync and the
     * recent history.
     */
    synchronized List<MemberConnection> replay(MemberConnection asking, ResumePoint resume, long welcomeSeq) {
        history.prune(clock.instant());
        // Only what came before the welcome: everything after it was delivered live.
        Catchup catchup = catchup(asking, resume, welcomeSeq);
        if (catchup.resync() != null) {
            asking.enqueue(encoder.encode(catchup.resync()));
            catchup.entries().forEach(entry -> asking.enqueue(entry.json(), entry.bytes()));
        } else {
            asking.enqueue(encoder.encode(new ChatEvent.History(name.value(),
                    catchup.entries().stream().map(HistoryEntry::json).toList())));
        }
        return List.of(asking);
    }

    /** Removes a connection (again: no effect); when it was its member's last, the others learn that it left. */
    synchronized List<MemberConnection> leave(MemberConnection leaving) {
        Instant now = clock.instant();
        lastActivity = now;
        return remove(leaving, now);
    }

    /** Announces presence changes that were held back, when the presence bucket allows (called every second). */
    synchronized List<MemberConnection> flushPresence() {
        return announce(clock.instant());
    }

    /**
     * Retires the room if nobody is in it and — unless {@code evenWithHistory} — it has no history to resume: it
     * forgets its history and takes no more members. The caller removes it from its server's rooms.
     *
     * @return whether the room is retired (now or before)
     */
    synchronized boolean retire(boolean evenWithHistory) {
        if (retired) {
            return true;
        }
        history.prune(clock.instant());
        if (!joinedOnce && !evenWithHistory) {
            return false; // just created: its first member is on its way (the sweep leaves it alone)
        }
        if (!connections.isEmpty() || !evenWithHistory && !history.isEmpty()) {
            return false;
        }
        history.clear();
        retired = true;
        return true;
    }

    /** Forgets the oldest messages until {@code bytes} are freed; returns the bytes freed. */
    synchronized long shedHistory(long bytes) {
        return history.shed(bytes);
    }

    synchronized long historyBytes() {
        return history.bytes();
    }

    /** Whether anyone ever joined (a room is published just before its first member joins). */
    synchronized boolean joinedOnce() {
        return joinedOnce;
    }

    /** When a member last joined, posted or left. */
    synchronized Rooms.RoomStats stats() {
        int open = connections.values().stream().mapToInt(List::size).sum();
        return new Rooms.RoomStats(name.value(), roster.size(), open, epoch, lastSeq, history.size(), history.bytes());
    }

    Instant lastActivity() {
        return lastActivity;
    }

    /** Whether the identity with this key created the room (its first member). */
    boolean createdBy(String memberKey) {
        return Objects.equals(creatorKey, memberKey);
    }

    String epoch() {
        return epoch;
    }

    String name() {
        return name.value();
    }

    private List<MemberConnection> remove(MemberConnection leaving, Instant now) {
        List<MemberConnection> member = connections.get(leaving.memberKey());
        if (member == null || !member.remove(leaving)) {
            return List.of();
        }
        if (!member.isEmpty()) {
            return List.of();
        }
        connections.remove(leaving.memberKey());
        roster.remove(leaving.memberKey());
        return announce(now);
    }

    /** Sends the presence changes the roster announces now, if any. */
    private List<MemberConnection> announce(Instant now) {
        return roster.announce(now).map(a -> deliverToOthers(encoder.encode(a.event()), a.exceptKey())).orElse(List.of());
    }

    /** What brings a connection from {@code resume} to now, within its backlog budget. */
    private Catchup catchup(MemberConnection connection, ResumePoint resume, long upTo) {
        Catchup.RoomState state = new Catchup.RoomState(name.value(), epoch, lastSeq, history.oldestSeq(lastSeq));
        return Catchup.plan(state, resume, upTo, connection.backlog(), history::read);
    }

    private List<MemberConnection> deliverToOthers(String frame, String exceptMemberKey) {
        List<MemberConnection> others = new ArrayList<>();
        connections.forEach((key, member) -> {
            if (!key.equals(exceptMemberKey)) {
                for (MemberConnection connection : member) {
                    connection.enqueue(frame);
                    others.add(connection);
                }
            }
        });
        return others;
    }
}
