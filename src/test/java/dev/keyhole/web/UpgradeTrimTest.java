package dev.keyhole.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.web.standin.TlsContext;
import dev.keyhole.ws.FrameGuard;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link UpgradeTrim} against stand-ins shaped like Payara's Catalina, Grizzly and Tyrus classes. */
class UpgradeTrimTest {

    // --- stand-ins, named in the shape below -------------------------------------------------------------

    /** Catalina's request facade: the servlet request the container hands to filters. */
    public interface Facade extends HttpServletRequest {
        CatalinaRequest getUnwrappedCoyoteRequest();
    }

    public static final class CatalinaRequest {
        final GrizzlyRequest grizzly;

        CatalinaRequest(GrizzlyRequest grizzly) {
            this.grizzly = grizzly;
        }

        public GrizzlyRequest getCoyoteRequest() {
            return grizzly;
        }
    }

    public static final class GrizzlyRequest {
        final Map<String, Object> attributes = new HashMap<>();
        final Packet packet;

        GrizzlyRequest(Connection connection) {
            packet = new Packet(connection);
        }

        public Packet getRequest() {
            return packet;
        }

        public void removeAttribute(String name) {
            attributes.remove(name);
        }
    }

    public static final class Packet {
        final Connection connection;

        Packet(Connection connection) {
            this.connection = connection;
        }

        public Connection getConnection() {
            return connection;
        }
    }

    public static final class Connection {
        final TlsContext tls;

        Connection(TlsContext tls) {
            this.tls = tls;
        }
    }

    public static final class SslUtils {
        public static TlsContext getSslConnectionContext(Connection connection) {
            return connection.tls;
        }
    }

    public static final class TyrusHandler {
        private Object upgradeInfo = "the handshake";
    }

    private static final UpgradeTrim.Shape SHAPE = shape(SslUtils.class.getName());

    private static UpgradeTrim.Shape shape(String sslUtils) {
        return new UpgradeTrim.Shape("getUnwrappedCoyoteRequest", "getCoyoteRequest", sslUtils, "resetLastOutputBuffer",
                TyrusHandler.class.getName(), "upgradeInfo");
    }

