package dev.keyhole.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.keyhole.testing.Ports;
import dev.keyhole.testing.RawHandshake;
import dev.keyhole.testing.ServerLog;
import dev.keyhole.testing.ServerProcess;
import dev.keyhole.testing.Tls;
import dev.keyhole.testing.UberJar;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The handshake rate limit per client address, on an uber-jar of its own with a low rate (the shared test servers
 * raise it, since every test client connects from 127.0.0.1).
 */
class HandshakeRateIT {

    private static final String NAME = "handshake-rate";

    @Test
    void a_burst_of_handshakes_from_one_address_is_refused_with_429_and_an_audit_line() throws Exception {
        Ports ports = Ports.free();
        int https = ports.https();
        try (ServerProcess server = UberJar.start(NAME, ports, Map.of(
                "KEYHOLE_LIMITS_HANDSHAKES_PER_SECOND_PER_ADDRESS", "1",
                "KEYHOLE_LIMITS_HANDSHAKE_BURST_PER_ADDRESS", "5"))) {
            ServerLog log = ServerLog.fromNow(server);
            // Five handshakes may come at once, then one per second: forty in a row cannot all pass.
            InetAddress client = InetAddress.getByName("127.0.0.3");
            RawHandshake.Response refused = null;
            for (int attempt = 0; attempt < 40 && refused == null; attempt++) {
                RawHandshake.Response response = RawHandshake.send(Tls.anonymous(), client, https, "/echo", Map.of(), false);
                if (response.status() != 101) {
                    refused = response;
                }
            }

            assertNotNull(refused, "no handshake refused");
            assertEquals(429, refused.status());
            assertEquals("too-many-handshakes\n", refused.body());
            assertEquals("5", refused.headers().get("retry-after"));
            log.awaitLine(Pattern.compile("event=limits decision=reject reason=too-many-handshakes .*remote=127.0.0.3"),
                    Duration.ofSeconds(10));
            // Another address has an allowance of its own.
            assertEquals(101, RawHandshake.send(Tls.anonymous(), https, "/echo", Map.of()).status());
        }
    }
}
