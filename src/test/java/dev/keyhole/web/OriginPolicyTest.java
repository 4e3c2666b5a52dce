package dev.keyhole.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.web.OriginPolicy.Verdict;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OriginPolicyTest {

    private static final Optional<Origin> SELF = Origin.parse("https://keyhole.example:8443");
    private final OriginPolicy policy = new OriginPolicy(
            OriginPolicy.parseAllowed(List.of("https://app.example.com", "https://ops.example.com:9443")), true);

    @Test
    void keyholes_own_origin_is_accepted_without_being_listed() {
        assertEquals(Verdict.SAME_ORIGIN, policy.check("https://keyhole.example:8443", SELF));
        assertEquals(Verdict.SAME_ORIGIN, new OriginPolicy(Set.of(), false)
                .check("https://KEYHOLE.example:8443", SELF));
    }

    @Test
    void listed_origins_are_accepted_exactly() {
        assertEquals(Verdict.ALLOWED, policy.check("https://app.example.com", SELF));
        assertEquals(Verdict.ALLOWED, policy.check("https://app.example.com:443", SELF));
        assertEquals(Verdict.ALLOWED, policy.check("https://ops.example.com:9443", SELF));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "https://app.example.com.evil.net",   // the allowed host as a prefix
        "https://app.example.evil.com",
        "https://evilapp.example.com",         // as a suffix
        "https://sub.app.example.com",         // a subdomain
        "http://app.example.com",              // another scheme
        "https://app.example.com:8443",        // another port
        "https://ops.example.com",             // an allowed host on another (its default) port
        "https://keyhole.example",             // Keyhole's host on another port
        "http://keyhole.example:8443",         // Keyhole's port over http
        "https://keyhole.example.evil.net:8443",
        "null",                                // sandboxed frames, file: pages, some redirects
        "https://app.example.com/",            // not an origin
        "*"})
    void lookalikes_are_refused(String origin) {
        assertEquals(Verdict.REFUSED, policy.check(origin, SELF), origin);
    }

    @Test
    void without_an_origin_header_the_configured_rule_decides() {
        assertEquals(Verdict.NO_ORIGIN, policy.check(null, SELF));
        assertTrue(Verdict.NO_ORIGIN.accepted());
        assertEquals(Verdict.REFUSED, new OriginPolicy(policy.allowed(), false).check(null, SELF));
    }

    @Test
    void without_a_host_header_only_listed_origins_are_accepted() {
        assertEquals(Verdict.REFUSED, policy.check("https://keyhole.example:8443", Optional.empty()));
        assertEquals(Verdict.ALLOWED, policy.check("https://app.example.com", Optional.empty()));
    }

    @Test
    void a_wildcard_cannot_be_configured() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> OriginPolicy.parseAllowed(List.of("https://app.example.com", "*")));
        assertTrue(refused.getMessage().contains("wildcard"), refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OriginPolicy.parseAllowed(List.of("https://*.example.com")));
    }

    @Test
    void an_entry_that_is_not_an_origin_cannot_be_configured() {
        for (String entry : List.of("null", "app.example.com", "https://app.example.com/path")) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> OriginPolicy.parseAllowed(List.of(entry)), entry);
            assertTrue(refused.getMessage().contains("is not an origin"), refused.getMessage());
        }
    }
}
