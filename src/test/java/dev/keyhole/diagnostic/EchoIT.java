package dev.keyhole.diagnostic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.testing.Deployments;
import dev.keyhole.testing.ItPki;
import dev.keyhole.testing.RawHandshake;
import dev.keyhole.testing.ServerLog;
import dev.keyhole.testing.Target;
import dev.keyhole.testing.Tls;
import dev.keyhole.testing.WsClient;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The echo endpoint over wss on Payara Micro, configured by the shipped server-config. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class EchoIT {

    private static final int LIMIT = 64 * 1024;

    @Deployment(testable = false)
    static WebArchive keyhole() {
        return Deployments.builtWar();
    }

    private URI echo() {
        return Deployments.wss("/echo");
    }

    @Test
    void text_is_echoed_to_a_client_with_a_trusted_certificate() throws Exception {
        try (WsClient client = WsClient.connect(echo(), Tls.withCertificate(ItPki.client("alice")))) {
            client.sendText("hello, keyhole");

            assertEquals("hello, keyhole", client.nextText());
        }
    }

    @Test
    void binary_is_echoed_byte_for_byte() throws Exception {
        byte[] data = new byte[4096];
        new Random(42).nextBytes(data);
        try (WsClient client = WsClient.connect(echo(), Tls.withCertificate(ItPki.client("alice")))) {
            client.sendBinary(ByteBuffer.wrap(data));

            assertEquals(ByteBuffer.wrap(data), client.nextBinary());
        }
    }

    @Test
    void text_is_echoed_to_a_client_without_a_certificate() throws Exception {
        try (WsClient client = WsClient.connect(echo(), Tls.anonymous())) {
            client.sendText("no certificate here");

            assertEquals("no certificate here", client.nextText());
        }
    }

    @Test
    void a_message_exactly_at_the_limit_is_echoed_and_the_connection_stays_open() throws Exception {
        try (WsClient client = WsClient.connect(echo(), Tls.anonymous())) {
            client.sendText("é".repeat(LIMIT / 2));
            assertEquals(LIMIT / 2, client.nextText().length());

            client.sendText("still open");
            assertEquals("still open", client.nextText());
        }
    }

    @Test
    void a_text_message_over_the_limit_closes_with_1009() throws Exception {
        try (WsClient client = WsClient.connect(echo(), Tls.withCertificate(ItPki.client("alice")))) {
            sendUntilClosed(() -> client.sendText("x".repeat(LIMIT + 1)));

            assertEquals(new WsClient.Close(1009, "message-too-big"), client.awaitClose());
        }
    }

    @Test
    void a_binary_message_over_the_limit_closes_with_1009() throws Exception {
        try (WsClient client = WsClient.connect(echo(), Tls.anonymous())) {
            sendUntilClosed(() -> client.sendBinary(ByteBuffer.allocate(LIMIT + 1)));

            assertEquals(new WsClient.Close(1009, "message-too-big"), client.awaitClose());
        }
    }

    @Test
    void a_client_that_sends_without_reading_is_closed_as_a_slow_consumer_and_others_keep_their_echo() throws Exception {
        ServerLog log = ServerLog.fromNow();
        try (WsClient other = WsClient.connect(echo(), Tls.anonymous());
                RawHandshake.StalledClient stalled = RawHandshake.stalledClient(Tls.anonymous(), Deployments.httpsPort(),
                        echo().getRawPath(), 60_000)) {
            // Its echoes fill the socket buffers, then the 1 MiB send queue: the session is closed.
            log.awaitLine(Pattern.compile("event=ws.slow-consumer "), Duration.ofSeconds(60));

            other.sendText("still served");
            assertEquals("still served", other.nextText());
            assertTrue(stalled.framesWritten() > 0);
        }
    }

    @Test
    void on_payara_tyrus_sessions_skip_the_idle_timer_restart_on_every_message() throws Exception {
        try (WsClient client = WsClient.connect(echo(), Tls.anonymous())) {
            client.sendText("timer");
            assertEquals("timer", client.nextText());
        }
        assertSaidOnPayaraOnly("event=ws.tyrus-idle-timer bypass=on", "event=ws.tyrus-idle-timer bypass=off");
        // From the session's birth: the container hands new sessions the skipping executor (no no-op task per handshake).
        assertEquals(Target.current() != Target.WILDFLY, ServerLog.sinceStart()
                .contains(Pattern.compile("event=ws\\.tyrus-idle-timer bypass=on tyrus=\\S+ from=birth")));
    }

    @Test
    void on_payara_an_upgraded_connection_lets_go_of_what_the_container_no_longer_needs_and_still_echoes()
            throws Exception {
        String large = "z".repeat(LIMIT - 1);
        try (WsClient client = WsClient.connect(echo(), Tls.withCertificate(ItPki.client("alice")))) {
            for (int round = 0; round < 3; round++) {
                client.sendText(large);
                client.sendText("small " + round);
                assertEquals(large, client.nextText());
                assertEquals("small " + round, client.nextText());
            }
        }
        // Undertow (WildFly) upgrades below the Servlet API and never asks.
        assertSaidOnPayaraOnly("event=ws.upgrade-trim trim=on", "event=ws.upgrade-trim trim=off");
    }

    /**
     * One of Keyhole's adapters to Payara's internals said it works ({@code on}) on the Payara targets (Payara Micro,
     * Payara Server, and Payara Micro behind the Apache front: Grizzly and Tyrus) and not on WildFly (Undertow), and
     * never said it could not ({@code off}).
     */
    private static void assertSaidOnPayaraOnly(String on, String off) throws Exception {
        boolean payara = Target.current() != Target.WILDFLY;
        ServerLog log = ServerLog.sinceStart();

        assertEquals(payara, log.contains(Pattern.compile(Pattern.quote(on))));
        assertFalse(log.contains(Pattern.compile(Pattern.quote(off))));
    }

    @Test
    void echoes_that_wait_behind_a_send_all_arrive_in_order_and_leave_grouped_where_the_container_batches()
            throws Exception {
        try (WsClient client = WsClient.connect(echo(), Tls.anonymous())) {
            for (int i = 0; i < 300; i++) {
                client.sendText("m" + i);
            }
            for (int i = 0; i < 300; i++) {
                assertEquals("m" + i, client.nextText());
            }
        }
        // Undertow (WildFly) holds sends until flushed; Tyrus (Payara, and Payara behind the Apache front) does not.
        boolean undertow = Target.current() == Target.WILDFLY;
        ServerLog log = ServerLog.sinceStart();

        assertEquals(undertow, log.contains(Pattern.compile("event=ws.send-grouping grouping=on")));
        assertEquals(!undertow, log.contains(Pattern.compile("event=ws.send-grouping grouping=off")));
    }

    @Test
    void a_message_sent_in_parts_is_limited_as_a_whole() throws Exception {
        try (WsClient client = WsClient.connect(echo(), Tls.anonymous())) {
            for (int i = 0; i < 4; i++) {
                client.sendTextPart("y".repeat(LIMIT / 4), false);
            }
            client.sendTextPart("y", true);

            assertEquals(new WsClient.Close(1009, "message-too-big"), client.awaitClose());
        }
    }

    /** A send the server may cut short: it refuses an oversized message at its frame header, before it all arrives. */
    private static void sendUntilClosed(Send send) throws Exception {
        try {
            send.run();
        } catch (ExecutionException closedWhileSending) {
            // the close that cut it short is what the test asserts
        }
    }

    @FunctionalInterface
    private interface Send {
        void run() throws Exception;
    }
}
