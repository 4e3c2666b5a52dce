package dev.keyhole.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.testing.ChatClient;
import dev.keyhole.testing.Command;
import dev.keyhole.testing.Deployments;
import dev.keyhole.testing.ItPki;
import dev.keyhole.testing.Ports;
import dev.keyhole.testing.ServerProcess;
import dev.keyhole.testing.Target;
import dev.keyhole.testing.TestFiles;
import dev.keyhole.testing.Tls;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The monitoring Keyhole ships (server-config/monitoring/) against real tools: Debian's promtool checks and
 * unit-tests the alert rules, and a real Prometheus, given the shipped rules and a client certificate with role
 * metrics, scrapes the node under test over TLS; its HTTP API must then show the target up, the key series with
 * values, the rules loaded, and every series the Grafana dashboard draws.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class PrometheusIT {

    private static final Path MONITORING = Path.of("server-config/monitoring").toAbsolutePath();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern READY = Pattern.compile("Server is ready to receive web requests");

    private final Target target = Target.current();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Deployment(testable = false)
    static WebArchive keyhole() {
        return Deployments.builtWar();
    }

    @Test
    void promtool_accepts_the_alert_rules_and_their_unit_tests_pass() throws Exception {
        Command.Result check = Command.run(List.of("promtool", "check", "rules", MONITORING.resolve("keyhole-alerts.yml").toString()),
                Duration.ofSeconds(60));
        assertEquals(0, check.exitCode(), check.output());

        Command.Result test = Command.run(List.of("promtool", "test", "rules",
                MONITORING.resolve("keyhole-alerts.test.yml").toString()), Duration.ofSeconds(60));
        assertEquals(0, test.exitCode(), test.output());
    }

    @Test
    void prometheus_scrapes_the_node_with_its_certificate_and_sees_the_series_the_rules_and_the_dashboard_use()
            throws Exception {
        // Some traffic first, so that the chat's meters have series too.
        try (ChatClient alice = ChatClient.join(target.wss("/chat/monitored"), Tls.withCertificate(ItPki.client("alice")))) {
            alice.send("counted");
            assertEquals("counted", alice.next("message").getString("text"));
        }
        Path dir = Path.of("target/it-run/prometheus").toAbsolutePath();
        TestFiles.deleteRecursively(dir);
        Files.createDirectories(dir);
        Path config = Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: keyhole
                    scheme: https
                    metrics_path: /metrics
                    tls_config:
                      ca_file: %s
                      cert_file: %s
                      key_file: %s
                      server_name: localhost
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(MONITORING.resolve("keyhole-alerts.yml"), ItPki.keyhole().resolve("ca.crt"),
                ItPki.keyhole().resolve("clients/prometheus.crt"), ItPki.keyhole().resolve("clients/prometheus.key"),
                target.httpsPort()));
        int port = Ports.free().http();
        try (ServerProcess prometheus = ServerProcess.start(List.of("prometheus", "--config.file=" + config,
                        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                        "--log.level=info"), Map.of(), Path.of("target/it-logs/prometheus.log"), List.of(READY))) {
            URI api = URI.create("http://127.0.0.1:" + port + "/api/v1/");
            assertTrue(prometheus.isAlive());

            JsonArray up = awaitResult(api, "up{job=\"keyhole\"} == 1");
            assertEquals(1, up.size(), "the node is scraped (its certificate has role metrics)");

            for (String series : List.of("keyhole_connections_open", "keyhole_handshakes_total",
                    "keyhole_messages_delivered_total", "keyhole_delivery_latency_seconds_bucket",
                    "keyhole_server_certificate_expiry_seconds", "keyhole_crl_fresh", "keyhole_crl_next_update_timestamp_seconds",
                    "keyhole_rooms", "jvm_memory_used_bytes")) {
                assertFalse(awaitResult(api, series).isEmpty(), series);
            }
            assertEquals("1", value(awaitResult(api, "keyhole_crl_fresh")), "the test CRL is fresh");
            assertTrue(Double.parseDouble(value(awaitResult(api, "keyhole_server_certificate_expiry_seconds"))) > 86_400);

            JsonObject rules = get(api.resolve("rules"));
            List<String> loaded = rules.getJsonObject("data").getJsonArray("groups").stream()
                    .flatMap(group -> group.asJsonObject().getJsonArray("rules").stream())
                    .map(rule -> rule.asJsonObject().getString("name") + ":" + rule.asJsonObject().getString("health"))
                    .toList();
            assertEquals(9, loaded.size(), loaded.toString());
            assertTrue(loaded.stream().allMatch(rule -> rule.endsWith(":ok") || rule.endsWith(":unknown")), loaded.toString());

            Set<String> scraped = names(get(api.resolve("label/__name__/values")).getJsonArray("data"));
            Set<String> drawn = dashboardSeries();
            Set<String> clusterOnly = drawn.stream().filter(name -> name.contains("redis") || name.startsWith("lettuce_"))
                    .collect(Collectors.toCollection(TreeSet::new));
            drawn.removeAll(clusterOnly);
            drawn.removeAll(scraped);
            assertEquals(Set.of(), drawn, "the dashboard draws series this node does not have");
            String operations = Files.readString(Path.of("docs/operations.md"));
            for (String name : clusterOnly) {
                String documented = name.replaceAll("_(sum|count|bucket)$", "");
                assertTrue(operations.contains(documented), documented + " is documented as a cluster series");
            }
        }
    }

    /** Queries until the result is not empty (the first scrapes take a moment), or fails after {@link #WAIT}. */
    private JsonArray awaitResult(URI api, String query) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonArray result;
        do {
            result = get(api.resolve("query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)))
                    .getJsonObject("data").getJsonArray("result");
            if (!result.isEmpty()) {
                return result;
            }
            Thread.sleep(200); // polling an external process's HTTP API: there is nothing else to wait on
        } while (System.nanoTime() < deadline);
        return result;
    }

    private static String value(JsonArray result) {
        return result.getJsonObject(0).getJsonArray("value").getString(1);
    }

    private JsonObject get(URI uri) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return Json.createReader(new StringReader(response.body())).readObject();
    }

    private static Set<String> names(JsonArray values) {
        return values.stream().map(value -> ((jakarta.json.JsonString) value).getString()).collect(Collectors.toSet());
    }

    /** Every series name in the expressions of the shipped Grafana dashboard. */
    private static Set<String> dashboardSeries() throws Exception {
        JsonObject dashboard = Json.createReader(new StringReader(Files.readString(MONITORING.resolve("keyhole-dashboard.json"))))
                .readObject();
        Set<String> names = new TreeSet<>();
        Pattern series = Pattern.compile("\\b((?:keyhole|jvm|process|lettuce)_[a-z_]+)");
        for (JsonValue panel : dashboard.getJsonArray("panels")) {
            for (JsonValue query : panel.asJsonObject().getJsonArray("targets")) {
                Matcher matcher = series.matcher(query.asJsonObject().getString("expr"));
                while (matcher.find()) {
                    names.add(matcher.group(1));
                }
            }
        }
        return names;
    }
}
