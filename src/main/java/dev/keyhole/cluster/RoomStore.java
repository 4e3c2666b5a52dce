package dev.keyhole.cluster;

import dev.keyhole.chat.ChatEventEncoder;
import dev.keyhole.chat.HistoryEntry;
import dev.keyhole.chat.Rooms;
import dev.keyhole.chat.Roster;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The rooms' data in Redis, as the node's rooms use it: join (creating the room within the cluster-wide limits),
 * post, read history, look at a room's state and presence, leave, refresh. Each call either answers within the
 * command timeout or fails with {@link Rooms.UnavailableException}; none blocks longer.
 */
final class RoomStore {

    /** The history caps and limits, the same settings as on one server. */
    record Limits(int historyMessages, long historyBytes, long historySeconds, int maxRooms, int maxRoomsPerIdentity,
            long presenceTtlMillis) {

        /** How long a room's keys outlive its last activity (refreshed while it has members). */
        long keyTtlMillis() {
            return historySeconds * 1000 + presenceTtlMillis;
        }
    }

    /** Where a room stands in Redis, and who is in it (every node's entries). */
    record State(String epoch, long lastSeq, long oldestSeq, List<PresenceEntry> presence) {

        boolean exists() {
            return !epoch.isEmpty();
        }
    }

    private final RedisLink redis;
    private final String prefix;
    private final String node;
    private final Limits limits;
    private final Clock clock;
    private final LuaScript joinScript = LuaScript.load("join");
    private final LuaScript postScript = LuaScript.load("post");
    private final LuaScript stateScript = LuaScript.load("state");
    private final LuaScript epochScript = LuaScript.load("epoch");

    RoomStore(RedisLink redis, String prefix, String node, Limits limits, Clock clock) {
        this.redis = redis;
        this.prefix = prefix;
        this.node = node;
        this.limits = limits;
        this.clock = clock;
    }

    String node() {
        return node;
    }

    RoomKeys keys(dev.keyhole.chat.RoomName room) {
        return new RoomKeys(prefix, room);
    }

    /**
     * Adds this node's entry for a member to the room, creating the room if it does not exist (within the limits).
     *
     * @throws Rooms.RoomLimitException when the room would be one too many
     */
    State join(RoomKeys room, Roster.Member member) {
        long now = clock.millis();
        String[] keys = {room.meta(), room.log(), room.members(), room.registry(), room.createdBy(sha256(member.key()))};
        List<Object> result = await(joinScript.run(commands(), keys, room.name(), prefix, Long.toString(now),
                UUID.randomUUID().toString(), member.key(), Integer.toString(limits.maxRooms()),
                Integer.toString(limits.maxRoomsPerIdentity()), new PresenceEntry(node, member).encode(),
                Long.toString(now + limits.presenceTtlMillis()), Long.toString(limits.keyTtlMillis()), room.channel(),
                Integer.toString(limits.historyMessages()), Long.toString(limits.historyBytes()),
                Long.toString(oldestKept(now))));
        String outcome = (String) result.get(0);
        if ("quota".equals(outcome) || "rooms".equals(outcome)) {
            throw new Rooms.RoomLimitException("quota".equals(outcome));
        }
        return state(result.subList(1, result.size()));
    }

    /** The room's state and presence now, after forgetting the history that aged out. */
    State state(RoomKeys room) {
        long now = clock.millis();
        return state(await(stateScript.run(commands(), new String[] {room.meta(), room.log(), room.members()},
                Long.toString(now), Integer.toString(limits.historyMessages()), Long.toString(limits.historyBytes()),
                Long.toString(oldestKept(now)))));
    }

    /** Starts a new epoch for the room, if its epoch is still {@code seen}. */
    void newEpoch(RoomKeys room, String seen) {
        await(epochScript.run(commands(), new String[] {room.meta()}, seen, UUID.randomUUID().toString()));
    }

    /** Posts a message; completes with its sequence number, or fails when Redis cannot take it now. */
    CompletionStage<Long> post(RoomKeys room, ChatEventEncoder.MessageTemplate message, Instant time) {
        long now = time.toEpochMilli();
        RedisAsyncCommands<String, String> commands;
        try {
            commands = commands();
        } catch (Rooms.UnavailableException e) {
            return CompletableFuture.failedFuture(e);
        }
        return postScript.runInOrder(commands, new String[] {room.meta(), room.log(), room.registry()}, room.name(),
                room.channel(), message.head(), message.tail(), Long.toString(now), UUID.randomUUID().toString(),
                Integer.toString(limits.historyMessages()), Long.toString(limits.historyBytes()),
                Long.toString(oldestKept(now)), Long.toString(limits.keyTtlMillis()))
                .whenComplete((result, error) -> {
                    if (error != null) {
                        redis.failed(error);
                    }
                    if (error instanceof RedisNoScriptException || error != null && error.getCause() instanceof RedisNoScriptException) {
                        loadScripts(); // Redis restarted since they were loaded: this post is refused, the next ones go
                    }
                })
                .thenApply(result -> (Long) result.get(1));
    }

