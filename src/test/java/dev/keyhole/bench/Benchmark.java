package dev.keyhole.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.SSLSocket;

/**
 * Keyhole's benchmark: starts each target in turn, runs every scenario against it, stops it, and writes
 * {@code results.json}, {@code results.md} and {@code chart.html} (see docs/performance.md). Run by
 * {@code mvn -Pbench verify}; {@code --scale smoke} runs every scenario at a tiny scale (BenchmarkSmokeIT).
 *
 * <p>Arguments: {@code [--scale full|smoke] [--targets floor,payara-micro,wildfly,cluster] [--only SCENARIO,…] --out DIR --uber-jar JAR --war WAR
 * --wildfly-home DIR}.
 */
public final class Benchmark {

    /** How big and how long each scenario is. */
    record Scale(String name, double latencyWarmup, double latencySeconds, int echoConnections, int inFlight,
            double throughputWarmup, double throughputSeconds, int roomSize, double[] rates, double fanOutWarmup,
            double fanOutSeconds, double stallRate, int idleConnections, int handshakeThreads, double handshakeWarmup,
            double handshakeSeconds) {
    }

    static final Scale FULL = new Scale("full", 3, 5, 50, 16, 3, 8, 1000,
            new double[] {10, 25, 50, 100, 200, 400, 800}, 2, 4, 25, 5000, 4, 2, 6);
    static final Scale SMOKE = new Scale("smoke", 0.3, 1, 4, 4, 0.3, 1, 20, new double[] {20}, 0.3, 1, 20, 20, 2, 0.3, 1);

    /** The scenarios, as --only names them (echo-latency runs echo throughput too; chat-fan-out the stalled member). */
    static final Set<String> SCENARIOS = Set.of("echo-latency", "handshakes", "idle-capacity", "chat-fan-out", "chat-cluster");

    /** A step of the fan-out sweep passes when its 99th percentile is under this and no member was lost. */
    static final double FAN_OUT_P99_LIMIT_MILLIS = 100;

    private final Scale scale;
    private final Path out;
    /** The scenarios to run (empty: all); --only, for profiling one of them. */
    private final Set<String> only;
    /** The subprotocol the chat members ask for (null: chat protocol version 1); --chat-protocol v1 or v2. */
    private final String chatSubprotocol;
    private ServerUnderTest current;
    private final Targets targets;
    private final BenchPki pki;
    private final List<Result> results = new ArrayList<>();

    private Benchmark(Scale scale, Targets targets, Set<String> only, Path out, String chatSubprotocol) throws Exception {
        this.out = out;
        this.chatSubprotocol = chatSubprotocol;
        this.scale = scale;
        this.only = only;
        this.targets = targets;
        this.pki = new BenchPki(Math.max(scale.roomSize(), scale.echoConnections()));
    }

    public static void main(String[] args) throws Exception {
        List<String> arguments = Arrays.asList(args);
        Scale scale = switch (option(arguments, "--scale").orElse(FULL.name())) {
            case "full" -> FULL;
            case "smoke" -> SMOKE;
            default -> throw new IllegalArgumentException("--scale is full or smoke");
        };
        Path out = Path.of(option(arguments, "--out").orElse("target/bench"));
        Files.createDirectories(out);
        Targets targets = new Targets(out, required(arguments, "--uber-jar"), required(arguments, "--war"),
                required(arguments, "--wildfly-home"));
        List<String> which = List.of(option(arguments, "--targets")
                .orElse(String.join(",", Targets.FLOOR, Targets.PEER, Targets.PAYARA_MICRO, Targets.WILDFLY, Targets.CLUSTER)).split(","));
        Set<String> only = Set.of(option(arguments, "--only").orElse("").split(",")).stream()
                .filter(name -> !name.isBlank() && !name.equals("all")).collect(Collectors.toSet());
        if (!SCENARIOS.containsAll(only)) {
            throw new IllegalArgumentException("--only takes " + SCENARIOS + " (or all), not " + only);
        }
        String chatSubprotocol = switch (option(arguments, "--chat-protocol").orElse("v2")) {
            case "v2" -> "keyhole.chat.v2";
            case "v1" -> null;
            default -> throw new IllegalArgumentException("--chat-protocol is v1 or v2");
        };
        List<Result> results = new Benchmark(scale, targets, only, out, chatSubprotocol).run(which);
        Report.write(out, scale.name(), results);
        System.out.println("benchmark done: " + out.resolve("results.json").toAbsolutePath());
    }

    private static Path required(List<String> arguments, String name) {
        return Path.of(option(arguments, name).orElseThrow(() -> new IllegalArgumentException(name + " is required")));
    }

