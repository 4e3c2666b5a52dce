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
    public static List<String> command(Path temp, Ports ports) {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Djava.io.tmpdir=" + temp,
                "-jar", JAR.toString(),
                "--port", Integer.toString(ports.http()), "--sslport", Integer.toString(ports.https()),
                "--systemproperties", ItPki.serverTlsProperties().toString());
    }

    /**
     * Starts the uber-jar called {@code name} (its log: target/it-logs/NAME.log) on the given ports, with settings in
     * its environment.
     */
    public static ServerProcess start(String name, Ports ports, Map<String, String> settings)
            throws IOException, InterruptedException {
        Map<String, String> environment = new HashMap<>(settings);
        environment.putIfAbsent("KEYHOLE_WEB_HTTPS_PORT", Integer.toString(ports.https()));
        return ServerProcess.startPayara(command(ServerProcess.tempDir(name), ports), environment, name);
    }
}
