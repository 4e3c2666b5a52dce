package dev.keyhole.bench;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Idle capacity: what thousands of open, quiet mTLS connections cost the server, in heap (after a full GC) and
 * resident memory, per connection. The server's class histogram with the connections open is kept, to show where
 * the heap goes; with the environment variable {@code KEYHOLE_BENCH_HEAP_DUMP} set, a heap dump too
 * ({@code <target>-idle.hprof}).
 */
final class Idle {

    /** Per-connection costs in bytes. */
    record Outcome(int connections, double heapPerConnection, double rssPerConnection) {
    }

    private Idle() {
    }

    static Outcome run(ServerUnderTest server, Echo.Connector connector, int connections, Path histogram)
            throws IOException, InterruptedException {
        long heapBefore = server.heapAfterGc();
        long rssBefore = server.rss();
        List<Closeable> open = Collections.synchronizedList(new ArrayList<>());
        ExecutorService openers = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> opening = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                int index = i;
                opening.add(openers.submit(() -> {
                    open.add(connector.open(index));
                    return null;
                }));
            }
            for (Future<?> opened : opening) {
                opened.get(5, TimeUnit.MINUTES);
            }
            long heapAfter = server.heapAfterGc();
            long rssAfter = server.rss();
            server.writeClassHistogram(histogram);
            if (System.getenv("KEYHOLE_BENCH_HEAP_DUMP") != null) {
                server.writeHeapDump(histogram.resolveSibling(histogram.getFileName().toString()
                        .replace("-histogram.txt", ".hprof")));
            }
            return new Outcome(connections, (double) (heapAfter - heapBefore) / connections,
                    (double) (rssAfter - rssBefore) / connections);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("could not open " + connections + " idle connections", e);
        } finally {
            openers.shutdownNow();
            for (Closeable connection : open) {
                connection.close();
            }
        }
    }
}
