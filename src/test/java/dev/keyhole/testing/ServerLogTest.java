package dev.keyhole.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerLogTest {

    @TempDir
    Path dir;

    @Test
    void lines_written_before_and_after_the_log_was_rotated_are_all_found_and_none_from_before_the_mark() throws Exception {
        Path current = Files.writeString(dir.resolve("server.log.0"), "old line\n");
        ServerLog log = ServerLog.fromNow(current);
        Files.writeString(current, "before rotation\n", StandardOpenOption.APPEND);

        Files.move(current, dir.resolve("server.log.1")); // as Payara rotates
        Files.writeString(dir.resolve("server.log.0"), "after rotation\n");

        assertTrue(log.contains(Pattern.compile("before rotation")));
        assertTrue(log.contains(Pattern.compile("after rotation")));
        assertFalse(log.contains(Pattern.compile("old line")));
    }
}
