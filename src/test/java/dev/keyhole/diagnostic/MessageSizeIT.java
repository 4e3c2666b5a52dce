package dev.keyhole.diagnostic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.testing.Deployments;
import dev.keyhole.testing.FloodClient;
import dev.keyhole.testing.FloodClient.Kind;
import dev.keyhole.testing.FloodClient.Outcome;
import dev.keyhole.testing.FloodClient.Shape;
import dev.keyhole.testing.Target;
import dev.keyhole.testing.Tls;
import dev.keyhole.testing.WsClient;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Message-size limits hold before the container buffers a message: a client without a certificate that streams a
 * huge message — in 16 KiB fragments, or as one frame announcing 1 GiB — is closed with 1009 once it has sent a
 * little more than the endpoint's limit, and the server goes on serving.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class MessageSizeIT {

    private static final int ECHO_LIMIT = 64 * 1024;
    private static final int WHOAMI_LIMIT = 1024;
    private static final long FRAGMENTED = 64L << 20;
    private static final long ONE_GIB = 1L << 30;
    private static final int CHUNK = 16 * 1024;
    /**
     * What may lie between the client's writes and the endpoint's count when the close comes: the socket buffers on
     * loopback (autotuned to a few MiB on a loaded machine), the container's read-ahead (Undertow's backstop is 1 MiB
     * above the limit) — and, behind the Apache front, Apache's buffers and a second connection's. Far below the
     * 64 MiB and 1 GiB sent: what matters is that the server closed long before, and goes on serving.
     */
    private static final long SLACK = (Target.current().isBehindProxy() ? 16L : 8L) << 20;

    @Deployment(testable = false)
    static WebArchive keyhole() {
        return Deployments.builtWar();
    }

    @Test
    void a_fragmented_binary_message_to_echo_is_closed_with_1009_near_the_limit() throws Exception {
        assertStoppedNearLimit("/echo", ECHO_LIMIT, Kind.BINARY, Shape.FRAGMENTED, FRAGMENTED);
    }

    @Test
    void a_fragmented_text_message_to_echo_is_closed_with_1009_near_the_limit() throws Exception {
        assertStoppedNearLimit("/echo", ECHO_LIMIT, Kind.TEXT, Shape.FRAGMENTED, FRAGMENTED);
    }

    @Test
    void a_binary_frame_announcing_1_gib_to_echo_is_closed_with_1009_near_the_limit() throws Exception {
        assertStoppedNearLimit("/echo", ECHO_LIMIT, Kind.BINARY, Shape.ONE_FRAME, ONE_GIB);
    }

    @Test
    void a_text_frame_announcing_1_gib_to_echo_is_closed_with_1009_near_the_limit() throws Exception {
        assertStoppedNearLimit("/echo", ECHO_LIMIT, Kind.TEXT, Shape.ONE_FRAME, ONE_GIB);
    }

    @Test
    void a_fragmented_binary_message_to_whoami_is_closed_with_1009_near_the_limit() throws Exception {
        assertStoppedNearLimit("/whoami", WHOAMI_LIMIT, Kind.BINARY, Shape.FRAGMENTED, FRAGMENTED);
    }

    @Test
    void a_fragmented_text_message_to_whoami_is_closed_with_1009_near_the_limit() throws Exception {
        assertStoppedNearLimit("/whoami", WHOAMI_LIMIT, Kind.TEXT, Shape.FRAGMENTED, FRAGMENTED);
    }

    @Test
    void a_binary_frame_announcing_1_gib_to_whoami_is_closed_with_1009_near_the_limit() throws Exception {
        assertStoppedNearLimit("/whoami", WHOAMI_LIMIT, Kind.BINARY, Shape.ONE_FRAME, ONE_GIB);
    }

    @Test
    void a_text_frame_announcing_1_gib_to_whoami_is_closed_with_1009_near_the_limit() throws Exception {
        assertStoppedNearLimit("/whoami", WHOAMI_LIMIT, Kind.TEXT, Shape.ONE_FRAME, ONE_GIB);
    }

    private static void assertStoppedNearLimit(String path, int limit, Kind kind, Shape shape, long length) throws Exception {
        Outcome outcome = FloodClient.flood(Tls.anonymous(), Deployments.httpsPort(), path, kind, shape, length, CHUNK);

        // Binary to the text-only /whoami may also be refused as unsupported data before its size counts.
        boolean tooBig = outcome.closeCode() == 1009 && outcome.reason().equals("message-too-big");
        boolean unsupported = path.equals("/whoami") && kind == Kind.BINARY
                && outcome.closeCode() == 1003 && outcome.reason().equals("unsupported-data");
        // Behind Apache, the close can be lost: Apache ends the tunnel while the client is still writing, and the
        // reset that follows may discard the close frame on its way (Keyhole itself reads and drops what follows).
        boolean resetByProxy = Target.current().isBehindProxy() && outcome.closeCode() == -1;
        assertTrue(tooBig || unsupported || resetByProxy, () -> "closed with " + outcome);
        assertTrue(outcome.writtenAtClose() <= limit + SLACK, () -> "the client wrote " + outcome.writtenAtClose()
                + " bytes before the close, limit " + limit);
        try (WsClient client = WsClient.connect(Deployments.wss("/echo"), Tls.anonymous())) {
            client.sendText("still serving");
            assertEquals("still serving", client.nextText());
        }
    }
}
