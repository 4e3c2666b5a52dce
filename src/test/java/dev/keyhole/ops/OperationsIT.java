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
        return get(path, tls, java.util.Map.of("X-Keyhole-Admin", "1"));
    }

    private HttpResponse<String> get(String path, SSLContext tls, java.util.Map<String, String> headers) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(WsClient.TIMEOUT).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(target.https(path)).timeout(WsClient.TIMEOUT).GET();
        headers.forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
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

            // A message counts as delivered when its send completes, which the server may learn just after the
            // client has read it (Undertow completes sends on its I/O thread): scrape until both are counted.
            String delivered = "keyhole_messages_delivered_total\\{endpoint=\"echo\"\\}";
            HttpResponse<String> scrape = get("/metrics", prometheus);
            for (long deadline = System.nanoTime() + WsClient.TIMEOUT.toNanos();
                    value(scrape.body(), delivered) < value(before, delivered) + 2 && System.nanoTime() < deadline; ) {
                scrape = get("/metrics", prometheus);
            }

            assertEquals(200, scrape.statusCode());
            assertEquals("text/plain;version=0.0.4;charset=utf-8", // Undertow drops the spaces
                    scrape.headers().firstValue("Content-Type").orElse("").replace(" ", ""));
            String after = scrape.body();
            assertTrue(value(after, "keyhole_connections_open\\{endpoint=\"echo\"\\}") >= 1, after);
            assertTrue(value(after, "keyhole_messages_received_total\\{endpoint=\"echo\"\\}")
                    >= value(before, "keyhole_messages_received_total\\{endpoint=\"echo\"\\}") + 2);
            assertTrue(value(after, delivered) >= value(before, delivered) + 2, after);
            assertTrue(value(after, "keyhole_handshakes_total\\{decision=\"accept\",reason=\"anonymous\"\\}")
                    >= value(before, "keyhole_handshakes_total\\{decision=\"accept\",reason=\"anonymous\"\\}") + 1, after);
            assertTrue(value(after, "keyhole_server_certificate_expiry_seconds") > 86_400, "the test listener's certificate is valid for days");
            assertTrue(value(after, "keyhole_crl_next_update_timestamp_seconds\\{file=\"[^\"]*/crl.pem\"\\}") > System.currentTimeMillis() / 1000.0);
            // Summed over the heap's pools: one of them alone (an eden just collected) may well be empty.
            assertTrue(sum(after, "jvm_memory_used_bytes\\{area=\"heap\",id=\"[^\"]+\"\\}") > 0, after);
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

    private HttpResponse<String> post(String path, SSLContext tls, java.util.Map<String, String> headers) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(WsClient.TIMEOUT).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(target.https(path)).timeout(WsClient.TIMEOUT)
                .POST(HttpRequest.BodyPublishers.noBody());
        headers.forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void the_admin_api_and_page_need_the_admin_role() throws Exception {
        SSLContext root = Tls.withCertificate(ItPki.client("root"));
        HttpResponse<String> nodes = get("/admin/api/nodes", root);
        HttpResponse<String> page = get("/admin/", root);
        HttpResponse<String> bare = get("/admin", root);

        assertEquals(200, nodes.statusCode(), nodes.body());
        assertEquals(1, json(nodes.body()).getJsonArray("nodes").size());
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("Keyhole admin"));
        HttpResponse<String> forged = get("/admin/api/connections", root, java.util.Map.of());
        assertEquals(403, forged.statusCode(), "without X-Keyhole-Admin: a page elsewhere could make the admin's browser ask");
        assertEquals("cross-site-request", json(forged.body()).getString("error"));
        HttpResponse<String> otherOrigin = get("/admin/api/connections", root,
                java.util.Map.of("X-Keyhole-Admin", "1", "Origin", "https://app.keyhole.test"));
        assertEquals(403, otherOrigin.statusCode(), "not even an origin the chat allows");
        assertEquals(308, bare.statusCode());
        assertEquals("/admin/", bare.headers().firstValue("Location").orElse(""));
        for (String path : java.util.List.of("/admin/", "/admin/api/nodes", "/admin/admin.js")) {
            HttpResponse<String> alice = get(path, Tls.withCertificate(ItPki.client("alice")));
            assertEquals(403, alice.statusCode(), path);
            assertEquals("role-required", alice.body().strip(), path);
            assertEquals(403, get(path, Tls.anonymous()).statusCode(), path);
        }
    }

    @Test
    void the_admin_api_lists_a_connection_by_its_certificate_and_disconnects_it_with_a_close_code_that_says_reconnect()
            throws Exception {
        dev.keyhole.testing.ServerLog log = target.log();
        SSLContext root = Tls.withCertificate(ItPki.client("root"));
        String fingerprint = dev.keyhole.auth.ClientIdentity.fingerprint(ItPki.clientCertificate("erin"));
        try (WsClient erin = WsClient.connect(target.wss("/echo"), Tls.withCertificate(ItPki.client("erin")))) {
            erin.sendText("here");
            assertEquals("here", erin.nextText());

            JsonObject listed = json(get("/admin/api/connections?subject=" + java.net.URLEncoder.encode(
                    "CN=erin, O=Keyhole IT", java.nio.charset.StandardCharsets.UTF_8), root).body());
            assertEquals(1, listed.getInt("total"), listed.toString());
            JsonObject connection = listed.getJsonArray("connections").getJsonObject(0);
            assertEquals("echo", connection.getString("endpoint"));
            assertEquals(fingerprint, connection.getString("fingerprint"));
            assertEquals("CN=Keyhole IT CA,O=Keyhole IT", connection.getString("issuer"));
            assertTrue(connection.containsKey("notAfter") && connection.containsKey("since"));

            HttpResponse<String> forged = post("/admin/api/disconnect?fingerprint=" + fingerprint, root, java.util.Map.of());
            assertEquals(403, forged.statusCode(), "without X-Keyhole-Admin: a cross-site form could send it");
            assertEquals("cross-site-request", json(forged.body()).getString("error"));
            HttpResponse<String> everyone = post("/admin/api/disconnect", root, java.util.Map.of("X-Keyhole-Admin", "1"));
            assertEquals(400, everyone.statusCode());
            assertEquals("filter-required", json(everyone.body()).getString("error"));
            HttpResponse<String> misspelt = post("/admin/api/disconnect?fingerprnt=" + fingerprint, root,
                    java.util.Map.of("X-Keyhole-Admin", "1"));
            assertEquals(400, misspelt.statusCode());
            assertEquals("bad-filter", json(misspelt.body()).getString("error"));

            HttpResponse<String> done = post("/admin/api/disconnect?reconnect=true&fingerprint=" + fingerprint.toUpperCase(),
                    root, java.util.Map.of("X-Keyhole-Admin", "1"));
            assertEquals(200, done.statusCode(), done.body());
            assertEquals(1, json(done.body()).getInt("disconnected"));
            assertEquals(4000, json(done.body()).getInt("closeCode"));
            assertEquals(new WsClient.Close(4000, "admin-reconnect"), erin.awaitClose());
        }
        assertTrue(log.awaitLine(Pattern.compile("event=admin action=disconnect admin=\"CN=root,O=Keyhole IT\".*"
                + "result=ok count=1"), java.time.Duration.ofSeconds(20)) != null);
    }

    /** The value of the first series whose name and labels match {@code series} (a regex); 0 when absent. */
    /** The sum of every sample of the series (a pattern that may match several label sets). */
    private static double sum(String scrape, String series) {
        Matcher matcher = Pattern.compile("(?m)^" + series + " (\\S+)$").matcher(scrape);
        double sum = 0;
        while (matcher.find()) {
            sum += Double.parseDouble(matcher.group(1));
        }
        return sum;
    }

    private static double value(String scrape, String series) {
        Matcher matcher = Pattern.compile("(?m)^" + series + " (\\S+)$").matcher(scrape);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
    }
}
