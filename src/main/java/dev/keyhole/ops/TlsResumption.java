package dev.keyhole.ops;

import dev.keyhole.log.LogLine;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * How the server's JVM resumes TLS sessions, logged once at start-up ({@code event=tls.resumption}): from stateless
 * session tickets (the JDK's default for TLS 1.3), or from the server's session cache, as the bundled server-config
 * sets it, with the cache's size and how long a session stays in it. With tickets, every resumed connection decodes its session from the ticket, certificate chains included,
 * and keeps that copy while it is open (docs/performance.md); that is logged as a warning, as is a cache without a
 * bound. The JDK reads these properties when the container makes its SSL context, so they must be set on the JVM (or
 * as a server system property set at boot), not in Keyhole's configuration. They are read here as the JDK 17 reads
 * them, so that the line says what the JDK does with a value it does not accept.
 */
@ApplicationScoped
public class TlsResumption {

    /** The JDK's switch for stateless session tickets on the server side (true unless "false"). */
    static final String TICKETS = "jdk.tls.server.enableSessionTicketExtension";
    /** The JDK's default size of a session cache (0: no bound). */
    static final String CACHE_SIZE = "javax.net.ssl.sessionCacheSize";
    /** The JDK's own default for {@link #CACHE_SIZE}. */
    static final int JDK_CACHE_SIZE = 20_480;
    /** Despite its name, the JDK's default time a server session may be resumed, cached or ticket (seconds, 0–604800). */
    static final String TIMEOUT = "jdk.tls.server.sessionTicketTimeout";
    /** The JDK's own default for {@link #TIMEOUT}: a day. */
    static final int JDK_TIMEOUT_SECONDS = 86_400;
    private static final int MAX_TIMEOUT_SECONDS = 604_800;

    private static final Logger LOG = Logger.getLogger(TlsResumption.class.getName());

    /** What the properties say: tickets on or off, the cache size (0: no bound) and a session's time (seconds). */
    record Mode(boolean statelessTickets, int sessionCacheSize, int sessionTimeoutSeconds) {

        static Mode of(UnaryOperator<String> properties) {
            String tickets = properties.apply(TICKETS);
            boolean statelessTickets = tickets == null || tickets.compareToIgnoreCase("false") != 0;
            int cacheSize = number(properties.apply(CACHE_SIZE), JDK_CACHE_SIZE);
            int timeout = number(properties.apply(TIMEOUT), JDK_TIMEOUT_SECONDS);
            return new Mode(statelessTickets, cacheSize < 0 ? JDK_CACHE_SIZE : cacheSize,
                    timeout < 0 || timeout > MAX_TIMEOUT_SECONDS ? JDK_TIMEOUT_SECONDS : timeout);
        }

        /** A value as the JDK reads it (no spaces, decimal, hex or octal), or its default when it cannot be read. */
        private static int number(String value, int jdkDefault) {
            if (value == null) {
                return jdkDefault;
            }
            try {
                return Integer.decode(value);
            } catch (NumberFormatException e) {
                return jdkDefault;
            }
        }

        /** A warning when the tickets are on or the cache has no bound; information otherwise. */
        Level level() {
            return statelessTickets || sessionCacheSize == 0 ? Level.WARNING : Level.INFO;
        }

        String logLine() {
            LogLine line = LogLine.event("tls.resumption").with("stateless-tickets", statelessTickets ? "on" : "off")
                    .with("session-cache-size", sessionCacheSize == 0 ? "unbounded" : Integer.toString(sessionCacheSize))
                    .with("session-timeout-seconds", sessionTimeoutSeconds);
            if (statelessTickets) {
                line.with("note", "each resumed connection keeps its own copy of the certificate chains; set "
                        + TICKETS + "=false as server-config does");
            } else if (sessionCacheSize == 0) {
                line.with("note", "the session cache has no bound; set " + CACHE_SIZE);
            }
            return line.toString();
        }
    }

    void onStartup(@Observes Startup startup) {
        Mode mode = Mode.of(System::getProperty);
        LOG.log(mode.level(), mode.logLine());
    }
}
