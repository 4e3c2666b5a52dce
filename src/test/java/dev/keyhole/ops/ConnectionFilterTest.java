package dev.keyhole.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.auth.ClientIdentity;
import dev.keyhole.ws.SessionRuntime.OpenSession;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConnectionFilterTest {

    private static final ClientIdentity ALICE = new ClientIdentity("CN=alice,O=Example", "alice", List.of(),
            "CN=Example CA,O=Example", "0A1B", "ab12cd", Instant.parse("2027-01-01T00:00:00Z"), Set.of());
    private static final OpenSession IN_LOBBY = new OpenSession("s1", "chat", Instant.EPOCH, "192.0.2.1",
            Map.of("room", "lobby"), Optional.of(ALICE));
    private static final OpenSession ANONYMOUS_ECHO = new OpenSession("s2", "echo", Instant.EPOCH, null, Map.of(),
            Optional.empty());

    private static ConnectionFilter filter(Map<String, String> keys) {
        return ConnectionFilter.of(keys, Set.of("limit"));
    }

    @Test
    void names_compare_as_distinguished_names_and_serials_and_fingerprints_as_hex() {
        assertTrue(filter(Map.of("subject", "cn=alice, o=Example")).matches(IN_LOBBY, "a"));
        assertTrue(filter(Map.of("issuer", "CN=Example CA, O=Example", "serial", "00:0a:1b")).matches(IN_LOBBY, "a"));
        assertTrue(filter(Map.of("fingerprint", "AB:12:CD")).matches(IN_LOBBY, "a"));
        assertFalse(filter(Map.of("subject", "CN=alice,O=Elsewhere")).matches(IN_LOBBY, "a"));
    }

    @Test
    void every_key_must_match_and_a_connection_without_a_certificate_matches_no_certificate_key() {
        assertTrue(filter(Map.of("room", "lobby", "node", "a")).matches(IN_LOBBY, "a"));
        assertTrue(filter(Map.of("room", "LOBBY")).matches(new OpenSession("s3", "chat", Instant.EPOCH, null,
                Map.of("room", "Lobby"), Optional.of(ALICE)), "a"), "room names are case-insensitive, as the chat's");
        assertFalse(filter(Map.of("room", "lobby", "node", "b")).matches(IN_LOBBY, "a"));
        assertFalse(filter(Map.of("serial", "0a1b")).matches(ANONYMOUS_ECHO, "a"));
        assertTrue(filter(Map.of("session", "s2")).matches(ANONYMOUS_ECHO, "a"));
        assertTrue(filter(Map.of()).matches(ANONYMOUS_ECHO, "a"), "an empty filter matches everything");
        assertTrue(filter(Map.of("limit", "5")).isEmpty(), "other allowed parameters are not keys");
    }

    @Test
    void unknown_keys_empty_values_bad_names_and_non_hex_serials_are_refused_as_bad_filter() {
        for (Map<String, String> bad : List.of(Map.of("fingerprnt", "ab"), Map.of("room", " "), Map.of("subject", "alice"),
                Map.of("serial", "xyz"), Map.of("node", "n".repeat(1025)), Map.of("room", "no/room"))) {
            ConnectionFilter.Invalid invalid = assertThrows(ConnectionFilter.Invalid.class, () -> filter(bad), bad.toString());
            assertEquals("bad-filter", invalid.reason());
        }
    }

    @Test
    void the_audit_describes_the_keys_in_a_fixed_order() {
        assertEquals("subject=CN=a;room=r", filter(Map.of("room", "r", "subject", "CN=a")).describe());
        assertEquals("all", filter(Map.of()).describe());
    }
}
