package dev.keyhole.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A real {@code redis-server} (Debian's package, which .ci/run installs) on a free loopback port, with its data in
 * a folder of its own; started and stopped by PID. It can be stopped and started again on the same port, with its
 * data kept ({@code persistent}: append-only file) or starting empty.
 */
public final class RedisServer implements AutoCloseable {

    private static final Pattern READY = Pattern.compile("Ready to accept connections");

    private final String name;
    private final int port;
    private final boolean persistent;
    private final Path dir;
    private final List<String> extraArguments;
    private ServerProcess process;
    private int starts;

    private RedisServer(String name, int port, boolean persistent, Path dir, List<String> extraArguments) {
        this.name = name;
        this.port = port;
        this.persistent = persistent;
        this.dir = dir;
        this.extraArguments = extraArguments;
    }

    /** Starts a Redis that keeps nothing on disk: stopped and started again, it is empty. */
    public static RedisServer start(String name) throws IOException, InterruptedException {
        return start(name, false, List.of());
    }

    /** Starts a Redis; {@code persistent}: every write in an append-only file, so a restart keeps the data. */
    public static RedisServer start(String name, boolean persistent, List<String> extraArguments)
            throws IOException, InterruptedException {
        RedisServer redis = new RedisServer(name, freePort(), persistent, ServerProcess.tempDir("redis-" + name),
                List.copyOf(extraArguments));
        redis.startAgain();
        return redis;
    }

    /**
     * Starts a Redis that speaks only TLS (the run's server certificate for localhost, from the test PKI) and admits
     * only the user {@code keyhole} with this password.
     */
    public static RedisServer startTls(String name, String password) throws IOException, InterruptedException {
        Path pki = ItPki.keyhole();
        RedisServer redis = new RedisServer(name, freePort(), false, ServerProcess.tempDir("redis-" + name), List.of());
        redis.startWith(List.of("--port", "0", "--tls-port", Integer.toString(redis.port),
                "--tls-cert-file", pki.resolve("servers/localhost.crt").toString(),
                "--tls-key-file", pki.resolve("servers/localhost.key").toString(),
                "--tls-ca-cert-file", pki.resolve("ca.crt").toString(), "--tls-auth-clients", "no",
                "--user", "default", "off", "--user", "keyhole", "on", ">" + password, "~*", "&*", "+@all"));
        return redis;
    }

    /** Starts the server again on the same port (after {@link #stop} or {@link #kill}). */
    public void startAgain() throws IOException, InterruptedException {
        startWith(List.of("--port", Integer.toString(port)));
    }

    private void startWith(List<String> listener) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(redisServer()));
        command.addAll(listener);
        command.addAll(List.of("--bind", "127.0.0.1",
                "--dir", dir.toString(), "--save", "", "--daemonize", "no", "--protected-mode", "yes",
                "--appendonly", persistent ? "yes" : "no", "--appendfsync", "always"));
        command.addAll(extraArguments);
        starts++;
        process = ServerProcess.start(command, Map.of(), Path.of("target/it-logs", "redis-" + name + "-" + starts + ".log"),
                List.of(READY));
    }

    /** Stops the server (SIGTERM) and waits until it is gone. */
    public void stop() throws IOException, InterruptedException {
        process.terminate();
        process.awaitExit(java.time.Duration.ofSeconds(30));
    }

    /** Forgets everything the server wrote to disk (while it is stopped): started again, it is empty. */
    public void wipe() throws IOException {
        TestFiles.deleteRecursively(dir);
        Files.createDirectories(dir);
    }

    /** Kills the server (SIGKILL): whatever it had not written is lost. */
    public void kill() throws InterruptedException {
        process.kill();
    }

    /** Whether the server process is running (not stopped or killed by a test). */
    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    public int port() {
        return port;
    }

    /** The URI Keyhole is configured with. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
    }

    private static String redisServer() {
        for (String candidate : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return "redis-server";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }
}
