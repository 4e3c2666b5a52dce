package dev.keyhole.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The Payara Micro uber-jar that {@code mvn package} builds, started as its own process the way README says. */
public final class UberJar {

    public static final Path JAR = Path.of(System.getProperty("keyhole.it.uber.jar", "target/keyhole-micro.jar"));

    private UberJar() {
    }

    /** The command line: keys and trust as javax.net.ssl.* properties, temporary files in {@code temp}. */
    public static List<String> command(Path temp, String httpPort, String httpsPort) {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Djava.io.tmpdir=" + temp,
                "-jar", JAR.toString(),
                "--port", httpPort, "--sslport", httpsPort,
                "--systemproperties", ItPki.serverTlsProperties().toString());
    }

    /**
     * Starts the uber-jar called {@code name} (its log: target/it-logs/NAME.log) on the ports named by the system
     * properties {@code keyhole.it.NAME.http.port} and {@code .https.port}, with settings in its environment.
     */
    public static ServerProcess start(String name, Map<String, String> settings) throws IOException, InterruptedException {
        Map<String, String> environment = new HashMap<>(settings);
        environment.putIfAbsent("KEYHOLE_WEB_HTTPS_PORT", httpsPort(name));
        return ServerProcess.startPayara(command(ServerProcess.tempDir(name), httpPort(name), httpsPort(name)), environment, name);
    }

    public static String httpPort(String name) {
        return System.getProperty("keyhole.it." + name + ".http.port");
    }

    public static String httpsPort(String name) {
        return System.getProperty("keyhole.it." + name + ".https.port");
    }
}
