package dev.keyhole.bench;

import dev.keyhole.bench.trivial.TrivialEchoEndpoint;
import dev.keyhole.testing.ItPki;
import dev.keyhole.testing.RedisServer;
import dev.keyhole.testing.TestFiles;
import dev.keyhole.testing.WildFlyProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * Starts what the benchmark measures, each as its own process on loopback: the raw TLS floor, Keyhole's Payara
 * Micro uber-jar as README runs it, and Keyhole's WAR on WildFly as server-config/wildfly/configure.cli left it
 * (a copy of its standalone folder, so the integration tests' WildFly is untouched). Both servers also get
 * {@code trivial.war}, the reference echo, and the same Keyhole settings: the shipped defaults, except the limits
 * that a load generator on a single address and its made-up users would trip (listed in {@link #SETTINGS}).
 */
final class Targets {

    static final String FLOOR = "floor";
    static final String PAYARA_MICRO = "payara-micro";
    static final String WILDFLY = "wildfly";
    /**
     * The peer: a Node.js server on the ws library (src/test/bench-peer), with the same TLS and client-certificate
     * settings, serving echo and chat rooms of the same shape; what a team might write instead of running Keyhole.
     */
    static final String PEER = "peer";
    /** Where the peer's script and its locked dependencies are (npm ci runs there before the benchmark). */
    private static final Path PEER_DIR = Path.of("src/test/bench-peer");
    /** Two Payara Micro nodes sharing their rooms through a Redis (docs/cluster.md). */
    static final String CLUSTER = "cluster";

    /**
     * Keyhole's settings for the benchmark. Authentication is as shipped plus a CRL; the limits stay on, raised where
     * one client address opens thousands of connections and hundreds of handshakes a second; chat admits the
     * benchmark's members. The chat rate limit and the send queues keep their defaults.
     */
    static final Map<String, String> SETTINGS = Map.of(
            "KEYHOLE_AUTH_CRL_FILES", ItPki.keyhole().resolve("crl.pem").toString(),
            "KEYHOLE_AUTH_CA_FILE", ItPki.keyhole().resolve("ca.crt").toString(),
            "KEYHOLE_AUTH_LOCATION_CHAT_SUBJECTS", "cn:member[0-9]+",
            "KEYHOLE_LIMITS_MAX_CONNECTIONS_PER_ADDRESS", "20000",
            "KEYHOLE_LIMITS_HANDSHAKES_PER_SECOND_PER_ADDRESS", "100000",
            "KEYHOLE_LIMITS_HANDSHAKE_BURST_PER_ADDRESS", "100000");

    private static final String HEAP = "-Xmx1g";
    /** Extra JVM options for the servers under test, e.g. a flight recording to profile a scenario (docs/performance.md). */
    private static final String SERVER_JVM_OPTIONS = System.getenv().getOrDefault("KEYHOLE_BENCH_SERVER_JVM_OPTIONS", "");

    private final Path out;
    private final Path uberJar;
    private final Path war;
    private final Path wildflyHome;

    Targets(Path out, Path uberJar, Path war, Path wildflyHome) {
        this.out = out;
        this.uberJar = uberJar;
        this.war = war;
        this.wildflyHome = wildflyHome;
    }

    ServerUnderTest start(String target) throws IOException, InterruptedException {
        return switch (target) {
            case FLOOR -> floor();
            case PEER -> peer();
            case PAYARA_MICRO -> payaraMicro();
            case WILDFLY -> wildfly();
            default -> throw new IllegalArgumentException("unknown target " + target);
        };
    }

    private ServerUnderTest floor() throws IOException, InterruptedException {
        int port = freePort();
        List<String> command = List.of(java(), HEAP, "-cp", System.getProperty("java.class.path"),
                TlsEchoServer.class.getName(), Integer.toString(port), ItPki.serverTlsProperties().toString());
        return ServerUnderTest.start(FLOOR, port, command, Map.of(), out.resolve("logs/floor.log"),
                List.of(Pattern.compile("^ready$")));
    }

    private ServerUnderTest peer() throws IOException, InterruptedException {
        int port = freePort();
        Path servers = ItPki.keyhole().resolve("servers");
        List<String> command = List.of("node", PEER_DIR.resolve("peer.mjs").toString(), Integer.toString(port),
                servers.resolve("localhost.key").toString(), servers.resolve("localhost.crt").toString(),
                ItPki.keyhole().resolve("ca.crt").toString(), ItPki.keyhole().resolve("crl.pem").toString());
        return ServerUnderTest.start(PEER, port, command, Map.of(), out.resolve("logs/peer.log"),
                List.of(Pattern.compile("^ready$")));
    }

    /** A cluster of Payara Micro nodes on one Redis, as docs/cluster.md runs it. */
    record Cluster(RedisServer redis, List<ServerUnderTest> nodes) implements AutoCloseable {
        @Override
        public void close() {
            nodes.forEach(ServerUnderTest::close);
            redis.close();
        }
    }

    Cluster cluster(int size) throws IOException, InterruptedException {
        RedisServer redis = RedisServer.start("bench", true, List.of());
        List<ServerUnderTest> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < size; i++) {
                nodes.add(payaraMicro(CLUSTER + "-node-" + i, Map.of("KEYHOLE_CLUSTER_REDIS_URI", redis.uri(),
                        "KEYHOLE_CLUSTER_NODE_ID", "node-" + i)));
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            nodes.forEach(ServerUnderTest::close);
            redis.close();
            throw e;
        }
        return new Cluster(redis, nodes);
    }

    private ServerUnderTest payaraMicro() throws IOException, InterruptedException {
        return payaraMicro(PAYARA_MICRO, Map.of());
    }

    private ServerUnderTest payaraMicro(String name, Map<String, String> extra) throws IOException, InterruptedException {
        // Both at once (Ports.free): two calls of freePort() may give the same port twice.
        dev.keyhole.testing.Ports ports = dev.keyhole.testing.Ports.free();
        int https = ports.https();
        Path temp = fresh(out.resolve(name + "-tmp"));
        List<String> command = new ArrayList<>(List.of(java(), HEAP, "-Djava.io.tmpdir=" + temp));
        command.addAll(serverJvmOptions());
        command.addAll(List.of("-jar", uberJar.toString(),
                "--port", Integer.toString(ports.http()), "--sslport", Integer.toString(https),
                "--systemproperties", ItPki.serverTlsProperties().toString(),
                "--deploy", trivialWar().toString()));
        Map<String, String> environment = new HashMap<>(SETTINGS);
        environment.put("KEYHOLE_BIND_ADDRESS", "127.0.0.1");
        environment.put("KEYHOLE_WEB_HTTPS_PORT", Integer.toString(https));
        environment.putAll(extra);
        return ServerUnderTest.start(name, https, command, environment, out.resolve("logs/" + name + ".log"),
                List.of(Pattern.compile("Payara Micro .* ready in")));
    }

    private ServerUnderTest wildfly() throws IOException, InterruptedException {
        WildFlyProcess wildfly = WildFlyProcess.start(wildflyHome, out.resolve("wildfly-standalone"), List.of(war, trivialWar()),
                SETTINGS, "-Xms64m " + HEAP + " -Djava.net.preferIPv4Stack=true " + SERVER_JVM_OPTIONS,
                out.resolve("logs/wildfly.log"));
        return ServerUnderTest.of(WILDFLY, wildfly.httpsPort(), wildfly.process());
    }

    /** Whether the servers run with a flight recording (dumped next to the results when a target is done). */
    static boolean recording() {
        return SERVER_JVM_OPTIONS.contains("StartFlightRecording");
    }

    private static List<String> serverJvmOptions() {
        return SERVER_JVM_OPTIONS.isBlank() ? List.of() : List.of(SERVER_JVM_OPTIONS.trim().split("\\s+"));
    }

    private Path trivialWar() {
        Path file = out.resolve("trivial.war");
        if (!Files.exists(file)) {
            ShrinkWrap.create(WebArchive.class, "trivial.war").addClass(TrivialEchoEndpoint.class)
                    .as(ZipExporter.class).exportTo(file.toFile(), true);
        }
        return file;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static Path fresh(Path dir) throws IOException {
        TestFiles.deleteRecursively(dir);
        return Files.createDirectories(dir);
    }
}
