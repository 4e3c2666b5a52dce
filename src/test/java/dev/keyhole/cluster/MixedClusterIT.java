package dev.keyhole.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.keyhole.testing.ChatClient;
import dev.keyhole.testing.Command;
import dev.keyhole.testing.ItPki;
import dev.keyhole.testing.Ports;
import dev.keyhole.testing.RedisServer;
import dev.keyhole.testing.ServerProcess;
import dev.keyhole.testing.Tls;
import dev.keyhole.testing.UberJar;
import dev.keyhole.testing.WildFlyProcess;
import jakarta.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The portable claim, tested: one node on Payara Micro (the uber-jar) and one on WildFly (the WAR in the WildFly
 * that server-config/wildfly configured) share a room through a real Redis. And on WildFly, where a redeploy
 * reuses the JVM, the Redis client's threads go with the application that started them.
 */
class MixedClusterIT {

    private static final Path WAR = Path.of("target/keyhole.war");

    private static RedisServer redis;
    private static ServerProcess micro;
    private static Ports microPorts;
    private static WildFlyProcess wildfly;

    @BeforeAll
    static void startCluster() throws Exception {
        redis = RedisServer.start("mixed", false, List.of());
        Map<String, String> settings = Map.of("KEYHOLE_CLUSTER_REDIS_URI", redis.uri(),
                "KEYHOLE_CHAT_RATE_PER_SECOND", "100000", "KEYHOLE_CHAT_RATE_BURST", "100000");
        microPorts = Ports.free();
        micro = UberJar.start("mixed-payara-micro", microPorts, Map.of("KEYHOLE_CLUSTER_REDIS_URI", redis.uri(),
                "KEYHOLE_CLUSTER_NODE_ID", "micro", "KEYHOLE_CHAT_RATE_PER_SECOND", "100000", "KEYHOLE_CHAT_RATE_BURST", "100000"));
        java.util.HashMap<String, String> wildflySettings = new java.util.HashMap<>(settings);
        wildflySettings.put("KEYHOLE_CLUSTER_NODE_ID", "wildfly");
        wildfly = WildFlyProcess.start(Path.of(System.getProperty("keyhole.it.wildfly.home")),
                Path.of("target/it-run/mixed-wildfly").toAbsolutePath(), List.of(WAR), wildflySettings,
                "-Xms64m -Xmx512m -Djava.net.preferIPv4Stack=true", Path.of("target/it-logs/mixed-wildfly.log"));
    }

    @AfterAll
    static void stopCluster() throws Exception {
        Optional<ProcessHandle> wildflyJvm = Optional.ofNullable(wildfly).map(WildFlyProcess::jvm);
        for (AutoCloseable part : new AutoCloseable[] {wildfly, micro, redis}) {
            try {
                if (part != null) {
                    part.close();
                }
            } catch (Exception e) {
                // the next one is still stopped
            }
        }
        if (wildflyJvm.isPresent()) {
            // Stopping the script by PID must stop WildFly's JVM too, not leave it running on the machine.
            ProcessHandle jvm = wildflyJvm.get();
            try {
                jvm.onExit().get(90, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                jvm.destroyForcibly();
                fail("WildFly's JVM was still running 90 s after its script was stopped");
            }
        }
    }

    private static URI room(int httpsPort, String room) {
        return URI.create("wss://localhost:" + httpsPort + "/chat/" + room);
    }

    private static List<Long> seqs(List<JsonObject> messages) {
        return messages.stream().map(message -> message.getJsonNumber("seq").longValue()).toList();
    }

    private static void send(ChatClient client, String prefix, int count) {
        try {
            for (int i = 0; i < count; i++) {
                client.send(prefix + i);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void a_node_on_payara_micro_and_a_node_on_wildfly_share_a_room() throws Exception {
        try (ChatClient alice = ChatClient.join(room(microPorts.https(), "mixed"), Tls.withCertificate(ItPki.client("alice")));
                ChatClient bob = ChatClient.join(room(wildfly.httpsPort(), "mixed"), Tls.withCertificate(ItPki.client("bob")))) {
            assertEquals(2, bob.welcome().getJsonArray("members").size(), "bob, on WildFly, sees alice on Payara Micro");
            CompletableFuture<Void> fromMicro = CompletableFuture.runAsync(() -> send(alice, "micro", 200));
            CompletableFuture<Void> fromWildFly = CompletableFuture.runAsync(() -> send(bob, "wildfly", 200));
            fromMicro.get(60, TimeUnit.SECONDS);
            fromWildFly.get(60, TimeUnit.SECONDS);

            List<JsonObject> onMicro = alice.messages(400);
            List<JsonObject> onWildFly = bob.messages(400);
            assertEquals(LongStream.rangeClosed(1, 400).boxed().toList(), seqs(onMicro));
            assertEquals(onMicro.stream().map(m -> m.getString("text")).toList(),
                    onWildFly.stream().map(m -> m.getString("text")).toList(), "one order on both servers");
        }
    }

    @Test
    void redeploying_on_wildfly_leaves_no_redis_client_thread_behind() throws Exception {
        int before = redisClientThreads();
        assertTrue(before > 0, "the deployed application runs its Redis client");

        for (int i = 0; i < 3; i++) {
            Command.Result redeploy = wildfly.cli("/deployment=keyhole.war:redeploy");
            assertEquals(0, redeploy.exitCode(), redeploy.output());
            // The new deployment works: it joined the cluster and serves the room.
            try (ChatClient carol = ChatClient.join(room(wildfly.httpsPort(), "redeploy"),
                    Tls.withCertificate(ItPki.client("carol")))) {
                assertEquals("welcome", carol.welcome().getString("type"));
            }
        }

        int after = redisClientThreads();
        assertTrue(after <= before, "Redis client threads: " + before + " before three redeploys, " + after + " after");
    }

    /** The live threads of the WildFly JVM that Lettuce (the Redis client) started, by name. */
    private static int redisClientThreads() throws Exception {
        Command.Result dump = Command.run(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(wildfly.jvm().pid()), "Thread.print"), Duration.ofSeconds(60));
        assertEquals(0, dump.exitCode(), dump.output());
        return (int) dump.output().lines().filter(line -> line.startsWith("\"lettuce-")).count();
    }
}
