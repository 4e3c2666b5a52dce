package dev.keyhole.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The benchmark at its smallest scale (seconds per scenario, a room of 20): every scenario runs on every target
 * and produces a number. What the numbers are is the full benchmark's business (mvn -Pbench verify), not a test's.
 */
class BenchmarkSmokeIT {

    private static final List<String> FLOOR_SCENARIOS = List.of("echo-latency", "echo-throughput", "handshakes",
            "idle-capacity");
    private static final List<String> KEYHOLE_SCENARIOS = List.of("echo-latency", "echo-throughput", "handshakes",
            "chat-fan-out", "chat-fan-out-sweep", "chat-stalled-member", "idle-capacity");

    @Test
    void every_scenario_produces_a_number_on_every_target() throws Exception {
        Path out = Path.of("target/bench-smoke").toAbsolutePath();
        Benchmark.main(new String[] {"--scale", "smoke", "--out", out.toString(),
                "--uber-jar", System.getProperty("keyhole.it.uber.jar"), "--war", System.getProperty("keyhole.it.war"),
                "--wildfly-home", System.getProperty("keyhole.it.wildfly.home")});

        JsonArray results;
        try (JsonReader reader = Json.createReader(new StringReader(Files.readString(out.resolve("results.json"))))) {
            results = reader.readArray();
        }
        for (JsonObject result : results.getValuesAs(JsonObject.class)) {
            assertTrue(result.get("value").getValueType() == jakarta.json.JsonValue.ValueType.NUMBER,
                    "no number: " + result);
        }
        Map<String, Set<String>> scenarios = results.getValuesAs(JsonObject.class).stream().collect(Collectors.groupingBy(
                r -> r.getString("target"), Collectors.mapping(r -> r.getString("scenario"), Collectors.toSet())));
        assertEquals(Set.copyOf(FLOOR_SCENARIOS), scenarios.get("floor"));
        assertEquals(Set.of("echo-latency", "echo-throughput", "chat-fan-out", "chat-fan-out-sweep", "chat-stalled-member"),
                scenarios.get("peer"));
        for (String target : List.of("payara-micro", "wildfly")) {
            assertEquals(Set.copyOf(KEYHOLE_SCENARIOS), scenarios.get(target), target);
            assertEquals(Set.of("echo-latency", "echo-throughput"), scenarios.get(target + "/trivial"), target);
        }
        assertEquals(Set.of("chat-cluster", "chat-cluster-sweep", "chat-cluster-latency"), scenarios.get("cluster"));
        assertTrue(Files.size(out.resolve("chart.html")) > 0);
    }
}
