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
 * sets it. With tickets, every resumed connection decodes its session from the ticket, certificate chains included,
 * and keeps that copy while it is open (docs/performance.md); that is logged as a warning, as is a cache without a
 * bound. The JDK reads both properties when the container makes its SSL context, so they must be set on the JVM (or as
 * a server system property set at boot), not in Keyhole's configuration.
 */
@ApplicationScoped
public class TlsResumption {

    /** The JDK's switch for stateless session tickets on the server side (true unless "false"). */
    static final String TICKETS = "jdk.tls.server.enableSessionTicketExtension";
    /** The JDK's default size of a session cache (0: no bound). */
    static final String CACHE_SIZE = "javax.net.ssl.sessionCacheSize";
    /** The JDK's own default for {@link #CACHE_SIZE}. */
    static final int JDK_CACHE_SIZE = 20_480;

    private static final Logger LOG = Logger.getLogger(TlsResumption.class.getName());

    /** What the properties say: tickets on or off, and the cache size (0: no bound). */
    record Mode(boolean statelessTickets, int sessionCacheSize) {

        static Mode of(UnaryOperator<String> properties) {
            String tickets = properties.apply(TICKETS);
            boolean statelessTickets = tickets == null || !tickets.strip().equalsIgnoreCase("false");
            int cacheSize = JDK_CACHE_SIZE;
            String size = properties.apply(CACHE_SIZE);
            if (size != null) {
                try {
                    cacheSize = Math.max(0, Integer.decode(size.strip()));
                } catch (NumberFormatException e) {
                    cacheSize = JDK_CACHE_SIZE; // the JDK ignores a value it cannot read, too
                }
            }
            return new Mode(statelessTickets, cacheSize);
        }

        /** A warning when the tickets are on or the cache has no bound; information otherwise. */
        Level level() {
            return statelessTickets || sessionCacheSize == 0 ? Level.WARNING : Level.INFO;
        }

        String logLine() {
            LogLine line = LogLine.event("tls.resumption").with("stateless-tickets", statelessTickets ? "on" : "off")
                    .with("session-cache-size", sessionCacheSize == 0 ? "unbounded" : Integer.toString(sessionCacheSize));
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
