package dev.keyhole.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keyhole.testing.ItPki;
import dev.keyhole.testing.MuteClient;
import dev.keyhole.testing.Ports;
import dev.keyhole.testing.RawHandshake;
import dev.keyhole.testing.ServerProcess;
import dev.keyhole.testing.Tls;
import dev.keyhole.testing.UberJar;
import dev.keyhole.testing.WsClient;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Stopping Keyhole (the uber-jar, as a service manager stops it): open sessions are told 1001 and handshakes that
 * come meanwhile get 503, during the shutdown grace the uber-jar is built with.
 */
class ShutdownIT {

    private static final String NAME = "shutdown";

    @Test
    void sigterm_tells_open_sessions_1001_and_refuses_new_handshakes_with_503() throws Exception {
        Ports ports = Ports.free();
        int https = ports.https();
        try (ServerProcess server = UberJar.start(NAME, ports, Map.of())) {
            URI echo = URI.create("wss://localhost:" + https + "/echo");
            try (WsClient alice = WsClient.connect(echo, Tls.withCertificate(ItPki.client("alice")));
                    MuteClient bob = MuteClient.connect(Tls.withCertificate(ItPki.client("bob")), https, "/echo", Map.of())) {
                alice.sendText("before the stop");
                assertEquals("before the stop", alice.nextText());

                server.terminate();

                assertEquals(new WsClient.Close(1001, "going-away"), alice.awaitClose());
                MuteClient.Frame close = bob.await(MuteClient.Frame.CLOSE, 10, TimeUnit.SECONDS);
                assertEquals(1001, close.closeCode(), "a client that does not answer is told too");
                RawHandshake.Response late = RawHandshake.send(Tls.withCertificate(ItPki.client("dave")), https, "/echo", Map.of());
                assertEquals(503, late.status());
                assertEquals("shutting-down\n", late.body());
            }
            assertEquals(143, server.awaitExit(Duration.ofSeconds(60)), "exit status after SIGTERM");
        }
    }
}
