package dev.keyhole.cluster;

import io.lettuce.core.metrics.MicrometerCommandLatencyRecorder;
import io.lettuce.core.metrics.MicrometerOptions;
import io.micrometer.core.instrument.MeterRegistry;

import dev.keyhole.log.LogLine;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubListener;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.io.File;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The node's two connections to Redis — one for commands, one for subscriptions — configured for failure: every
 * command has a timeout, commands are refused at once while Redis is unreachable (never queued without bound),
 * a command in flight when the connection broke is failed rather than sent again (a post could otherwise be
 * numbered twice), and a bounded number of commands may wait. Lettuce reconnects by itself; the rooms hear of it
 * ({@code onReconnect}) and catch up. Closing it stops every thread it started.
 */
final class RedisLink implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RedisLink.class.getName());

    /** What the link needs to know. */
    record Options(String uri, String caFile, Duration commandTimeout, int requestQueue) {
    }

    private final ClientResources resources;
    private final RedisClient client;
    private final Options options;
    private final RedisPubSubListener<String, String> listener;
    private final AtomicBoolean reachable = new AtomicBoolean(true);
    private final MeterRegistry failures;
    private volatile boolean closing;
    private volatile boolean commandsUp = true;
    private volatile boolean pubsubUp = true;
    private final Object connecting = new Object();
    private volatile StatefulRedisConnection<String, String> commands;
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;
    private volatile long lastAttempt;
    private volatile Runnable onConnected = () -> { };
    private volatile Runnable onFirstConnect = () -> { };

    RedisLink(Options options, RedisPubSubListener<String, String> listener, Runnable onReconnect, MeterRegistry registry) {
        this.options = options;
        this.listener = listener;
        this.failures = registry;
        // Lettuce times every command (lettuce_command_completion_seconds by command and Redis address): a summary,
        // no histogram and no client-side percentiles, so that a dozen commands stay a few dozen series.
        MicrometerOptions latency = MicrometerOptions.builder().enable().histogram(false).localDistinction(false)
                .targetPercentiles(new double[0]).build();
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
                .commandLatencyRecorder(new MicrometerCommandLatencyRecorder(registry, latency)).build();
        RedisURI uri = RedisURI.create(options.uri());
        uri.setTimeout(options.commandTimeout());
        this.client = RedisClient.create(resources, uri);
        ClientOptions.Builder clientOptions = ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(options.requestQueue())
                .replayFilter(command -> true)
                .timeoutOptions(TimeoutOptions.enabled(options.commandTimeout()))
                .socketOptions(SocketOptions.builder().connectTimeout(options.commandTimeout()).keepAlive(true).build());
        if (!options.caFile().isBlank()) {
            clientOptions.sslOptions(SslOptions.builder().jdkSslProvider().trustManager(new File(options.caFile())).build());
        }
        client.setOptions(clientOptions.build());
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                mark(connection, true);
                if (connection == commands) {
                    onConnected.run(); // first, so that it goes ahead of everything else on the new connection
                }
                if (commandsUp && pubsubUp && reachable.compareAndSet(false, true)) {
                    LOG.info(LogLine.event("cluster.redis-reachable").toString());
                    onReconnect.run();
                }
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                mark(connection, false);
                if (!closing && reachable.compareAndSet(true, false)) {
                    LOG.warning(LogLine.event("cluster.redis-unreachable").toString());
                }
            }

            private void mark(RedisChannelHandler<?, ?> connection, boolean up) {
                if (connection == pubsub) {
                    pubsubUp = up;
                } else if (connection == commands) {
                    commandsUp = up;
                }
            }
        });
    }

    /** Whether both connections to Redis are up (as Lettuce last reported them). */
    boolean up() {
        return commands != null && pubsub != null && commandsUp && pubsubUp;
    }

    /** What to do each time the command connection opens, before anything else is sent on it (non-blocking). */
    void onConnected(Runnable action) {
        this.onConnected = action;
    }

    /** What to do once the subscription connection first opens (Lettuce keeps its subscriptions across reconnects). */
    void onFirstConnect(Runnable action) {
        this.onFirstConnect = action;
    }

    /**
     * Checks that the URI is one Lettuce can use; the error names the setting and never repeats the URI's
     * credentials (Lettuce's own message would).
     */
    static void validate(String uri) {
        try {
            RedisURI.create(uri);
        } catch (RuntimeException e) {
            // Not Lettuce's message, nor the cause: both repeat the URI, password included.
            throw new IllegalArgumentException("keyhole.cluster.redis-uri is not a Redis URI: expected "
                    + "redis://[user:password@]host[:port], rediss://… or redis-sentinel://…; "
                    + "a password with reserved characters must be percent-encoded");
        }
    }

    /** Where Redis is, without the credentials. */
    static String describe(String uri) {
        RedisURI parsed = RedisURI.create(uri);
        if (parsed.getHost() == null) { // Sentinel: the master's name and the sentinels
            return "redis-sentinel://" + parsed.getSentinels().stream().map(s -> s.getHost() + ":" + s.getPort()).toList()
                    + "/" + parsed.getSentinelMasterId();
        }
        return (parsed.isSsl() ? "rediss://" : "redis://") + parsed.getHost() + ":" + parsed.getPort();
    }

    /** Whether the URI asks for TLS. */
    static boolean encrypted(String uri) {
        return RedisURI.create(uri).isSsl();
    }

    /** Whether the URI names this host's loopback (where clear text does not cross a network). */
    static boolean loopback(String uri) {
        String host = RedisURI.create(uri).getHost();
        if (host == null) {
            return false; // Sentinel: several hosts
        }
        return "localhost".equalsIgnoreCase(host) || host.startsWith("127.") || "::1".equals(host) || "[::1]".equals(host);
    }

    /**
     * Connects if not connected yet (a node may start before Redis does); at most one attempt a second.
     *
     * @return whether both connections are open
     */
    boolean connect() {
        if (commands != null && pubsub != null) {
            return true;
        }
        synchronized (connecting) {
            long now = System.nanoTime();
            if (commands != null && pubsub != null || now - lastAttempt < TimeUnit.SECONDS.toNanos(1) && lastAttempt != 0) {
                return commands != null && pubsub != null;
            }
            lastAttempt = now;
            try {
                if (pubsub == null) {
                    StatefulRedisPubSubConnection<String, String> subscriptions = client.connectPubSub();
                    subscriptions.addListener(listener);
                    pubsub = subscriptions;
                    onFirstConnect.run();
                }
                if (commands == null) {
                    commands = client.connect();
                    onConnected.run();
                }
                LOG.info(LogLine.event("cluster.redis-connected").with("redis", describe(options.uri())).toString());
                return true;
            } catch (RuntimeException e) {
                LOG.warning(LogLine.event("cluster.redis-connect-failed").with("redis", describe(options.uri()))
                        .with("error", e.getClass().getName()).toString());
                return false;
            }
        }
    }

    /** The commands, asynchronous; fails with an {@code IllegalStateException} when not connected. */
    RedisAsyncCommands<String, String> async() {
        StatefulRedisConnection<String, String> connection = commands;
        if (connection == null) {
            throw new IllegalStateException("not connected to Redis");
        }
        return connection.async();
    }

    /** Subscribes to a channel and waits until Redis confirmed it. */
    void subscribe(String channel) throws Exception {
        StatefulRedisPubSubConnection<String, String> connection = pubsub;
        if (connection == null) {
            throw new IllegalStateException("not connected to Redis");
        }
        connection.async().subscribe(channel).get(options.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops listening to a channel; best effort (a node that is not listening gets nothing it would miss). */
    void unsubscribe(String channel) {
        StatefulRedisPubSubConnection<String, String> connection = pubsub;
        if (connection != null && connection.isOpen()) {
            connection.async().unsubscribe(channel);
        }
    }

    /** Subscribes again to channels Lettuce may have failed to restore after a reconnect (it only logs that). */
    void resubscribe(Iterable<String> channels) {
        for (String channel : channels) {
            StatefulRedisPubSubConnection<String, String> connection = pubsub;
            if (connection != null) {
                connection.async().subscribe(channel);
            }
        }
    }

    /**
     * Counts a Redis command that failed ({@code keyhole_redis_errors_total}), by kind: {@code timeout},
     * {@code unreachable} (refused while disconnected) or {@code error} (an error reply).
     */
    void failed(Throwable error) {
        String kind = "error";
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.util.concurrent.TimeoutException || t instanceof io.lettuce.core.RedisCommandTimeoutException) {
                kind = "timeout";
                break;
            }
            if (t instanceof io.lettuce.core.RedisConnectionException || t instanceof IllegalStateException
                    || t instanceof io.lettuce.core.RedisException && String.valueOf(t.getMessage()).contains("not connected")) {
                kind = "unreachable";
                break;
            }
        }
        failures.counter("keyhole.redis.errors", "kind", kind).increment();
    }

    Duration commandTimeout() {
        return options.commandTimeout();
    }

    @Override
    public void close() {
        closing = true;
        try {
            if (pubsub != null) {
                pubsub.close();
            }
            if (commands != null) {
                commands.close();
            }
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, LogLine.event("cluster.redis-close-failed").with("error", e.getClass().getName()).toString(), e);
        } finally {
            resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
    }
}
