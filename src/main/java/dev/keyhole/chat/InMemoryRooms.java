package dev.keyhole.chat;

import dev.keyhole.config.Setting;
import dev.keyhole.config.Settings;
import dev.keyhole.log.LogLine;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Rooms in this server's memory, within budgets that no one identity can exhaust for the others:
 * <ul>
 *   <li>{@code keyhole.chat.max-rooms} rooms with members. A room without members keeps its history only while its
 *       slot is not needed: creating a room at the limit retires the least recently active empty room.</li>
 *   <li>{@code keyhole.chat.max-rooms-per-identity} rooms created by one identity (issuer and subject) that still
 *       exist; at the quota, that identity's own empty rooms are retired first.</li>
 *   <li>{@code keyhole.chat.history-bytes} of history in all rooms together (and {@code history-bytes-per-room} in
 *       each); over it, the history of the least recently active empty room goes first, then the oldest messages of
 *       the rooms with the most.</li>
 * </ul>
 * A room is retired atomically under its own lock ({@link Room#retire}); a join that meets a retired room looks the
 * name up again, so no connection ever lands in a room that is no longer the room of its name. Once a second, rooms
 * announce presence changes they held back, and empty rooms whose history has aged out are retired.
 */
@ApplicationScoped
@Typed(InMemoryRooms.class)
public class InMemoryRooms implements Rooms {

    private static final Logger LOG = Logger.getLogger(InMemoryRooms.class.getName());
    /** An empty room this recent is likely a page being reloaded: its history goes last. */
    static final Duration RECENTLY_EMPTIED = Duration.ofSeconds(60);

    @Inject
    Settings settings;

    @Resource
    ManagedScheduledExecutorService scheduler;

    private final ConcurrentMap<String, Room> rooms = new ConcurrentHashMap<>();
    /** Guards room creation, so that the limits are checked against a stable count. */
    private final Object creation = new Object();
    /** Whether a thread is bringing the history back within its budget. */
    private final AtomicBoolean enforcing = new AtomicBoolean();
    private Clock clock = Clock.systemUTC();
    private LongSupplier nanoTime = System::nanoTime;
    private int maxRooms;
    private int maxRoomsPerIdentity;
    private int historyMessages;
    private long historyBytesPerRoom;
    private Duration historyAge;
    private Roster.PresenceRate presenceRate;
    private HistoryBudget budget;
    private ScheduledFuture<?> sweep;

    public InMemoryRooms() {
    }

    /** For tests: rooms without a container, on the given clocks; {@link #sweep} is called by the test. */
    InMemoryRooms(Settings settings, Clock clock, LongSupplier nanoTime) {
        this.settings = settings;
        this.clock = clock;
        this.nanoTime = nanoTime;
        configure();
    }

    InMemoryRooms(Settings settings, Clock clock) {
        this(settings, clock, System::nanoTime);
    }

    @PostConstruct
    void init() {
        configure();
        sweep = scheduler.scheduleWithFixedDelay(this::sweepSafely, 1, 1, TimeUnit.SECONDS);
    }

    private void configure() {
        maxRooms = settings.get(Setting.CHAT_MAX_ROOMS);
        maxRoomsPerIdentity = settings.get(Setting.CHAT_MAX_ROOMS_PER_IDENTITY);
        historyMessages = settings.get(Setting.CHAT_HISTORY_MESSAGES);
        historyBytesPerRoom = settings.get(Setting.CHAT_HISTORY_BYTES_PER_ROOM);
        historyAge = Duration.ofSeconds(settings.get(Setting.CHAT_HISTORY_SECONDS));
        presenceRate = new Roster.PresenceRate(settings.get(Setting.CHAT_PRESENCE_PER_SECOND),
                settings.get(Setting.CHAT_PRESENCE_BURST));
        budget = new HistoryBudget(settings.get(Setting.CHAT_HISTORY_BYTES));
    }

    @PreDestroy
    void stop() {
        if (sweep != null) {
            sweep.cancel(false);
        }
    }

    @Override
    public List<RoomStats> stats() {
        return rooms.values().stream().map(Room::stats).toList();
    }

    @Override
    public Membership join(RoomName name, MemberConnection connection, ResumePoint resume) {
        while (true) {
            Room room = roomFor(name, connection.memberKey());
            Room.Joined joined = room.join(connection, resume);
            if (joined == null) {
                rooms.remove(name.value(), room); // retired meanwhile: its name is free, look it up again
                continue;
            }
            joined.flush().forEach(MemberConnection::flush);
            return new RoomMembership(room, connection, joined.welcomeSeq());
        }
    }

    private Room roomFor(RoomName name, String creatorKey) {
        Room existing = rooms.get(name.value());
        if (existing != null) {
            return existing;
        }
        synchronized (creation) {
            existing = rooms.get(name.value());
            if (existing != null) {
                return existing;
            }
            makeRoomFor(creatorKey);
            Room room = new Room(name, creatorKey, new History(historyMessages, historyBytesPerRoom, historyAge, budget),
                    presenceRate, clock, nanoTime);
            rooms.put(name.value(), room);
            return room;
        }
    }

    /** A room and what it was when looked at: sorting on values other threads change could break the sort. */
    private record Snapshot(String name, Room room, Instant lastActivity, long historyBytes) {
        static Snapshot of(Map.Entry<String, Room> entry) {
            return new Snapshot(entry.getKey(), entry.getValue(), entry.getValue().lastActivity(),
                    entry.getValue().historyBytes());
        }
    }

    private List<Snapshot> snapshots(Comparator<Snapshot> order) {
        return rooms.entrySet().stream().map(Snapshot::of).sorted(order).toList();
    }

    /** Frees a slot for a new room of this creator, or refuses it. Called under the creation lock. */
    private void makeRoomFor(String creatorKey) {
        List<Snapshot> byAge = snapshots(Comparator.comparing(Snapshot::lastActivity));
        long mine = byAge.stream().filter(room -> room.room().createdBy(creatorKey)).count();
        for (Snapshot room : byAge) {
            if (mine < maxRoomsPerIdentity) {
                break;
            }
            if (room.room().createdBy(creatorKey) && room.room().joinedOnce() && retire(room.name(), room.room(), true)) {
                mine--;
            }
        }
        if (mine >= maxRoomsPerIdentity) {
            throw new RoomLimitException(true);
        }
        for (Snapshot room : byAge) {
            if (rooms.size() < maxRooms) {
                return;
            }
            if (room.room().joinedOnce()) { // not a room just created, whose first member is on its way
                retire(room.name(), room.room(), true);
            }
        }
        if (rooms.size() >= maxRooms) {
            throw new RoomLimitException(false);
        }
    }

    private boolean retire(String name, Room room, boolean evenWithHistory) {
        if (!room.retire(evenWithHistory)) {
            return false;
        }
        rooms.remove(name, room);
        return true;
    }

    /**
     * Brings the history of all rooms back within {@code keyhole.chat.history-bytes}, down to seven eighths of it so
     * that this runs once per several posts, not on each: first by retiring empty rooms, the least recently active
     * first (a room emptied in the last {@link #RECENTLY_EMPTIED} — a page being reloaded — only if nothing else is
     * left), then by dropping the oldest messages of the rooms that keep the most. One thread at a time; the others go
     * on posting.
     */
    private void keepHistoryWithinBudget() {
        if (budget.overBy() <= 0 || !enforcing.compareAndSet(false, true)) {
            return;
        }
        try {
            long target = budget.max() / 8;
            Instant recent = clock.instant().minus(RECENTLY_EMPTIED);
            List<Snapshot> byAge = snapshots(Comparator.comparing(Snapshot::lastActivity));
            for (boolean evenRecent : new boolean[] {false, true}) {
                for (Snapshot room : byAge) {
                    if (budget.overBy() + target <= 0) {
                        return;
                    }
                    if (evenRecent || room.lastActivity().isBefore(recent)) {
                        retire(room.name(), room.room(), true);
                    }
                }
            }
            for (Snapshot room : snapshots(Comparator.comparingLong(Snapshot::historyBytes).reversed())) {
                long over = budget.overBy() + target;
                if (over <= 0) {
                    return;
                }
                room.room().shedHistory(Math.min(over, room.historyBytes()));
            }
        } finally {
            enforcing.set(false);
        }
    }

    /** Once a second: presence held back is announced, empty rooms without history left are retired. */
    void sweep() {
        rooms.forEach((name, room) -> {
            room.flushPresence().forEach(MemberConnection::flush);
            retire(name, room, false);
        });
    }

    private void sweepSafely() {
        try {
            sweep();
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: log, and try again next time.
            LOG.log(Level.SEVERE, LogLine.event("chat.sweep-failed").with("error", e.getClass().getName()).toString(), e);
        }
    }

    int size() {
        return rooms.size();
    }

    long historyBytes() {
        return budget.used();
    }

    /** The room of a name now (tests). */
    Room current(String name) {
        return rooms.get(name);
    }

    final class RoomMembership implements Membership {
        private final Room room;
        private final MemberConnection connection;
        private final long welcomeSeq;

        RoomMembership(Room room, MemberConnection connection, long welcomeSeq) {
            this.room = room;
            this.connection = connection;
            this.welcomeSeq = welcomeSeq;
        }

        @Override
        public void post(String text, String clientId) {
            room.post(connection, text, clientId).forEach(MemberConnection::flush);
            keepHistoryWithinBudget();
        }

        @Override
        public void replay(long after, String epoch) {
            room.replay(connection, new ResumePoint(after, epoch), welcomeSeq).forEach(MemberConnection::flush);
        }

        @Override
        public void leave() {
            room.leave(connection).forEach(MemberConnection::flush);
            retire(room.name(), room, false);
        }

        /** The room this membership is in (tests). */
        Room room() {
            return room;
        }
    }
}
