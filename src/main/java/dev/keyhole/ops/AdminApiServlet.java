package dev.keyhole.ops;

import dev.keyhole.auth.ClientPrincipal;
import dev.keyhole.cluster.NodeQuestions;
import dev.keyhole.cluster.RedisRooms;
import dev.keyhole.cluster.RoomsProducer;
import dev.keyhole.config.Setting;
import dev.keyhole.config.Settings;
import dev.keyhole.log.LogLine;
import dev.keyhole.web.Perimeter;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The admin API, JSON under {@code /admin/api/} (docs/operations.md#admin-api), for clients with role {@code admin}
 * (the built-in location {@code admin} decides that before): connections, disconnect, rooms and nodes — across the
 * cluster, by asking every node through Redis, or this server alone. Every request is audited with the admin's
 * identity, the target and the result ({@code event=admin}).
 */
public class AdminApiServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(AdminApiServlet.class.getName());
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;
    /**
     * The header every request must carry: a page of another origin cannot send it without a preflight, and Keyhole
     * refuses preflights except for GET and HEAD from allowed origins (which it also refuses here, see {@link #crossSite}).
     */
    static final String CSRF_HEADER = "X-Keyhole-Admin";

    @Inject
    private transient NodeReport local;

    @Inject
    private transient Settings settings;

    @Inject
    private transient Instance<RedisRooms> cluster;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String action = request.getPathInfo() == null ? "" : request.getPathInfo();
        if (crossSite(request)) {
            refuse(request, response, HttpServletResponse.SC_FORBIDDEN, "cross-site-request", action);
            return;
        }
        try {
            switch (action) {
                case "/connections" -> connections(request, response);
                case "/rooms" -> rooms(request, response);
                case "/nodes" -> nodes(request, response);
                default -> refuse(request, response, HttpServletResponse.SC_NOT_FOUND, "not-found", action);
            }
        } catch (ConnectionFilter.Invalid e) {
            refuse(request, response, HttpServletResponse.SC_BAD_REQUEST, e.reason(), action);
        }
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String action = request.getPathInfo() == null ? "" : request.getPathInfo();
        if (crossSite(request)) {
            refuse(request, response, HttpServletResponse.SC_FORBIDDEN, "cross-site-request", action);
            return;
        }
        if (!action.equals("/disconnect")) {
            refuse(request, response, HttpServletResponse.SC_NOT_FOUND, "not-found", action);
            return;
        }
        try {
            disconnect(request, response);
        } catch (ConnectionFilter.Invalid e) {
            refuse(request, response, HttpServletResponse.SC_BAD_REQUEST, e.reason(), action);
        }
    }

    /**
     * Whether the request may come from a page of another site: it lacks {@link #CSRF_HEADER}, or its Origin is not
     * this server's own (browsers send client certificates with any request; the admin API is for this origin's page
     * and for clients that are not browsers, which send no Origin). Not even the allowed origins of the chat.
     */
    private static boolean crossSite(HttpServletRequest request) {
        String origin = request.getHeader("Origin");
        return request.getHeader(CSRF_HEADER) == null || origin != null
                && !Perimeter.self(request).map(self -> self.equals(dev.keyhole.web.Origin.parse(origin).orElse(null)))
                        .orElse(false);
    }

    private void connections(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Map<String, String> parameters = parameters(request);
        ConnectionFilter filter = ConnectionFilter.of(parameters, Set.of("limit", "offset"));
        int limit = bounded(parameters.get("limit"), DEFAULT_LIMIT, 1, MAX_LIMIT);
        int offset = bounded(parameters.get("offset"), 0, 0, NodeReport.MAX_LISTED - limit);
        Map<String, String> arguments = new LinkedHashMap<>(filter.keys());
        arguments.put("first", Integer.toString(offset + limit));
        Gathered answers = ask("connections", arguments, local::connections);
        if (answers == null) {
            unavailable(request, response, "list-connections", filter.describe());
            return;
        }
        List<JsonObject> all = new ArrayList<>();
        long total = 0;
        for (JsonObject answer : answers.parsed()) {
            total += answer.getJsonNumber("total").longValue();
            answer.getJsonArray("connections").forEach(row -> all.add(row.asJsonObject()));
        }
        all.sort(Comparator.comparing((JsonObject row) -> java.time.Instant.parse(row.getString("since")))
                .thenComparing(row -> row.getString("node")).thenComparing(row -> row.getString("session")));
        JsonArrayBuilder page = Json.createArrayBuilder();
        all.stream().skip(offset).limit(limit).forEach(page::add);
        audit(Level.INFO, request, "list-connections", filter.describe(), "ok", total);
        send(response, HttpServletResponse.SC_OK, Json.createObjectBuilder().add("total", total).add("offset", offset)
                .add("limit", limit).add("connections", page).add("silentNodes", answers.silentJson()));
    }

    private void disconnect(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Map<String, String> parameters = parameters(request);
        ConnectionFilter filter = ConnectionFilter.of(parameters, Set.of("reconnect"));
        String reconnect = parameters.getOrDefault("reconnect", "false");
        if (filter.isEmpty()) {
            refuse(request, response, HttpServletResponse.SC_BAD_REQUEST, "filter-required", "/disconnect");
            return;
        }
        if (!reconnect.equals("true") && !reconnect.equals("false")) {
            refuse(request, response, HttpServletResponse.SC_BAD_REQUEST, "bad-filter", "/disconnect");
            return;
        }
        Map<String, String> arguments = new LinkedHashMap<>(filter.keys());
        arguments.put("reconnect", reconnect);
        arguments.put("admin", admin(request));
        Gathered answers = ask("disconnect", arguments, local::disconnect);
        if (answers == null) {
            unavailable(request, response, "disconnect", filter.describe());
            return;
        }
        long closed = answers.parsed().stream().mapToLong(answer -> answer.getJsonNumber("disconnected").longValue()).sum();
        audit(Level.WARNING, request, "disconnect", filter.describe() + ";reconnect=" + reconnect, "ok", closed);
        send(response, HttpServletResponse.SC_OK, Json.createObjectBuilder().add("disconnected", closed)
                .add("closeCode", reconnect.equals("true") ? 4000 : 4001)
                .add("silentNodes", answers.silentJson()));
    }

    private void rooms(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ConnectionFilter.of(parameters(request), Set.of()).keys().forEach((key, value) -> {
            throw new ConnectionFilter.Invalid("bad-filter", "rooms take no parameters");
        });
        Gathered answers = ask("rooms", Map.of(), arguments -> local.rooms());
        if (answers == null) {
            unavailable(request, response, "rooms", "all");
            return;
        }
        Map<String, RoomRow> merged = new TreeMap<>();
        for (JsonObject answer : answers.parsed()) {
            for (JsonValue value : answer.getJsonArray("rooms")) {
                JsonObject room = value.asJsonObject();
                merged.computeIfAbsent(room.getString("name"), name -> new RoomRow()).add(room);
            }
        }
        if (RoomsProducer.clustered(settings)) {
            try {
                for (RedisRooms.StoredRoom stored : cluster.get().storedRooms().get(timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                    merged.computeIfAbsent(stored.name(), name -> new RoomRow()).stored(stored);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // the nodes' view stands; the history figures stay -1
            }
        }
        JsonArrayBuilder list = Json.createArrayBuilder();
        merged.forEach((name, row) -> list.add(row.json(name)));
        audit(Level.FINE, request, "rooms", "all", "ok", merged.size());
        send(response, HttpServletResponse.SC_OK, Json.createObjectBuilder().add("rooms", list)
                .add("silentNodes", answers.silentJson()));
    }

    private void nodes(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Gathered answers = ask("node", Map.of(), arguments -> local.node());
        if (answers == null) {
            unavailable(request, response, "nodes", "all");
            return;
        }
        JsonArrayBuilder list = Json.createArrayBuilder();
        List<JsonObject> parsed = answers.parsed();
        parsed.stream().sorted(Comparator.comparing(node -> node.getString("node"))).forEach(list::add);
        audit(Level.FINE, request, "nodes", "all", "ok", parsed.size());
        send(response, HttpServletResponse.SC_OK, Json.createObjectBuilder().add("nodes", list)
                .add("clustered", RoomsProducer.clustered(settings)).add("silentNodes", answers.silentJson()));
    }

    /** One room of the cluster, from the nodes' answers (members, connections) and from Redis (epoch, history). */
    private static final class RoomRow {
        private String epoch = "";
        private long members;
        private long connections;
        private long lastSeq = -1;
        private long historyMessages = -1;
        private long historyBytes = -1;

        void add(JsonObject room) {
            members = Math.max(members, room.getInt("members"));
            connections += room.getInt("connections");
            long seq = room.getJsonNumber("lastSeq").longValue();
            if (seq > lastSeq) {
                lastSeq = seq;
                epoch = room.getString("epoch", "");
            }
            historyMessages = Math.max(historyMessages, room.getJsonNumber("historyMessages").longValue());
            historyBytes = Math.max(historyBytes, room.getJsonNumber("historyBytes").longValue());
        }

        void stored(RedisRooms.StoredRoom stored) {
            epoch = stored.epoch() == null ? "" : stored.epoch();
            lastSeq = stored.lastSeq();
            historyMessages = stored.historyMessages();
            historyBytes = stored.historyBytes();
        }

        JsonObjectBuilder json(String name) {
            return Json.createObjectBuilder().add("name", name).add("members", members).add("connections", connections)
                    .add("epoch", epoch).add("lastSeq", Math.max(0, lastSeq)).add("historyMessages", historyMessages)
                    .add("historyBytes", historyBytes);
        }
    }

    /**
     * The nodes' answers, parsed: a node whose answer is not the JSON object expected (another version, say) counts as
     * silent rather than failing the request.
     */
    private record Gathered(List<JsonObject> parsed, List<String> silent, boolean membershipKnown) {

        static Gathered of(NodeQuestions.Answers answers) {
            List<JsonObject> parsed = new ArrayList<>();
            List<String> silent = new ArrayList<>(answers.silent());
            new TreeMap<>(answers.byNode()).forEach((node, payload) -> {
                try {
                    parsed.add(parse(payload));
                } catch (RuntimeException malformed) {
                    silent.add(node);
                }
            });
            return new Gathered(parsed, silent, answers.membershipKnown());
        }

        /** The silent nodes; {@code "?"} among them when the list of nodes could not be read from Redis. */
        JsonArrayBuilder silentJson() {
            JsonArrayBuilder array = Json.createArrayBuilder(silent);
            if (!membershipKnown) {
                array.add("?");
            }
            return array;
        }
    }

    /** Every node's answer (this server's alone when it is not in a cluster); null when Redis cannot be asked. */
    private Gathered ask(String question, Map<String, String> arguments, Function<Map<String, String>, String> here) {
        if (!RoomsProducer.clustered(settings)) {
            return Gathered.of(new NodeQuestions.Answers(Map.of(local.name(), here.apply(arguments)), List.of(), true));
        }
        try {
            CompletableFuture<NodeQuestions.Answers> asked = cluster.get().ask(question, arguments, timeout());
            return Gathered.of(asked.get(timeout().toMillis() + 1000, TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return null;
        }
    }

    private Duration timeout() {
        return Duration.ofMillis(settings.get(Setting.CLUSTER_COMMAND_TIMEOUT_MILLIS));
    }

    private void unavailable(HttpServletRequest request, HttpServletResponse response, String action, String target)
            throws IOException {
        audit(Level.WARNING, request, action, target, "unavailable", 0);
        send(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, Json.createObjectBuilder().add("error", "unavailable"));
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response, int status, String reason, String action)
            throws IOException {
        audit(Level.WARNING, request, action.isEmpty() ? "-" : action.substring(1), "-", reason, 0);
        send(response, status, Json.createObjectBuilder().add("error", reason));
    }

    private static void audit(Level level, HttpServletRequest request, String action, String target, String result, long count) {
        LOG.log(level, () -> LogLine.event("admin").with("action", action).with("admin", admin(request))
                .with("admin-issuer", ClientPrincipal.identityOf(request.getUserPrincipal()).map(id -> id.issuer()).orElse(null))
                .with("admin-serial", ClientPrincipal.identityOf(request.getUserPrincipal()).map(id -> id.serial()).orElse(null))
                .with("remote", request.getRemoteAddr()).with("target", target).with("result", result).with("count", count)
                .toString());
    }

    private static String admin(HttpServletRequest request) {
        return ClientPrincipal.identityOf(request.getUserPrincipal()).map(id -> id.subject()).orElse("anonymous");
    }

    private static Map<String, String> parameters(HttpServletRequest request) {
        Map<String, String> parameters = new LinkedHashMap<>();
        request.getParameterMap().forEach((key, values) -> {
            if (values.length != 1) {
                throw new ConnectionFilter.Invalid("bad-filter", "each parameter once");
            }
            parameters.put(key, values[0]);
        });
        return parameters;
    }

    private static int bounded(String text, int otherwise, int min, int max) {
        if (text == null) {
            return otherwise;
        }
        try {
            int value = Integer.parseInt(text);
            if (value < min || value > max) {
                throw new ConnectionFilter.Invalid("bad-filter", "limit is 1 to " + MAX_LIMIT + ", offset 0 to " + NodeReport.MAX_LISTED);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConnectionFilter.Invalid("bad-filter", "limit and offset are numbers");
        }
    }

    private static JsonObject parse(String payload) {
        return Json.createReader(new StringReader(payload)).readObject();
    }

    private static void send(HttpServletResponse response, int status, JsonObjectBuilder body) throws IOException {
        byte[] bytes = body.build().toString().getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
