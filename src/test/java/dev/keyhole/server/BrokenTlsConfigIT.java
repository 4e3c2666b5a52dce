package dev.keyhole.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.testing.ItPki;
import dev.keyhole.testing.Ports;
import dev.keyhole.testing.ServerProcess;
import dev.keyhole.testing.TlsGate;
import dev.keyhole.testing.TlsScan;
import dev.keyhole.testing.UberJar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The gate is not a rubber stamp: the shipped Payara pre-boot file, broken the way an edit could break it (client
 * authentication dropped, a CBC suite added), makes the TLS gate fail on the very checks those lines serve.
 */
class BrokenTlsConfigIT {

    private static final Path SHIPPED = Path.of("server-config/payara/pre-boot-commands.asadmin");
    private static final String CBC = "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA";

    @Test
    void dropping_client_auth_and_adding_a_cbc_suite_fails_the_tls_gate() throws Exception {
        Path temp = ServerProcess.tempDir("uber-jar-weak-tls");
        Path broken = temp.resolve("pre-boot-commands.asadmin");
        Files.writeString(broken, Files.readString(SHIPPED)
                .replace("ssl.client-auth=want", "ssl.client-auth=")
                .replaceFirst("(ssl\\.ssl3-tls-ciphers=\\S+)", "$1," + CBC));
        Ports ports = Ports.free();
        String https = Integer.toString(ports.https());
        List<String> command = new ArrayList<>(UberJar.command(temp, ports));
        command.addAll(List.of("--prebootcommandfile", broken.toString()));

        List<String> violations;
        try (ServerProcess server = ServerProcess.startPayara(command, Map.of("KEYHOLE_WEB_HTTPS_PORT", https), "uber-jar-weak-tls")) {
            TlsScan scan = TlsScan.of("localhost", Integer.parseInt(https), ItPki.keyhole().resolve("ca.crt"),
                    Path.of("target/tls-gate/broken-payara-micro"));
            violations = TlsGate.violations(scan, ItPki.ca());
            assertTrue(server.output().contains("ssl.client-auth=\n"), "the broken file was applied; see " + server.log());
        }

        assertTrue(violations.stream().anyMatch(v -> v.startsWith("suites outside Mozilla intermediate") && v.contains(CBC)),
                violations.toString());
        assertTrue(violations.stream().anyMatch(v -> v.contains("sslscan saw no certificate request")), violations.toString());
    }
}
