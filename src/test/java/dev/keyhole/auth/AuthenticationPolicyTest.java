package dev.keyhole.auth;

import dev.keyhole.net.AddressRange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.auth.AuthenticationPolicy.Accepted;
import dev.keyhole.auth.AuthenticationPolicy.Decision;
import dev.keyhole.auth.AuthenticationPolicy.IgnoredHeaders;
import dev.keyhole.auth.AuthenticationPolicy.ProxyTrust;
import dev.keyhole.auth.AuthenticationPolicy.Rejected;
import dev.keyhole.auth.AuthenticationPolicy.Request;
import dev.keyhole.auth.AuthenticationPolicy.Source;
import dev.keyhole.testing.TestPki;
import dev.keyhole.testing.TestPki.Authority;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthenticationPolicyTest {

    private static final Authority CA = TestPki.root("Keyhole Test CA");
    private static final X509Certificate ALICE = CA.client("alice").build();
    private static final X509Certificate BOB = CA.client("bob").build();
    private static final X509Certificate DAVE = CA.client("dave").build();
    private static final X509Certificate RITA = CA.client("rita").build();
    /** The certificate the proxy presents to Keyhole, and a revoked one with the same subject. */
    private static final X509Certificate FRONT = CA.client("front").subject("CN=front,OU=proxy,O=Test").build();
    private static final X509Certificate OLD_FRONT = CA.client("front").subject("CN=front,OU=proxy,O=Test").build();
    private static final String CLIENT = "203.0.113.10";
    private static final String PROXY = "10.0.0.2";
    private static final ProxyTrust PROXY_BY_CERTIFICATE = new ProxyTrust(List.of(AddressRange.parse(PROXY)),
            List.of(SubjectRule.parse("dn:CN=front,OU=proxy,O=Test")), false, "Client-Cert", "Client-Cert-Chain", "X-Forwarded-For");

    @TempDir
    Path dir;

    /** chat requires a certificate from alice or bob; echo accepts anyone; ops only from 10.1.0.0/16. */
    private AuthenticationPolicy policy(X509CRL crl, boolean failOpen) throws IOException {
        return policy(crl, failOpen, PROXY_BY_CERTIFICATE);
    }

    private AuthenticationPolicy policy(X509CRL crl, boolean failOpen, ProxyTrust proxyTrust) throws IOException {
        Path crlFile = dir.resolve("crl.pem");
        if (crl != null) {
            Files.writeString(crlFile, TestPki.pem(crl));
        }
        Locations locations = new Locations(List.of(
                new Location("chat", List.of(PathPattern.parse("/chat/*")), true,
                        List.of(SubjectRule.parse("cn:alice|bob")), List.of()),
                new Location("echo", List.of(PathPattern.parse("/echo")), false, List.of(), List.of()),
                new Location("ops", List.of(PathPattern.parse("/ops/*")), false, List.of(),
                        List.of(AddressRange.parse("10.1.0.0/16"))),
                new Location("health", List.of(PathPattern.parse("/health/*")), true, List.of(), List.of(),
                        List.of("operator"), List.of(AddressRange.parse("127.0.0.0/8")))),
                Locations.fallback(true));
        return new AuthenticationPolicy(locations,
                new CertificateValidator(List.of(CA.certificate()), 1, Set.of(), Clock.systemUTC()),
                Optional.of(new CrlStore(List.of(crlFile), CrlStore.Scope.CHAIN, Clock.systemUTC())), failOpen,
                new RoleMapping(Map.of("operator", List.of(SubjectRule.parse("cn:alice")))),
                proxyTrust, 100);
    }

    private AuthenticationPolicy policy() throws IOException {
        return policy(CA.crl(RITA, OLD_FRONT), false);
    }

    private static Request direct(String path, X509Certificate... chain) {
        return new Request(path, CLIENT, List.of(chain), name -> List.of());
    }

    private static Request fromAddress(String address, String path, Map<String, String> headers, X509Certificate... chain) {
        return new Request(path, address, List.of(chain),
                name -> headers.containsKey(name) ? List.of(headers.get(name)) : List.of());
    }

    private static String clientCert(X509Certificate certificate) throws Exception {
        return ":" + Base64.getEncoder().encodeToString(certificate.getEncoded()) + ":";
    }

    private static Reason rejected(Decision decision) {
        return assertInstanceOf(Rejected.class, decision).reason();
    }

    @Test
    void a_trusted_certificate_on_a_required_location_is_accepted_with_its_identity_and_roles() throws IOException {
        Accepted accepted = assertInstanceOf(Accepted.class, policy().decide(direct("/chat/lobby", ALICE)));

        ClientIdentity identity = accepted.credential().orElseThrow().identity();
        assertEquals("alice", identity.commonName());
        assertEquals(Set.of("operator"), identity.roles());
        assertEquals(Source.TLS, accepted.facts().source());
        assertEquals("chat", accepted.facts().location().name());
    }

    @Test
    void no_certificate_on_a_required_location_is_rejected_as_no_certificate() throws IOException {
        assertEquals(Reason.NO_CERTIFICATE, rejected(policy().decide(direct("/chat/lobby"))));
    }

    @Test
    void a_location_with_roles_refuses_a_trusted_identity_without_one_of_them_as_role_required() throws IOException {
        assertEquals(Reason.ROLE_REQUIRED, rejected(policy().decide(direct("/health/ready", BOB))));
        Accepted alice = assertInstanceOf(Accepted.class, policy().decide(direct("/health/ready", ALICE)));
        assertEquals(Set.of("operator"), alice.credential().orElseThrow().identity().roles());
    }

    @Test
    void anonymous_addresses_admit_a_request_without_a_certificate_from_them_only() throws IOException {
        Accepted local = assertInstanceOf(Accepted.class,
                policy().decide(fromAddress("127.0.0.1", "/health/ready", Map.of())));
        assertEquals(Optional.empty(), local.credential());
        assertEquals(Reason.NO_CERTIFICATE, rejected(policy().decide(direct("/health/ready"))));
        assertEquals(Reason.ROLE_REQUIRED, rejected(policy().decide(fromAddress("127.0.0.1", "/health/ready", Map.of(), BOB))),
                "a certificate presented from there is decided on as usual");
    }

    @Test
    void the_recheck_of_a_location_with_roles_refuses_an_identity_without_them() throws IOException {
        AuthenticationPolicy policy = policy();
        ClientIdentity bob = ClientIdentity.of(BOB, Set.of());

        assertEquals(Optional.of(Reason.ROLE_REQUIRED), policy.recheck("/health/ready", bob, "127.0.0.1"));
        assertEquals(Optional.empty(), policy.recheck("/health/ready", bob.withRoles(Set.of("operator")), "127.0.0.1"));
    }

    @Test
    void no_certificate_on_an_optional_location_is_accepted_anonymously() throws IOException {
        Accepted accepted = assertInstanceOf(Accepted.class, policy().decide(direct("/echo")));

        assertEquals(Optional.empty(), accepted.credential());
    }

    @Test
    void a_path_outside_every_location_requires_a_certificate() throws IOException {
        assertEquals(Reason.NO_CERTIFICATE, rejected(policy().decide(direct("/admin"))));
    }

    @Test
    void a_revoked_certificate_is_rejected_as_revoked_even_on_an_optional_location() throws IOException {
        assertEquals(Reason.REVOKED, rejected(policy().decide(direct("/echo", RITA))));
    }

    @Test
    void an_invalid_certificate_is_rejected_even_where_none_is_required() throws IOException {
        assertEquals(Reason.EXPIRED, rejected(policy().decide(direct("/echo", CA.client("old").expired().build()))));
        assertEquals(Reason.UNTRUSTED, rejected(policy().decide(direct("/echo", TestPki.root("Other").client("x").build()))));
    }

    @Test
    void a_subject_the_location_does_not_admit_is_rejected() throws IOException {
        assertEquals(Reason.SUBJECT_NOT_ALLOWED, rejected(policy().decide(direct("/chat/lobby", DAVE))));
        assertInstanceOf(Accepted.class, policy().decide(direct("/echo", DAVE)));
    }

    @Test
    void an_address_the_location_does_not_admit_is_rejected() throws IOException {
        assertEquals(Reason.ADDRESS_NOT_ALLOWED, rejected(policy().decide(direct("/ops/status", ALICE))));
        assertInstanceOf(Accepted.class, policy().decide(fromAddress("10.1.2.3", "/ops/status", Map.of(), ALICE)));
    }

    @Test
    void a_crl_that_is_out_of_date_fails_closed() throws IOException {
        Instant now = Instant.now();
        AuthenticationPolicy policy = policy(CA.crl(now.minus(Duration.ofDays(31)), now.minus(Duration.ofDays(1))), false);

        assertEquals(Reason.CRL_UNAVAILABLE, rejected(policy.decide(direct("/chat/lobby", ALICE))));
    }

    @Test
    void a_missing_crl_fails_closed() throws IOException {
        assertEquals(Reason.CRL_UNAVAILABLE, rejected(policy(null, false).decide(direct("/chat/lobby", ALICE))));
    }

    @Test
    void with_fail_open_a_missing_crl_is_accepted_and_marked_unknown() throws IOException {
        Accepted accepted = assertInstanceOf(Accepted.class, policy(null, true).decide(direct("/chat/lobby", ALICE)));

        assertTrue(accepted.revocationUnknown());
    }

    @Test
    void the_recheck_applies_the_rules_of_the_location_of_a_path_to_an_authenticated_identity() throws IOException {
        AuthenticationPolicy policy = policy();
        ClientIdentity alice = ClientIdentity.of(ALICE, Set.of());
        ClientIdentity rita = ClientIdentity.of(RITA, Set.of());

        assertEquals(Optional.empty(), policy.recheck("/chat/ops", alice, CLIENT));
        assertEquals(Optional.of(Reason.SUBJECT_NOT_ALLOWED), policy.recheck("/chat/ops", rita, CLIENT));
        assertEquals(Optional.of(Reason.ADDRESS_NOT_ALLOWED), policy.recheck("/ops/status", alice, CLIENT));
        assertEquals(Optional.of(Reason.ADDRESS_NOT_ALLOWED), policy.recheck("/ops/status", alice, null));
        assertEquals(Optional.empty(), policy.recheck("/ops/status", alice, "10.1.2.3"));
    }

    @Test
    void with_fail_open_a_certificate_on_a_crl_past_its_next_update_stays_revoked() throws IOException {
        Instant now = Instant.now();
        AuthenticationPolicy policy = policy(CA.crl(now.minus(Duration.ofDays(31)), now.minus(Duration.ofDays(1)), RITA), true);

        assertEquals(Reason.REVOKED, rejected(policy.decide(direct("/echo", RITA))));
        assertTrue(assertInstanceOf(Accepted.class, policy.decide(direct("/echo", ALICE))).revocationUnknown());
    }

    @Test
    void a_certificate_forwarded_by_a_trusted_proxy_is_validated_like_a_direct_one() throws Exception {
        Accepted accepted = assertInstanceOf(Accepted.class, policy().decide(
                fromAddress(PROXY, "/chat/lobby", Map.of("Client-Cert", clientCert(ALICE)), FRONT)));
        assertEquals(Source.PROXY, accepted.facts().source());
        assertEquals("alice", accepted.credential().orElseThrow().identity().commonName());
        assertFalse(accepted.facts().forwardedHeaderIgnored());

        assertEquals(Reason.REVOKED, rejected(policy().decide(
                fromAddress(PROXY, "/chat/lobby", Map.of("Client-Cert", clientCert(RITA)), FRONT))));
    }

    @Test
    void the_proxys_own_tls_certificate_is_not_the_clients() throws IOException {
        // The proxy authenticates itself to Keyhole with its certificate but forwards none for its client.
        Decision chat = policy().decide(fromAddress(PROXY, "/chat/lobby", Map.of(), FRONT));
        Accepted echo = assertInstanceOf(Accepted.class, policy().decide(fromAddress(PROXY, "/echo", Map.of(), FRONT)));

        assertEquals(Reason.NO_CERTIFICATE, rejected(chat));
        assertEquals(Source.NONE, chat.facts().source());
        assertEquals(Optional.empty(), echo.credential());
        assertTrue(echo.facts().client().viaProxy());
    }

    @Test
    void the_proxys_certificate_from_an_address_that_is_not_a_proxy_is_refused_as_a_user_identity() throws IOException {
        assertEquals(Reason.PROXY_CERTIFICATE, rejected(policy().decide(direct("/echo", FRONT))));
    }

    @Test
    void a_certificate_header_from_an_untrusted_address_is_ignored_and_flagged() throws Exception {
        Decision decision = policy().decide(fromAddress(CLIENT, "/chat/lobby",
                Map.of("Client-Cert", clientCert(ALICE), "X-Forwarded-For", "10.1.9.9")));

        assertEquals(Reason.NO_CERTIFICATE, rejected(decision));
        assertEquals(new IgnoredHeaders(List.of("Client-Cert", "X-Forwarded-For"), "not-a-trusted-proxy", null),
                decision.facts().ignored());
    }

    @Test
    void a_certificate_header_from_a_proxy_address_without_a_certificate_is_not_believed_and_refused()
            throws Exception {
        Decision decision = policy().decide(fromAddress(PROXY, "/chat/lobby", Map.of("Client-Cert", clientCert(ALICE))));

        assertEquals(Reason.PROXY_NOT_AUTHENTICATED, rejected(decision));
        assertEquals(Source.NONE, decision.facts().source());
        assertFalse(decision.facts().client().viaProxy());
        assertEquals(new IgnoredHeaders(List.of("Client-Cert"), "proxy-not-authenticated", "no-certificate"),
                decision.facts().ignored());
    }

    @Test
    void a_users_certificate_from_a_proxy_address_is_that_user_and_with_forwarding_headers_it_is_refused() throws Exception {
        Decision forwarding = policy().decide(fromAddress(PROXY, "/echo", Map.of("Client-Cert", clientCert(ALICE)), DAVE));
        Accepted plain = assertInstanceOf(Accepted.class, policy().decide(fromAddress(PROXY, "/echo", Map.of(), DAVE)));

        assertEquals(Reason.PROXY_NOT_AUTHENTICATED, rejected(forwarding), "a mistyped proxy subject must not make "
                + "the proxy's own certificate every user's identity");
        assertEquals(new IgnoredHeaders(List.of("Client-Cert"), "proxy-not-authenticated", "subject-not-allowed"),
                forwarding.facts().ignored());
        assertEquals("dave", plain.credential().orElseThrow().identity().commonName());
        assertEquals(Source.TLS, plain.facts().source());
    }

    @Test
    void a_proxy_certificate_that_fails_a_check_does_not_make_a_proxy() throws Exception {
        Map<String, String> forged = Map.of("Client-Cert", clientCert(ALICE));
        X509Certificate foreignFront = TestPki.root("Other").client("front").subject("CN=front,OU=proxy,O=Test").build();
        X509Certificate expiredFront = CA.client("front").subject("CN=front,OU=proxy,O=Test").expired().build();

        Decision crlUnavailable = policy(null, false).decide(fromAddress(PROXY, "/echo", forged, FRONT)); // no CRL file yet
        Decision failOpen = policy(null, true).decide(fromAddress(PROXY, "/echo", forged, FRONT));
        Decision revoked = policy().decide(fromAddress(PROXY, "/echo", forged, OLD_FRONT));
        Decision untrusted = policy().decide(fromAddress(PROXY, "/echo", forged, foreignFront));
        Decision expired = policy().decide(fromAddress(PROXY, "/echo", forged, expiredFront));

        for (Decision decision : List.of(revoked, untrusted, expired, crlUnavailable, failOpen)) {
            assertEquals(Reason.PROXY_NOT_AUTHENTICATED, rejected(decision));
        }
        assertEquals("revoked", revoked.facts().ignored().proxyProblem());
        assertEquals("untrusted", untrusted.facts().ignored().proxyProblem());
        assertEquals("expired", expired.facts().ignored().proxyProblem());
        assertEquals("crl-unavailable", crlUnavailable.facts().ignored().proxyProblem());
        assertEquals("crl-unavailable", failOpen.facts().ignored().proxyProblem(), "fail-open never applies to the proxy");
    }

    @Test
    void a_malformed_certificate_header_from_a_trusted_proxy_is_rejected() throws IOException {
        assertEquals(Reason.MALFORMED_CERTIFICATE, rejected(policy().decide(
                fromAddress(PROXY, "/echo", Map.of("Client-Cert", ":bm90IGEgY2VydA==:"), FRONT))));
    }

    @Test
    void forwarded_for_counts_only_from_an_authenticated_proxy() throws IOException {
        Map<String, String> forwarded = Map.of("X-Forwarded-For", "10.1.9.9");

        Decision viaProxy = policy().decide(fromAddress(PROXY, "/ops/status", forwarded, FRONT));
        Decision proxyAddressOnly = policy().decide(fromAddress(PROXY, "/ops/status", forwarded));
        Decision direct = policy().decide(fromAddress(CLIENT, "/ops/status", forwarded));

        assertEquals("10.1.9.9", viaProxy.facts().client().address());
        assertInstanceOf(Accepted.class, viaProxy);
        assertEquals(Reason.PROXY_NOT_AUTHENTICATED, rejected(proxyAddressOnly));
        assertEquals(PROXY, proxyAddressOnly.facts().client().address());
        assertEquals(List.of("X-Forwarded-For"), proxyAddressOnly.facts().ignored().headers());
        assertEquals(Reason.ADDRESS_NOT_ALLOWED, rejected(direct));
        assertFalse(direct.facts().client().viaProxy());
    }

    @Test
    void trust_by_address_alone_when_chosen_needs_no_proxy_certificate() throws Exception {
        ProxyTrust addressOnly = new ProxyTrust(List.of(AddressRange.parse(PROXY)), List.of(), true,
                "Client-Cert", "Client-Cert-Chain", "X-Forwarded-For");

        Accepted accepted = assertInstanceOf(Accepted.class, policy(CA.crl(RITA), false, addressOnly).decide(
                fromAddress(PROXY, "/chat/lobby", Map.of("Client-Cert", clientCert(ALICE)))));

        assertEquals(Source.PROXY, accepted.facts().source());
        assertEquals("alice", accepted.credential().orElseThrow().identity().commonName());
    }
}
