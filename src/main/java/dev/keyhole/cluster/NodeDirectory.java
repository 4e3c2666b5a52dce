package dev.keyhole.cluster;

import dev.keyhole.log.LogLine;
import io.lettuce.core.api.async.RedisAsyncCommands;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.logging.Logger;

/**
 * The cluster's nodes and their control channel. Every few seconds each node announces itself in Redis — a hash
 * {@code node:<id>} with its address, start time and open connections, expiring unless announced again — and every
 * node listens on the channel {@code control} for commands to all nodes ({@link ClusterCommand}, as JSON:
 * {@code {"command":"disconnect","arguments":{...},"from":"node-a"}}).
 */
final class NodeDirectory {

    private static final Logger LOG = Logger.getLogger(NodeDirectory.class.getName());
    private static final JsonProvider JSON = JsonProvider.provider();
    /** How long a node stays listed after its last announcement. */
    static final long LISTED_MILLIS = 15_000;

    private final RedisLink redis;
    private final String prefix;
    private final String node;
    private final String address;
    private final Instant started;
    private final IntSupplier connections;
    private final Clock clock;
    private final Consumer<ClusterCommand> onCommand;

    NodeDirectory(RedisLink redis, String prefix, String node, String address, IntSupplier connections, Clock clock,
            Consumer<ClusterCommand> onCommand) {
        this.redis = redis;
        this.prefix = prefix;
        this.node = node;
        this.address = address;
        this.started = clock.instant();
        this.connections = connections;
        this.clock = clock;
        this.onCommand = onCommand;
    }

    String controlChannel() {
        return prefix + "control";
    }

    /** The channel of messages to this node alone (probes of its own, answers to its questions). */
    String inboxChannel() {
        return inboxPrefix() + node + ":inbox";
    }

    /** What every node's inbox channel starts with: answers go to no other channel. */
    String inboxPrefix() {
        return prefix + "node:";
    }

    /** The nodes that announced themselves recently, this one included once it has; fails when Redis does not answer. */
    java.util.concurrent.CompletableFuture<List<String>> listed() {
        return redis.async().zrangebyscore(prefix + "nodes",
                io.lettuce.core.Range.create(clock.millis() - LISTED_MILLIS, Double.POSITIVE_INFINITY))
                .toCompletableFuture();
    }

    /** Says in Redis that this node is up, and how busy (best effort: a missed announcement expires nothing yet). */
    void announce() {
        RedisAsyncCommands<String, String> commands = redis.async();
        String key = prefix + "node:" + node;
        commands.hset(key, Map.of("address", address, "started", started.toString(),
                "connections", Integer.toString(connections.getAsInt()), "seen", clock.instant().toString()));
        commands.pexpire(key, LISTED_MILLIS);
        commands.zadd(prefix + "nodes", clock.millis(), node);
        commands.zremrangebyscore(prefix + "nodes", io.lettuce.core.Range.create(0, clock.millis() - LISTED_MILLIS));
    }

    /** Sends a command to every node, this one included. */
    void publish(String name, Map<String, String> arguments) {
        JsonObjectBuilder args = JSON.createObjectBuilder();
        arguments.forEach(args::add);
        String message = JSON.createObjectBuilder().add("command", name).add("arguments", args).add("from", node).build()
                .toString();
        redis.async().publish(controlChannel(), message);
    }

    /** A message on the control channel: a command fired to this node's observers, anything else logged and dropped. */
    void onControl(String message) {
        ClusterCommand command;
        try {
            JsonObject json = JSON.createReader(new StringReader(message)).readObject();
            Map<String, String> arguments = new LinkedHashMap<>();
            JsonObject args = json.getJsonObject("arguments");
            if (args != null) {
                for (Map.Entry<String, JsonValue> argument : args.entrySet()) {
                    if (argument.getValue() instanceof JsonString text) {
                        arguments.put(argument.getKey(), text.getString());
                    }
                }
            }
            command = new ClusterCommand(json.getString("command"), arguments, json.getString("from", "-"));
        } catch (JsonException | ClassCastException | NullPointerException | IllegalStateException e) {
            LOG.warning(LogLine.event("cluster.command-invalid").with("bytes", message.length()).toString());
            return;
        }
        ClusterCommand received = command;
        java.util.logging.Level level = NodeQuestions.ASK.equals(command.name())
                ? java.util.logging.Level.FINE // questions come every few seconds while an admin page is open
                : java.util.logging.Level.INFO;
        LOG.log(level, () -> LogLine.event("cluster.command").with("command", received.name())
                .with("from", received.from()).toString());
        onCommand.accept(command);
    }
}
