package dev.keyhole.diagnostic;

import dev.keyhole.auth.ClientIdentity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keyhole.testing.TestPki;
import jakarta.json.JsonObject;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdentityJsonTest {

    @Test
    void an_anonymous_client_is_not_authenticated() {
        assertEquals("{\"authenticated\":false}", IdentityJson.of(Optional.empty()).toString());
    }

    @Test
    void an_identity_shows_every_field() {
        X509Certificate alice = TestPki.root("Keyhole Test CA").client("alice").email("alice@example.com").build();
        ClientIdentity identity = ClientIdentity.of(alice, Set.of("operator"));

        JsonObject json = IdentityJson.of(Optional.of(identity));

        assertEquals(true, json.getBoolean("authenticated"));
        assertEquals("CN=alice,O=Test", json.getString("subject"));
        assertEquals("alice", json.getString("commonName"));
        assertEquals(List.of("email:alice@example.com"), json.getJsonArray("subjectAlternativeNames").getValuesAs(
                jakarta.json.JsonString::getString));
        assertEquals(identity.serial(), json.getString("serial"));
        assertEquals(identity.fingerprint(), json.getString("fingerprint"));
        assertEquals(identity.notAfter().toString(), json.getString("notAfter"));
        assertEquals("[\"operator\"]", json.getJsonArray("roles").toString());
    }
}
