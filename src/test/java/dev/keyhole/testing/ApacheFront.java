package dev.keyhole.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Starts the Apache httpd front (server-config/apache, as shipped) before a test run whose target is Apache, and
 * stops it, by the PID in its run folder, when the run ends. Apache proxies to the Payara Micro that Arquillian
 * starts for each test class; between two classes the backend is briefly gone, which Apache survives.
 */
public final class ApacheFront implements LauncherSessionListener {

    private static final Path SCRIPT = Path.of("server-config/apache/keyhole-apache.sh");

    private boolean started;

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        if (Target.current() != Target.APACHE) {
            return;
        }
        control("start");
        started = true;
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        if (started) {
            control("stop");
        }
    }

    private static void control(String command) {
        Path runDir = Path.of(System.getProperty("keyhole.it.apache.run.dir", "target/it-run/apache")).toAbsolutePath();
        control(command, runDir, new Ports(Target.APACHE.httpPort(), Target.APACHE.httpsPort()),
                Map.of("KEYHOLE_APACHE_BACKEND", "https://127.0.0.1:" + Target.PAYARA_MICRO.httpsPort()));
    }

    /** A balancer over several Keyhole nodes, as shipped (KEYHOLE_APACHE_BACKENDS), on ports of its own. */
    public static final class Balancer implements AutoCloseable {
        private final Path runDir;
        private final Ports ports;
        private final Map<String, String> backends;

        private Balancer(Path runDir, Ports ports, Map<String, String> backends) {
            this.runDir = runDir;
            this.ports = ports;
            this.backends = backends;
        }

        public int httpsPort() {
            return ports.https();
        }

        @Override
        public void close() {
            control("stop", runDir, ports, backends);
        }
    }

    /** Starts Apache as the balancer in front of the nodes listening on these HTTPS ports. */
    public static Balancer balancer(String name, List<Integer> nodeHttpsPorts) throws IOException {
        Path runDir = Path.of("target/it-run", "apache-" + name).toAbsolutePath();
        String backends = String.join(" ", nodeHttpsPorts.stream().map(port -> "https://127.0.0.1:" + port).toList());
        Balancer balancer = new Balancer(runDir, Ports.free(), Map.of("KEYHOLE_APACHE_BACKENDS", backends,
                "KEYHOLE_APACHE_HEALTH_INTERVAL", "1"));
        control("start", runDir, balancer.ports, balancer.backends);
        return balancer;
    }

    private static void control(String command, Path runDir, Ports ports, Map<String, String> backend) {
        Path pki = ItPki.keyhole();
        Map<String, String> environment = new java.util.HashMap<>(backend);
        environment.putAll(Map.ofEntries(
                Map.entry("KEYHOLE_APACHE_RUN_DIR", runDir.toString()),
                Map.entry("KEYHOLE_APACHE_LISTEN_ADDR", "127.0.0.1"),
                Map.entry("KEYHOLE_APACHE_HTTPS_PORT", Integer.toString(ports.https())),
                Map.entry("KEYHOLE_APACHE_HTTP_PORT", Integer.toString(ports.http())),
                Map.entry("KEYHOLE_APACHE_SERVER_NAME", "localhost"),
                Map.entry("KEYHOLE_APACHE_CERT", pki.resolve("servers/localhost.chain.pem").toString()),
                Map.entry("KEYHOLE_APACHE_KEY", pki.resolve("servers/localhost.key").toString()),
                Map.entry("KEYHOLE_APACHE_CA", pki.resolve("ca.crt").toString()),
                Map.entry("KEYHOLE_APACHE_CRL", pki.resolve("crl.pem").toString()),
                Map.entry("KEYHOLE_APACHE_PROXY_CERT", ItPki.proxyPem("apache").toString()),
                Map.entry("KEYHOLE_APACHE_LOG_LEVEL", "warn")));
        try {
            Files.createDirectories(runDir);
            Command.Result result = Command.run(List.of("bash", SCRIPT.toString(), command), environment, Duration.ofSeconds(60));
            if (result.exitCode() != 0) {
                throw new IllegalStateException("keyhole-apache.sh " + command + " failed (exit " + result.exitCode()
                        + "; Debian: apt-get install apache2):\n" + result.output());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + SCRIPT + " " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + SCRIPT + " " + command, e);
        }
    }
}
