package dev.keyhole.cluster;

import dev.keyhole.chat.ChatEvent;
import dev.keyhole.chat.ChatEventEncoder;
import dev.keyhole.chat.MemberConnection;
import dev.keyhole.chat.ResumePoint;
import dev.keyhole.chat.RoomName;
import dev.keyhole.chat.Rooms;
import dev.keyhole.chat.Roster;
import dev.keyhole.config.Setting;
import dev.keyhole.config.Settings;
import dev.keyhole.limits.TokenBucket;
import dev.keyhole.log.LogLine;
import dev.keyhole.ws.SessionRuntime;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Rooms shared by every node of a cluster through Redis ({@code keyhole.cluster.redis-uri}); see docs/cluster.md.
 * Redis numbers and keeps each room's messages (a Lua script per post: number, keep, publish — atomically); each
 * node subscribes to the rooms its connections are in and hands every message to them in Redis's order, catching
 * up from the room's stream whenever a message did not arrive. While Redis is unreachable a post is answered with
 * an {@code unavailable} error and a join is refused with 1013 {@code unavailable}; nothing waits without bound.
 *
 * <p>Once a second every room this node has is checked against Redis (a lost last message, presence that changed
 * on another node, a Redis that restarted) and its held-back presence announced; every third of the presence TTL
 * this node's members are marked present again.
 */
@ApplicationScoped
@Typed(RedisRooms.class)
public class RedisRooms implements Rooms {

    private static final Logger LOG = Logger.getLogger(RedisRooms.class.getName());

    @Inject
    Settings settings;

    @Resource
    ManagedScheduledExecutorService scheduler;

    @Resource
    ManagedExecutorService executor;

    @Inject
    Event<ClusterCommand> commands;

    @Inject
    SessionRuntime sessions;

    @Inject
    MeterRegistry registry;

    private final ConcurrentMap<String, Entry> rooms = new ConcurrentHashMap<>();
    private final ChatEventEncoder encoder = new ChatEventEncoder();
    /** At most a few log lines a second about Redis being unavailable, however many clients notice. */
    private final TokenBucket unavailableLogs = new TokenBucket(1, 5, System::nanoTime);
    private Clock clock = Clock.systemUTC();
    private RedisLink redis;
    private NodeDirectory directory;
    private NodeQuestions questions;
    /** Who hears the cluster's commands besides the CDI observers (tests). */
    final List<java.util.function.Consumer<ClusterCommand>> observers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private long lastAnnounce;
    private RoomStore store;
    private Roster.PresenceRate presenceRate;
    private String prefix;
    private long refreshEveryMillis;
    private volatile boolean listening;
    private ScheduledFuture<?> sweep;
    private volatile boolean stopped;
    /** Where each room's work runs (the container's managed executor). */
    private Executor work;
    private final Object reconnectSignal = new Object();
    /** Probes sent to this node's inbox and not back yet, by id. */
    private final ConcurrentMap<String, java.util.concurrent.CompletableFuture<Duration>> probes = new ConcurrentHashMap<>();
    private int reconnects;

    /**
     * A room on this node and the executor its work runs on, in order — at most {@link #MAX_QUEUED} tasks: beyond
     * that, messages from the channel are dropped here and the room catches up from Redis's stream instead (Redis
     * keeps them; the JVM does not pile them up). Checks, syncs and presence reads are queued once at a time.
     */
    private record Entry(ClusterRoom room, SerialExecutor work, AtomicBoolean checkQueued, AtomicBoolean syncQueued,
            AtomicBoolean presenceQueued) {

        Entry(ClusterRoom room, SerialExecutor work) {
            this(room, work, new AtomicBoolean(), new AtomicBoolean(), new AtomicBoolean());
        }

        /** Queues the task unless the same kind is waiting already. */
        void once(AtomicBoolean queued, Runnable task) {
            if (queued.compareAndSet(false, true)) {
                work.execute(() -> {
                    queued.set(false);
                    task.run();
                });
            }
        }
    }

    /** Tasks one room may have waiting before messages are left to the stream. */
    static final int MAX_QUEUED = 10_000;

    public RedisRooms() {
    }

    /** For tests: rooms on the given Redis, without a container; {@link #sweep} is called by the test. */
    RedisRooms(Settings settings, Executor executor, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.registry = new SimpleMeterRegistry();
        configure(executor);
    }

    @PostConstruct
    void init() {
        configure(executor);
        sweep = scheduler.scheduleWithFixedDelay(this::sweepSafely, 1, 1, TimeUnit.SECONDS);
    }

