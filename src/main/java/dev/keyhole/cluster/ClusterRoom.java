package dev.keyhole.cluster;

import dev.keyhole.chat.Catchup;
import dev.keyhole.chat.ChatEvent;
import dev.keyhole.chat.ChatEventEncoder;
import dev.keyhole.chat.HistoryEntry;
import dev.keyhole.chat.MemberConnection;
import dev.keyhole.chat.ResumePoint;
import dev.keyhole.chat.Rooms;
import dev.keyhole.chat.Roster;
import dev.keyhole.ws.Utf8;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A room of the cluster as this node sees it: this node's connections in it, each with how far its history
 * reaches (epoch and sequence number), and the room's roster across all nodes.
 *
 * <p>Messages come from the room's Redis channel in the order Redis numbered them. A message that continues every
 * connection's history (sequence number one more, same epoch) is queued for each of them, encoded once. Anything
 * else — a sequence number that skips (pub/sub lost one), another epoch (Redis restarted empty), a message of a
 * room this node had not heard of — makes the room catch up from Redis's stream instead ({@link #sync}): each
 * connection gets exactly what it misses, or a {@code resync} saying why it cannot, never a silent gap. The same
 * happens when the sweep finds the room's last sequence number ahead of a connection (the last message lost), and
 * after Redis came back.
 *
 * <p>Every method runs under the room's lock, on one thread at a time; those that talk to Redis wait at most the
 * command timeout. They return the connections to flush, which the caller flushes outside the lock.
 */
final class ClusterRoom {

    /** One of this node's connections, and where its history ends. */
    private static final class Local {
        final MemberConnection connection;
        /** Up to where its history came before live messages: the welcome, or where it was last caught up. */
        long welcomeSeq;
        String epoch;
        long seq;
        /** Where it was when a check last found it behind Redis: still there at the next check, it catches up. */
        String behindEpoch;
        long behindSeq = -1;
        /** The frame of message {@code seq} as it was delivered here (null when none was): what Redis must still hold. */
        String lastFrame;

        Local(MemberConnection connection, String epoch, long seq) {
            this.connection = connection;
            this.welcomeSeq = seq;
            this.epoch = epoch;
            this.seq = seq;
        }
    }

    /** A connection that joined: who to flush. */
    record Joined(List<MemberConnection> flush) {
    }

