package dev.keyhole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.testing.ItPki;
import dev.keyhole.testing.KeyMaterial;
import dev.keyhole.testing.Ports;
import dev.keyhole.testing.ServerProcess;
import dev.keyhole.testing.TestFiles;
import dev.keyhole.testing.Tls;
import dev.keyhole.testing.UberJar;
import dev.keyhole.testing.WsClient;
import java.net.URI;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * The Payara Micro uber-jar that {@code mvn package} builds: no keys inside; keys, trust and settings given when
 * it starts, as the README documents.
 */
class UberJarIT {

    private static final Path JAR = UberJar.JAR;

    @Test
    void the_uber_jar_contains_no_private_key_and_no_keystore() throws Exception {
        assertEquals(List.of(), KeyMaterial.findIn(JAR));
    }

    @Test
    void the_same_scan_finds_the_demo_stores_in_payara_micros_own_jar() throws Exception {
        // The positive control: the jar the uber-jar is built from does hold key material.
        List<String> found = KeyMaterial.findIn(Path.of(System.getProperty("keyhole.it.micro.jar")));

        assertTrue(found.containsAll(List.of("payara-micro.jar!MICRO-INF/domain/keystore.p12",
                "payara-micro.jar!MICRO-INF/domain/cacerts.p12",
                "payara-micro.jar!MICRO-INF/runtime/security.jar!config/keystore.p12")), String.valueOf(found));
    }

    @Test
    void the_uber_jar_serves_wss_with_keys_and_settings_given_at_start_and_stops_cleanly_on_ctrl_c() throws Exception {
        Ports ports = Ports.free();
        String https = Integer.toString(ports.https());
        Path temp = ServerProcess.tempDir("uber-jar");
        Map<String, String> settings = Map.of("KEYHOLE_ECHO_MAX_MESSAGE_BYTES", "2048");

        try (ServerProcess server = ServerProcess.startPayara(
                UberJar.command(temp, ports), settings, "uber-jar")) {
            URI echo = URI.create("wss://localhost:" + https + "/echo");
            try (WsClient client = WsClient.connect(echo, Tls.withCertificate(ItPki.client("alice")))) {
                client.sendText("from the uber-jar");
                assertEquals("from the uber-jar", client.nextText());

                client.sendText("x".repeat(2049)); // over the limit set through the environment
                assertEquals(new WsClient.Close(1009, "message-too-big"), client.awaitClose());
            }
            try (WsClient open = WsClient.connect(echo, Tls.withCertificate(ItPki.client("bob")))) {
                server.interrupt();

                assertEquals(new WsClient.Close(1001, "going-away"), open.awaitClose(), "an open session on Ctrl-C");
            }

            assertEquals(130, server.awaitExit(Duration.ofSeconds(60)), "exit status after SIGINT");
            // Payara Micro deletes its runtime folder (the copy of the keystore in it included); stopped with a shutdown
            // grace, it leaves the empty folder applications/ROOT behind.
            assertEquals(List.of(), TestFiles.filesUnder(temp), "files left in Payara Micro's runtime folder");
        }
    }

    @Test
    void an_invalid_setting_stops_the_deployment_with_a_log_line_naming_the_key() throws Exception {
        Ports ports = Ports.free();
        String https = Integer.toString(ports.https());
        Path temp = ServerProcess.tempDir("uber-jar-bad-config");
        Map<String, String> settings = Map.of("KEYHOLE_ECHO_MAX_MESSAGE_BYTES", "64k");

        try (ServerProcess server = ServerProcess.startPayara(
                UberJar.command(temp, ports), settings, "uber-jar-bad-config")) {
            assertTrue(server.output().contains("event=config.invalid key=keyhole.echo.max-message-bytes message=\"Invalid value '64k'"),
                    "log names the key; see " + server.log());

            ExecutionException refused = assertThrows(ExecutionException.class, () -> WsClient.connect(
                    URI.create("wss://localhost:" + https + "/echo"), Tls.anonymous()));
            assertTrue(refused.getCause() instanceof WebSocketHandshakeException, String.valueOf(refused.getCause()));
        }
    }
}
