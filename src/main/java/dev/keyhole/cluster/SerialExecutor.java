package dev.keyhole.cluster;

import dev.keyhole.log.LogLine;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs one room's work in the order it was given, one task at a time, on a shared executor: the room's messages are
 * delivered in the order Redis published them, and a room that waits for Redis holds only its own work.
 */
final class SerialExecutor implements Executor {

    private static final Logger LOG = Logger.getLogger(SerialExecutor.class.getName());

    private final Executor executor;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();

    SerialExecutor(Executor executor) {
        this.executor = executor;
    }

    @Override
    public void execute(Runnable task) {
        queued.incrementAndGet();
        tasks.add(task);
        schedule();
    }

    /** How many tasks are waiting. */
    int queued() {
        return queued.get();
    }

    private void schedule() {
        if (!tasks.isEmpty() && running.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                running.set(false); // shutting down: what is left is dropped with the sessions
                LOG.fine(() -> LogLine.event("cluster.task-rejected").toString());
            }
        }
    }

    private void drain() {
        try {
            Runnable task;
            while ((task = tasks.poll()) != null) {
                queued.decrementAndGet();
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, LogLine.event("cluster.task-failed").with("error", e.getClass().getName()).toString(), e);
                }
            }
        } finally {
            running.set(false);
            schedule();
        }
    }
}
