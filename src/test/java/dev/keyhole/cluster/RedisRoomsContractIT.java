package dev.keyhole.cluster;

import dev.keyhole.chat.Rooms;
import dev.keyhole.chat.RoomsContract;
import dev.keyhole.config.Settings;
import dev.keyhole.testing.RedisServer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The rooms contract, kept by the rooms of a cluster in a real Redis: each test has a key prefix of its own, and
 * each {@link #rooms} call is another node of that cluster.
 */
class RedisRoomsContractIT extends RoomsContract {

    private static RedisServer redis;
    private static ExecutorService executor;
    private final List<RedisRooms> nodes = new ArrayList<>();
    private String prefix;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start("contract");
        executor = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stopRedis() {
        executor.shutdownNow();
        redis.close();
    }

    @BeforeEach
    void newPrefix() {
        prefix = "test-" + UUID.randomUUID() + ":";
    }

    @AfterEach
    void stopNodes() {
        nodes.forEach(RedisRooms::stop);
    }

    @Override
    protected Rooms rooms(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.put("keyhole.cluster.redis-uri", redis.uri());
        all.put("keyhole.cluster.key-prefix", prefix);
        RedisRooms node = new RedisRooms(Settings.of(all), executor, Clock.systemUTC());
        nodes.add(node);
        return node;
    }
}
