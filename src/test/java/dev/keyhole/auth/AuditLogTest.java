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
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class AuditLogTest {

    private static final TestPki.Authority CA = TestPki.root("Keyhole Test CA");
    private static final AuditLog AUDIT = new AuditLog(Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC), Level.FINE);
    private static final Location CHAT = new Location("chat", List.of(PathPattern.parse("/chat/*")), true, List.of(), List.of());

    private static List<String> record(AuthenticationPolicy.Decision decision) {
        try (LogCapture log = LogCapture.of(AuditLog.class)) {
            AUDIT.record(decision, true);
            return log.lines();
        }
    }

    @Test
    void an_accepted_certificate_is_logged_with_time_address_path_subject_issuer_serial_fingerprint_and_roles() {
        X509Certificate alice = CA.client("alice").build();
        ClientIdentity identity = ClientIdentity.of(alice, Set.of("operator"));
        Facts facts = new Facts("/chat/lobby", CHAT, new ClientAddress("203.0.113.7", null), Source.TLS, alice, null, null);

        List<String> lines = record(new Accepted(facts, Optional.of(new Credential(identity, List.of(alice), CA.certificate())), false));

        assertEquals(List.of("INFO event=auth decision=accept reason=certificate time=2026-11-21T10:00:00Z remote=203.0.113.7"
                + " proxy=- path=/chat/lobby location=chat source=tls subject=\"CN=alice,O=Test\" issuer=\"CN=Keyhole Test CA,O=Test\""
                + " serial=" + identity.serial() + " fingerprint=" + identity.fingerprint() + " roles=operator"), lines);
    }

    @Test
    void a_rejection_is_logged_with_its_reason_code() {
        Facts facts = new Facts("/chat/lobby", CHAT, new ClientAddress("203.0.113.7", null), Source.NONE, null, null, null);

        List<String> lines = record(new Rejected(facts, Reason.NO_CERTIFICATE));

        assertEquals(List.of("WARNING event=auth decision=reject reason=no-certificate time=2026-11-21T10:00:00Z"
                + " remote=203.0.113.7 proxy=- path=/chat/lobby location=chat source=none"), lines);
    }

    @Test
    void control_characters_in_a_subject_cannot_forge_a_line_and_no_pem_is_logged() {
        X509Certificate forger = CA.client("x").subject("CN=x\nevent=auth decision=accept,O=Test").build();
        Facts facts = new Facts("/chat/lobby", CHAT, new ClientAddress("203.0.113.7", null), Source.TLS, forger, null, null);

        List<String> lines = record(new Rejected(facts, Reason.SUBJECT_NOT_ALLOWED));

        assertEquals(1, lines.size());
        assertFalse(lines.get(0).contains("\n"));
        // RFC 2253 escapes '=' in a value as '\=', and the log line escapes that backslash in turn.
        assertTrue(lines.get(0).contains("subject=\"CN=x\\u000aevent\\\\=auth decision\\\\=accept,O=Test\""), lines.get(0));
        assertFalse(lines.get(0).contains("BEGIN"));
    }

    @Test
    void a_certificate_header_from_an_untrusted_address_gets_a_warning_of_its_own() {
        Facts facts = new Facts("/chat/lobby", CHAT, new ClientAddress("203.0.113.7", null), Source.NONE, null, null,
                new IgnoredHeaders(List.of("Client-Cert", "X-Forwarded-For"), "not-a-trusted-proxy", null));

        List<String> lines = record(new Rejected(facts, Reason.NO_CERTIFICATE));

        assertEquals("WARNING event=auth.forwarded-header-ignored remote=203.0.113.7 path=/chat/lobby reason=not-a-trusted-proxy"
                + " headers=Client-Cert,X-Forwarded-For", lines.get(0));
    }

    @Test
    void headers_from_a_proxy_address_without_a_valid_proxy_certificate_are_logged_with_what_was_wrong() {
        Facts facts = new Facts("/chat/lobby", CHAT, new ClientAddress("10.0.0.2", null), Source.NONE, null, null,
                new IgnoredHeaders(List.of("Client-Cert"), "proxy-not-authenticated", "no-certificate"));

        List<String> lines = record(new Rejected(facts, Reason.NO_CERTIFICATE));

        assertEquals("WARNING event=auth.forwarded-header-ignored remote=10.0.0.2 path=/chat/lobby reason=proxy-not-authenticated"
                + " headers=Client-Cert proxy-problem=no-certificate", lines.get(0));
    }

    private static Accepted aliceAccepted(String path) {
        X509Certificate alice = CA.client("alice").build();
        ClientIdentity identity = ClientIdentity.of(alice, Set.of());
        Facts facts = new Facts(path, CHAT, new ClientAddress("203.0.113.7", null), Source.TLS, alice,
                identity.fingerprint(), null);
        return new Accepted(facts, Optional.of(new Credential(identity, List.of(alice), CA.certificate())), false);
    }

    @Test
    void an_accepted_request_that_is_not_a_websocket_handshake_is_logged_at_the_assets_level() {
        Logger logger = Logger.getLogger(AuditLog.class.getName());
        Level before = logger.getLevel();
        logger.setLevel(Level.ALL);
        try (LogCapture log = LogCapture.of(AuditLog.class)) {
            AUDIT.record(aliceAccepted("/assets/app.js"), false);

            assertEquals(1, log.lines().size());
            assertTrue(log.lines().get(0).startsWith("FINE event=auth decision=accept reason=certificate"), log.lines().get(0));
        } finally {
            logger.setLevel(before);
        }
    }

    @Test
    void with_the_default_logging_an_accepted_asset_request_leaves_no_line_and_a_handshake_does() {
        List<String> asset;
        List<String> handshake;
        try (LogCapture log = LogCapture.of(AuditLog.class)) {
            AUDIT.record(aliceAccepted("/assets/app.js"), false);
            asset = log.lines();
        }
        try (LogCapture log = LogCapture.of(AuditLog.class)) {
            AUDIT.record(aliceAccepted("/chat/lobby"), true);
            handshake = log.lines();
        }

        assertEquals(List.of(), asset);
        assertEquals(1, handshake.size());
        assertTrue(handshake.get(0).startsWith("INFO event=auth decision=accept"), handshake.get(0));
    }

    @Test
    void an_asset_request_accepted_only_because_the_crl_could_not_be_read_is_logged_at_info() {
        Accepted accepted = aliceAccepted("/assets/app.js");
        Accepted failOpen = new Accepted(accepted.facts(), accepted.credential(), true);
        try (LogCapture log = LogCapture.of(AuditLog.class)) {
            AUDIT.record(failOpen, false);

            assertEquals(1, log.lines().size());
            assertTrue(log.lines().get(0).startsWith("INFO event=auth decision=accept"), log.lines().get(0));
        }
    }

    @Test
    void a_refused_asset_request_is_logged_as_a_warning() {
        Facts facts = new Facts("/assets/app.js", CHAT, new ClientAddress("203.0.113.7", null), Source.NONE, null, null, null);

        List<String> lines;
        try (LogCapture log = LogCapture.of(AuditLog.class)) {
            AUDIT.record(new Rejected(facts, Reason.NO_CERTIFICATE), false);
            lines = log.lines();
        }

        assertEquals(1, lines.size());
        assertTrue(lines.get(0).startsWith("WARNING event=auth decision=reject reason=no-certificate"), lines.get(0));
    }

    @Test
    void a_refused_certificate_is_logged_with_its_fingerprint_even_when_the_decision_did_not_compute_it() {
        X509Certificate alice = CA.client("alice").build();
        Facts facts = new Facts("/chat/lobby", CHAT, new ClientAddress("203.0.113.7", null), Source.TLS, alice, null, null);

        List<String> lines = record(new Rejected(facts, Reason.ADDRESS_NOT_ALLOWED));

        assertTrue(lines.get(0).contains(" fingerprint=" + ClientIdentity.fingerprint(alice)), lines.get(0));
    }
}