    private static Optional<String> option(List<String> arguments, String name) {
        int at = arguments.indexOf(name);
        return at < 0 || at + 1 >= arguments.size() ? Optional.empty() : Optional.of(arguments.get(at + 1));
    }

    List<Result> run(List<String> which) throws Exception {
        if (!which.isEmpty() && !which.get(0).equals(Targets.FLOOR)) {
            throw new IllegalArgumentException("the floor is measured first: every ratio refers to it");
        }
        for (String target : which) {
            if (target.equals(Targets.CLUSTER)) {
                if (only.isEmpty() || only.contains("chat-cluster")) {
                    log("starting a cluster of two nodes and Redis");
                    try (Targets.Cluster cluster = targets.cluster(2)) {
                        current = cluster.nodes().get(0);
                        scenario(Targets.CLUSTER, "chat-cluster", () -> clusterChat(cluster));
                    }
                }
                continue;
            }
            log("starting " + target);
            try (ServerUnderTest server = targets.start(target)) {
                current = server;
                if (target.equals(Targets.FLOOR)) {
                    floor(server);
                } else if (target.equals(Targets.PEER)) {
                    peer(server);
                } else {
                    keyhole(server);
                    if (Targets.recording()) {
                        server.dumpFlightRecording(out.resolve(target + ".jfr"));
                    }
                }
            }
        }
        return floors(results);
    }

    private void floor(ServerUnderTest server) {
        Echo.Connector raw = n -> WsConnection.raw(pki.member(n), server.httpsPort);
        scenario(Targets.FLOOR, "echo-latency", () -> echo(server, Targets.FLOOR, raw));
        scenario(Targets.FLOOR, "handshakes", () -> handshakeResult(Targets.FLOOR, Handshakes.run(server, n -> {
            try (SSLSocket socket = WsConnection.tls(pki.fresh(n), server.httpsPort)) {
                socket.getSession();
            }
        }, scale.handshakeThreads(), scale.handshakeWarmup(), scale.handshakeSeconds()),
                "TLS handshake with a client certificate, then close"));
        scenario(Targets.FLOOR, "idle-capacity", () -> idle(server, Targets.FLOOR, raw));
    }

    /** The peer: what Keyhole is compared with besides the floor, on the scenarios it serves (echo and chat). */
    private void peer(ServerUnderTest server) {
        String target = server.name;
        scenario(target, "echo-latency", () -> echo(server, target,
                n -> WsConnection.open(pki.member(n), server.httpsPort, "/echo")));
        scenario(target, "chat-fan-out", () -> chat(server, target));
    }

    private void keyhole(ServerUnderTest server) {
        String target = server.name;
        Echo.Connector keyholeEcho = n -> WsConnection.open(pki.member(n), server.httpsPort, "/echo");
        Echo.Connector trivialEcho = n -> WsConnection.open(pki.member(n), server.httpsPort, "/trivial/echo");
        scenario(target, "echo-latency", () -> {
            // The two echoes share the container's code: whichever ran first paid for compiling it (the JIT still
            // compiled during the first one's measured window). Both are warmed before either is measured.
            warm(server, keyholeEcho);
            warm(server, trivialEcho);
            server.awaitQuiet();
            echo(server, target, keyholeEcho);
        });
        scenario(target + "/trivial", "echo-latency", () -> echo(server, target + "/trivial", trivialEcho));
        scenario(target, "handshakes", () -> handshakeResult(target, Handshakes.run(server, n -> {
            try (WsConnection connection = WsConnection.open(pki.fresh(n), server.httpsPort, "/echo")) {
                connection.writeShared(connection.closeFrame());
            }
        }, scale.handshakeThreads(), scale.handshakeWarmup(), scale.handshakeSeconds()),
                "TLS + WebSocket upgrade through the authentication filter (CRL loaded)"));
        scenario(target, "idle-capacity", () -> idle(server, target,
                n -> WsConnection.open(pki.member(n), server.httpsPort, "/echo")));
        // Last, and in one room: a thousand members leaving at once is the heaviest thing the benchmark does to a
        // server (every departure is a presence event to everyone still there); see docs/performance.md.
        scenario(target, "chat-fan-out", () -> chat(server, target));
    }

    private interface Scenario {
        void run() throws Exception;
    }

    /** Runs a scenario; one that fails is recorded as such (value NaN, the error in the note) and the run goes on. */
    private void scenario(String target, String name, Scenario scenario) {
        if (!only.isEmpty() && !only.contains(name)) {
            return;
        }
        try {
            current.awaitQuiet();
            scenario.run();
        } catch (Exception e) {
            log(target + ": " + name + " FAILED: " + e);
            record(new Result(name, target, "failed", Double.NaN, "", null, null, null, String.valueOf(e)));
        }
    }