    private static HttpServletRequest facade(GrizzlyRequest grizzly) {
        CatalinaRequest catalina = new CatalinaRequest(grizzly);
        return (HttpServletRequest) Proxy.newProxyInstance(Facade.class.getClassLoader(), new Class<?>[] {Facade.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getUnwrappedCoyoteRequest")) {
                        return catalina;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    /** A facade whose container throws {@code failure} when asked for its request. */
    private static HttpServletRequest failing(RuntimeException failure) {
        return (HttpServletRequest) Proxy.newProxyInstance(Facade.class.getClassLoader(), new Class<?>[] {Facade.class},
                (proxy, method, args) -> {
                    throw failure;
                });
    }

    /** The container's upgrade handler: keeps the connection it was given. */
    public static final class Container implements HttpUpgradeHandler {
        WebConnection connection;

        @Override
        public void init(WebConnection given) {
            connection = given;
        }

        @Override
        public void destroy() {
        }
    }

    private static WebConnection connectionTo(ServletOutputStream wire) {
        ServletInputStream nothing = new ServletInputStream() {
            @Override
            public boolean isFinished() {
                return true;
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setReadListener(ReadListener listener) {
            }

            @Override
            public int read() {
                return -1;
            }
        };
        return new WebConnection() {
            @Override
            public ServletInputStream getInputStream() {
                return nothing;
            }

            @Override
            public ServletOutputStream getOutputStream() {
                return wire;
            }

            @Override
            public void close() {
            }
        };
    }

    private static HttpServletRequest otherContainer() {
        return (HttpServletRequest) Proxy.newProxyInstance(HttpServletRequest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> {
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    // --- log capture ---------------------------------------------------------------------------------------

    private final List<String> log = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (log) {
                log.add(record.getLevel() + " " + record.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        Logger.getLogger(UpgradeTrim.class.getName()).addHandler(capture);
    }

    @AfterEach
    void stop() {
        Logger.getLogger(UpgradeTrim.class.getName()).removeHandler(capture);
    }

    // --- tests ---------------------------------------------------------------------------------------------

    @Test
    void once_the_session_is_open_the_tls_buffer_the_certificate_copy_and_tyrus_handshake_are_let_go() {
        TlsContext tls = new TlsContext();
        tls.lastOutputBuffer = new byte[32 * 1024];
        GrizzlyRequest grizzly = new GrizzlyRequest(new Connection(tls));
        grizzly.attributes.put(ClientCertificateFilter.CERTIFICATES, new Object[] {"chain"});
        grizzly.attributes.put("other", "kept");
        TyrusHandler handler = new TyrusHandler();
        UpgradeTrim.Shape shape = shape(SslUtils.class.getName());

        UpgradeTrim trim = UpgradeTrim.of(new HttpServletRequestWrapper(facade(grizzly)), shape);
        trim.afterUpgrade(handler);

        assertNull(tls.lastOutputBuffer);
        assertEquals(Map.of("other", "kept"), grizzly.attributes);
        assertNull(handler.upgradeInfo);
        assertEquals(List.of("INFO event=ws.upgrade-trim trim=on"), log);
    }

    @Test
    void each_flush_lets_go_of_the_tls_buffer_the_writes_were_encrypted_into() {
        TlsContext tls = new TlsContext();
        UpgradeTrim trim = UpgradeTrim.of(facade(new GrizzlyRequest(new Connection(tls))), SHAPE);

        for (int write = 0; write < 3; write++) {
            tls.lastOutputBuffer = new byte[16 * 1024];
            trim.afterFlush();

            assertNull(tls.lastOutputBuffer);
        }
    }

    @Test
    void the_buffer_is_let_go_only_while_no_write_holds_the_connection() throws Exception {
        TlsContext tls = new TlsContext();
        Connection connection = new Connection(tls);
        UpgradeTrim trim = UpgradeTrim.of(facade(new GrizzlyRequest(connection)), SHAPE);
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch queued = new CountDownLatch(1);
        Object buffer = new byte[16 * 1024];
        Object[] seenByTheWrite = new Object[1];
        Thread write = new Thread(() -> {
            // What Grizzly's TLS filter does under the connection's lock: encrypt, then queue (reading the buffer).
            synchronized (connection) {
                tls.lastOutputBuffer = buffer;
                writing.countDown();
                try {
                    queued.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                seenByTheWrite[0] = tls.lastOutputBuffer;
            }
        });
        write.start();
        assertTrue(writing.await(10, TimeUnit.SECONDS));
        Thread release = new Thread(trim::afterFlush);
        release.start();
        awaitState(release, Thread.State.BLOCKED);

        queued.countDown();
        write.join(10_000);
        release.join(10_000);

        assertSame(buffer, seenByTheWrite[0]);
        assertNull(tls.lastOutputBuffer);
    }

    @Test
    void a_flush_from_inside_a_write_that_holds_the_connection_leaves_the_buffer_to_that_write() {
        TlsContext tls = new TlsContext();
        Connection connection = new Connection(tls);
        UpgradeTrim trim = UpgradeTrim.of(facade(new GrizzlyRequest(connection)), SHAPE);
        Object buffer = new byte[16 * 1024];

        // Grizzly can tell a waiting writer "write possible" from inside its own write, with the lock held: a flush
        // there must not take away the buffer that the write will still read once the callback returns.
        synchronized (connection) {
            tls.lastOutputBuffer = buffer;
            trim.afterFlush();

            assertSame(buffer, tls.lastOutputBuffer);
        }
        trim.afterFlush();
        assertNull(tls.lastOutputBuffer);
    }

    @Test
    void the_connection_handed_to_the_container_lets_go_of_the_buffer_after_each_flush() throws Exception {
        TlsContext tls = new TlsContext();
        UpgradeTrim trim = UpgradeTrim.of(facade(new GrizzlyRequest(new Connection(tls))), SHAPE);
        GuardedUpgrade[] guarded = new GuardedUpgrade[1];
        GuardedUpgrade.Upgrader upgrader = new GuardedUpgrade.Upgrader() {
            @Override
            public <T extends HttpUpgradeHandler> T upgrade(Class<T> type) {
                try {
                    T handler = type.getDeclaredConstructor().newInstance();
                    if (handler instanceof GuardedUpgrade ours) {
                        guarded[0] = ours;
                    }
                    return handler;
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
        Object buffer = new byte[16 * 1024];
        ServletOutputStream wire = new ServletOutputStream() {
            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
            }

            @Override
            public void write(int b) {
            }

            @Override
            public void flush() {
                tls.lastOutputBuffer = buffer; // what Grizzly's TLS filter leaves behind when it encrypts on flush
            }
        };
        Container container = GuardedUpgrade.upgrade(upgrader, Container.class, new FrameGuard(1024), trim);
        tls.lastOutputBuffer = buffer; // the 101 response
        guarded[0].init(connectionTo(wire));
        assertNull(tls.lastOutputBuffer);

        ServletOutputStream out = container.connection.getOutputStream();
        for (int frame = 0; frame < 3; frame++) {
            out.write(new byte[] {(byte) 0x81, 1, 'x'});
            out.flush();

            assertNull(tls.lastOutputBuffer);
        }
    }

    @Test
    void a_container_that_fails_for_one_connection_leaves_it_untrimmed_and_the_next_is_trimmed() {
        TlsContext tls = new TlsContext();
        tls.lastOutputBuffer = new byte[16 * 1024];
        UpgradeTrim.Shape shape = shape(SslUtils.class.getName());

        UpgradeTrim failed = UpgradeTrim.of(failing(new IllegalStateException("connection gone")), shape);
        UpgradeTrim next = UpgradeTrim.of(facade(new GrizzlyRequest(new Connection(tls))), shape);
        next.afterUpgrade(new Object());

        assertSame(UpgradeTrim.NONE, failed);
        assertNull(tls.lastOutputBuffer);
        assertEquals(List.of("INFO event=ws.upgrade-trim trim=on"), log);
    }

    @Test
    void a_container_that_refuses_by_design_switches_the_trim_off_once() {
        UpgradeTrim.Shape shape = shape(SslUtils.class.getName());

        UpgradeTrim refused = UpgradeTrim.of(failing(new SecurityException("no")), shape);
        UpgradeTrim next = UpgradeTrim.of(facade(new GrizzlyRequest(new Connection(new TlsContext()))), shape);

        assertSame(UpgradeTrim.NONE, refused);
        assertSame(UpgradeTrim.NONE, next);
        assertEquals(List.of("WARNING event=ws.upgrade-trim trim=off error=java.lang.SecurityException"), log);
    }

    @Test
    void a_plain_http_connection_still_lets_go_of_the_certificate_copy() {
        GrizzlyRequest grizzly = new GrizzlyRequest(new Connection(null));
        grizzly.attributes.put(ClientCertificateFilter.CERTIFICATES, new Object[] {"chain"});

        UpgradeTrim trim = UpgradeTrim.of(facade(grizzly), SHAPE);
        trim.afterUpgrade(new Object());
        trim.afterFlush();

        assertTrue(grizzly.attributes.isEmpty());
        assertFalse(trim.trimsWrites());
    }

    @Test
    void a_request_of_another_container_gets_no_trim_and_nothing_is_logged() {
        UpgradeTrim trim = UpgradeTrim.of(otherContainer(), SHAPE);
        trim.afterUpgrade(new TyrusHandler());
        trim.afterFlush();

        assertSame(UpgradeTrim.NONE, trim);
        assertEquals(List.of(), log);
    }

    @Test
    void a_payara_whose_classes_changed_is_left_alone_and_said_once() {
        UpgradeTrim.Shape changed = shape("org.glassfish.grizzly.ssl.NoLongerThere");
        GrizzlyRequest grizzly = new GrizzlyRequest(new Connection(new TlsContext()));
        grizzly.attributes.put(ClientCertificateFilter.CERTIFICATES, new Object[] {"chain"});

        UpgradeTrim first = UpgradeTrim.of(facade(grizzly), changed);
        UpgradeTrim second = UpgradeTrim.of(facade(grizzly), changed);

        assertSame(UpgradeTrim.NONE, first);
        assertSame(UpgradeTrim.NONE, second);
        assertNotNull(grizzly.attributes.get(ClientCertificateFilter.CERTIFICATES));
        assertEquals(List.of("WARNING event=ws.upgrade-trim trim=off error=java.lang.ClassNotFoundException"), log);
    }

    private static void awaitState(Thread thread, Thread.State state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.getState() != state) {
            assertTrue(System.nanoTime() < deadline, "thread never " + state + ": " + thread.getState());
            Thread.onSpinWait();
        }
    }
}
