package dev.keyhole.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A server's log file: that of the target under test ({@link Target#log()}) or the output of a
 * {@link ServerProcess}. Servers of earlier test classes appended to the same file, so a test marks where it starts
 * and reads only what came after.
 */
public final class ServerLog {

    private final Path file;
    private final long start;

    private ServerLog(Path file) {
        this.file = file;
        this.start = size();
    }

    private ServerLog(Path file, long start) {
        this.file = file;
        this.start = start;
    }

    /** Everything Keyhole logs on the target under test from now on. */
    public static ServerLog fromNow() {
        return Target.current().log();
    }

    /** Everything Keyhole logged on the target under test since the server started (for lines logged once). */
    public static ServerLog sinceStart() {
        return new ServerLog(Target.current().logFile().toAbsolutePath(), 0);
    }

    /** Everything a server process logs from now on. */
    public static ServerLog fromNow(ServerProcess server) {
        return new ServerLog(server.log().toAbsolutePath());
    }

    /** Everything written to a log file from now on. */
    public static ServerLog fromNow(Path file) {
        return new ServerLog(file.toAbsolutePath());
    }

    /** Waits until a line logged since the mark matches; fails the test after the timeout. */
    public String awaitLine(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
            file().toAbsolutePath().getParent().register(watcher, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_CREATE);
            while (true) {
                String found = find(pattern);
                if (found != null) {
                    return found;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no log line matching " + pattern + " within " + timeout + " in " + file());
                }
                var key = watcher.poll(left, TimeUnit.NANOSECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether a line logged since the mark matches, now (no waiting). */
    public boolean contains(Pattern pattern) {
        return find(pattern) != null;
    }

    private String find(Pattern pattern) {
        return Arrays.stream(since().split("\n")).filter(line -> pattern.matcher(line).find()).findFirst().orElse(null);
    }

    private String since() {
        try {
            byte[] all = Files.exists(file()) ? Files.readAllBytes(file()) : new byte[0];
            return all.length <= start ? "" : new String(all, (int) start, all.length - (int) start, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private long size() {
        try {
            return Files.exists(file()) ? Files.size(file()) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path file() {
        return file;
    }

}
