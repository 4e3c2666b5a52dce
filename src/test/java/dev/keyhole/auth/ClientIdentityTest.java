package dev.keyhole.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keyhole.testing.TestPki;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClientIdentityTest {

    private static final TestPki.Authority CA = TestPki.root("Keyhole Test CA");

    @Test
    void the_identity_holds_what_the_certificate_states() throws Exception {
        X509Certificate alice = CA.client("alice").subject("CN=Alice,OU=Ops,O=Example").serial(new BigInteger("0ABC", 16))
                .email("alice@example.com").dns("alice.example.com").build();

        ClientIdentity identity = ClientIdentity.of(alice, Set.of("operator"));

        assertEquals("CN=Alice,OU=Ops,O=Example", identity.subject());
        assertEquals("Alice", identity.commonName());
        assertEquals(List.of("email:alice@example.com", "dns:alice.example.com"), identity.subjectAlternativeNames());
        assertEquals("CN=Keyhole Test CA,O=Test", identity.issuer());
        assertEquals("ABC", identity.serial());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(alice.getEncoded())),
                identity.fingerprint());
        assertEquals(alice.getNotAfter().toInstant(), identity.notAfter());
        assertEquals(Set.of("operator"), identity.roles());
    }

    @Test
    void the_common_name_keeps_escaped_characters_and_picks_the_most_specific_cn() {
        assertEquals("Doe, Jane", ClientIdentity.commonName("CN=Doe\\, Jane,O=Example"));
        assertEquals("leaf", ClientIdentity.commonName("CN=leaf,CN=group,O=Example"));
    }

    @Test
    void a_subject_without_cn_is_its_own_name() {
        assertEquals("O=Example", ClientIdentity.commonName("O=Example"));
    }
}
