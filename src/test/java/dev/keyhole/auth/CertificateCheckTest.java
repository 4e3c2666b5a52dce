package dev.keyhole.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.keyhole.auth.AuthenticationPolicy.Accepted;
import dev.keyhole.auth.AuthenticationPolicy.ProxyTrust;
import dev.keyhole.auth.AuthenticationPolicy.Rejected;
import dev.keyhole.auth.AuthenticationPolicy.Request;
import dev.keyhole.auth.CertificateCheck.Passed;
import dev.keyhole.auth.CertificateCheck.Refused;
import dev.keyhole.testing.TestPki;
import dev.keyhole.testing.TestPki.Authority;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import dev.keyhole.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The remembered certificate verdicts: what a repeated request skips, and when a verdict is not used again. */
class CertificateCheckTest {

    private static final Authority CA = TestPki.root("Keyhole Test CA");
    private static final X509Certificate ALICE = CA.client("alice").build();
    private static final X509Certificate DAVE = CA.client("dave").build();


    @TempDir
    Path dir;

    private final AtomicInteger builds = new AtomicInteger();
    private final TestClock clock = new TestClock();

    private Path writeCrl(X509CRL crl) throws IOException {
        Path file = dir.resolve("crl.pem");
        Path tmp = dir.resolve("crl.pem.new");
        Files.writeString(tmp, TestPki.pem(crl));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    /** A validator that counts the paths it has the JDK build. */
    private CertificateValidator validator(int maxDepth) {
        return new CertificateValidator(List.of(CA.certificate()), maxDepth, Set.of(), clock, parameters -> {
            builds.incrementAndGet();
            return CertificateValidator.PathBuilder.PKIX.build(parameters);
        });
    }

    private CrlStore crls(X509CRL crl) throws IOException {
        return new CrlStore(List.of(writeCrl(crl)), CrlStore.Scope.CHAIN, clock);
    }

    /** chat admits alice only; echo anyone. */
    private AuthenticationPolicy policy(CrlStore crls, int cacheSize) {
        Locations locations = new Locations(List.of(
                new Location("chat", List.of(PathPattern.parse("/chat/*")), true, List.of(SubjectRule.parse("cn:alice")), List.of()),
                new Location("echo", List.of(PathPattern.parse("/echo")), false, List.of(), List.of())),
                Locations.fallback(true));
        return new AuthenticationPolicy(locations, validator(1), Optional.of(crls), false, new RoleMapping(Map.of()),
                new ProxyTrust(List.of(), List.of(), false, "Client-Cert", "Client-Cert-Chain", "X-Forwarded-For"), cacheSize);
    }

    private static Request request(String path, X509Certificate... chain) {
        return new Request(path, "203.0.113.10", List.of(chain), name -> List.of());
    }

    @Test
    void a_second_request_of_the_same_client_is_not_validated_again() throws IOException {
        AuthenticationPolicy policy = policy(crls(CA.crl()), 100);

        Accepted first = assertInstanceOf(Accepted.class, policy.decide(request("/chat/lobby", ALICE, CA.certificate())));
        Accepted second = assertInstanceOf(Accepted.class, policy.decide(request("/chat/lobby", ALICE, CA.certificate())));

        assertEquals(1, builds.get());
        assertEquals(first.credential(), second.credential());
        assertEquals(ClientIdentity.fingerprint(ALICE), second.facts().fingerprint());
    }

    @Test
    void the_rules_of_the_request_are_applied_to_every_request_of_a_remembered_certificate() throws IOException {
        AuthenticationPolicy policy = policy(crls(CA.crl()), 100);

        assertInstanceOf(Accepted.class, policy.decide(request("/echo", DAVE)));
        Rejected chat = assertInstanceOf(Rejected.class, policy.decide(request("/chat/lobby", DAVE)));

        assertEquals(Reason.SUBJECT_NOT_ALLOWED, chat.reason());
        assertEquals(1, builds.get());
    }

    @Test
    void a_refusal_is_remembered_too() throws IOException {
        AuthenticationPolicy policy = policy(crls(CA.crl(DAVE)), 100);

        assertEquals(Reason.REVOKED, assertInstanceOf(Rejected.class, policy.decide(request("/echo", DAVE))).reason());
        assertEquals(Reason.REVOKED, assertInstanceOf(Rejected.class, policy.decide(request("/echo", DAVE))).reason());

        assertEquals(1, builds.get());
    }

    @Test
    void after_a_crl_reload_the_certificate_is_validated_again_and_a_now_revoked_one_refused() throws IOException {
        CrlStore crls = crls(CA.crl());
        AuthenticationPolicy policy = policy(crls, 100);
        assertInstanceOf(Accepted.class, policy.decide(request("/chat/lobby", ALICE)));
        long generation = crls.generation();

        writeCrl(CA.crl(ALICE));
        crls.reload();

        assertEquals(generation + 1, crls.generation());
        assertEquals(Reason.REVOKED, assertInstanceOf(Rejected.class, policy.decide(request("/chat/lobby", ALICE))).reason());
        assertEquals(2, builds.get());
    }

    @Test
    void a_remembered_verdict_ends_at_the_certificates_not_after() throws IOException {
        X509Certificate shortLived = CA.client("temp").validity(clock.instant().minus(Duration.ofHours(1)),
                clock.instant().plus(Duration.ofMinutes(5))).build();
        AuthenticationPolicy policy = policy(crls(CA.crl()), 100);
        assertInstanceOf(Accepted.class, policy.decide(request("/echo", shortLived)));

        clock.advance(Duration.ofMinutes(4));
        assertInstanceOf(Accepted.class, policy.decide(request("/echo", shortLived)));
        assertEquals(1, builds.get());

        clock.advance(Duration.ofMinutes(2));
        assertEquals(Reason.EXPIRED, assertInstanceOf(Rejected.class, policy.decide(request("/echo", shortLived))).reason());
    }

    @Test
    void a_remembered_verdict_ends_when_the_crl_passes_its_next_update() throws IOException {
        Instant now = clock.instant();
        AuthenticationPolicy policy = policy(crls(CA.crl(now.minus(Duration.ofHours(1)), now.plus(Duration.ofHours(1)))), 100);
        assertInstanceOf(Accepted.class, policy.decide(request("/echo", ALICE)));

        clock.advance(Duration.ofHours(2));

        assertEquals(Reason.CRL_UNAVAILABLE, assertInstanceOf(Rejected.class, policy.decide(request("/echo", ALICE))).reason());
        assertEquals(2, builds.get());
    }

    @Test
    void the_number_of_remembered_verdicts_is_bounded_and_the_least_recently_used_is_forgotten() throws IOException {
        CertificateCheck check = new CertificateCheck(validator(1), Optional.of(crls(CA.crl())), 2, clock);
        X509Certificate bob = CA.client("bob").build();

        check.check(List.of(ALICE));
        check.check(List.of(bob));
        check.check(List.of(ALICE));
        check.check(List.of(DAVE));

        assertEquals(2, check.size());
        assertEquals(3, builds.get());
        check.check(List.of(ALICE));
        assertEquals(3, builds.get(), "alice was used more recently than bob");
        check.check(List.of(bob));
        assertEquals(4, builds.get(), "bob was forgotten");
    }

    @Test
    void a_cache_size_of_0_validates_every_request() throws IOException {
        CertificateCheck check = new CertificateCheck(validator(1), Optional.of(crls(CA.crl())), 0, clock);

        assertInstanceOf(Passed.class, check.check(List.of(ALICE)));
        assertInstanceOf(Passed.class, check.check(List.of(ALICE)));

        assertEquals(2, builds.get());
        assertEquals(0, check.size());
    }

    @Test
    void another_chain_with_the_same_client_certificate_is_decided_on_its_own() throws IOException {
        Authority issuing = CA.intermediate("Issuing CA");
        X509Certificate bob = issuing.client("bob").build();
        CertificateCheck check = new CertificateCheck(validator(2), Optional.empty(), 100, clock);

        assertEquals(Reason.UNTRUSTED, assertInstanceOf(Refused.class, check.check(List.of(bob))).reason());
        assertInstanceOf(Passed.class, check.check(List.of(bob, issuing.certificate())));
        assertEquals(2, check.size());
    }
}
