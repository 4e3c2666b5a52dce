package dev.keyhole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.testing.Command;
import dev.keyhole.testing.Ports;
import dev.keyhole.testing.ServerProcess;
import dev.keyhole.testing.TestFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The README's run command, {@code server-config/run-dev.sh}, from a first run without a dev PKI, checked the way
 * the README tells a new user to check it ({@code server-config/tools/WssEcho.java}).
 */
class DevRunnerIT {

    private static final Path DEV_DIR = Path.of("target/it-dev").toAbsolutePath();
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);

    @Test
    void the_run_command_creates_a_dev_pki_serves_wss_echo_with_and_without_a_certificate_and_stops_on_ctrl_c()
            throws Exception {
        TestFiles.deleteRecursively(DEV_DIR);
        Ports ports = Ports.free();
        String https = Integer.toString(ports.https());
        Path temp = ServerProcess.tempDir("run-dev");
        Path relativeTemp = Path.of("").toAbsolutePath().relativize(temp); // no spaces for run-dev.sh to split
        Map<String, String> environment = Map.of(
                "KEYHOLE_DEV_DIR", DEV_DIR.toString(),
                "KEYHOLE_HTTPS_PORT", https,
                "KEYHOLE_HTTP_PORT", Integer.toString(ports.http()),
                "KEYHOLE_JAVA_OPTS", "-Xmx512m -Djava.io.tmpdir=" + relativeTemp);

        try (ServerProcess server = ServerProcess.startPayara(List.of("bash", "server-config/run-dev.sh"), environment, "run-dev")) {
            Path pki = DEV_DIR.resolve("pki");
            String devUser = pki.resolve("clients/dev-user.p12").toString();
            assertTrue(server.output().contains("Dev client (.p12):   " + devUser), "the banner names the dev .p12");
            // The build of this test run is up to date: the runner must not start a second build inside it.
            assertFalse(server.output().contains("Building Keyhole"), "run-dev.sh rebuilt during the test");
            String echo = "wss://localhost:" + https + "/echo";
            String ca = pki.resolve("ca.crt").toString();

            Command.Result withCertificate = Command.java(List.of("server-config/tools/WssEcho.java", echo,
                    "--ca", ca, "--p12", devUser, "--message", "as dev-user"), TOOL_TIMEOUT);
            Command.Result without = Command.java(List.of("server-config/tools/WssEcho.java", echo,
                    "--ca", ca, "--message", "as nobody"), TOOL_TIMEOUT);

            assertEquals(new Command.Result(0, "connected: " + echo + "\nreply: as dev-user\n"), withCertificate);
            assertEquals(new Command.Result(0, "connected: " + echo + "\nreply: as nobody\n"), without);

            server.interrupt();
            assertEquals(130, server.awaitExit(Duration.ofSeconds(60)), "exit status after SIGINT");
            // Payara Micro deletes its runtime folder (the copy of the keystore in it included); stopped with a shutdown
            // grace, it leaves the empty folder applications/ROOT behind.
            assertEquals(List.of(), TestFiles.filesUnder(temp), "files left in Payara Micro's runtime folder");
        }
    }
}
