package dev.keyhole.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.keyhole.auth.CertificateValidator.Invalid;
import dev.keyhole.auth.CertificateValidator.Result;
import dev.keyhole.auth.CertificateValidator.Valid;
import dev.keyhole.testing.TestPki;
import dev.keyhole.testing.TestPki.Authority;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Test;

class CertificateValidatorTest {

    private static final Authority CA = TestPki.root("Keyhole Test CA");
    private static final Authority OTHER_CA = TestPki.root("Other CA");

    private static CertificateValidator validator(int maxDepth, Authority... anchors) {
        return new CertificateValidator(List.of(anchors).stream().map(Authority::certificate).toList(), maxDepth,
                Set.of(), Clock.systemUTC());
    }

    private static Result validate(X509Certificate... chain) {
        return validator(1, CA).validate(List.of(chain));
    }

    @Test
    void a_certificate_issued_by_a_configured_ca_is_valid() {
        X509Certificate alice = CA.client("alice").build();

        Valid valid = assertInstanceOf(Valid.class, validate(alice));

        assertEquals(List.of(alice), valid.path());
        assertEquals(CA.certificate(), valid.anchor());
    }

    @Test
    void the_ca_certificate_in_the_presented_chain_is_not_part_of_the_path() {
        X509Certificate alice = CA.client("alice").build();

        assertEquals(List.of(alice), assertInstanceOf(Valid.class, validate(alice, CA.certificate())).path());
    }

    @Test
    void a_certificate_from_another_ca_is_untrusted() {
        assertEquals(new Invalid(Reason.UNTRUSTED), validate(OTHER_CA.client("mallory").build()));
    }

    @Test
    void a_certificate_that_names_the_ca_but_was_signed_by_another_key_is_untrusted() {
        Authority impostor = TestPki.root("Keyhole Test CA"); // same name, different key

        assertEquals(new Invalid(Reason.UNTRUSTED), validate(impostor.client("mallory").build()));
    }

    @Test
    void an_expired_certificate_is_refused_as_expired() {
        assertEquals(new Invalid(Reason.EXPIRED), validate(CA.client("old").expired().build()));
    }

    @Test
    void a_certificate_before_its_validity_is_refused_as_not_yet_valid() {
        assertEquals(new Invalid(Reason.NOT_YET_VALID), validate(CA.client("early").notYetValid().build()));
    }

    @Test
    void a_server_certificate_is_not_for_client_authentication() {
        assertEquals(new Invalid(Reason.NOT_FOR_CLIENT_AUTH), validate(CA.client("web").forServers().build()));
    }

    @Test
    void a_certificate_without_extended_key_usage_is_not_for_client_authentication() {
        assertEquals(new Invalid(Reason.NOT_FOR_CLIENT_AUTH), validate(CA.client("vague").withoutExtendedKeyUsage().build()));
    }

    @Test
    void a_certificate_whose_key_may_not_sign_is_not_for_client_authentication() {
        assertEquals(new Invalid(Reason.NOT_FOR_CLIENT_AUTH),
                validate(CA.client("encipher-only").keyUsage(KeyUsage.keyEncipherment).build()));
    }

    @Test
    void a_ca_certificate_is_not_a_client_certificate() {
        assertEquals(new Invalid(Reason.NOT_FOR_CLIENT_AUTH), validate(CA.client("sub-ca").asCertificateAuthority().build()));
    }

    @Test
    void a_chain_through_an_intermediate_is_too_deep_for_depth_1() {
        Authority issuing = CA.intermediate("Issuing CA");
        X509Certificate bob = issuing.client("bob").build();

        assertEquals(new Invalid(Reason.CHAIN_TOO_DEEP), validate(bob, issuing.certificate()));
    }

    @Test
    void a_chain_through_an_intermediate_is_valid_for_depth_2() {
        Authority issuing = CA.intermediate("Issuing CA");
        X509Certificate bob = issuing.client("bob").build();

        Valid valid = assertInstanceOf(Valid.class, validator(2, CA).validate(List.of(bob, issuing.certificate())));

        assertEquals(List.of(bob, issuing.certificate()), valid.path());
    }

    @Test
    void a_chain_missing_its_intermediate_is_untrusted() {
        X509Certificate bob = CA.intermediate("Issuing CA").client("bob").build();

        assertEquals(new Invalid(Reason.UNTRUSTED), validator(2, CA).validate(List.of(bob)));
    }

    @Test
    void unrelated_certificates_in_the_presented_chain_are_ignored() {
        X509Certificate alice = CA.client("alice").build();

        Valid valid = assertInstanceOf(Valid.class,
                validate(alice, OTHER_CA.certificate(), OTHER_CA.client("noise").build()));

        assertEquals(List.of(alice), valid.path());
    }

