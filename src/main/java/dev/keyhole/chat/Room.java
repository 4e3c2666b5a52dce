package dev.keyhole.chat;

import dev.keyhole.ws.TokenBucket;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
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
 * <p>Members are identities (issuer and subject), shown by their CN; while two members share a CN, both are shown
 * with their tag ({@code dev-user #3f9a1c}), and every event carries the tag, subject and issuer as well.
 *
 * <p>Presence: a join or leave is announced at once while the room's presence bucket has a token
 * ({@code keyhole.chat.presence-per-second}, bursts of {@code keyhole.chat.presence-burst}); beyond that, changes
 * are collected and announced together — one {@code changes} event naming who joined and who left — when the bucket
 * allows again ({@link #flushPresence}, called every second). A member who joins and leaves within that time is not
 * announced at all. A presence event lists every member only while the room has at most
 * {@link #PRESENCE_LIST_LIMIT}; clients keep the list from the welcome and the changes after it.
 *
 * <p>A room that has been {@linkplain #retire retired} (removed from its server's rooms) takes no more members:
 * {@link #join} answers null and the caller looks the room up again.
 *
 * <p>Methods return the connections to flush; the caller flushes them after the call, outside the lock.
 */
final class Room {

    /** Rooms up to this many members list them all in every presence event. */
    static final int PRESENCE_LIST_LIMIT = 100;

    /** A connection that joined: who to flush, and the sequence number its welcome carried. */
    record Joined(List<Participant> flush, long welcomeSeq) {
    }

    /** How fast presence events may go out. */
    record PresenceRate(int perSecond, int burst) {
    }

    private static final class Member {
        final String key;
        final String name;
        final String tag;
        final String subject;
        final String issuer;
        final List<Participant> connections = new ArrayList<>();

        Member(Participant first) {
            this.key = first.memberKey();
            this.name = first.name();
            this.tag = first.tag();
            this.subject = first.subject();
            this.issuer = first.issuer();
        }
    }

    /** How to bring a connection up to date: a resync (or null when the history is gapless) and the messages. */
    private record Catchup(ChatEvent.Resync resync, List<History.Entry> entries) {
    }

    private final RoomName name;
    private final String creatorKey;
    private final String epoch = UUID.randomUUID().toString();
    private final History history;
    private final Clock clock;
    private final TokenBucket presenceTokens;
    private final ChatEventEncoder encoder = new ChatEventEncoder();
    private final Map<String, Member> members = new LinkedHashMap<>();
    private final Map<String, Member> pendingJoined = new LinkedHashMap<>();
    /** Who left, as they were shown while still in the room. */
    private final Map<String, ChatEvent.Person> pendingLeft = new LinkedHashMap<>();
    /** How many members have each CN: a name held by more than one is shown with the tag. */
    private final Map<String, Integer> nameCounts = new HashMap<>();
    private long lastSeq;
    private boolean retired;
    private volatile Instant lastActivity;

    Room(RoomName name, String creatorKey, History history, PresenceRate presence, Clock clock,
            LongSupplier nanoTime) {
        this.name = Objects.requireNonNull(name, "name");
        this.creatorKey = creatorKey;
        this.history = history;
        this.clock = clock;
        this.presenceTokens = new TokenBucket(presence.perSecond(), presence.burst(), nanoTime);
        this.lastActivity = clock.instant();
    }

    /** For tests: presence never coalesced. */
    Room(RoomName name, History history, Clock clock) {
        this(name, null, history, new PresenceRate(1_000_000, 1_000_000), clock, System::nanoTime);
    }

    /**
     * Adds a connection: it gets the welcome, then the messages it missed (or a resync and the recent history),
     * then everything after. The other members learn of a new member.
     *
     * @return null when the room was retired: it takes no more members
     */
    synchronized Joined join(Participant joining, ResumePoint resume) {
        if (retired) {
            return null;
        }
        Instant now = clock.instant();
        lastActivity = now;
        history.prune(now);
        Member member = members.computeIfAbsent(joining.memberKey(), key -> {
            nameCounts.merge(joining.name(), 1, Integer::sum);
            return new Member(joining);
        });
        boolean newMember = member.connections.isEmpty();
        member.connections.add(joining);

        joining.enqueue(encoder.encode(new ChatEvent.Welcome(name.value(), person(member), memberNames(), people(),
                lastSeq, epoch, now)));
        if (resume != null) {
            Catchup catchup = catchup(joining, resume);
            if (catchup.resync() != null) {
                joining.enqueue(encoder.encode(catchup.resync()));
            }
            catchup.entries().forEach(entry -> joining.enqueue(entry.json()));
        }
        Set<Participant> flush = new LinkedHashSet<>(List.of(joining));
        if (newMember) {
            if (pendingLeft.remove(member.key) == null) {
                pendingJoined.put(member.key, member);
            }
            flush.addAll(announce(now, member.key));
        }
        return new Joined(new ArrayList<>(flush), lastSeq);
    }

    /**
     * Numbers a message, remembers it and queues it for every connection, the sender's included. A connection that
     * cannot take it (too far behind) leaves the room at once — its session is being closed as a slow consumer, and
     * the others should not wait for the container to notice before they learn that the member left.
     */
    synchronized Collection<Participant> post(Participant from, String text, String clientId) {
        Instant now = clock.instant();
        lastActivity = now;
        long seq = ++lastSeq;
        Member sender = members.get(from.memberKey());
        String fromName = sender == null ? from.name() : displayName(sender);
        String frame = encoder.encode(new ChatEvent.Message(name.value(), seq, fromName, from.tag(), text, now, clientId));
        history.add(History.Entry.of(seq, now, frame));
        Set<Participant> flush = new LinkedHashSet<>();
        List<Participant> dropped = new ArrayList<>();
        for (Member member : members.values()) {
            for (Participant connection : member.connections) {
                flush.add(connection);
                if (!connection.enqueue(frame)) {
                    dropped.add(connection);
                }
            }
        }
        for (Participant gone : dropped) {
            flush.addAll(remove(gone, now));
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
        Instant now = clock.instant();
        lastActivity = now;
        return remove(leaving, now);
    }

    /** Announces presence changes that were held back, when the presence bucket allows (called every second). */
    synchronized List<Participant> flushPresence() {
        return announce(clock.instant(), null);
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
        if (!members.isEmpty() || !evenWithHistory && !history.isEmpty()) {
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

    synchronized boolean hasMembers() {
        return !members.isEmpty();
    }

    synchronized long historyBytes() {
        return history.bytes();
    }

    /** When a member last joined, posted or left. */
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

    private List<Participant> remove(Participant leaving, Instant now) {
        Member member = members.get(leaving.memberKey());
        if (member == null || !member.connections.remove(leaving)) {
            return List.of();
        }
        if (!member.connections.isEmpty()) {
            return List.of();
        }
        ChatEvent.Person shownAs = person(member);
        members.remove(member.key);
        nameCounts.computeIfPresent(member.name, (cn, count) -> count > 1 ? count - 1 : null);
        if (pendingJoined.remove(member.key) == null) {
            pendingLeft.put(member.key, shownAs);
        }
        return announce(now, null);
    }

    /**
     * Sends the held-back presence changes if the bucket has a token: one change as a join or leave event (a join
     * not to the joiner, whose welcome says it), several as one {@code changes} event to everyone.
     */
    private List<Participant> announce(Instant now, String joinerKey) {
        int changes = pendingJoined.size() + pendingLeft.size();
        if (changes == 0 || !presenceTokens.tryTake()) {
            return List.of();
        }
        ChatEvent.Presence event;
        String except = null;
        if (changes == 1 && pendingJoined.size() == 1) {
            Member joined = pendingJoined.values().iterator().next();
            event = presence("join", person(joined), null, null, now);
            except = joined.key;
        } else if (changes == 1) {
            event = presence("leave", pendingLeft.values().iterator().next(), null, null, now);
        } else {
            event = presence("changes", null, pendingJoined.values().stream().map(this::person).toList(),
                    List.copyOf(pendingLeft.values()), now);
        }
        pendingJoined.clear();
        pendingLeft.clear();
        return deliverToOthers(encoder.encode(event), except);
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

    /** The newest entries whose count and UTF-8 size stay within the budget, oldest first. */
    private static List<History.Entry> newestWithin(List<History.Entry> entries, Participant.Backlog budget) {
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

    private List<Participant> deliverToOthers(String frame, String exceptMemberKey) {
        List<Participant> others = new ArrayList<>();
        members.forEach((key, member) -> {
            if (!key.equals(exceptMemberKey)) {
                for (Participant connection : member.connections) {
                    connection.enqueue(frame);
                    others.add(connection);
                }
            }
        });
        return others;
    }

    private ChatEvent.Presence presence(String event, ChatEvent.Person member, List<ChatEvent.Person> joined,
            List<ChatEvent.Person> left, Instant now) {
        return new ChatEvent.Presence(name.value(), event, member, joined, left, members.size(),
                members.size() <= PRESENCE_LIST_LIMIT ? memberNames() : null, now);
    }

    private ChatEvent.Person person(Member member) {
        return new ChatEvent.Person(displayName(member), member.tag, member.subject, member.issuer);
    }

    /** The CN, with the tag while another member of the room has the same CN. */
    private String displayName(Member member) {
        return nameCounts.getOrDefault(member.name, 0) > 1 ? member.name + " #" + member.tag : member.name;
    }

    private List<String> memberNames() {
        return members.values().stream().map(this::displayName).sorted().toList();
    }

    /** Every member in detail, in rooms of at most {@link #PRESENCE_LIST_LIMIT}; null in larger ones. */
    private List<ChatEvent.Person> people() {
        if (members.size() > PRESENCE_LIST_LIMIT) {
            return null;
        }
        return members.values().stream().map(this::person).sorted(Comparator.comparing(ChatEvent.Person::name)).toList();
    }
}
