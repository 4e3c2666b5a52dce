package dev.keyhole.bench;

import dev.keyhole.bench.trivial.TrivialEchoEndpoint;
import dev.keyhole.testing.ItPki;
import dev.keyhole.testing.TestFiles;
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

    private ServerUnderTest payaraMicro() throws IOException, InterruptedException {
        int https = freePort();
        Path temp = fresh(out.resolve("payara-micro-tmp"));
        List<String> command = new ArrayList<>(List.of(java(), HEAP, "-Djava.io.tmpdir=" + temp));
        command.addAll(serverJvmOptions());
        command.addAll(List.of("-jar", uberJar.toString(),
                "--port", Integer.toString(freePort()), "--sslport", Integer.toString(https),
                "--systemproperties", ItPki.serverTlsProperties().toString(),
                "--deploy", trivialWar().toString()));
        Map<String, String> environment = new HashMap<>(SETTINGS);
        environment.put("KEYHOLE_BIND_ADDRESS", "127.0.0.1");
        environment.put("KEYHOLE_WEB_HTTPS_PORT", Integer.toString(https));
        return ServerUnderTest.start(PAYARA_MICRO, https, command, environment, out.resolve("logs/payara-micro.log"),
                List.of(Pattern.compile("Payara Micro .* ready in")));
    }

    private ServerUnderTest wildfly() throws IOException, InterruptedException {
        Path base = fresh(out.resolve("wildfly-standalone"));
        Path configured = wildflyHome.resolve("standalone");
        for (String folder : List.of("configuration", "deployments")) {
            copyTree(configured.resolve(folder), base.resolve(folder));
        }
        Files.copy(war, base.resolve("deployments/keyhole.war"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(trivialWar(), base.resolve("deployments/trivial.war"), StandardCopyOption.REPLACE_EXISTING);
        int offset = freeOffset();
        List<String> command = List.of("bash", wildflyHome.resolve("bin/standalone.sh").toString(),
                "-c", "standalone.xml", "-Djboss.server.base.dir=" + base, "-b", "127.0.0.1", "-bmanagement", "127.0.0.1",
                "-Djboss.socket.binding.port-offset=" + offset);
        Map<String, String> environment = new HashMap<>(SETTINGS);
        environment.put("JAVA_OPTS", "-Xms64m " + HEAP + " -Djava.net.preferIPv4Stack=true " + SERVER_JVM_OPTIONS);
        environment.put("JBOSS_HOME", wildflyHome.toString());
        environment.put("KEYHOLE_WEB_HTTPS_PORT", Integer.toString(8443 + offset));
        environment.put("KEYHOLE_TLS_KEYSTORE", ItPki.keyhole().resolve("servers/localhost.p12").toString());
        environment.put("KEYHOLE_TLS_KEYSTORE_PASSWORD",
                new String(ItPki.password(ItPki.keyhole().resolve("servers/localhost.p12"))));
        environment.put("KEYHOLE_TLS_TRUSTSTORE", ItPki.truststore().toString());
        environment.put("KEYHOLE_TLS_TRUSTSTORE_PASSWORD", new String(ItPki.password(ItPki.truststore())));
        return ServerUnderTest.start(WILDFLY, 8443 + offset, command, environment, out.resolve("logs/wildfly.log"),
                List.of(Pattern.compile("WFLYSRV0010: Deployed \"keyhole.war\""),
                        Pattern.compile("WFLYSRV0010: Deployed \"trivial.war\""), Pattern.compile("WFLYSRV0025")));
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

    /** A port offset for WildFly under which its HTTP, HTTPS and management ports are free. */
    private static int freeOffset() throws IOException {
        for (int offset = 20000; offset < 30000; offset += 97) {
            if (free(8080 + offset) && free(8443 + offset) && free(9990 + offset) && free(9993 + offset)) {
                return offset;
            }
        }
        throw new IOException("no free port offset for WildFly");
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return socket.isBound();
        } catch (IOException e) {
            return false;
        }
    }

    private static Path fresh(Path dir) throws IOException {
        TestFiles.deleteRecursively(dir);
        return Files.createDirectories(dir);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
