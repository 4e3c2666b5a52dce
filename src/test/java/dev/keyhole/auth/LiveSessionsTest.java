package dev.keyhole.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.keyhole.auth.AuthenticationPolicy.Credential;
import dev.keyhole.testing.FakeSession;
import dev.keyhole.testing.TestPki;
import dev.keyhole.testing.TestPki.Authority;
import jakarta.websocket.CloseReason;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LiveSessionsTest {

    private static final Authority CA = TestPki.root("Keyhole Test CA");

    private final LiveSessions sessions = new LiveSessions();

    private static Credential credential(X509Certificate certificate) {
        return new Credential(ClientIdentity.of(certificate, Set.of()), List.of(certificate), CA.certificate());
    }

    private FakeSession open(Credential credential) {
        FakeSession session = new FakeSession(new ClientPrincipal(credential));
        sessions.opened(session.session());
        return session;
    }

    @Test
    void opening_puts_the_identity_into_the_session_user_properties() {
        Credential alice = credential(CA.client("alice").build());
        FakeSession session = new FakeSession(new ClientPrincipal(alice));

        Optional<ClientIdentity> identity = sessions.opened(session.session());

        assertEquals(Optional.of(alice.identity()), identity);
        assertSame(alice.identity(), session.userProperties().get(LiveSessions.IDENTITY));
    }

    @Test
    void a_session_without_a_certificate_is_not_tracked() {
        assertEquals(Optional.empty(), sessions.opened(new FakeSession(null).session()));
        assertEquals(0, sessions.size());
    }

    @Test
    void when_the_crls_change_the_sessions_of_a_revoked_certificate_are_closed_with_1008() {
        Credential carol = credential(CA.client("carol").build());
        Credential alice = credential(CA.client("alice").build());
        FakeSession carolOnPhone = open(carol);
        FakeSession carolOnLaptop = open(carol);
        FakeSession aliceSession = open(alice);

        int closed = sessions.sweep(Instant.now(), true,
                credential -> credential == carol ? CrlStore.Status.REVOKED : CrlStore.Status.GOOD);

        CloseReason revoked = new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY, "revoked");
        assertEquals(2, closed);
        assertEquals(List.of(revoked.toString()), carolOnPhone.closes().stream().map(CloseReason::toString).toList());
        assertEquals(List.of(revoked.toString()), carolOnLaptop.closes().stream().map(CloseReason::toString).toList());
        assertEquals(List.of(), aliceSession.closes());
        assertEquals(1, sessions.size());
    }

    @Test
    void revocation_is_not_consulted_when_the_crls_did_not_change() {
        FakeSession carol = open(credential(CA.client("carol").build()));

        sessions.sweep(Instant.now(), false, credential -> CrlStore.Status.REVOKED);

        assertEquals(List.of(), carol.closes());
    }

    @Test
    void an_unavailable_crl_does_not_close_open_sessions() {
        FakeSession alice = open(credential(CA.client("alice").build()));

        sessions.sweep(Instant.now(), true, credential -> CrlStore.Status.UNAVAILABLE);

        assertEquals(List.of(), alice.closes());
    }

    @Test
    void a_session_whose_certificate_reaches_not_after_is_closed_with_1008_expired() {
        Instant end = Instant.now().plus(Duration.ofMinutes(5));
        FakeSession shortLived = open(credential(CA.client("temp").validity(Instant.now().minusSeconds(60), end).build()));

        sessions.sweep(end.minusSeconds(1), false, credential -> CrlStore.Status.GOOD);
        assertEquals(List.of(), shortLived.closes());

        sessions.sweep(end.plusSeconds(1), false, credential -> CrlStore.Status.GOOD);
        assertEquals(CloseReason.CloseCodes.VIOLATED_POLICY, shortLived.closes().get(0).getCloseCode());
        assertEquals("expired", shortLived.closes().get(0).getReasonPhrase());
    }

    @Test
    void a_closed_session_is_forgotten() {
        FakeSession carol = open(credential(CA.client("carol").build()));

        sessions.closed(carol.session());

        assertEquals(0, sessions.sweep(Instant.now(), true, credential -> CrlStore.Status.REVOKED));
    }
}
