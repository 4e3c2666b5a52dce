package dev.keyhole.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
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

    /** Stands in for Tyrus's BaseContainer: a final field, declared by the superclass of the container's class. */
    static class BaseContainerStandIn {
        private final ScheduledExecutorService managedScheduledExecutorService;

        BaseContainerStandIn(ScheduledExecutorService managed) {
            this.managedScheduledExecutorService = managed;
        }

        /** What Tyrus hands each new session. */
        ScheduledExecutorService executorForNewSession() {
            return managedScheduledExecutorService;
        }
    }

    static final class ServerContainerStandIn extends BaseContainerStandIn {
        ServerContainerStandIn(ScheduledExecutorService managed) {
            super(managed);
        }
    }

    /** A container whose field of that name holds something else. */
    static final class WrongType {
        private final Object managedScheduledExecutorService = new Object();
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

    @Test
    void sessions_made_after_the_first_opened_skip_the_no_op_task_from_birth() {
        ServerContainerStandIn tyrus = new ServerContainerStandIn(container);

        String notFromBirth = TyrusIdleTimer.skipInContainer(tyrus, IdleCommand.class.getName());

        assertNull(notFromBirth);
        ScheduledExecutorService forNewSession = tyrus.executorForNewSession();
        assertInstanceOf(TyrusIdleTimer.SkippingScheduler.class, forNewSession);
        assertTrue(forNewSession.schedule(new IdleCommand(), 0, TimeUnit.MILLISECONDS).isDone());
        assertTrue(scheduled.isEmpty(), "the constructor's no-op task never reached the managed executor");
        forNewSession.schedule(() -> { }, 0, TimeUnit.MILLISECONDS);
        assertEquals(1, scheduled.size(), "any other task still does");
    }

    @Test
    void a_container_is_given_the_skipping_executor_once() {
        ServerContainerStandIn tyrus = new ServerContainerStandIn(container);
        TyrusIdleTimer.skipInContainer(tyrus, IdleCommand.class.getName());
        ScheduledExecutorService first = tyrus.executorForNewSession();

        assertNull(TyrusIdleTimer.skipInContainer(tyrus, IdleCommand.class.getName()));

        assertSame(first, tyrus.executorForNewSession(), "not wrapped twice");
    }

    @Test
    void a_container_without_a_managed_executor_is_left_alone() {
        ServerContainerStandIn tyrus = new ServerContainerStandIn(null);

        assertEquals("no-managed-executor", TyrusIdleTimer.skipInContainer(tyrus, IdleCommand.class.getName()));

        assertNull(tyrus.executorForNewSession());
    }

    @Test
    void a_container_of_another_shape_is_left_alone_and_named() {
        assertEquals(NoSuchFieldException.class.getName(),
                TyrusIdleTimer.skipInContainer(new Object(), IdleCommand.class.getName()));
        assertEquals("field-type", TyrusIdleTimer.skipInContainer(new WrongType(), IdleCommand.class.getName()));
        assertEquals("no-container", TyrusIdleTimer.skipInContainer(null, IdleCommand.class.getName()));
    }

    @Test
    void a_session_not_as_expected_leaves_its_container_unchanged() {
        List<String> asked = new ArrayList<>();
        // A session of the expected name without Tyrus's executor field: the bypass is off, and nothing may change.
        Session unexpected = (Session) Proxy.newProxyInstance(Session.class.getClassLoader(), new Class<?>[] {Session.class},
                (proxy, method, args) -> {
                    asked.add(method.getName());
                    return method.getName().equals("getMaxIdleTimeout") ? 0L : null;
                });

        TyrusIdleTimer.install(unexpected, unexpected.getClass().getName());

        assertFalse(asked.contains("getContainer"), "the container was not reached: " + asked);
    }
}
