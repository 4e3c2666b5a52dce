package dev.keyhole.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A WildFly of its own, as a process: the WildFly the build configured with server-config/wildfly/configure.cli
 * (its {@code standalone} folder copied, so runs do not share state), WARs in its deployment folder, ports moved by
 * an offset that is free, keys and trust from the run's PKI; stopped by PID.
 */
public final class WildFlyProcess implements AutoCloseable {

    private final ServerProcess process;
    private final Path home;
    private final int offset;

    private WildFlyProcess(ServerProcess process, Path home, int offset) {
        this.process = process;
        this.home = home;
        this.offset = offset;
    }

    /**
     * Starts WildFly with these WARs deployed and waits until each is.
     *
     * @param settings environment variables (Keyhole's settings) for the server
     * @param javaOpts the JVM options ({@code JAVA_OPTS})
     */
    public static WildFlyProcess start(Path home, Path base, List<Path> wars, Map<String, String> settings, String javaOpts,
            Path log) throws IOException, InterruptedException {
        TestFiles.deleteRecursively(base);
        for (String folder : List.of("configuration", "deployments")) {
            copyTree(home.resolve("standalone").resolve(folder), base.resolve(folder));
        }
        List<Pattern> ready = new ArrayList<>();
        for (Path war : wars) {
            Files.copy(war, base.resolve("deployments").resolve(war.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            ready.add(Pattern.compile("WFLYSRV0010: Deployed \"" + Pattern.quote(war.getFileName().toString()) + "\""));
        }
        ready.add(Pattern.compile("WFLYSRV0025"));
        int offset = freeOffset();
        List<String> command = List.of("bash", home.resolve("bin/standalone.sh").toString(),
                "-c", "standalone.xml", "-Djboss.server.base.dir=" + base, "-b", "127.0.0.1", "-bmanagement", "127.0.0.1",
                "-Djboss.socket.binding.port-offset=" + offset);
        Map<String, String> environment = new HashMap<>(settings);
        environment.put("JAVA_OPTS", javaOpts);
        // standalone.sh runs the JVM in the foreground unless told otherwise, and then does not pass a SIGTERM on:
        // stopping the script by PID left the JVM running after the test. In the background mode the script relays
        // TERM and INT to the JVM and waits for it.
        environment.put("LAUNCH_JBOSS_IN_BACKGROUND", "1");
        environment.put("JBOSS_HOME", home.toString());
        environment.putIfAbsent("KEYHOLE_WEB_HTTPS_PORT", Integer.toString(8443 + offset));
        environment.put("KEYHOLE_TLS_KEYSTORE", ItPki.keyhole().resolve("servers/localhost.p12").toString());
        environment.put("KEYHOLE_TLS_KEYSTORE_PASSWORD", new String(ItPki.password(ItPki.keyhole().resolve("servers/localhost.p12"))));
        environment.put("KEYHOLE_TLS_TRUSTSTORE", ItPki.truststore().toString());
        environment.put("KEYHOLE_TLS_TRUSTSTORE_PASSWORD", new String(ItPki.password(ItPki.truststore())));
        environment.putIfAbsent("KEYHOLE_AUTH_CA_FILE", ItPki.keyhole().resolve("ca.crt").toString());
        return new WildFlyProcess(ServerProcess.start(command, environment, log, ready), home, offset);
    }

    public int httpsPort() {
        return 8443 + offset;
    }

    public ServerProcess process() {
        return process;
    }

    /** Runs one jboss-cli command against this server's management interface. */
    public Command.Result cli(String command) throws IOException, InterruptedException {
        return Command.run(List.of("bash", home.resolve("bin/jboss-cli.sh").toString(), "--connect",
                "--controller=127.0.0.1:" + (9990 + offset), "--command=" + command), Map.of("JBOSS_HOME", home.toString()),
                Duration.ofSeconds(120));
    }

    /** The server's JVM (standalone.sh starts it as a child). */
    public ProcessHandle jvm() {
        return process.handle().descendants()
                .filter(p -> p.info().commandLine().map(line -> line.contains("jboss-modules.jar")).orElse(false))
                .findFirst().orElseThrow(() -> new IllegalStateException("no WildFly JVM under " + process.handle().pid()));
    }

    @Override
    public void close() {
        process.close();
    }

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
