package dev.keyhole.testing;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.security.Principal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/** A WebSocket {@link Session} for unit tests: a principal, user properties, and a record of how it was closed. */
public final class FakeSession {

    private final Principal principal;
    private final Map<String, Object> userProperties = new HashMap<>();
    private final List<CloseReason> closes = new CopyOnWriteArrayList<>();
    private final String id = UUID.randomUUID().toString();
    private volatile boolean open = true;
    private final Session session;

    public FakeSession(Principal principal) {
        this.principal = principal;
        this.session = (Session) Proxy.newProxyInstance(Session.class.getClassLoader(), new Class<?>[] {Session.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getUserPrincipal" -> this.principal;
                    case "getUserProperties" -> userProperties;
                    case "getId" -> id;
                    case "isOpen" -> open;
                    case "close" -> {
                        closes.add(args == null ? new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, "") : (CloseReason) args[0]);
                        open = false;
                        yield null;
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "FakeSession[" + id + "]";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    public Session session() {
        return session;
    }

    public Map<String, Object> userProperties() {
        return userProperties;
    }

    /** The close reasons sent, in order. */
    public List<CloseReason> closes() {
        return List.copyOf(closes);
    }
}
