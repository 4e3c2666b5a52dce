package dev.keyhole.web;

import dev.keyhole.log.LogLine;
import dev.keyhole.ws.ContainerMember;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Lets go of what Payara keeps for an upgraded WebSocket connection but no longer needs. After a servlet upgrade,
 * Grizzly's request and TLS objects and Tyrus's upgrade handler live as long as the connection, and three of the things
 * they hold are large (measured with 5,000 idle connections, docs/performance.md):
 * <ul>
 *   <li>the TLS output buffer of the connection's last write: Grizzly's TLS filter encrypts each write into a buffer of
 *       about 32 KB and keeps a reference to it in the connection's TLS context ({@code lastOutputBuffer}), which it
 *       reads only while that write is being queued, with the connection's lock held. {@link #afterFlush()} drops the
 *       reference with the same lock held, so it never races a write; when called from inside Grizzly's own write
 *       (the same thread already holds the lock) it does nothing. The buffer itself is left to whoever still uses it
 *       (a queued write, Grizzly's per-thread cache). About 22 KB per idle connection.</li>
 *   <li>the client's certificate chain as the request attribute {@code jakarta.servlet.request.X509Certificate}:
 *       Grizzly parses a copy of the chain for each request that asks for it, and Keyhole's handshake filter asks.
 *       Once the session is open, {@link #afterUpgrade} removes it from Grizzly's request (the servlet request's own
 *       {@code removeAttribute} does not reach it). The identity lives on in the session's principal.</li>
 *   <li>the handshake as Tyrus saw it (its {@code upgradeInfo}: the request's headers, URI and parameters, the
 *       response's headers), which Tyrus's upgrade handler reads only to open the session.</li>
 * </ul>
 * An adapter to a container's internals, like {@code ws.TyrusIdleTimer}: reflection only, no Grizzly or Tyrus import;
 * public methods except Grizzly's package-private {@code SSLConnectionContext.resetLastOutputBuffer()} and Tyrus's
 * private {@code TyrusHttpUpgradeHandler.upgradeInfo}, each looked up once per class. On other containers (Undertow on
 * WildFly never upgrades through the Servlet API), or on a Grizzly or Tyrus whose classes have changed, it does
 * nothing. The first upgrade logs {@code event=ws.upgrade-trim trim=on}; the first class that is not as expected logs
 * {@code event=ws.upgrade-trim trim=off} with the error, once, and nothing more is tried.
 * {@code keyhole.ws.upgrade-trim=false} switches it off.
 */
final class UpgradeTrim {

    /** Does nothing: not Payara, or switched off. */
    static final UpgradeTrim NONE = new UpgradeTrim(null, null, null, null);

    private static final Logger LOG = Logger.getLogger(UpgradeTrim.class.getName());

    /** Where in Payara each part is, by name; what was found there, once per class; whether something was not. */
    static final class Shape {
        static final Shape PAYARA = new Shape("getUnwrappedCoyoteRequest", "getCoyoteRequest",
                "org.glassfish.grizzly.ssl.SSLUtils", "resetLastOutputBuffer",
                "org.glassfish.tyrus.servlet.TyrusHttpUpgradeHandler", "upgradeInfo");

        final String facadeMethod;
        final String grizzlyRequestMethod;
        final String sslUtilsClass;
        final String resetMethod;
        final String tyrusHandlerClass;
        final String tyrusUpgradeField;
        private final AtomicBoolean reportedOn = new AtomicBoolean();
        private final AtomicBoolean reportedOff = new AtomicBoolean();
        private volatile boolean unavailable;

        private final ClassValue<Optional<Method>> facade;
        private final ClassValue<Optional<Method>> grizzlyRequest;
        private final ClassValue<Optional<Method>> packet = publicMethodOf("getRequest");
        private final ClassValue<Optional<Method>> connection = publicMethodOf("getConnection");
        private final ClassValue<Optional<Method>> removeAttribute = publicMethodOf("removeAttribute", String.class);
        /** Per connection class: Grizzly's SSLUtils.getSslConnectionContext, as its class loader finds it. */
        private final ClassValue<Object> tlsContextMethod;
        private final ClassValue<Object> reset;
        private final ClassValue<Object> upgradeInfo;

        Shape(String facadeMethod, String grizzlyRequestMethod, String sslUtilsClass, String resetMethod,
                String tyrusHandlerClass, String tyrusUpgradeField) {
            this.facadeMethod = facadeMethod;
            this.grizzlyRequestMethod = grizzlyRequestMethod;
            this.sslUtilsClass = sslUtilsClass;
            this.resetMethod = resetMethod;
            this.tyrusHandlerClass = tyrusHandlerClass;
            this.tyrusUpgradeField = tyrusUpgradeField;
            facade = publicMethodOf(facadeMethod);
            grizzlyRequest = publicMethodOf(grizzlyRequestMethod);
            tlsContextMethod = tlsContextMethodIn(sslUtilsClass);
            reset = ContainerMember.accessible(type -> type.getDeclaredMethod(resetMethod));
            upgradeInfo = ContainerMember.accessible(type -> type.getDeclaredField(tyrusUpgradeField));
        }

        private static ClassValue<Object> tlsContextMethodIn(String sslUtilsClass) {
            return new ClassValue<>() {
                @Override
                protected Object computeValue(Class<?> connectionClass) {
                    try {
                        Class<?> sslUtils = Class.forName(sslUtilsClass, false, connectionClass.getClassLoader());
                        for (Method method : sslUtils.getMethods()) {
                            if (method.getName().equals("getSslConnectionContext") && method.getParameterCount() == 1
                                    && method.getParameterTypes()[0].isAssignableFrom(connectionClass)) {
                                return method;
                            }
                        }
                        return NoSuchMethodException.class.getName();
                    } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
                        return e.getClass().getName();
                    }
                }
            };
        }

        /** A class was not as expected: said once, and nothing more is tried. */
        void failed(Throwable failure) {
            unavailable = true;
            String error = ContainerMember.errorName(failure);
            if (reportedOff.compareAndSet(false, true)) {
                LOG.warning(() -> LogLine.event("ws.upgrade-trim").with("trim", "off").with("error", error).toString());
            }
        }

        void worked() {
            if (reportedOn.compareAndSet(false, true)) {
                LOG.info(() -> LogLine.event("ws.upgrade-trim").with("trim", "on").toString());
            }
        }

        private static ClassValue<Optional<Method>> publicMethodOf(String name, Class<?>... parameters) {
            return new ClassValue<>() {
                @Override
                protected Optional<Method> computeValue(Class<?> type) {
                    return Optional.ofNullable(publicMethod(type, name, parameters));
                }
            };
        }
    }

    private final Shape shape;
    private final Object grizzlyRequest;
    private final Object connection;
    private final Object tls;

    private UpgradeTrim(Shape shape, Object grizzlyRequest, Object connection, Object tls) {
        this.shape = shape;
        this.grizzlyRequest = grizzlyRequest;
        this.connection = connection;
        this.tls = tls;
    }

    /** The trim for the connection behind {@code request}, or {@link #NONE} when it is not Payara's. */
    static UpgradeTrim of(ServletRequest request) {
        return of(request, Shape.PAYARA);
    }

    static UpgradeTrim of(ServletRequest request, Shape shape) {
        if (shape.unavailable) {
            return NONE;
        }
        ServletRequest container = request;
        while (container instanceof ServletRequestWrapper wrapper) {
            container = wrapper.getRequest();
        }
        try {
            Optional<Method> facade = shape.facade.get(container.getClass());
            if (facade.isEmpty()) {
                return NONE;
            }
            Object grizzlyRequest = call(shape.grizzlyRequest, facade.get().invoke(container));
            Object connection = call(shape.connection, call(shape.packet, grizzlyRequest));
            Method tlsContext = (Method) ContainerMember.of(shape.tlsContextMethod, connection.getClass());
            Object tls = tlsContext.invoke(null, connection);
            if (tls != null) {
                ContainerMember.of(shape.reset, tls.getClass());
            }
            return new UpgradeTrim(shape, grizzlyRequest, connection, tls);
        } catch (InvocationTargetException | NullPointerException e) {
            // The container failed for this request (a connection already gone): no trim for it.
            failedOnce(shape, e);
            return NONE;
        } catch (Exception | LinkageError e) {
            shape.failed(e);
            return NONE;
        }
    }

    /** Whether flushes of the connection are to be followed by {@link #afterFlush()}: a Grizzly TLS connection. */
    boolean trimsWrites() {
        return tls != null;
    }

    /**
     * The session is open: Tyrus's copy of the handshake goes (when {@code handler} is Tyrus's upgrade handler), then
     * Grizzly's copy of the client's certificate chain, and the last output buffer.
     */
    void afterUpgrade(Object handler) {
        if (shape == null || shape.unavailable) {
            return;
        }
        try {
            if (handler != null && handler.getClass().getName().equals(shape.tyrusHandlerClass)) {
                ((Field) ContainerMember.of(shape.upgradeInfo, handler.getClass())).set(handler, null);
            }
            Method remove = shape.removeAttribute.get(grizzlyRequest.getClass())
                    .orElseThrow(() -> new NoSuchMethodException(grizzlyRequest.getClass().getName()));
            remove.invoke(grizzlyRequest, ClientCertificateFilter.CERTIFICATES);
        } catch (InvocationTargetException e) {
            failedOnce(shape, e);
        } catch (Exception | LinkageError e) {
            shape.failed(e);
            return;
        }
        afterFlush();
        if (!shape.unavailable) {
            shape.worked();
        }
    }

    /**
     * Writes went out (or were queued): the connection's reference to its last TLS output buffer goes. Not from inside
     * Grizzly's own write (this thread already holds the connection's lock), which may still read it.
     */
    void afterFlush() {
        if (tls == null || shape.unavailable || Thread.holdsLock(connection)) {
            return;
        }
        synchronized (connection) {
            try {
                ((Method) ContainerMember.of(shape.reset, tls.getClass())).invoke(tls);
            } catch (InvocationTargetException e) {
                failedOnce(shape, e);
            } catch (Exception | LinkageError e) {
                shape.failed(e);
            }
        }
    }

    /**
     * The container failed for this one connection (one that is already gone, say): logged at FINE, nothing else. A
     * refusal by design ({@code SecurityException}, {@code UnsupportedOperationException}) would come every time: it
     * switches the trim off, said once.
     */
    private static void failedOnce(Shape shape, Exception e) {
        Throwable cause = e instanceof InvocationTargetException thrown && thrown.getCause() != null
                ? thrown.getCause() : e;
        if (cause instanceof SecurityException || cause instanceof UnsupportedOperationException) {
            shape.failed(cause);
            return;
        }
        LOG.log(Level.FINE, e, () -> LogLine.event("ws.upgrade-trim").with("error", cause.getClass().getName())
                .toString());
    }

    private static Object call(ClassValue<Optional<Method>> methods, Object target) throws Exception {
        Method method = methods.get(target.getClass())
                .orElseThrow(() -> new NoSuchMethodException(target.getClass().getName()));
        return method.invoke(target);
    }

    /** The method as the nearest public class declares it (an override in a private class cannot be called). */
    private static Method publicMethod(Class<?> type, String name, Class<?>... parameters) {
        for (Class<?> at = type; at != null; at = at.getSuperclass()) {
            if (Modifier.isPublic(at.getModifiers())) {
                try {
                    return at.getMethod(name, parameters);
                } catch (NoSuchMethodException | RuntimeException | LinkageError e) {
                    return null;
                }
            }
        }
        return null;
    }
}
