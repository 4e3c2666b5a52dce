package dev.keyhole.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.auth.AuthenticationPolicy.Credential;
import dev.keyhole.auth.ClientIdentity;
import dev.keyhole.auth.ClientPrincipal;
import dev.keyhole.auth.CrlStore;
import dev.keyhole.auth.Revocation;
import dev.keyhole.config.Settings;
import dev.keyhole.limits.ConnectionLimits;
import dev.keyhole.testing.FakeSession;
import dev.keyhole.testing.TestPki;
import dev.keyhole.testing.TestPki.Authority;
import jakarta.websocket.CloseReason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class SessionRuntimeTest {

    private static final long SECOND = 1_000_000_000L;
    private static final Authority CA = TestPki.root("Keyhole Test CA");

    private final long[] now = {0};
    private Instant wallNow = Instant.now();
    private long revocationGeneration;
    private Function<Credential, CrlStore.Status> revocationStatus = credential -> CrlStore.Status.GOOD;
    private final io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    private final SessionRuntime runtime = runtime(Map.of(
            "keyhole.limits.max-connections-per-identity", "1",
            "keyhole.ws.idle-timeout-seconds", "10",
            "keyhole.ws.ping-interval-seconds", "3",
            "keyhole.ws.shutdown-grace-seconds", "0"));

    /** An endpoint that records what reaches it. */
    private static final class Recorder implements MessageEndpoint {
        final List<String> texts = new ArrayList<>();
        final List<String> events = new ArrayList<>();
        boolean binary;
        CloseCause refuse;
        /** What else happens while the endpoint takes a session. */
        Consumer<LiveSession> duringOpen = session -> { };

        @Override
        public String name() {
            return "recorder";
        }

        @Override
        public int maxMessageBytes() {
            return 16;
        }

        @Override
        public boolean acceptsBinary() {
            return binary;
        }

        @Override
        public SessionListener open(LiveSession session) throws Refusal {
            if (refuse != null) {
                throw new Refusal(refuse);
            }
            duringOpen.accept(session);
            events.add("open");
            return new SessionListener() {
                @Override
                public void text(String message) {
                    texts.add(message);
                }

                @Override
                public void binary(ByteBuffer message) {
                    texts.add("binary:" + StandardCharsets.UTF_8.decode(message));
                }

                @Override
                public void closed() {
                    events.add("closed");
                }
            };
        }
    }

    private final Recorder recorder = new Recorder();
    private final ManagedEndpoint endpoint = new ManagedEndpoint(runtime, recorder, null);

    private SessionRuntime runtime(Map<String, String> settings) {
        SessionRuntime made = new SessionRuntime();
        made.settings = Settings.of(settings);
        made.registry = registry;
        made.nanoTime = () -> now[0];
        made.wallClock = new Clock() {
            @Override
            public Instant instant() {
                return wallNow;
            }

            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }
        };
        made.revocation = new Revocation() {
            @Override
            public long generation() {
                return revocationGeneration;
            }

            @Override
            public CrlStore.Status status(Credential credential) {
                return revocationStatus.apply(credential);
            }
        };
        made.configure();
        return made;
    }

    private static Credential credential(X509Certificate certificate) {
        return new Credential(ClientIdentity.of(certificate, Set.of()), List.of(certificate), CA.certificate());
    }

    /** A session whose handshake was granted a lease, for {@code identity} (a key) or a certificate. */
    private FakeSession withLease(String identityKey, Credential credential) {
        ConnectionLimits.Outcome outcome = runtime.limits().acquire("10.0.0.1", identityKey);
        assertTrue(outcome.granted());
        return new FakeSession(credential == null ? null : new ClientPrincipal(credential))
                .requestParameters(Map.of(SessionRuntime.LEASE_PARAMETER, List.of(outcome.lease().id())));
    }

    private FakeSession opened(String identityKey) {
        FakeSession session = withLease(identityKey, null);
        endpoint.onOpen(session.session(), null);
        return session;
    }

    private FakeSession opened(Credential credential) {
        FakeSession session = withLease(credential.identity().key(), credential);
        endpoint.onOpen(session.session(), null);
        return session;
    }

    private static List<String> closes(FakeSession session) {
        return session.closes().stream().map(reason -> reason.getCloseCode().getCode() + " " + reason.getReasonPhrase()).toList();
    }

    @Test
    void a_session_holds_its_lease_until_it_closes() {
        FakeSession bob = opened("bob");

        assertFalse(runtime.limits().acquire("10.0.0.1", "bob").granted());
        endpoint.onClose(bob.session(), null);
        assertTrue(runtime.limits().acquire("10.0.0.1", "bob").granted());
        assertEquals(0, runtime.size());
        assertEquals(List.of("open", "closed"), recorder.events);
    }

    @Test
    void a_session_without_a_lease_to_claim_is_closed_with_1013_and_its_frames_are_dropped() {
        FakeSession forged = new FakeSession(null).requestParameters(Map.of(SessionRuntime.LEASE_PARAMETER, List.of("forged")));

        endpoint.onOpen(forged.session(), null);
        forged.receiveText("hello", true);

        assertEquals(List.of("1013 try-again-later"), closes(forged));
        assertEquals(List.of(), recorder.events, "the endpoint never saw it");
        assertEquals(List.of(), recorder.texts);
    }

    @Test
    void a_session_the_endpoint_refuses_is_closed_with_its_code_and_later_frames_are_dropped() {
        recorder.refuse = CloseCause.INVALID_ROOM;
        FakeSession refused = opened("bob");

        refused.receiveText("hello", true);
        endpoint.onClose(refused.session(), null);

        assertEquals(List.of("1008 invalid-room"), closes(refused));
        assertEquals(List.of(), recorder.texts);
        assertTrue(runtime.limits().acquire("10.0.0.1", "bob").granted(), "its lease is given back");
    }

    @Test
    void whole_messages_reach_the_endpoint_and_a_message_over_its_limit_fails_with_message_too_big() {
        FakeSession alice = opened("alice");

        alice.receiveText("hel", false);
        alice.receiveText("lo", true);
        assertEquals(List.of("hello"), recorder.texts);

        alice.receiveText("0123456789", false);
        assertThrows(MessageTooBigException.class, () -> alice.receiveText("0123456789", true));
        endpoint.onError(alice.session(), new MessageTooBigException(16));
        assertEquals(List.of("1009 message-too-big"), closes(alice));
    }

    @Test
    void binary_to_an_endpoint_that_takes_none_closes_with_1003_at_the_first_part() {
        FakeSession alice = opened("alice");

        alice.receiveBinary(ByteBuffer.wrap(new byte[] {1}), false);

        assertEquals(List.of("1003 unsupported-data"), closes(alice));
        assertEquals(List.of(), recorder.texts);
    }

    @Test
    void binary_reaches_an_endpoint_that_takes_it() {
        recorder.binary = true;
        FakeSession alice = opened("alice");

        alice.receiveBinary(ByteBuffer.wrap("ab".getBytes(StandardCharsets.UTF_8)), false);
        alice.receiveBinary(ByteBuffer.wrap("c".getBytes(StandardCharsets.UTF_8)), true);

        assertEquals(List.of("binary:abc"), recorder.texts);
    }

    @Test
    void a_session_dropped_without_a_close_is_forgotten_at_the_idle_timeout_and_its_endpoint_told() {
        FakeSession bob = opened("bob");
        bob.drop();

        now[0] = 10 * SECOND;
        runtime.sweep();

        assertEquals(0, runtime.size());
        assertTrue(runtime.limits().acquire("10.0.0.1", "bob").granted());
        assertEquals(List.of("open", "closed"), recorder.events);
        endpoint.onClose(bob.session(), null);
        assertEquals(List.of("open", "closed"), recorder.events, "told once, even if the close is reported late");
    }

    @Test
    void a_quiet_session_is_pinged_and_a_silent_one_closed_after_the_idle_timeout() {
        FakeSession quiet = opened("alice");
        FakeSession silent = opened("bob");

        now[0] = 3 * SECOND;
        runtime.sweep();
        assertEquals(1, quiet.pings());
        assertEquals(1, silent.pings());

        now[0] = 4 * SECOND;
        quiet.receivePong();
        now[0] = 10 * SECOND;
        runtime.sweep();

        assertEquals(List.of(), quiet.closes());
        assertEquals(List.of(new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, "idle-timeout")).toString(),
                silent.closes().toString());
    }

    @Test
    void the_drain_tells_every_open_session_1001_and_refuses_what_comes_later() {
        FakeSession alice = opened("alice");
        FakeSession bob = opened("bob");

        runtime.drain();

        assertTrue(runtime.shuttingDown());
        for (FakeSession session : List.of(alice, bob)) {
            assertEquals(List.of("1001 going-away"), closes(session));
        }
        FakeSession late = opened("carol");
        assertEquals(List.of("1001 going-away"), closes(late), "a session opened during the drain");
        runtime.drain();
        assertEquals(1, alice.closes().size(), "the drain runs once");
    }

    @Test
    void when_the_crls_change_the_sessions_of_a_revoked_certificate_are_closed_with_1008() {
        Credential carol = credential(CA.client("carol").build());
        Credential alice = credential(CA.client("alice").build());
        FakeSession carolSession = opened(carol);
        FakeSession aliceSession = opened(alice);
        runtime.sweep();
        revocationStatus = credential -> credential == carol ? CrlStore.Status.REVOKED : CrlStore.Status.GOOD;

        runtime.sweep();
        assertEquals(List.of(), carolSession.closes(), "revocation is not consulted again while the CRLs did not change");

        revocationGeneration++;
        runtime.sweep();
        assertEquals(List.of("1008 revoked"), closes(carolSession));
        assertEquals(List.of(), aliceSession.closes());
    }

    @Test
    void an_unavailable_crl_does_not_close_open_sessions() {
        FakeSession alice = opened(credential(CA.client("alice").build()));
        revocationStatus = credential -> CrlStore.Status.UNAVAILABLE;

        revocationGeneration++;
        runtime.sweep();

        assertEquals(List.of(), alice.closes());
    }

    @Test
    void a_session_whose_certificate_reaches_not_after_is_closed_with_1008_expired() {
        Instant end = wallNow.plus(Duration.ofMinutes(5));
        FakeSession shortLived = opened(credential(CA.client("temp").validity(wallNow.minusSeconds(60), end).build()));

        wallNow = end.minusSeconds(1);
        runtime.sweep();
        assertEquals(List.of(), shortLived.closes());

        wallNow = end.plusSeconds(1);
        runtime.sweep();
        assertEquals(List.of("1008 expired"), closes(shortLived));
    }

    @Test
    void a_new_session_is_checked_against_the_crls_once_whatever_they_were_when_its_handshake_was_decided() {
        Credential carol = credential(CA.client("carol").build());
        revocationStatus = credential -> CrlStore.Status.REVOKED;
        FakeSession carolSession = opened(carol);

        runtime.sweep();

        assertEquals(List.of("1008 revoked"), closes(carolSession));
    }

    @Test
    void a_session_closed_while_its_endpoint_opens_it_still_tells_the_endpoint() {
        recorder.duringOpen = session -> runtime.closed(session.session()); // the drain or the sweep got there first

        opened("bob");

        assertEquals(List.of("open", "closed"), recorder.events);
        assertEquals(0, runtime.size());
    }

    @Test
    void a_failure_while_the_endpoint_opens_closes_with_1011_and_gives_the_lease_back() {
        recorder.duringOpen = session -> {
            throw new IllegalStateException("broken");
        };
        FakeSession bob = opened("bob");

        bob.receiveText("later", true);
        endpoint.onClose(bob.session(), null);

        assertEquals(List.of("1011 internal-error"), closes(bob));
        assertEquals(List.of(), recorder.texts);
        assertTrue(runtime.limits().acquire("10.0.0.1", "bob").granted());
    }
}
