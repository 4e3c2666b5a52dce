package dev.keyhole.bench;

import dev.keyhole.testing.ServerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server process the benchmark started (a {@link ServerProcess}), seen from outside: its JVM's PID (the java
 * process itself, or the one a launcher script started), its CPU time from /proc, its heap after a full GC (jcmd)
 * and its resident set.
 */
final class ServerUnderTest implements AutoCloseable {

    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    final String name;
    final int httpsPort;
    private final ServerProcess process;
    private volatile long jvmPid;

    private ServerUnderTest(String name, int httpsPort, ServerProcess process) {
        this.name = name;
        this.httpsPort = httpsPort;
        this.process = process;
    }

    /** Starts the command and waits until every pattern has matched a line of its output. */
    static ServerUnderTest start(String name, int httpsPort, List<String> command, Map<String, String> environment,
            Path log, List<Pattern> readyWhen) throws IOException, InterruptedException {
        return new ServerUnderTest(name, httpsPort, ServerProcess.start(command, environment, log, readyWhen));
    }

    /** A server already started (and ready). */
    static ServerUnderTest of(String name, int httpsPort, ServerProcess process) {
        return new ServerUnderTest(name, httpsPort, process);
    }

    /** The PID of the server's JVM: the process itself, or the java process its launcher script started. */
    long pid() {
        if (jvmPid == 0) {
            jvmPid = process.handle().descendants()
                    .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                    .mapToLong(ProcessHandle::pid).findFirst().orElse(process.handle().pid());
        }
        return jvmPid;
    }

    /** CPU time (user + system) the server's JVM has used so far, in nanoseconds. */
    long cpuNanos() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14 and 15)
            return ticks * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the CPU time of " + name, e);
        }
    }

    /**
     * Waits (up to a minute) until the server has used less than a tenth of a core for a second: the work a scenario
     * left behind (closing a room of a thousand members, say) must not be measured as the next one's.
     */
    void awaitQuiet() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        long before = cpuNanos();
        do {
            TimeUnit.SECONDS.sleep(1);
            long now = cpuNanos();
            if (now - before < TimeUnit.MILLISECONDS.toNanos(100)) {
                return;
            }
            before = now;
        } while (System.nanoTime() < deadline);
    }

    /** Heap in use after a full collection, in bytes. */
    long heapAfterGc() throws IOException, InterruptedException {
        jcmd("GC.run");
        jcmd("GC.run");
        String info = jcmd("GC.heap_info");
        Matcher used = HEAP_USED.matcher(info);
        if (!used.find()) {
            throw new IllegalStateException("no heap figure in: " + info);
        }
        return Long.parseLong(used.group(1)) * 1024;
    }

    /** Resident set size, in bytes. */
    long rss() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS for " + name);
    }

    /** Writes the server's class histogram (live objects, after a full GC) to {@code file}. */
    void writeClassHistogram(Path file) throws IOException, InterruptedException {
        Files.writeString(file, jcmd("GC.class_histogram"));
    }

    /** Writes a heap dump of the server's live objects to {@code file}. */
    void writeHeapDump(Path file) throws IOException, InterruptedException {
        Files.deleteIfExists(file);
        jcmd("GC.heap_dump", file.toAbsolutePath().toString());
    }

    /** Writes the server's flight recording (when it was started with one) to {@code file}. */
    void dumpFlightRecording(Path file) throws IOException, InterruptedException {
        jcmd("JFR.dump", "filename=" + file.toAbsolutePath());
    }

    private String jcmd(String... command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        List<String> line = new ArrayList<>(List.of(jcmd.toString(), Long.toString(pid())));
        line.addAll(List.of(command));
        Process run = new ProcessBuilder(line).redirectErrorStream(true).start();
        String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!run.waitFor(2, TimeUnit.MINUTES) || run.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + String.join(" ", command) + " failed: " + output);
        }
        return output;
    }

    /** Stops the server, and its JVM too when a launcher script started it (the script may not pass the signal on). */
    @Override
    public void close() {
        ProcessHandle jvm = ProcessHandle.of(pid()).orElse(null);
        process.close();
        if (jvm != null && jvm.isAlive()) {
            jvm.destroy();
            try {
                jvm.onExit().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                jvm.destroyForcibly();
            }
        }
    }
}
