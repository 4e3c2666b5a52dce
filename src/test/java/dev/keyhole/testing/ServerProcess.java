package dev.keyhole.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A server the test starts as a process of its own (the uber-jar, the dev runner, the benchmark's targets). Its
 * output goes to a log file and its temporary files to a folder of its own; the test waits on a latch for the
 * lines that say it is ready, and stops it by PID.
 */
public final class ServerProcess implements AutoCloseable {

    private static final Pattern PAYARA_READY = Pattern.compile("Payara Micro .* ready in");

    private final Process process;
    private final Path log;
    private final List<Pattern> readyWhen;
    private final CountDownLatch ready;
    private final CountDownLatch outputEnded = new CountDownLatch(1);
    /** Latches counted down by lines of the output from now on (see {@link #watch}). */
    private final List<Map.Entry<Pattern, CountDownLatch>> watches = new java.util.concurrent.CopyOnWriteArrayList<>();

    private ServerProcess(List<String> command, Map<String, String> environment, Path log, List<Pattern> readyWhen)
            throws IOException {
        this.log = log;
        this.readyWhen = readyWhen;
        this.ready = new CountDownLatch(readyWhen.size());
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        process = builder.start();
        Thread pump = new Thread(this::pumpOutput, "output of " + log.getFileName());
        pump.setDaemon(true);
        pump.start();
    }

    /** Starts the command and waits until Payara Micro reports that it is ready. */
    public static ServerProcess startPayara(List<String> command, Map<String, String> environment, String name)
            throws IOException, InterruptedException {
        return start(command, environment, Path.of("target/it-logs", name + ".log"), List.of(PAYARA_READY));
    }

    /** Starts the command and waits until each pattern has matched a line of its output (in any order). */
    public static ServerProcess start(List<String> command, Map<String, String> environment, Path log,
            List<Pattern> readyWhen) throws IOException, InterruptedException {
        ServerProcess server = new ServerProcess(command, environment, log, readyWhen);
        server.awaitReady(Duration.ofMinutes(4));
        return server;
    }

    /** An empty folder for the temporary files of the server called {@code name} (its java.io.tmpdir). */
    public static Path tempDir(String name) throws IOException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), name).toAbsolutePath();
        TestFiles.deleteRecursively(dir);
        return Files.createDirectories(dir);
    }

    private void pumpOutput() {
        List<Pattern> waiting = new ArrayList<>(readyWhen);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                Writer file = Files.newBufferedWriter(log)) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                file.write(line);
                file.write('\n');
                file.flush();
                for (Map.Entry<Pattern, CountDownLatch> watch : watches) {
                    if (watch.getKey().matcher(line).find()) {
                        watch.getValue().countDown();
                    }
                }
                for (Iterator<Pattern> it = waiting.iterator(); it.hasNext();) {
                    if (it.next().matcher(line).find()) {
                        it.remove();
                        ready.countDown();
                    }
                }
            }
        } catch (IOException e) {
            // Stopping the process closes its output stream under the reader: the log simply ends here.
        } finally {
            outputEnded.countDown();
        }
    }

    private void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.await(1, TimeUnit.SECONDS)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                close();
                throw new AssertionError("server did not become ready (exit " + (process.isAlive() ? "-" : process.exitValue())
                        + "); output in " + log.toAbsolutePath());
            }
        }
    }

    /**
     * A latch that the next {@code count} lines of output matching the pattern count down: set it before doing what
     * makes the server write them, then await it.
     */
    public CountDownLatch watch(Pattern line, int count) {
        CountDownLatch latch = new CountDownLatch(count);
        watches.add(Map.entry(line, latch));
        return latch;
    }

    /** Sends SIGINT, as Ctrl-C in a terminal does. */
    public void interrupt() throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    /** Sends SIGTERM, as a service manager or container runtime does to stop a server. */
    public void terminate() throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    /** Sends SIGKILL: the process ends at once, as in a crash, without running any of its shutdown code. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        outputEnded.await(10, TimeUnit.SECONDS);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the process to end; fails the test if it is still running after the timeout. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("server still running " + timeout + " after it was asked to stop; see " + log);
        }
        outputEnded.await(10, TimeUnit.SECONDS);
        return process.exitValue();
    }

    public String output() throws IOException {
        return Files.readString(log);
    }

    public Path log() {
        return log;
    }

    /** The process started (for a launcher script, the script: its JVM is among the descendants). */
    public ProcessHandle handle() {
        return process.toHandle();
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
