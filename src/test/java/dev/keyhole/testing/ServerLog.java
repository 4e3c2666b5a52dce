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
 * and reads only what came after. Payara rotates its log at about 1 MB (NAME.0 becomes NAME.1, a new NAME.0
 * begins): the mark follows the file it was made on, so lines written before and after a rotation are all read.
 */
public final class ServerLog {

    private final Path file;
    private final long start;
    /** The identity (inode) of the file the mark was made on, or null when there was none. */
    private final Object marked;

    private ServerLog(Path file) {
        this.file = file;
        this.marked = fileKey(file);
        this.start = size();
    }

    private ServerLog(Path file, long start) {
        this.file = file;
        this.marked = fileKey(file);
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
        if (marked == null || marked.equals(fileKey(file))) {
            return read(file, start);
        }
        // Rotated since the mark: the rest of the marked file (now under another name), then the new file whole.
        return rotated().map(old -> read(old, start)).orElse("") + read(file, 0);
    }

    /** The file the mark was made on, under the name rotation gave it. */
    private java.util.Optional<Path> rotated() {
        String base = file.getFileName().toString().replaceAll("\\.\\d+$", "");
        try (java.util.stream.Stream<Path> siblings = Files.list(file.getParent())) {
            return siblings.filter(path -> path.getFileName().toString().startsWith(base))
                    .filter(path -> marked.equals(fileKey(path))).findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file, long from) {
        try {
            byte[] all = Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
            return all.length <= from ? "" : new String(all, (int) from, all.length - (int) from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object fileKey(Path file) {
        try {
            return Files.exists(file) ? Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey()
                    : null;
        } catch (IOException e) {
            return null;
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