    private void echo(ServerUnderTest server, String target, Echo.Connector connector) throws Exception {
        log(target + ": echo round trip");
        Echo.Outcome latency = Echo.run(connector, server, 1, 1, scale.latencyWarmup(), scale.latencySeconds());
        Double cpu = latency.window().serverMicrosPer(latency.messages());
        double client = latency.window().clientCores();
        record(new Result("echo-latency", target, "p50", Samples.percentileMicros(latency.latencies(), 50), "µs",
                null, cpu, client, "1 connection, 1 message of 64 bytes in flight"));
        record(new Result("echo-latency", target, "p99", Samples.percentileMicros(latency.latencies(), 99), "µs",
                null, cpu, client, "1 connection, 1 message of 64 bytes in flight"));
        log(target + ": echo throughput");
        Echo.Outcome throughput = Echo.run(connector, server, scale.echoConnections(), scale.inFlight(),
                scale.throughputWarmup(), scale.throughputSeconds());
        record(new Result("echo-throughput", target, "messages/s", throughput.perSecond(), "msg/s", null,
                throughput.window().serverMicrosPer(throughput.messages()), throughput.window().clientCores(),
                scale.echoConnections() + " connections × " + scale.inFlight() + " in flight; p99 "
                        + Math.round(Samples.percentileMicros(throughput.latencies(), 99)) + " µs"));
    }

    /** Echo throughput, not recorded, for the warm-up time. */
    private void warm(ServerUnderTest server, Echo.Connector connector) throws Exception {
        Echo.run(connector, server, scale.echoConnections(), scale.inFlight(), 0, scale.throughputWarmup());
    }

    private void handshakeResult(String target, Handshakes.Outcome outcome, String what) {
        record(new Result("handshakes", target, "handshakes/s", outcome.perSecond(), "1/s", null,
                outcome.window().serverMicrosPer(outcome.handshakes()), outcome.window().clientCores(), what));
    }

    private void chat(ServerUnderTest server, String target) throws Exception {
        log(target + ": chat fan-out sweep");
        try (FanOut room = new FanOut(server, pki, scale.roomSize(), "bench", chatSubprotocol)) {
            FanOut.Step best = sweep(room, target, "chat-fan-out-sweep", true);
            if (best == null) {
                record(new Result("chat-fan-out", target, "deliveries/s at p99 < 100 ms", 0, "1/s", null, null, null,
                        "no step of the sweep passed"));
            } else {
                record(new Result("chat-fan-out", target, "deliveries/s at p99 < 100 ms", best.deliveriesPerSecond(),
                        "1/s", null, best.window().serverMicrosPer(best.deliveries()), best.window().clientCores(),
                        String.format("room of %d, %.0f msg/s posted, p99 %.1f ms", scale.roomSize(), best.rate(),
                                best.p99Millis())));
            }
            log(target + ": one stalled member");
            server.awaitQuiet();
            FanOut.Step baseline = room.step(scale.stallRate(), scale.fanOutWarmup(), scale.fanOutSeconds());
            room.stall(room.size() - 1);
            FanOut.Step stalled = room.step(scale.stallRate(), scale.fanOutWarmup(), scale.fanOutSeconds());
            record(new Result("chat-stalled-member", target, "p99 of the others", stalled.p99Millis(), "ms",
                    baseline.p99Millis(), stalled.window().serverMicrosPer(stalled.deliveries()),
                    stalled.window().clientCores(), String.format(
                            "room of %d at %.0f msg/s; floor = p99 of the same room without the stall (%.1f ms); target ≤ 1.5×",
                            room.size(), scale.stallRate(), baseline.p99Millis())));
        }
    }

    /**
     * Raises the posting rate step by step until a step misses the p99 limit or loses a member, recording each step;
     * returns the best step that passed, or null.
     */
    private FanOut.Step sweep(FanOut room, String target, String scenario, boolean serverCpu) throws InterruptedException {
        FanOut.Step best = null;
        for (double rate : scale.rates()) {
            FanOut.Step step = room.step(rate, scale.fanOutWarmup(), scale.fanOutSeconds());
            boolean passed = step.p99Millis() < FAN_OUT_P99_LIMIT_MILLIS && step.closedMembers() == 0 && step.deliveries() > 0;
            log(String.format("  %s msg/s: %.0f deliveries/s, p50 %.1f ms, p99 %.1f ms, %d members lost%s", rate,
                    step.deliveriesPerSecond(), Samples.percentileMicros(step.latencies(), 50) / 1000, step.p99Millis(),
                    step.closedMembers(), passed ? "" : " (fails)"));
            record(new Result(scenario, target, "deliveries/s at " + (int) rate + " msg/s", step.deliveriesPerSecond(), "1/s",
                    null, serverCpu ? step.window().serverMicrosPer(step.deliveries()) : null, step.window().clientCores(),
                    String.format("p99 %.1f ms, %d members lost", step.p99Millis(), step.closedMembers())));
            if (!passed) {
                break;
            }
            best = step;
        }
        return best;
    }