    private void configure(Executor executor) {
        this.work = executor;
        prefix = settings.get(Setting.CLUSTER_KEY_PREFIX);
        String host = hostName();
        String node = settings.get(Setting.CLUSTER_NODE_ID);
        if (node.isBlank()) {
            node = host + "-" + UUID.randomUUID().toString().substring(0, 8);
        }
        long presenceTtl = TimeUnit.SECONDS.toMillis(settings.get(Setting.CLUSTER_PRESENCE_TTL_SECONDS));
        refreshEveryMillis = presenceTtl / 3;
        presenceRate = new Roster.PresenceRate(settings.get(Setting.CHAT_PRESENCE_PER_SECOND),
                settings.get(Setting.CHAT_PRESENCE_BURST));
        RoomStore.Limits limits = new RoomStore.Limits(settings.get(Setting.CHAT_HISTORY_MESSAGES),
                settings.get(Setting.CHAT_HISTORY_BYTES_PER_ROOM), settings.get(Setting.CHAT_HISTORY_SECONDS),
                settings.get(Setting.CHAT_MAX_ROOMS), settings.get(Setting.CHAT_MAX_ROOMS_PER_IDENTITY), presenceTtl);
        String uri = settings.get(Setting.CLUSTER_REDIS_URI);
        RedisLink.validate(uri);
        redis = new RedisLink(new RedisLink.Options(uri, settings.get(Setting.CLUSTER_REDIS_CA_FILE),
                Duration.ofMillis(settings.get(Setting.CLUSTER_COMMAND_TIMEOUT_MILLIS)), settings.get(Setting.CLUSTER_REQUEST_QUEUE)),
                new Channels(), this::afterReconnect, registry);
        store = new RoomStore(redis, prefix, node, limits, clock);
        io.micrometer.core.instrument.Gauge.builder("keyhole.cluster.redis.up", redis, link -> link.up() ? 1 : 0)
                .description("1 while this node's connections to Redis are up, else 0").register(registry);
        directory = new NodeDirectory(redis, prefix, node, host, () -> sessions == null ? 0 : sessions.size(), clock,
                command -> {
                    if (NodeQuestions.ASK.equals(command.name())) {
                        questions.onAsk(command);
                        return;
                    }
                    if (commands != null) {
                        commands.fireAsync(command);
                    }
                    observers.forEach(observer -> observer.accept(command));
                });
        questions = new NodeQuestions(redis, directory, node);
        redis.onConnected(store::loadScripts);
        LOG.info(LogLine.event("cluster.start").with("node", node).with("redis", RedisLink.describe(uri)).toString());
        redis.onFirstConnect(this::listenForCommands);
        if (!RedisLink.encrypted(uri) && !RedisLink.loopback(uri)) {
            // Chosen explicitly, and said at start: messages and presence cross the network in clear text.
            LOG.warning(LogLine.event("cluster.insecure-redis").with("redis", RedisLink.describe(uri))
                    .with("advice", "use rediss:// between hosts").toString());
        }
        redis.connect();
    }