    @Test
    void a_denied_serial_is_refused_even_from_a_trusted_ca() {
        X509Certificate alice = CA.client("alice").serial(new BigInteger("0A1B2C", 16)).build();
        CertificateValidator validator = new CertificateValidator(List.of(CA.certificate()), 1,
                Set.of(CertificateValidator.parseSerial("0a:1b:2c")), Clock.systemUTC());

        assertEquals(new Invalid(Reason.SERIAL_DENIED), validator.validate(List.of(alice)));
    }

    @Test
    void with_no_ca_configured_every_certificate_is_untrusted() {
        assertEquals(new Invalid(Reason.UNTRUSTED), validator(1).validate(List.of(CA.client("alice").build())));
    }

    /** An intermediate CA with the given validity, issued by {@code parent}. */
    private static Authority intermediate(Authority parent, String commonName, Instant from, Instant until) {
        TestPki.Credential ca = parent.client(commonName).asCertificateAuthority().withoutExtendedKeyUsage()
                .keyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign).validity(from, until).issue();
        return new Authority(ca.keys(), ca.certificate());
    }

    @Test
    void a_chain_through_an_expired_intermediate_is_refused_as_expired() {
        Instant now = Instant.now();
        Authority expired = intermediate(CA, "Old Issuing CA", now.minus(Duration.ofDays(60)), now.minus(Duration.ofDays(1)));
        X509Certificate bob = expired.client("bob").build();

        assertEquals(new Invalid(Reason.EXPIRED), validator(2, CA).validate(List.of(bob, expired.certificate())));
    }

    @Test
    void a_chain_through_an_intermediate_not_yet_valid_is_refused_as_not_yet_valid() {
        Instant now = Instant.now();
        Authority early = intermediate(CA, "Future Issuing CA", now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(60)));
        X509Certificate bob = early.client("bob").validity(now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))).build();

        assertEquals(new Invalid(Reason.NOT_YET_VALID), validator(2, CA).validate(List.of(bob, early.certificate())));
    }

    @Test
    void a_chain_too_deep_is_refused_as_too_deep_even_when_a_ca_of_it_expired() {
        Instant now = Instant.now();
        Authority expired = intermediate(CA, "Old Issuing CA", now.minus(Duration.ofDays(60)), now.minus(Duration.ofDays(1)));

        assertEquals(new Invalid(Reason.CHAIN_TOO_DEEP), validate(expired.client("bob").build(), expired.certificate()));
    }

    @Test
    void a_chain_through_two_intermediates_is_too_deep_for_depth_2_and_valid_for_depth_3() {
        Authority policy = CA.intermediate("Policy CA");
        Authority issuing = policy.intermediate("Issuing CA");
        X509Certificate bob = issuing.client("bob").build();
        List<X509Certificate> chain = List.of(bob, issuing.certificate(), policy.certificate());

        assertEquals(new Invalid(Reason.CHAIN_TOO_DEEP), validator(2, CA).validate(chain));
        assertEquals(List.of(bob, issuing.certificate(), policy.certificate()),
                assertInstanceOf(Valid.class, validator(3, CA).validate(chain)).path());
    }

    @Test
    void a_chain_presented_out_of_order_is_valid() {
        Authority policy = CA.intermediate("Policy CA");
        Authority issuing = policy.intermediate("Issuing CA");
        X509Certificate bob = issuing.client("bob").build();

        Valid valid = assertInstanceOf(Valid.class,
                validator(3, CA).validate(List.of(bob, policy.certificate(), issuing.certificate())));

        assertEquals(List.of(bob, issuing.certificate(), policy.certificate()), valid.path());
    }

    @Test
    void an_intermediate_that_names_a_configured_ca_but_was_signed_by_another_key_is_untrusted() {
        Authority impostor = TestPki.root("Keyhole Test CA").intermediate("Issuing CA");
        X509Certificate mallory = impostor.client("mallory").build();

        assertEquals(new Invalid(Reason.UNTRUSTED), validator(2, CA).validate(List.of(mallory, impostor.certificate())));
    }

    @Test
    void the_path_is_built_by_the_jdk_once_per_validation() {
        AtomicInteger builds = new AtomicInteger();
        CertificateValidator validator = new CertificateValidator(List.of(CA.certificate()), 1, Set.of(), Clock.systemUTC(),
                parameters -> {
                    builds.incrementAndGet();
                    assertEquals(0, parameters.getMaxPathLength(), "max-chain-depth 1: no CA between client and anchor");
                    assertFalse(parameters.isRevocationEnabled(), "revocation is the CrlStore's");
                    return CertificateValidator.PathBuilder.PKIX.build(parameters);
                });

        assertInstanceOf(Valid.class, validator.validate(List.of(CA.client("alice").build())));
        assertEquals(1, builds.get());
    }
}
