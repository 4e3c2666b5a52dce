package dev.keyhole.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.auth.AuthenticationPolicy.Accepted;
import dev.keyhole.auth.AuthenticationPolicy.Credential;
import dev.keyhole.auth.AuthenticationPolicy.Facts;
import dev.keyhole.auth.AuthenticationPolicy.IgnoredHeaders;
import dev.keyhole.auth.AuthenticationPolicy.Rejected;
import dev.keyhole.auth.AuthenticationPolicy.Source;
import dev.keyhole.testing.LogCapture;
import dev.keyhole.testing.TestPki;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AuditLogTest {

    private static final TestPki.Authority CA = TestPki.root("Keyhole Test CA");
    private static final AuditLog AUDIT = new AuditLog(Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC));
    private static final Location CHAT = new Location("chat", List.of(PathPattern.parse("/chat/*")), true, List.of(), List.of());

    private static List<String> record(AuthenticationPolicy.Decision decision) {
        try (LogCapture log = LogCapture.of(AuditLog.class)) {
            AUDIT.record(decision);
            return log.lines();
        }
    }

    @Test
    void an_accepted_certificate_is_logged_with_time_address_path_subject_issuer_serial_fingerprint_and_roles() {
        X509Certificate alice = CA.client("alice").build();
        ClientIdentity identity = ClientIdentity.of(alice, Set.of("operator"));
        Facts facts = new Facts("/chat/lobby", CHAT, new ClientAddress("203.0.113.7", null), Source.TLS, alice, null);

        List<String> lines = record(new Accepted(facts, Optional.of(new Credential(identity, List.of(alice), CA.certificate())), false));

        assertEquals(List.of("INFO event=auth decision=accept reason=certificate time=2026-11-21T10:00:00Z remote=203.0.113.7"
                + " proxy=- path=/chat/lobby location=chat source=tls subject=\"CN=alice,O=Test\" issuer=\"CN=Keyhole Test CA,O=Test\""
                + " serial=" + identity.serial() + " fingerprint=" + identity.fingerprint() + " roles=operator"), lines);
    }

    @Test
    void a_rejection_is_logged_with_its_reason_code() {
        Facts facts = new Facts("/chat/lobby", CHAT, new ClientAddress("203.0.113.7", null), Source.NONE, null, null);

        List<String> lines = record(new Rejected(facts, Reason.NO_CERTIFICATE));

        assertEquals(List.of("WARNING event=auth decision=reject reason=no-certificate time=2026-11-21T10:00:00Z"
                + " remote=203.0.113.7 proxy=- path=/chat/lobby location=chat source=none"), lines);
    }

    @Test
    void control_characters_in_a_subject_cannot_forge_a_line_and_no_pem_is_logged() {
        X509Certificate forger = CA.client("x").subject("CN=x\nevent=auth decision=accept,O=Test").build();
        Facts facts = new Facts("/chat/lobby", CHAT, new ClientAddress("203.0.113.7", null), Source.TLS, forger, null);

        List<String> lines = record(new Rejected(facts, Reason.SUBJECT_NOT_ALLOWED));

        assertEquals(1, lines.size());
        assertFalse(lines.get(0).contains("\n"));
        // RFC 2253 escapes '=' in a value as '\=', and the log line escapes that backslash in turn.
        assertTrue(lines.get(0).contains("subject=\"CN=x\\u000aevent\\\\=auth decision\\\\=accept,O=Test\""), lines.get(0));
        assertFalse(lines.get(0).contains("BEGIN"));
    }

    @Test
    void a_certificate_header_from_an_untrusted_address_gets_a_warning_of_its_own() {
        Facts facts = new Facts("/chat/lobby", CHAT, new ClientAddress("203.0.113.7", null), Source.NONE, null,
                new IgnoredHeaders(List.of("Client-Cert", "X-Forwarded-For"), "not-a-trusted-proxy", null));

        List<String> lines = record(new Rejected(facts, Reason.NO_CERTIFICATE));

        assertEquals("WARNING event=auth.forwarded-header-ignored remote=203.0.113.7 path=/chat/lobby reason=not-a-trusted-proxy"
                + " headers=Client-Cert,X-Forwarded-For", lines.get(0));
    }

    @Test
    void headers_from_a_proxy_address_without_a_valid_proxy_certificate_are_logged_with_what_was_wrong() {
        Facts facts = new Facts("/chat/lobby", CHAT, new ClientAddress("10.0.0.2", null), Source.NONE, null,
                new IgnoredHeaders(List.of("Client-Cert"), "proxy-not-authenticated", "no-certificate"));

        List<String> lines = record(new Rejected(facts, Reason.NO_CERTIFICATE));

        assertEquals("WARNING event=auth.forwarded-header-ignored remote=10.0.0.2 path=/chat/lobby reason=proxy-not-authenticated"
                + " headers=Client-Cert proxy-problem=no-certificate", lines.get(0));
    }
}
