package dev.keyhole.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.testing.Command;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docker/compose.yaml, the cluster as containers, checked by Docker Compose itself ({@code docker-compose config}:
 * Debian's docker-compose, which .ci/run installs) — no engine runs here, so the images are not built or started;
 * what they run is what ClusterIT tests as processes.
 */
class ComposeFileIT {

    private static final Path COMPOSE = Path.of("docker/compose.yaml");
    private static final Map<String, String> REQUIRED = Map.of(
            "KEYHOLE_CLUSTER_REDIS_URI", "redis://keyhole:not-a-secret@redis:6379",
            "KEYHOLE_AUTH_PROXY_SUBJECTS", "dn:CN=apache,OU=proxy,O=Example|CN=Example CA,O=Example");

    private static Command.Result compose(Map<String, String> environment, String... arguments) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("docker-compose", "-f", COMPOSE.toString()));
        command.addAll(Arrays.asList(arguments));
        return Command.run(command, environment, Duration.ofSeconds(60));
    }

    @Test
    void the_compose_file_describes_redis_two_nodes_and_the_apache_balancer_in_front_of_them() throws Exception {
        Command.Result services = compose(REQUIRED, "config", "--services");
        assertEquals(0, services.exitCode(), services.output());
        assertEquals(List.of("apache", "node-a", "node-b", "redis"), services.output().lines().sorted().toList());

        Command.Result config = compose(REQUIRED, "config");
        assertEquals(0, config.exitCode(), config.output());
        String text = config.output();
        assertTrue(text.contains("KEYHOLE_APACHE_BACKENDS: https://node-a:8443 https://node-b:8443"), text);
        assertTrue(text.contains("KEYHOLE_CLUSTER_NODE_ID: node-a") && text.contains("KEYHOLE_CLUSTER_NODE_ID: node-b"), text);
        assertEquals(2, text.split("KEYHOLE_CLUSTER_REDIS_URI: redis://keyhole:not-a-secret@redis:6379", -1).length - 1,
                "both nodes on the same Redis");
        assertEquals(2, text.split("KEYHOLE_AUTH_PROXY_ADDRESSES: 172.30.0.10", -1).length - 1, "both nodes trust Apache only");
        assertTrue(text.contains("ipv4_address: 172.30.0.10"), "Apache at the address the nodes trust");
        assertEquals(1, text.split("ports:", -1).length - 1, "only Apache is published");
        assertTrue(text.contains("--appendonly") && text.contains("noeviction"), "Redis keeps what it is given");
    }

    @Test
    void without_the_redis_uri_compose_refuses_and_names_the_variable() throws Exception {
        Command.Result config = compose(Map.of("KEYHOLE_AUTH_PROXY_SUBJECTS", "dn:CN=apache"), "config");

        assertNotEquals(0, config.exitCode());
        assertTrue(config.output().contains("KEYHOLE_CLUSTER_REDIS_URI"), config.output());
    }

    @Test
    void the_compose_file_holds_no_secret() throws Exception {
        String text = Files.readString(COMPOSE);

        assertFalse(text.contains("PRIVATE KEY"));
        assertFalse(java.util.regex.Pattern.compile("rediss?://[^:\\s/]+:(?!PASSWORD@)[^@\\s]+@").matcher(text).find(),
                "no password in the file, only the placeholder");
    }
}