    /**
     * The chat fan-out across a cluster: one room of {@code roomSize} members spread over two nodes, posted to by
     * members of the first node; the sweep as on one node, then the latency its members see against the other
     * node's members at a rate both carry easily (the cost of crossing Redis).
     */
    private void clusterChat(Targets.Cluster cluster) throws Exception {
        String target = Targets.CLUSTER;
        log(target + ": chat fan-out across two nodes");
        try (FanOut room = new FanOut(cluster.nodes(), pki, scale.roomSize(), "bench-cluster", chatSubprotocol)) {
            FanOut.Step best = sweep(room, target, "chat-cluster-sweep", false);
            record(new Result("chat-cluster", target, "deliveries/s at p99 < 100 ms",
                    best == null ? 0 : best.deliveriesPerSecond(), "1/s", null, null, null, best == null
                            ? "no step of the sweep passed"
                            : String.format("room of %d over 2 nodes + Redis, %.0f msg/s posted, p99 %.1f ms",
                                    scale.roomSize(), best.rate(), best.p99Millis())));
            log(target + ": same node against the other node");
            FanOut.Step step = room.step(scale.stallRate(), scale.fanOutWarmup(), scale.fanOutSeconds());
            String note = String.format("room of %d over 2 nodes at %.0f msg/s, posted on node 0", room.size(),
                    scale.stallRate());
            for (double p : new double[] {50, 99}) {
                double same = Samples.percentileMicros(step.sameNode(), p) / 1000;
                double other = Samples.percentileMicros(step.otherNodes(), p) / 1000;
                record(new Result("chat-cluster-latency", target, "same node p" + (int) p, same, "ms", null, null, null, note));
                record(new Result("chat-cluster-latency", target, "other node p" + (int) p, other, "ms", null, null, null, note));
                record(new Result("chat-cluster-latency", target, "added across nodes p" + (int) p, other - same, "ms", null,
                        null, null, note));
            }
        }
    }

    private void idle(ServerUnderTest server, String target, Echo.Connector connector) throws Exception {
        log(target + ": idle capacity");
        Idle.Outcome idle = Idle.run(server, connector, scale.idleConnections(),
                out.resolve(target + "-idle-histogram.txt"));
        record(new Result("idle-capacity", target, "heap per connection", idle.heapPerConnection() / 1024, "KB", null,
                null, null, idle.connections() + " idle mTLS connections; heap after full GC"));
        record(new Result("idle-capacity", target, "RSS per connection", idle.rssPerConnection() / 1024, "KB", null,
                null, null, idle.connections() + " idle mTLS connections"));
    }

    private void record(Result result) {
        results.add(result);
        log(String.format("  %s %s %s: %.4g %s%s", result.scenario(), result.target(), result.metric(), result.value(),
                result.unit(), result.serverCpuMicrosPerMessage() == null ? ""
                        : String.format(" (server CPU %.1f µs each)", result.serverCpuMicrosPerMessage())));
    }

    /** Each result with the floor's figure for the same scenario and metric, and Keyhole's with the peer's. */
    private static List<Result> floors(List<Result> results) {
        List<Result> withFloors = new ArrayList<>();
        for (Result result : results) {
            Result compared = result;
            if (compared.floor() == null) {
                compared = compared.withFloor(figure(results, Targets.FLOOR, result));
            }
            if (!result.target().equals(Targets.FLOOR) && !result.target().equals(Targets.PEER)
                    && !result.target().endsWith("/trivial")) {
                compared = compared.withPeer(figure(results, Targets.PEER, result));
            }
            withFloors.add(compared);
        }
        return withFloors;
    }

    private static Double figure(List<Result> results, String target, Result like) {
        return results.stream()
                .filter(r -> r.target().equals(target) && r.scenario().equals(like.scenario()) && r.metric().equals(like.metric()))
                .map(Result::value).findFirst().orElse(null);
    }

    static void log(String line) {
        System.out.println("[bench] " + line);
        System.out.flush();
    }
}
