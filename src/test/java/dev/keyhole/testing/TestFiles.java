package dev.keyhole.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** File helpers for tests. */
public final class TestFiles {

    private TestFiles() {
    }

    /** Deletes a folder and everything in it; a folder that does not exist is fine. */
    public static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** The names of what a folder contains, sorted. */
    /** The regular files anywhere under {@code dir}, as paths relative to it, sorted. */
    public static List<String> filesUnder(Path dir) throws IOException {
        try (Stream<Path> entries = Files.walk(dir)) {
            return entries.filter(Files::isRegularFile).map(path -> dir.relativize(path).toString()).sorted().toList();
        }
    }

    public static List<String> contents(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }
}
