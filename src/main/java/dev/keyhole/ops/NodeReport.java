package dev.keyhole.ops;

import dev.keyhole.chat.Rooms;
import dev.keyhole.cluster.RedisRooms;
import dev.keyhole.cluster.RoomsProducer;
import dev.keyhole.config.Setting;
import dev.keyhole.config.Settings;
import dev.keyhole.log.LogLine;
import dev.keyhole.ws.CloseCause;
import dev.keyhole.ws.SessionRuntime;
import dev.keyhole.ws.SessionRuntime.OpenSession;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * What this node tells the admin API: its connections (filtered), their disconnection, its rooms, and itself. In a
 * cluster every node answers the same questions from any node's admin API (through Redis: {@code RedisRooms.ask});
 * on a single server the admin API asks this class directly.
 */
@ApplicationScoped
public class NodeReport {

    private static final Logger LOG = Logger.getLogger(NodeReport.class.getName());
    /** The arguments of a question that are not filter keys. */
    static final Set<String> NOT_FILTER_KEYS = Set.of("question", "id", "reply", "first", "reconnect", "admin");
    /**
     * At most this many connections in one node's answer, and the furthest a page reaches ({@code offset + limit}):
     * answers travel through Redis pub/sub, whose client output buffers are bounded (32 MB by default).
     */
    static final int MAX_LISTED = 1000;

    @Inject
    SessionRuntime sessions;

    @Inject
    Rooms rooms;

    @Inject
    Settings settings;

    @Inject
    Instance<RedisRooms> cluster;

    private final Instant started = Instant.now();
    private volatile String node;

    /** In a cluster, this node answers the other nodes' admin questions from the start. */
    void onStartup(@Observes Startup startup) {
        if (RoomsProducer.clustered(settings)) {
            RedisRooms redis = cluster.get();
            redis.answer("connections", this::connections);
            redis.answer("disconnect", this::disconnect);
            redis.answer("rooms", arguments -> rooms());
            redis.answer("node", arguments -> node());
        }
    }

    /** This node's name: its cluster node id, else keyhole.cluster.node-id, else the host name. */
    String name() {
        String known = node;
        if (known == null) {
            if (RoomsProducer.clustered(settings)) {
                known = cluster.get().node();
            } else {
                known = settings.get(Setting.CLUSTER_NODE_ID);
                if (known.isBlank()) {
                    try {
                        known = InetAddress.getLocalHost().getHostName();
                    } catch (UnknownHostException e) {
                        known = "localhost";
                    }
                }
            }
            node = known;
        }
        return known;
    }

    /**
     * The connections the filter in {@code arguments} matches, oldest first: {@code {"node", "total", "connections"}},
     * at most the first {@code first} of them (argument; at most {@link #MAX_LISTED}).
     */
    String connections(Map<String, String> arguments) {
        ConnectionFilter filter = ConnectionFilter.of(arguments, NOT_FILTER_KEYS);
        int first = Math.min(MAX_LISTED, parse(arguments.get("first"), MAX_LISTED));
        String here = name();
        List<OpenSession> matching = sessions.openSessions().stream().filter(session -> filter.matches(session, here)).toList();
        JsonArrayBuilder list = Json.createArrayBuilder();
        matching.stream().limit(first).forEach(session -> list.add(json(session, here)));
        return Json.createObjectBuilder().add("node", here).add("total", matching.size()).add("connections", list).build()
                .toString();
    }

    /** Closes the connections the filter matches (never with an empty filter): {@code {"node", "disconnected"}}. */
    String disconnect(Map<String, String> arguments) {
        ConnectionFilter filter = ConnectionFilter.of(arguments, NOT_FILTER_KEYS);
        String here = name();
        int closed = 0;
        if (!filter.isEmpty()) {
            CloseCause cause = "true".equals(arguments.get("reconnect")) ? CloseCause.ADMIN_RECONNECT : CloseCause.ADMIN_DISCONNECT;
            closed = sessions.close(session -> filter.matches(session, here), cause);
            int count = closed;
            LOG.info(() -> LogLine.event("admin.disconnected").with("node", here).with("target", filter.describe())
                    .with("reason", cause.reasonCode()).with("count", count).with("admin", arguments.get("admin")).toString());
        }
        return Json.createObjectBuilder().add("node", here).add("disconnected", closed).build().toString();
    }

    /** This node's rooms: {@code {"node", "rooms": [{name, members, connections, epoch, lastSeq, history…}]}}. */
    String rooms() {
        JsonArrayBuilder list = Json.createArrayBuilder();
        for (Rooms.RoomStats room : rooms.stats()) {
            JsonObjectBuilder row = Json.createObjectBuilder().add("name", room.name()).add("members", room.members())
                    .add("connections", room.connections()).add("lastSeq", room.lastSeq())
                    .add("historyMessages", room.historyMessages()).add("historyBytes", room.historyBytes());
            if (room.epoch() != null) {
                row.add("epoch", room.epoch());
            }
            list.add(row);
        }
        return Json.createObjectBuilder().add("node", name()).add("rooms", list).build().toString();
    }

    /** This node: {@code {"node", "started", "connections", "delivered", "rooms", "draining"}}. */
    String node() {
        return Json.createObjectBuilder().add("node", name()).add("started", started.toString())
                .add("connections", sessions.size()).add("delivered", (long) sessions.delivered())
                .add("rooms", rooms.stats().size()).add("draining", sessions.shuttingDown()).build().toString();
    }

    private static JsonObjectBuilder json(OpenSession session, String node) {
        JsonObjectBuilder row = Json.createObjectBuilder().add("node", node).add("session", session.id())
                .add("endpoint", session.endpoint()).add("since", session.since().toString());
        String room = ConnectionFilter.room(session);
        row.add("rooms", room == null ? Json.createArrayBuilder() : Json.createArrayBuilder().add(room));
        if (session.remoteAddress() != null) {
            row.add("remoteAddress", session.remoteAddress());
        }
        session.identity().ifPresent(identity -> row.add("subject", identity.subject()).add("issuer", identity.issuer())
                .add("serial", identity.serial()).add("fingerprint", identity.fingerprint())
                .add("notAfter", identity.notAfter().toString()));
        return row;
    }

    private static int parse(String number, int otherwise) {
        try {
            return number == null ? otherwise : Math.max(0, Integer.parseInt(number));
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }
}
