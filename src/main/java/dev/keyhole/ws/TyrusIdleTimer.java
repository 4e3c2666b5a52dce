package dev.keyhole.ws;

import dev.keyhole.log.LogLine;
import jakarta.websocket.Session;
import java.lang.reflect.Field;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One of Keyhole's two adapters to a container's internals (the other is {@code web.UpgradeTrim}): Tyrus 2.1
 * (Payara's WebSocket implementation) restarts a
 * session's idle timer on every message received and every message sent, even when the session has no idle timeout,
 * and each restart schedules a task that does nothing through Payara's managed scheduled executor, which captures
 * the caller's context (a ServiceLoader lookup) every time. Measured on Payara Micro, that was most of the server's
 * time per echoed message (docs/performance.md). Keyhole never uses the container's idle timeout (Connections keeps
 * its own), so for each Tyrus session without one this gives the session an executor that skips exactly those
 * no-op tasks and passes everything else on. A new session already schedules one such task while it is being made
 * (its constructor sets the idle timeout): on Payara Micro that was about 0.4 ms of the 5.9 ms a handshake took on the
 * worker threads, plus the run of the task on one of the executor's threads. So the first session also gives its container the skipping executor in
 * place of the managed one (Tyrus's {@code BaseContainer}, whose executor each new session takes), and sessions from
 * then on are made with it. Installed by the {@link SessionRuntime} unless
 * {@code keyhole.ws.tyrus-idle-timer-bypass=false}; the first session logs the Tyrus version it patched and where the
 * skip starts: {@code from=birth} (the container) or {@code from=open} (each session, when the container is not as
 * expected).
 *
 * <p>Reflection only, no Tyrus import: on other containers (Undertow on WildFly), or on a Tyrus whose session class
 * has changed, it does nothing and says so once in the log.
 */
public final class TyrusIdleTimer {

    static final String SESSION_CLASS = "org.glassfish.tyrus.core.TyrusSession";
    static final String IDLE_COMMAND_CLASS = SESSION_CLASS + "$IdleTimeoutCommand";
    /** The field of Tyrus's BaseContainer that holds the container's managed executor, handed to every new session. */
    static final String CONTAINER_EXECUTOR_FIELD = "managedScheduledExecutorService";
    /** Per container class: its executor field, made accessible, or the name of what the lookup threw. */
    private static final ClassValue<Object> CONTAINER_EXECUTOR =
            ContainerMember.accessible(type -> ContainerMember.declaredField(type, CONTAINER_EXECUTOR_FIELD));
    /** Per session class: its own executor field, made accessible, or the name of what the lookup threw. */
    private static final ClassValue<Object> SESSION_EXECUTOR =
            ContainerMember.accessible(type -> type.getDeclaredField("service"));

    private static final Logger LOG = Logger.getLogger(TyrusIdleTimer.class.getName());
    private static final Map<ScheduledExecutorService, ScheduledExecutorService> SKIPPING = new ConcurrentHashMap<>();
    private static final AtomicBoolean REPORTED = new AtomicBoolean();
    private static volatile boolean unavailable;

    private TyrusIdleTimer() {
    }

    /**
     * Installs the skipping executor on a Tyrus session that has no idle timeout (any other session is left alone),
     * and on its container, once, when the session is as expected. From then on every session of that container is
     * made with it, those with an idle timeout included: they schedule their timer with the timeout as its delay, which
     * the skipping executor passes on, as it does every other task (heartbeats, timeouts above 0).
     */
    public static void install(Session session) {
        install(session, SESSION_CLASS);
    }

    /** {@link #install(Session)} for a session class of the given name (the tests' stand-ins). */
    static void install(Session session, String sessionClass) {
        if (unavailable || !session.getClass().getName().equals(sessionClass) || session.getMaxIdleTimeout() > 0) {
            return;
        }
        try {
            // The session first: when it is not as expected, nothing is changed, the container included.
            Field field = serviceField(session.getClass());
            ScheduledExecutorService current = (ScheduledExecutorService) field.get(session);
            String notFromBirth = skipInContainer(session.getContainer(), IDLE_COMMAND_CLASS);
            if (current != null && !(current instanceof SkippingScheduler)) {
                field.set(session, skipping(current, IDLE_COMMAND_CLASS));
            }
            report(true, session.getClass(), notFromBirth, null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            unavailable = true;
            report(false, session.getClass(), null, e);
        }
    }

    /**
     * Gives {@code container} the skipping executor in place of its managed one, once, so that the sessions it makes
     * from now on skip the no-op task from their first moment (the one their constructor schedules).
     *
     * <p>The field is final: a JDK that refuses to set final fields through reflection (JEP 500 warns from JDK 26)
     * makes this return {@code IllegalAccessException}, and each session still gets the skip when it opens.
     *
     * @return null when the container's sessions are now made with the skipping executor, or what stood in the way:
     *         the container is not a Tyrus BaseContainer as expected (the lookup's exception, or {@code "field-type"}),
     *         or it has no managed executor ({@code "no-managed-executor"}: Tyrus made a plain one, which captures no
     *         context). Either way each session still gets the skip when it opens.
     */
    static String skipInContainer(Object container, String skippedCommandClass) {
        if (container == null) {
            return "no-container";
        }
        Object lookup = CONTAINER_EXECUTOR.get(container.getClass());
        if (!(lookup instanceof Field field)) {
            return (String) lookup;
        }
        if (!ScheduledExecutorService.class.isAssignableFrom(field.getType())) {
            return "field-type";
        }
        try {
            Object current = field.get(container);
            if (current == null) {
                return "no-managed-executor";
            }
            if (!(current instanceof SkippingScheduler)) {
                // A final field, set once through reflection: a session made meanwhile takes the old executor, as before.
                field.set(container, skipping((ScheduledExecutorService) current, skippedCommandClass));
            }
            return null;
        } catch (IllegalAccessException | RuntimeException e) {
            return e.getClass().getName();
        }
    }

    private static ScheduledExecutorService skipping(ScheduledExecutorService current, String skippedCommandClass) {
        return SKIPPING.computeIfAbsent(current, c -> new SkippingScheduler(c, skippedCommandClass));
    }

    private static Field serviceField(Class<?> sessionClass) throws ReflectiveOperationException {
        Field field = (Field) ContainerMember.of(SESSION_EXECUTOR, sessionClass);
        if (!ScheduledExecutorService.class.isAssignableFrom(field.getType())) {
            throw new NoSuchFieldException("service is a " + field.getType().getName());
        }
        return field;
    }

    private static void report(boolean installed, Class<?> sessionClass, String notFromBirth, Exception failure) {
        if (REPORTED.compareAndSet(false, true)) {
            LogLine line = LogLine.event("ws.tyrus-idle-timer").with("bypass", installed ? "on" : "off")
                    .with("tyrus", versionOf(sessionClass));
            if (installed) {
                line.with("from", notFromBirth == null ? "birth" : "open");
                if (notFromBirth != null) {
                    line.with("container", notFromBirth);
                }
            }
            if (failure != null) {
                line.with("error", ContainerMember.errorName(failure));
            }
            LOG.log(installed ? Level.INFO : Level.WARNING, line::toString);
        }
    }

    /** The version of the Tyrus the session class comes from, as its jar's manifest says, or "unknown". */
    static String versionOf(Class<?> sessionClass) {
        Package container = sessionClass.getPackage();
        String version = container == null ? null : container.getImplementationVersion();
        if (version == null && container != null) {
            version = container.getSpecificationVersion();
        }
        return version == null ? "unknown" : version;
    }

    /** Passes every task on to the container's executor, except idle-timer restarts that would run at once and do nothing. */
    static final class SkippingScheduler implements ScheduledExecutorService {

        private final ScheduledExecutorService delegate;
        private final String skipped;

        SkippingScheduler(ScheduledExecutorService delegate, String skippedCommandClass) {
            this.delegate = delegate;
            this.skipped = skippedCommandClass;
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            if (delay <= 0 && command.getClass().getName().equals(skipped)) {
                return Done.INSTANCE;
            }
            return delegate.schedule(command, delay, unit);
        }

        @Override
        public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
            return delegate.schedule(callable, delay, unit);
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
            return delegate.scheduleAtFixedRate(command, initialDelay, period, unit);
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
            return delegate.scheduleWithFixedDelay(command, initialDelay, delay, unit);
        }

        @Override
        public void shutdown() {
            delegate.shutdown();
        }

        @Override
        public List<Runnable> shutdownNow() {
            return delegate.shutdownNow();
        }

        @Override
        public boolean isShutdown() {
            return delegate.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return delegate.isTerminated();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            return delegate.awaitTermination(timeout, unit);
        }

        @Override
        public <T> Future<T> submit(Callable<T> task) {
            return delegate.submit(task);
        }

        @Override
        public <T> Future<T> submit(Runnable task, T result) {
            return delegate.submit(task, result);
        }

        @Override
        public Future<?> submit(Runnable task) {
            return delegate.submit(task);
        }

        @Override
        public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
            return delegate.invokeAll(tasks);
        }

        @Override
        public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
                throws InterruptedException {
            return delegate.invokeAll(tasks, timeout, unit);
        }

        @Override
        public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
            return delegate.invokeAny(tasks);
        }

        @Override
        public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
                throws InterruptedException, ExecutionException, TimeoutException {
            return delegate.invokeAny(tasks, timeout, unit);
        }

        @Override
        public void execute(Runnable command) {
            delegate.execute(command);
        }
    }

    /** The future of a skipped task: done, with nothing to cancel. */
    private static final class Done implements ScheduledFuture<Object> {
        static final Done INSTANCE = new Done();

        @Override
        public long getDelay(TimeUnit unit) {
            return 0;
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(0, other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean isDone() {
            return true;
        }

        @Override
        public Object get() {
            return null;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return null;
        }
    }
}
