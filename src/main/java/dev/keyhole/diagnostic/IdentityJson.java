package dev.keyhole.diagnostic;

import dev.keyhole.auth.ClientIdentity;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.util.Optional;

/** A {@link ClientIdentity} as JSON, the way /whoami shows it. */
public final class IdentityJson {

    private IdentityJson() {
    }

    public static JsonObject of(Optional<ClientIdentity> identity) {
        JsonObjectBuilder json = Json.createObjectBuilder().add("authenticated", identity.isPresent());
        identity.ifPresent(id -> json
                .add("subject", id.subject())
                .add("commonName", id.commonName())
                .add("subjectAlternativeNames", Json.createArrayBuilder(id.subjectAlternativeNames()))
                .add("issuer", id.issuer())
                .add("serial", id.serial())
                .add("fingerprint", id.fingerprint())
                .add("notAfter", id.notAfter().toString())
                .add("roles", Json.createArrayBuilder(id.roles())));
        return json.build();
    }
}
