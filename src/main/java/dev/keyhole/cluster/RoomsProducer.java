package dev.keyhole.cluster;

import dev.keyhole.chat.InMemoryRooms;
import dev.keyhole.chat.Rooms;
import dev.keyhole.config.Setting;
import dev.keyhole.config.Settings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;

/**
 * Chooses where rooms are kept: in this server's memory (the default), or in the cluster's Redis when
 * {@code keyhole.cluster.redis-uri} is set. Only the chosen one is created.
 */
@ApplicationScoped
public class RoomsProducer {

    /** In a cluster, the node joins it when the application starts: it connects, announces itself and listens. */
    void onStartup(@Observes Startup startup, Settings settings, Instance<RedisRooms> redis) {
        if (clustered(settings)) {
            redis.get().node();
        }
    }

    @Produces
    @ApplicationScoped
    Rooms rooms(Settings settings, Instance<InMemoryRooms> memory, Instance<RedisRooms> redis) {
        return clustered(settings) ? redis.get() : memory.get();
    }

    /** Whether this node is one of a cluster (keyhole.cluster.redis-uri is set). */
    public static boolean clustered(Settings settings) {
        return !settings.get(Setting.CLUSTER_REDIS_URI).isBlank();
    }
}