    private final RoomKeys keys;
    private final RoomStore store;
    private final Clock clock;
    private final Roster roster;
    private final ChatEventEncoder encoder = new ChatEventEncoder();
    /** This node's connections, by member key. */
    private final Map<String, List<Local>> locals = new LinkedHashMap<>();
    /** The members other nodes have in the room, by key, as last read from Redis. */
    private Map<String, Roster.Member> remote = Map.of();
    private boolean subscribed;
    private volatile boolean retired;
    private volatile long lastRefresh;
    /** This node's members in the room, for the sweep's refresh, read without the lock. */
    private volatile List<Roster.Member> here = List.of();
    /** This node's connections and the members' display names, read without the lock by posts. */
    private final Set<MemberConnection> present = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** What {@link #stats()} reads without the lock. */
    private volatile int statMembers;
    private volatile int statConnections;
    private volatile String statEpoch;
    private volatile long statSeq;
    private volatile Map<String, String> names = Map.of();

    ClusterRoom(RoomKeys keys, RoomStore store, Roster.PresenceRate presence, Clock clock) {
        this.keys = keys;
        this.store = store;
        this.clock = clock;
        this.roster = new Roster(keys.room(), presence, System::nanoTime);
    }

    RoomKeys keys() {
        return keys;
    }

    /**
     * Adds a connection: the room's state is read and this node's presence written in one script; the connection
     * gets the welcome, then what it missed since {@code resume} (or a resync), then every later message.
     *
     * @return null when the room was retired (its last connection here left meanwhile): look it up again
     * @throws dev.keyhole.chat.Rooms.UnavailableException when Redis does not answer
     * @throws dev.keyhole.chat.Rooms.RoomLimitException when the room would be one too many
     */
    synchronized Joined join(MemberConnection joining, ResumePoint resume) {
        if (retired) {
            return null;
        }
        if (!subscribed) {
            store.subscribe(keys); // before the state is read: nothing published after it can be missed
            subscribed = true;
        }
        Roster.Member member = Roster.Member.of(joining);
        RoomStore.State state;
        try {
            state = store.join(keys, member);
        } catch (RuntimeException e) {
            retireIfEmpty();
            throw e;
        }
        try {
            return joined(joining, member, resume, state);
        } catch (RuntimeException e) {
            // Redis failed half-way (a read after the join): no trace of this connection stays, here or in Redis.
            remove(joining, clock.instant());
            if (!locals.containsKey(member.key()) && !remote.containsKey(member.key())) {
                store.left(keys, member);
                roster.remove(member.key());
                announce(clock.instant());
            }
            retireIfEmpty();
            throw e;
        }
    }

    private Joined joined(MemberConnection joining, Roster.Member member, ResumePoint resume, RoomStore.State state) {
        Instant now = clock.instant();
        Set<MemberConnection> flush = new LinkedHashSet<>();
        boolean others = !locals.isEmpty();
        roster.add(member);
        flush.addAll(applyPresence(state.presence(), now));
        Local local = new Local(joining, state.epoch(), state.lastSeq());
        seen(state.epoch(), state.lastSeq());
        joining.enqueue(encoder.encode(roster.welcome(roster.member(member.key()).orElseThrow(), state.lastSeq(),
                state.epoch(), now)));
        if (resume != null) {
            catchUp(local, resume, state);
        }
        locals.computeIfAbsent(member.key(), key -> new ArrayList<>()).add(local);
        present.add(joining);
        updateHere();
        flush.add(joining);
        flush.addAll(announce(now));
        if (others && locals.values().stream().flatMap(List::stream).anyMatch(l -> !l.epoch.equals(state.epoch()))) {
            flush.addAll(sync()); // Redis restarted under the connections already here: bring them over now
        }
        return new Joined(new ArrayList<>(flush));
    }

    /**
     * The room as this node sees it — members as last read, this node's connections, the furthest number delivered —
     * read without the room's lock (a metrics scrape or an admin question never waits for a room that waits for Redis).
     */
    Rooms.RoomStats stats() {
        return new Rooms.RoomStats(keys.name(), statMembers, statConnections, statEpoch, statSeq, -1, -1);
    }

    /** Takes the counts for {@link #stats()}; under the lock, whenever the roster or the connections changed. */
    private void restat() {
        statMembers = roster.size();
        statConnections = locals.values().stream().mapToInt(List::size).sum();
    }

    /** Notes the furthest message delivered here, for {@link #stats()}. */
    private void seen(String epoch, long seq) {
        if (!epoch.equals(statEpoch) || seq > statSeq) {
            statEpoch = epoch;
            statSeq = seq;
        }
    }

    /** A message from the room's channel. */
    synchronized Collection<MemberConnection> onMessage(String epoch, long seq, long postedAtMillis, String frame) {
        if (retired) {
            return List.of();
        }
        boolean gap = false;
        for (List<Local> member : locals.values()) {
            for (Local local : member) {
                if (!local.epoch.equals(epoch) || seq > local.seq + 1) {
                    gap = true;
                }
            }
        }
        if (gap) {
            return sync();
        }
        long bytes = Utf8.length(frame);
        Set<MemberConnection> flush = new LinkedHashSet<>();
        List<Local> dropped = new ArrayList<>();
        for (List<Local> member : locals.values()) {
            for (Local local : member) {
                if (seq == local.seq + 1) {
                    local.seq = seq;
                    local.lastFrame = frame;
                    flush.add(local.connection);
                    if (!local.connection.enqueue(frame, bytes, postedAtMillis)) {
                        dropped.add(local);
                    }
                }
            }
        }
        seen(epoch, seq);
        for (Local gone : dropped) {
            flush.addAll(remove(gone.connection, clock.instant()));
        }
        return flush;
    }

    /**
     * Brings every connection to where the room stands in Redis, and the roster to who is in it: the messages a
     * connection misses if they can all be sent, else a resync and the newest that fit. Called on a gap (the
     * channel skipped a sequence number or changed epoch) and after Redis came back — when what is missing will not
     * come on the channel.
     */
    synchronized Collection<MemberConnection> sync() {
        return catchUp(false);
    }

    /**
     * The sweep's check: the roster brought up to date, and a connection that is behind Redis caught up only if it
     * was already behind at the last check and has not moved since — a message still on its way on the channel is
     * not mistaken for a lost one.
     */
    synchronized Collection<MemberConnection> check() {
        return catchUp(true);
    }

    /** Another node's member came or went: the roster brought up to date. */
    synchronized Collection<MemberConnection> presence() {
        if (retired || locals.isEmpty()) {
            return List.of();
        }
        return applyPresence(store.state(keys).presence(), clock.instant());
    }

    private Collection<MemberConnection> catchUp(boolean onlyStalled) {
        if (retired || locals.isEmpty()) {
            return List.of();
        }
        RoomStore.State state = store.state(keys);
        Instant now = clock.instant();
        Set<MemberConnection> flush = new LinkedHashSet<>(applyPresence(state.presence(), now));
        if (!state.exists()) {
            return flush; // gone from Redis (restarted empty, or expired): the next post starts it again, in a new epoch
        }
        if (rolledBack(state) || !onlyStalled && diverged(state)) {
            // Redis lost messages it had published (restored from an older snapshot, failed over to a replica that was
            // behind): the same numbers would now be given to other messages. The room starts a new epoch, so that
            // every member, here and on the other nodes, is told (resync restarted) instead of silently skipping.
            store.newEpoch(keys, state.epoch());
            state = store.state(keys);
            onlyStalled = false;
        }
        Map<List<Long>, List<HistoryEntry>> reads = new HashMap<>();
        Catchup.HistoryReader reader = (after, upTo, newest) -> reads.computeIfAbsent(List.of(after, upTo, (long) newest),
                key -> store.read(keys, after, upTo, newest));
        List<Local> dropped = new ArrayList<>();
        for (List<Local> member : locals.values()) {
            for (Local local : member) {
                if (local.epoch.equals(state.epoch()) && local.seq >= state.lastSeq()) {
                    local.behindSeq = -1;
                    continue;
                }
                boolean stalled = local.epoch.equals(local.behindEpoch) && local.seq == local.behindSeq;
                if (onlyStalled && !stalled) {
                    local.behindEpoch = local.epoch;
                    local.behindSeq = local.seq;
                    continue;
                }
                local.behindSeq = -1;
                flush.add(local.connection);
                if (!catchUp(local, new ResumePoint(local.seq, local.epoch), state, reader)) {
                    dropped.add(local);
                }
            }
        }
        for (Local gone : dropped) {
            flush.addAll(remove(gone.connection, now));
        }
        return flush;
    }

    /**
     * Answers a resume command: the messages after {@code resume} up to the connection's welcome (later ones came
     * live) as one history frame, or a resync and the recent history.
     */
    synchronized Collection<MemberConnection> replay(MemberConnection asking, ResumePoint resume) {
        Local local = find(asking);
        if (local == null) {
            return List.of();
        }
        RoomStore.State state = store.state(keys);
        Catchup catchup = Catchup.plan(roomState(state), resume, local.welcomeSeq, asking.backlog(),
                (after, upTo, newest) -> store.read(keys, after, upTo, newest));
        if (catchup.resync() != null) {
            asking.enqueue(encoder.encode(catchup.resync()));
            catchup.entries().forEach(entry -> asking.enqueue(entry.json(), entry.bytes()));
        } else {
            asking.enqueue(encoder.encode(new ChatEvent.History(keys.name(),
                    catchup.entries().stream().map(HistoryEntry::json).toList())));
        }
        return List.of(asking);
    }

    /**
     * The display name a message of this connection's member carries now, or null when it is no longer here. Read
     * without the room's lock, which may be waiting for Redis: a post never queues behind it.
     */
    String senderName(MemberConnection from) {
        return present.contains(from) ? names.get(from.memberKey()) : null;
    }

    /** Removes a connection (again: no effect); when it was its member's last here, Redis and the others learn it. */
    synchronized Collection<MemberConnection> leave(MemberConnection leaving) {
        return remove(leaving, clock.instant());
    }

    /** Announces presence changes that were held back, when the presence bucket allows (called every second). */
    synchronized Collection<MemberConnection> flushPresence() {
        return announce(clock.instant());
    }

    /**
     * Keeps this node's members present in Redis, when {@code everyMillis} passed since the last time (called by the
     * sweep, whatever the room is busy with: members of a busy room must not expire).
     */
    void refresh(long now, long everyMillis) {
        List<Roster.Member> members = here;
        if (!retired && !members.isEmpty() && now - lastRefresh >= everyMillis) {
            store.refresh(keys, members); // without the lock, which a room waiting for Redis may hold
            lastRefresh = now;
        }
    }

    /** Forgets when presence was last refreshed: the next sweep refreshes it (Redis came back, maybe empty). */
    void refreshSoon() {
        lastRefresh = 0;
    }

    /** This node's members, as it leaves the cluster: their presence entries are removed. */
    List<Roster.Member> localMembers() {
        return here;
    }

    private void updateHere() {
        here = locals.keySet().stream().map(key -> roster.member(key).orElseThrow()).toList();
        restat();
    }

    /** Whether the room was retired: it has no connection here and is no longer subscribed. */
    synchronized boolean retired() {
        return retired;
    }

    /** Forgets the room on this node when no connection is left in it. */
    private void retireIfEmpty() {
        if (locals.isEmpty() && !retired) {
            retired = true;
            if (subscribed) {
                store.unsubscribe(keys);
            }
        }
    }

    private List<MemberConnection> remove(MemberConnection leaving, Instant now) {
        List<Local> member = locals.get(leaving.memberKey());
        if (member == null || !member.removeIf(local -> local.connection == leaving)) {
            return List.of();
        }
        present.remove(leaving);
        if (!member.isEmpty()) {
            return List.of();
        }
        locals.remove(leaving.memberKey());
        updateHere();
        Roster.Member gone = roster.member(leaving.memberKey()).orElse(Roster.Member.of(leaving));
        store.left(keys, gone);
        List<MemberConnection> flush = new ArrayList<>();
        if (!remote.containsKey(gone.key())) {
            roster.remove(gone.key());
            flush.addAll(announce(now));
        }
        retireIfEmpty();
        return flush;
    }

    /** Takes in who the other nodes have in the room: members who came are added, members who went removed. */
    private List<MemberConnection> applyPresence(List<PresenceEntry> presence, Instant now) {
        Map<String, Roster.Member> others = new LinkedHashMap<>();
        for (PresenceEntry entry : presence) {
            if (!entry.node().equals(store.node())) {
                others.putIfAbsent(entry.member().key(), entry.member());
            }
        }
        for (Roster.Member member : others.values()) {
            roster.add(member);
        }
        for (String key : remote.keySet()) {
            if (!others.containsKey(key) && !locals.containsKey(key)) {
                roster.remove(key);
            }
        }
        remote = others;
        return announce(now);
    }

    /** Whether a connection here has seen a message of this epoch that Redis no longer has. */
    private boolean rolledBack(RoomStore.State state) {
        return locals.values().stream().flatMap(List::stream)
                .anyMatch(local -> local.epoch.equals(state.epoch()) && local.seq > state.lastSeq());
    }

    /**
     * Whether Redis now holds, under a number a connection here has seen, another message than the one it was
     * given: Redis lost messages and new posts have taken their numbers again (a count alone cannot tell once they
     * caught up). Checked when the room catches up — after a gap and after Redis came back.
     */
    private boolean diverged(RoomStore.State state) {
        Map<Long, String> seen = new HashMap<>();
        for (List<Local> member : locals.values()) {
            for (Local local : member) {
                if (local.epoch.equals(state.epoch()) && local.lastFrame != null && local.seq <= state.lastSeq()) {
                    seen.putIfAbsent(local.seq, local.lastFrame);
                }
            }
        }
        for (Map.Entry<Long, String> delivered : seen.entrySet()) {
            List<HistoryEntry> held = store.read(keys, delivered.getKey() - 1, delivered.getKey(), 1);
            if (!held.isEmpty() && !held.get(0).json().equals(delivered.getValue())) {
                return true; // (not held any more: trimmed by age or count, nothing to compare)
            }
        }
        return false;
    }

    /** Queues the catch-up from {@code resume} to the room's state; returns false when the connection was full. */
    private boolean catchUp(Local local, ResumePoint resume, RoomStore.State state, Catchup.HistoryReader reader) {
        Catchup catchup = Catchup.plan(roomState(state), resume, state.lastSeq(), local.connection.backlog(), reader);
        if (!state.epoch().equals(local.epoch)) {
            local.welcomeSeq = state.lastSeq(); // a resume command asks only for what came before this, in this epoch
        }
        local.epoch = state.epoch();
        local.seq = state.lastSeq();
        seen(state.epoch(), state.lastSeq());
        List<HistoryEntry> entries = catchup.entries();
        local.lastFrame = entries.isEmpty() || entries.get(entries.size() - 1).seq() != state.lastSeq() ? null
                : entries.get(entries.size() - 1).json();
        boolean fits = true;
        if (catchup.resync() != null) {
            fits = local.connection.enqueue(encoder.encode(catchup.resync()));
        }
        for (HistoryEntry entry : catchup.entries()) {
            fits &= local.connection.enqueue(entry.json(), entry.bytes());
        }
        return fits;
    }

    private void catchUp(Local local, ResumePoint resume, RoomStore.State state) {
        catchUp(local, resume, state, (after, upTo, newest) -> store.read(keys, after, upTo, newest));
    }

    private Catchup.RoomState roomState(RoomStore.State state) {
        return new Catchup.RoomState(keys.name(), state.epoch(), state.lastSeq(), state.oldestSeq());
    }

    private List<MemberConnection> announce(Instant now) {
        restat();
        Map<String, String> current = new HashMap<>();
        for (String key : roster.keys()) {
            roster.member(key).ifPresent(member -> current.put(key, roster.displayName(member)));
        }
        names = Map.copyOf(current);
        return roster.announce(now).map(a -> deliverToOthers(encoder.encode(a.event()), a.exceptKey())).orElse(List.of());
    }

    private List<MemberConnection> deliverToOthers(String frame, String exceptMemberKey) {
        List<MemberConnection> others = new ArrayList<>();
        locals.forEach((key, member) -> {
            if (!key.equals(exceptMemberKey)) {
                for (Local local : member) {
                    local.connection.enqueue(frame);
                    others.add(local.connection);
                }
            }
        });
        return others;
    }

    private Local find(MemberConnection connection) {
        List<Local> member = locals.get(connection.memberKey());
        if (member == null) {
            return null;
        }
        return member.stream().filter(local -> local.connection == connection).findFirst().orElse(null);
    }

    @Override
    public String toString() {
        return "ClusterRoom[" + Objects.toString(keys.name()) + "]";
    }
}
