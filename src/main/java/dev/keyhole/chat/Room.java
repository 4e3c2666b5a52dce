package dev.keyhole.chat;

import dev.keyhole.limits.TokenBucket;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * One chat room: it numbers messages, remembers the recent ones, and hands every message to every connection
 * exactly once, in sequence order. A message is encoded once and the same text is queued for every connection
 * while the room holds its lock — so the order is the same everywhere — and sent after the lock is released, so a
 * slow connection never holds the room. Joining is atomic with the backlog a resuming client missed: nothing is
 * lost between the two and nothing comes twice.
 *
 * <p>Members are identities (issuer and subject), shown by their CN; while two members share a CN (compared without
 * regard to case), both are shown with their tag ({@code dev-user #3f9a1c2b7d10}), and so is a CN that itself ends
 * like a tag. Every event carries the tag, subject and issuer as well.
 *
 * <p>Presence: a join or leave is announced at once while the room's presence bucket has a token
 * ({@code keyhole.chat.presence-per-second}, bursts of {@code keyhole.chat.presence-burst}); beyond that, the members
 * whose presence changed are collected and announced together when the bucket allows again ({@link #flushPresence},
 * called every second), each with where it stands <em>now</em>: one {@code changes} event listing who is in
 * ({@code joined}) and who is out ({@code left}). A client that applies joins and leaves as set operations ends with
 * the room's true member list whenever its welcome came — before, during or after the window — and a member who
 * joined and left in between costs one entry. A presence event lists every member only while the room has at most
 * {@link #PRESENCE_LIST_LIMIT}; clients keep the list from the welcome and the changes after it.
 *
 * <p>A room that has been {@linkplain #retire retired} (removed from its server's rooms) takes no more members:
 * {@link #join} answers null and the caller looks the room up again.
 *
 * <p>Methods return the connections to flush; the caller flushes them after the call, outside the lock.
 */
final class Room {

    /** A CN that ends like a display name with a tag: it is always shown with its own tag, so it cannot pass for another. */
    private static final Pattern LOOKS_TAGGED = Pattern.compile(".*#\\s*[0-9a-fA-F]{4,}\\s*");

    /** Rooms up to this many members list them all in every presence event. */
    static final int PRESENCE_LIST_LIMIT = 100;

    /** A connection that joined: who to flush, and the sequence number its welcome carried. */
    record Joined(List<MemberConnection> flush, long welcomeSeq) {
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
        final List<MemberConnection> connections = new ArrayList<>();

        Member(MemberConnection first) {
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
    /** Members whose presence changed since the last announcement, as they were last shown. */
    private final Map<String, ChatEvent.Person> changed = new LinkedHashMap<>();
    /** How many members have each CN: a name held by more than one is shown with the tag. */
    private final Map<String, Integer> nameCounts = new HashMap<>();
    private long lastSeq;
    private boolean retired;
    private boolean joinedOnce;
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
    synchronized Joined join(MemberConnection joining, ResumePoint resume) {
        if (retired) {
            return null;
        }
        joinedOnce = true;
        Instant now = clock.instant();
        lastActivity = now;
        history.prune(now);
        Member member = members.computeIfAbsent(joining.memberKey(), key -> {
            nameCounts.merge(fold(joining.name()), 1, Integer::sum);
            return new Member(joining);
        });
        boolean newMember = member.connections.isEmpty();
        member.connections.add(joining);

        joining.enqueue(encoder.encode(new ChatEvent.Welcome(name.value(), person(member), memberNames(), people(),
                lastSeq, epoch, now)));
        if (resume != null) {
            Catchup catchup = catchup(joining, resume, Long.MAX_VALUE);
            if (catchup.resync() != null) {
                joining.enqueue(encoder.encode(catchup.resync()));
            }
            catchup.entries().forEach(entry -> joining.enqueue(entry.json(), entry.bytes()));
        }
        Set<MemberConnection> flush = new LinkedHashSet<>(List.of(joining));
        if (newMember) {
            changed.put(member.key, person(member));
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
        Member sender = members.get(from.memberKey());
        if (retired || sender == null || !sender.connections.contains(from)) {
            return List.of(); // no longer a member (closed as a slow consumer, its close still on its way): nothing to post
        }
        Instant now = clock.instant();
        lastActivity = now;
        long seq = ++lastSeq;
        String frame = encoder.encode(new ChatEvent.Message(name.value(), seq, displayName(sender), from.tag(), text, now,
                clientId));
        History.Entry entry = History.Entry.of(seq, now, frame);
        history.add(entry);
        Set<MemberConnection> flush = new LinkedHashSet<>();
        List<MemberConnection> dropped = new ArrayList<>();
        for (Member member : members.values()) {
            for (MemberConnection connection : member.connections) {
                flush.add(connection);
                if (!connection.enqueue(frame, entry.bytes())) {
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
                    catchup.entries().stream().map(History.Entry::json).toList())));
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

    synchronized long historyBytes() {
        return history.bytes();
    }

    /** Whether anyone ever joined (a room is published just before its first member joins). */
    synchronized boolean joinedOnce() {
        return joinedOnce;
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

    private List<MemberConnection> remove(MemberConnection leaving, Instant now) {
        Member member = members.get(leaving.memberKey());
        if (member == null || !member.connections.remove(leaving)) {
            return List.of();
        }
        if (!member.connections.isEmpty()) {
            return List.of();
        }
        changed.put(member.key, person(member));
        members.remove(member.key);
        nameCounts.computeIfPresent(fold(member.name), (cn, count) -> count > 1 ? count - 1 : null);
        return announce(now);
    }

    /**
     * Announces the members whose presence changed, if the bucket has a token: one change as a join or leave event
     * (a join not to the joiner, whose welcome says it), several as one {@code changes} event to everyone, each member
     * where it stands now.
     */
    private List<MemberConnection> announce(Instant now) {
        if (changed.isEmpty() || !presenceTokens.tryTake()) {
            return List.of();
        }
        List<ChatEvent.Person> in = new ArrayList<>();
        List<ChatEvent.Person> out = new ArrayList<>();
        changed.forEach((key, shown) -> {
            Member member = members.get(key);
            if (member != null) {
                in.add(person(member));
            } else {
                out.add(shown);
            }
        });
        String onlyJoiner = changed.size() == 1 && in.size() == 1 ? changed.keySet().iterator().next() : null;
        changed.clear();
        ChatEvent.Presence event;
        if (onlyJoiner != null) {
            event = presence("join", in.get(0), null, null, now);
        } else if (in.isEmpty() && out.size() == 1) {
            event = presence("leave", out.get(0), null, null, now);
        } else {
            event = presence("changes", null, in, out, now);
        }
        return deliverToOthers(encoder.encode(event), onlyJoiner);
    }

    /** What brings a connection from {@code resume} to now, within its backlog budget. */
    private Catchup catchup(MemberConnection connection, ResumePoint resume, long upTo) {
        long oldest = history.oldestSeq(lastSeq);
        String reason = null;
        if (resume.epoch() != null && !resume.epoch().equals(epoch)) {
            reason = "restarted";
        } else if (resume.seq() > lastSeq) {
            reason = "unknown-sequence";
        } else if (resume.seq() + 1 < oldest) {
            reason = "outside-retention";
        }
        List<History.Entry> wanted = history.after(reason == null ? resume.seq() : Long.MIN_VALUE).stream()
                .filter(entry -> entry.seq() <= upTo).toList();
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
    private static List<History.Entry> newestWithin(List<History.Entry> entries, MemberConnection.Backlog budget) {
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

    private List<MemberConnection> deliverToOthers(String frame, String exceptMemberKey) {
        List<MemberConnection> others = new ArrayList<>();
        members.forEach((key, member) -> {
            if (!key.equals(exceptMemberKey)) {
                for (MemberConnection connection : member.connections) {
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

    /** The CN, with the tag while another member of the room has the same CN, or when the CN itself ends like a tag. */
    private String displayName(Member member) {
        boolean shared = nameCounts.getOrDefault(fold(member.name), 0) > 1;
        return shared || LOOKS_TAGGED.matcher(member.name).matches() ? member.name + " #" + member.tag : member.name;
    }

    /** CNs that differ only in case are the same name to a reader. */
    private static String fold(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    private List<String> memberNames() {
        return members.values().stream().map(this::displayName).sorted().toList();
    }

    /**
     * Every member: in detail in rooms of at most {@link #PRESENCE_LIST_LIMIT}, by name and tag only in larger ones
     * (a welcome to a room of 1,000 stays tens of KiB).
     */
    private List<ChatEvent.Person> people() {
        boolean detailed = members.size() <= PRESENCE_LIST_LIMIT;
        return members.values().stream()
                .map(member -> detailed ? person(member) : new ChatEvent.Person(displayName(member), member.tag, null, null))
                .sorted(Comparator.comparing(ChatEvent.Person::name)).toList();
    }
}
