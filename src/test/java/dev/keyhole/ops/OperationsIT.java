package dev.keyhole.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.testing.Deployments;
import dev.keyhole.testing.ItPki;
import dev.keyhole.testing.Target;
import dev.keyhole.testing.Tls;
import dev.keyhole.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Health and metrics on the target under test, with the setup failsafe gives every server (pom.xml): prometheus
 * has role metrics, root role admin, alice neither. The tests run on loopback, so health answers them without a
 * certificate; behind the Apache front, Keyhole sees the client's address through the trusted proxy.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OperationsIT {

    private final Target target = Target.current();

    @Deployment(testable = false)
    static WebArchive keyhole() {
        return Deployments.builtWar();
    }

    private HttpResponse<String> get(String path, SSLContext tls) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(WsClient.TIMEOUT).build();
        return client.send(HttpRequest.newBuilder(target.https(path)).timeout(WsClient.TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    @Test
    void health_live_and_ready_answer_up_without_a_certificate_from_loopback() throws Exception {
        HttpResponse<String> live = get("/health/live", Tls.anonymous());
        HttpResponse<String> ready = get("/health/ready", Tls.anonymous());

        assertEquals(200, live.statusCode(), live.body());
        assertEquals("UP", json(live.body()).getString("status"));
        assertEquals("application/json", live.headers().firstValue("Content-Type").orElse("").replaceAll(";.*", ""));
        assertEquals(200, ready.statusCode(), ready.body());
        JsonObject readiness = json(ready.body());
        assertEquals("UP", readiness.getString("status"));
        assertEquals("[\"handshakes\",\"crl\"]", readiness.getJsonArray("checks").stream()
                .map(check -> "\"" + check.asJsonObject().getString("name") + "\"").toList().toString().replace(" ", ""));
        assertEquals("no-store", ready.headers().firstValue("Cache-Control").orElse(""));
    }

    @Test
    void health_with_a_certificate_without_an_operations_role_is_refused_with_role_required() throws Exception {
        HttpResponse<String> refused = get("/health/ready", Tls.withCertificate(ItPki.client("alice")));

        assertEquals(403, refused.statusCode());
        assertEquals("role-required", refused.body().strip());
    }

    @Test
    void metrics_need_the_metrics_role() throws Exception {
        HttpResponse<String> anonymous = get("/metrics", Tls.anonymous());
        HttpResponse<String> alice = get("/metrics", Tls.withCertificate(ItPki.client("alice")));
        HttpResponse<String> admin = get("/metrics", Tls.withCertificate(ItPki.client("root")));

        assertEquals(403, anonymous.statusCode());
        assertEquals("no-certificate", anonymous.body().strip());
        assertEquals(403, alice.statusCode());
        assertEquals("role-required", alice.body().strip());
        assertEquals(403, admin.statusCode(), "the admin role is not the metrics role");
    }

    @Test
    void metrics_count_connections_messages_and_handshakes_in_the_prometheus_text_format() throws Exception {
        SSLContext prometheus = Tls.withCertificate(ItPki.client("prometheus"));
        String before = get("/metrics", prometheus).body();
        try (WsClient echo = WsClient.connect(target.wss("/echo"), Tls.anonymous())) {
            echo.sendText("counted");
            assertEquals("counted", echo.nextText());
            echo.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            echo.nextBinary();

            HttpResponse<String> scrape = get("/metrics", prometheus);

            assertEquals(200, scrape.statusCode());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", scrape.headers().firstValue("Content-Type").orElse(""));
            String after = scrape.body();
            assertTrue(value(after, "keyhole_connections_open\\{endpoint=\"echo\"\\}") >= 1, after);
            assertTrue(value(after, "keyhole_messages_received_total\\{endpoint=\"echo\"\\}")
                    >= value(before, "keyhole_messages_received_total\\{endpoint=\"echo\"\\}") + 2);
            assertTrue(value(after, "keyhole_messages_delivered_total\\{endpoint=\"echo\"\\}")
                    >= value(before, "keyhole_messages_delivered_total\\{endpoint=\"echo\"\\}") + 2);
            assertTrue(value(after, "keyhole_handshakes_total\\{decision=\"accept\",reason=\"anonymous\"\\}")
                    >= value(before, "keyhole_handshakes_total\\{decision=\"accept\",reason=\"anonymous\"\\}") + 1, after);
            assertTrue(value(after, "keyhole_server_certificate_expiry_seconds") > 86_400, "the test listener's certificate is valid for days");
            assertTrue(value(after, "keyhole_crl_next_update_timestamp_seconds\\{file=\"crl.pem\"\\}") > System.currentTimeMillis() / 1000.0);
            assertTrue(value(after, "jvm_memory_used_bytes\\{area=\"heap\",id=\"[^\"]+\"\\}") > 0);
            assertTrue(after.contains("keyhole_rooms "), "rooms gauge");
            assertTrue(after.contains("keyhole_outbox_queued_messages "), "outbox gauge");
        }
    }

    @Test
    void a_refused_handshake_is_counted_by_its_reason_code() throws Exception {
        SSLContext prometheus = Tls.withCertificate(ItPki.client("prometheus"));
        String series = "keyhole_handshakes_total\\{decision=\"refuse\",reason=\"no-certificate\"\\}";
        double before = value(get("/metrics", prometheus).body(), series);
        try {
            WsClient.connect(target.wss("/chat/lobby"), Tls.anonymous()).close();
        } catch (Exception refused) {
            // 403 no-certificate
        }
        double after = value(get("/metrics", prometheus).body(), series);

        if (target.isBehindProxy()) {
            assertEquals(before, after, "the Apache front refuses it before Keyhole sees it");
        } else {
            assertEquals(before + 1, after);
        }
    }

    /** The value of the first series whose name and labels match {@code series} (a regex); 0 when absent. */
    private static double value(String scrape, String series) {
        Matcher matcher = Pattern.compile("(?m)^" + series + " (\\S+)$").matcher(scrape);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
    }
}