    /**
     * Leaves the cluster: this node's members are removed from every room's presence (the other nodes announce them
     * gone at once rather than after the presence TTL), then every Redis connection and thread is closed.
     */
    @PreDestroy
    void stop() {
        stopped = true;
        if (sweep != null) {
            sweep.cancel(false);
        }
        try {
            List<java.util.concurrent.CompletableFuture<?>> departures = new ArrayList<>();
            for (Entry entry : rooms.values()) {
                departures.add(store.leftAll(entry.room().keys(), entry.room().localMembers()));
            }
            java.util.concurrent.CompletableFuture.allOf(departures.toArray(java.util.concurrent.CompletableFuture[]::new))
                    .get(1, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.fine(() -> LogLine.event("cluster.leave-incomplete").with("error", e.getClass().getName()).toString());
        } finally {
            redis.close();
        }
    }

    @Override
    public List<RoomStats> stats() {
        return rooms.values().stream().map(entry -> entry.room().stats()).toList();
    }

    /** Sends a command to every node of the cluster, this one included ({@link ClusterCommand}, a CDI event on each). */
    public void broadcast(String command, java.util.Map<String, String> arguments) {
        if (!redis.connect()) {
            throw new UnavailableException("Redis is not reachable", null);
        }
        directory.publish(command, arguments);
    }

    /**
     * Checks that Redis answers and that its pub/sub delivers to this node: a message published to this node's own
     * inbox must come back within the timeout.
     *
     * @return completes with the round trip time, or fails (Redis unreachable, or the message did not come back)
     */
    public java.util.concurrent.CompletableFuture<Duration> probe(Duration timeout) {
        if (!listening || !redis.connect()) {
            return java.util.concurrent.CompletableFuture.failedFuture(new UnavailableException("Redis is not reachable", null));
        }
        String id = UUID.randomUUID().toString();
        long start = System.nanoTime();
        java.util.concurrent.CompletableFuture<Duration> back = new java.util.concurrent.CompletableFuture<>();
        probes.put(id, back);
        try {
            redis.async().publish(directory.inboxChannel(), "probe " + id);
        } catch (RuntimeException e) {
            back.completeExceptionally(e);
        }
        return back.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((rtt, error) -> probes.remove(id))
                .thenApply(arrived -> Duration.ofNanos(System.nanoTime() - start));
    }

    /**
     * Asks every node of the cluster, this one included, a question that {@link #answer} registered on each; completes
     * within the timeout with the answers that came and the listed nodes that stayed silent.
     */
    public java.util.concurrent.CompletableFuture<NodeQuestions.Answers> ask(String question,
            java.util.Map<String, String> arguments, Duration timeout) {
        if (!listening || !redis.connect()) {
            return java.util.concurrent.CompletableFuture.failedFuture(new UnavailableException("Redis is not reachable", null));
        }
        return questions.ask(question, arguments, timeout);
    }

    /**
     * A room as Redis holds it: its epoch, top sequence number, and retained history.
     *
     * @param epoch null when the room's keys are gone (it expired)
     */
    public record StoredRoom(String name, String epoch, long lastSeq, long historyMessages, long historyBytes) {
    }

    /** At most this many rooms in {@link #storedRooms()}: two commands each, on the connection chat posts use. */
    static final int MAX_STORED_ROOMS = 200;
    private java.util.concurrent.CompletableFuture<List<StoredRoom>> lastStoredRooms;
    private long lastStoredRoomsAt;

    /**
     * The most recently active rooms of the cluster (at most {@link #MAX_STORED_ROOMS}), as Redis holds them. One read
     * at a time, and its answer reused for two seconds: admin pages polling this never crowd out chat posts.
     */
    public synchronized java.util.concurrent.CompletableFuture<List<StoredRoom>> storedRooms() {
        long now = System.nanoTime();
        if (lastStoredRooms == null || now - lastStoredRoomsAt > TimeUnit.SECONDS.toNanos(2)) {
            lastStoredRoomsAt = now;
            lastStoredRooms = readStoredRooms(MAX_STORED_ROOMS);
        }
        return lastStoredRooms;
    }

    private java.util.concurrent.CompletableFuture<List<StoredRoom>> readStoredRooms(int limit) {
        if (!redis.connect()) {
            return java.util.concurrent.CompletableFuture.failedFuture(new UnavailableException("Redis is not reachable", null));
        }
        io.lettuce.core.api.async.RedisAsyncCommands<String, String> commands = redis.async();
        return commands.zrevrange(prefix + "rooms", 0, limit - 1L).toCompletableFuture().thenCompose(names -> {
            List<java.util.concurrent.CompletableFuture<StoredRoom>> rows = new ArrayList<>();
            for (String name : names) {
                java.util.Optional<dev.keyhole.chat.RoomName> parsed = dev.keyhole.chat.RoomName.parse(name);
                if (parsed.isEmpty()) {
                    continue;
                }
                RoomKeys keys = store.keys(parsed.get());
                java.util.concurrent.CompletableFuture<List<io.lettuce.core.KeyValue<String, String>>> meta =
                        commands.hmget(keys.meta(), "epoch", "seq", "bytes").toCompletableFuture();
                java.util.concurrent.CompletableFuture<Long> length = commands.xlen(keys.log()).toCompletableFuture();
                rows.add(meta.thenCombine(length, (fields, messages) -> new StoredRoom(name,
                        fields.get(0).getValueOrElse(null), Long.parseLong(fields.get(1).getValueOrElse("0")),
                        messages, Long.parseLong(fields.get(2).getValueOrElse("0")))));
            }
            return java.util.concurrent.CompletableFuture.allOf(rows.toArray(java.util.concurrent.CompletableFuture[]::new))
                    .thenApply(done -> rows.stream().map(java.util.concurrent.CompletableFuture::join).toList());
        }).orTimeout(redis.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** How this node answers a question from any node: its arguments in, a payload (JSON) out. */
    public void answer(String question, java.util.function.Function<java.util.Map<String, String>, String> responder) {
        questions.answer(question, responder);
    }

    /** A message to this node alone: a probe of its own coming back, or an answer to a question it asked. */
    private void onInbox(String message) {
        if (questions.onInbox(message)) {
            return;
        }
        if (message.startsWith("probe ")) {
            java.util.concurrent.CompletableFuture<Duration> waiting = probes.get(message.substring(6));
            if (waiting != null) {
                waiting.complete(Duration.ZERO);
            }
        }
    }

    /** Subscribes to the control channel (again from the sweep until it worked: commands must not be missed). */
    private void listenForCommands() {
        try {
            redis.subscribe(directory.controlChannel());
            redis.subscribe(directory.inboxChannel());
            listening = true;
        } catch (Exception e) {
            logUnavailable("control", e);
        }
    }

    /** This node's name in the cluster. */
    public String node() {
        return store.node();
    }

    @Override
    public Membership join(RoomName name, MemberConnection connection, ResumePoint resume) {
        while (true) {
            Entry entry = rooms.computeIfAbsent(name.value(),
                    key -> new Entry(new ClusterRoom(store.keys(name), store, presenceRate, clock), new SerialExecutor(work)));
            ClusterRoom.Joined joined;
            try {
                joined = entry.room().join(connection, resume);
            } catch (UnavailableException e) {
                forgetIfRetired(entry);
                logUnavailable("join", e);
                throw e;
            } catch (RuntimeException e) {
                forgetIfRetired(entry);
                throw e;
            }
            if (joined == null) {
                rooms.remove(name.value(), entry); // its last connection here left meanwhile: look it up again
                continue;
            }
            joined.flush().forEach(MemberConnection::flush);
            return new ClusterMembership(entry, connection);
        }
    }

    private void forgetIfRetired(Entry entry) {
        if (entry.room().retired()) {
            rooms.remove(entry.room().keys().name(), entry);
        }
    }

    /** Once a second: every room checked against Redis, presence held back announced, this node's presence refreshed. */
    void sweep() {
        sweep(false);
    }

    /**
     * The sweep; {@code inline} (tests): on the calling thread, done when this returns. Presence is refreshed here,
     * without the room's lock, whatever the room is busy with; announcing held-back presence and the check against
     * Redis are queued behind the room's work (once: a check already waiting is enough).
     */
    void sweep(boolean inline) {
        if (!redis.connect()) {
            return;
        }
        if (!listening) {
            listenForCommands();
        }
        long now = clock.millis();
        if (now - lastAnnounce >= NodeDirectory.LISTED_MILLIS / 3) {
            lastAnnounce = now;
            directory.announce();
        }
        for (Entry entry : rooms.values()) {
            entry.room().refresh(now, refreshEveryMillis);
            Runnable check = () -> {
                flush(entry.room().flushPresence());
                flush(entry.room().check());
            };
            if (inline) {
                check.run();
            } else {
                entry.once(entry.checkQueued, () -> guarded("sweep", check));
            }
        }
    }

    private void sweepSafely() {
        try {
            sweep();
        } catch (UnavailableException e) {
            logUnavailable("sweep", e);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, LogLine.event("cluster.sweep-failed").with("error", e.getClass().getName()).toString(), e);
        }
    }

    /** What a reconnect does to every room, on the calling thread (tests). */
    void syncNow() {
        rooms.values().forEach(entry -> flush(entry.room().sync()));
    }

    /** How many times Redis came back after it had been unreachable (tests wait for it). */
    int reconnects() {
        synchronized (reconnectSignal) {
            return reconnects;
        }
    }

    /** Waits until Redis came back at least {@code count} times in all. */
    void awaitReconnects(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (reconnectSignal) {
            while (reconnects < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("Redis did not come back within " + timeout);
                }
                reconnectSignal.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
            }
        }
    }

    /** Redis is back (maybe empty): subscribe again, and bring every room up to date at once. */
    private void afterReconnect() {
        synchronized (reconnectSignal) {
            reconnects++;
            reconnectSignal.notifyAll();
        }
        List<String> channels = new ArrayList<>(rooms.values().stream().map(entry -> entry.room().keys().channel()).toList());
        channels.add(directory.controlChannel());
        channels.add(directory.inboxChannel());
        redis.resubscribe(channels);
        lastAnnounce = 0;
        try {
            directory.announce(); // at once: a Redis that came back empty lists no node, and admin questions go by the list
        } catch (RuntimeException e) {
            logUnavailable("announce", e); // the sweep announces within a second
        }
        for (Entry entry : rooms.values()) {
            entry.room().refreshSoon();
            entry.once(entry.syncQueued, () -> guarded("reconnect", () -> flush(entry.room().sync())));
        }
    }

    private void flush(Collection<MemberConnection> connections) {
        connections.forEach(MemberConnection::flush);
    }

    private void logUnavailable(String action, Throwable error) {
        if (unavailableLogs.tryTake()) {
            Throwable cause = error.getCause() != null ? error.getCause() : error;
            LOG.warning(LogLine.event("cluster.unavailable").with("action", action).with("error", cause.getClass().getName())
                    .toString());
        }
    }

    /** Messages and presence changes from the channels of this node's rooms, each handed to its room's executor. */
    private final class Channels extends RedisPubSubAdapter<String, String> {

        @Override
        public void message(String channel, String message) {
            if (channel.equals(directory.controlChannel())) {
                work.execute(() -> directory.onControl(message));
                return;
            }
            if (channel.equals(directory.inboxChannel())) {
                onInbox(message);
                return;
            }
            String roomPrefix = prefix + "room:";
            if (!channel.startsWith(roomPrefix)) {
                return;
            }
            Entry entry = rooms.get(channel.substring(roomPrefix.length()));
            if (entry == null) {
                return;
            }
            boolean timed = message.startsWith("n ");
            if (timed || message.startsWith("m ")) {
                // "n EPOCH SEQ POSTED-AT-MILLIS FRAME" (post.lua), or "m EPOCH SEQ FRAME" from a node of the version
                // before (during a rolling upgrade)
                int epochEnd = message.indexOf(' ', 2);
                int seqEnd = epochEnd < 0 ? -1 : message.indexOf(' ', epochEnd + 1);
                int timeEnd = !timed || seqEnd < 0 ? seqEnd : message.indexOf(' ', seqEnd + 1);
                if (timeEnd < 0) {
                    return;
                }
                String epoch = message.substring(2, epochEnd);
                long seq;
                long postedAt;
                try {
                    seq = Long.parseLong(message.substring(epochEnd + 1, seqEnd));
                    postedAt = timed ? Long.parseLong(message.substring(seqEnd + 1, timeEnd)) : 0;
                } catch (NumberFormatException e) {
                    return;
                }
                String frame = message.substring(timeEnd + 1);
                if (entry.work().queued() >= MAX_QUEUED) {
                    // Too far behind: this message is read from the stream with the others when the room catches up.
                    entry.once(entry.syncQueued, () -> guarded("deliver", () -> flush(entry.room().sync())));
                    return;
                }
                entry.work().execute(() -> guarded("deliver", () -> flush(entry.room().onMessage(epoch, seq, postedAt, frame))));
            } else if ("p".equals(message)) {
                entry.once(entry.presenceQueued, () -> guarded("presence", () -> flush(entry.room().presence())));
            }
        }
    }

    private void guarded(String action, Runnable task) {
        if (stopped) {
            return;
        }
        try {
            task.run();
        } catch (UnavailableException e) {
            logUnavailable(action, e); // the sweep tries again within a second
        }
    }

    /** One connection's place in a room of the cluster. */
    final class ClusterMembership implements Membership {
        private final Entry entry;
        private final MemberConnection connection;

        ClusterMembership(Entry entry, MemberConnection connection) {
            this.entry = entry;
            this.connection = connection;
        }

        @Override
        public void post(String text, String clientId) {
            String from = entry.room().senderName(connection);
            if (from == null) {
                return; // no longer in the room (closed as a slow consumer, its close on its way)
            }
            Instant now = clock.instant();
            ChatEventEncoder.MessageTemplate message = encoder.template(new ChatEvent.Message(entry.room().keys().name(), 0,
                    from, connection.tag(), text, now, clientId));
            store.post(entry.room().keys(), message, now).whenComplete((seq, error) -> {
                if (error != null) {
                    logUnavailable("post", error);
                    entry.work().execute(() -> refuse(clientId)); // not on Redis's I/O thread: a full outbox closes
                }
            });
        }

        @Override
        public void replay(long after, String epoch) {
            try {
                flush(entry.room().replay(connection, new ResumePoint(after, epoch)));
            } catch (UnavailableException e) {
                logUnavailable("resume", e);
                refuse(null);
            }
        }

        @Override
        public void leave() {
            flush(entry.room().leave(connection));
            forgetIfRetired(entry);
        }

        private void refuse(String clientId) {
            connection.enqueue(encoder.encode(new ChatEvent.Error("unavailable",
                    "the room cannot be reached right now; try again", clientId)));
            connection.flush();
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "node";
        }
    }
}
