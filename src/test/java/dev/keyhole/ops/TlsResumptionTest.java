package dev.keyhole.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class TlsResumptionTest {

    private static TlsResumption.Mode mode(Map<String, String> properties) {
        return TlsResumption.Mode.of(properties::get);
    }

    @Test
    void the_jdks_defaults_are_stateless_tickets_and_are_reported_as_a_warning() {
        TlsResumption.Mode mode = mode(Map.of());

        assertEquals(new TlsResumption.Mode(true, 20_480, 86_400), mode);
        assertEquals(Level.WARNING, mode.level());
        assertTrue(mode.logLine().startsWith("event=tls.resumption stateless-tickets=on session-cache-size=20480 session-timeout-seconds=86400 note="),
                mode.logLine());
    }

    @Test
    void the_bundled_server_config_resumes_from_a_bounded_cache_and_is_reported_as_information() {
        TlsResumption.Mode mode = mode(Map.of(TlsResumption.TICKETS, "false", TlsResumption.CACHE_SIZE, "10000",
                TlsResumption.TIMEOUT, "3600"));

        assertEquals(Level.INFO, mode.level());
        assertEquals("event=tls.resumption stateless-tickets=off session-cache-size=10000 session-timeout-seconds=3600",
                mode.logLine());
    }

    @Test
    void a_cache_without_a_bound_is_a_warning_and_an_unreadable_size_is_the_jdks_default() {
        assertEquals(Level.WARNING, mode(Map.of(TlsResumption.TICKETS, "FALSE", TlsResumption.CACHE_SIZE, "0")).level());
        assertEquals(20_480, mode(Map.of(TlsResumption.CACHE_SIZE, "lots")).sessionCacheSize());
        assertTrue(mode(Map.of(TlsResumption.TICKETS, "no")).statelessTickets(), "only \"false\" turns them off");
    }

    @Test
    void values_the_jdk_does_not_accept_are_reported_as_what_the_jdk_uses_instead() {
        assertTrue(mode(Map.of(TlsResumption.TICKETS, "false ")).statelessTickets(), "the JDK does not strip spaces");
        assertEquals(20_480, mode(Map.of(TlsResumption.CACHE_SIZE, " 10000")).sessionCacheSize());
        assertEquals(20_480, mode(Map.of(TlsResumption.CACHE_SIZE, "-1")).sessionCacheSize(), "negative: the default");
        assertEquals(86_400, mode(Map.of(TlsResumption.TIMEOUT, "700000")).sessionTimeoutSeconds(), "over a week");
        assertEquals(86_400, mode(Map.of(TlsResumption.TIMEOUT, "-5")).sessionTimeoutSeconds());
    }
}