    /** Loads the scripts into Redis, ahead of any call on the connection after this one (on every (re)connect). */
    void loadScripts() {
        try {
            RedisAsyncCommands<String, String> commands = redis.async();
            for (LuaScript script : List.of(joinScript, postScript, stateScript, epochScript)) {
                script.load(commands);
            }
        } catch (IllegalStateException notConnected) {
            // loaded when it connects
        }
    }

    /** The newest {@code newest} retained messages with a sequence number in {@code (after, upTo]}, oldest first. */
    List<HistoryEntry> read(RoomKeys room, long after, long upTo, int newest) {
        Range.Boundary<String> lower = after == Long.MIN_VALUE ? Range.Boundary.unbounded()
                : Range.Boundary.excluding(Math.max(0, after) + "-0");
        Range.Boundary<String> upper = upTo == Long.MAX_VALUE ? Range.Boundary.unbounded() : Range.Boundary.including(upTo + "-0");
        if (after >= upTo) {
            return List.of();
        }
        List<StreamMessage<String, String>> newestFirst = await(commands().xrevrange(room.log(), Range.from(lower, upper),
                newest == Integer.MAX_VALUE ? Limit.unlimited() : Limit.from(newest)));
        List<HistoryEntry> entries = new ArrayList<>(newestFirst.size());
        for (StreamMessage<String, String> message : newestFirst) {
            String frame = message.getBody().get("f");
            String time = message.getBody().get("t");
            if (frame != null && time != null) {
                entries.add(HistoryEntry.of(seqOf(message.getId()), Instant.ofEpochMilli(Long.parseLong(time)), frame));
            }
        }
        Collections.reverse(entries);
        return entries;
    }

    /** Removes this node's entry for a member that has no connection here any more, and tells the other nodes. */
    void left(RoomKeys room, Roster.Member member) {
        leftAll(room, List.of(member));
    }

    /**
     * Removes this node's entries for these members and tells the other nodes; completes when Redis has done it
     * (or failed: then the entries expire with the presence TTL).
     */
    CompletableFuture<?> leftAll(RoomKeys room, Collection<Roster.Member> members) {
        try {
            RedisAsyncCommands<String, String> commands = commands();
            String[] entries = members.stream().map(member -> new PresenceEntry(node, member).encode()).toArray(String[]::new);
            if (entries.length > 0) {
                commands.zrem(room.members(), entries);
            }
            return commands.publish(room.channel(), "p").toCompletableFuture();
        } catch (Rooms.UnavailableException | IllegalStateException e) {
            return CompletableFuture.completedFuture(null);
        }
    }

    /** Keeps this node's members present in the room, and the room's keys alive while it has members. */
    void refresh(RoomKeys room, Collection<Roster.Member> members) {
        long now = clock.millis();
        RedisAsyncCommands<String, String> commands = commands();
        for (Roster.Member member : members) {
            commands.zadd(room.members(), now + limits.presenceTtlMillis(), new PresenceEntry(node, member).encode());
        }
        for (String key : List.of(room.meta(), room.log(), room.members())) {
            commands.pexpire(key, limits.keyTtlMillis());
        }
        commands.zadd(room.registry(), now, room.name());
    }

    /** Subscribes to the room's channel. */
    void subscribe(RoomKeys room) {
        try {
            redis.subscribe(room.channel());
        } catch (Exception e) {
            throw unavailable(e);
        }
    }

    void unsubscribe(RoomKeys room) {
        redis.unsubscribe(room.channel());
    }

    private long oldestKept(long now) {
        return now - limits.historySeconds() * 1000;
    }

    private RedisAsyncCommands<String, String> commands() {
        if (!redis.connect()) {
            Rooms.UnavailableException unreachable = new Rooms.UnavailableException("Redis is not reachable",
                    new IllegalStateException("not connected to Redis"));
            redis.failed(unreachable);
            throw unreachable;
        }
        return redis.async();
    }

    private <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(redis.commandTimeout().toMillis() + 500, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Rooms.RoomLimitException limit) {
                throw limit;
            }
            throw unavailable(e.getCause());
        } catch (TimeoutException | RuntimeException e) {
            if (e instanceof Rooms.RoomLimitException limit) {
                throw limit;
            }
            throw unavailable(e);
        }
    }

    private Rooms.UnavailableException unavailable(Throwable cause) {
        redis.failed(cause);
        return cause instanceof Rooms.UnavailableException u ? u : new Rooms.UnavailableException("Redis did not answer", cause);
    }

    private static State state(List<Object> fields) {
        List<PresenceEntry> presence = new ArrayList<>();
        for (Object entry : fields.subList(3, fields.size())) {
            PresenceEntry.decode(String.valueOf(entry)).ifPresent(presence::add);
        }
        return new State(String.valueOf(fields.get(0)), ((Number) fields.get(1)).longValue(),
                ((Number) fields.get(2)).longValue(), presence);
    }

    private static long seqOf(String streamId) {
        int dash = streamId.indexOf('-');
        return Long.parseLong(dash < 0 ? streamId : streamId.substring(0, dash));
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
