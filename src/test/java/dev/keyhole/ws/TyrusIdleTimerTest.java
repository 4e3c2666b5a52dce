package dev.keyhole.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TyrusIdleTimerTest {

    /** Stands in for Tyrus's idle-timeout command: the scheduler recognises it by class name. */
    static final class IdleCommand implements Runnable {
        @Override
        public void run() {
        }
    }

    private final List<Runnable> scheduled = new ArrayList<>();
    private final ScheduledExecutorService container = new ScheduledThreadPoolExecutor(1) {
        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            scheduled.add(command);
            return super.schedule(command, delay, unit);
        }
    };
    private final ScheduledExecutorService skipping =
            new TyrusIdleTimer.SkippingScheduler(container, IdleCommand.class.getName());

    @AfterEach
    void stop() {
        container.shutdownNow();
    }

    @Test
    void an_idle_timer_restart_without_a_timeout_is_skipped_and_reported_done() {
        ScheduledFuture<?> future = skipping.schedule(new IdleCommand(), 0, TimeUnit.MILLISECONDS);

        assertTrue(future.isDone());
        assertTrue(scheduled.isEmpty(), "nothing reached the container's executor");
    }

    @Test
    void an_idle_timer_with_a_timeout_still_reaches_the_container() {
        ScheduledFuture<?> future = skipping.schedule(new IdleCommand(), 30_000, TimeUnit.MILLISECONDS);

        assertEquals(1, scheduled.size());
        future.cancel(false);
    }

    @Test
    void any_other_task_reaches_the_container_even_without_a_delay() {
        skipping.schedule(() -> { }, 0, TimeUnit.MILLISECONDS);

        assertEquals(1, scheduled.size());
    }
}
