package dev.keyhole.auth;

import dev.keyhole.auth.AuthenticationPolicy.Credential;
import java.security.Principal;
import java.util.Objects;
import java.util.Optional;

/**
 * The principal of a request or WebSocket session that presented a valid client certificate. Its name is the
 * certificate's subject DN; {@link #identity()} holds the rest.
 */
public final class ClientPrincipal implements Principal {

    private final Credential credential;
    private final String address;

    /** @param address the client address the handshake was decided for (behind a trusted proxy: the client's) */
    public ClientPrincipal(Credential credential, String address) {
        this.credential = Objects.requireNonNull(credential, "credential");
        this.address = address;
    }

    public ClientPrincipal(Credential credential) {
        this(credential, null);
    }

    /** The identity behind a principal, if it is a Keyhole client principal. */
    public static Optional<ClientIdentity> identityOf(Principal principal) {
        return credentialOf(principal).map(Credential::identity);
    }

    public static Optional<Credential> credentialOf(Principal principal) {
        return principal instanceof ClientPrincipal client ? Optional.of(client.credential) : Optional.empty();
    }

    public ClientIdentity identity() {
        return credential.identity();
    }

    /** The client address the handshake was decided for, if known. */
    public Optional<String> address() {
        return Optional.ofNullable(address);
    }

    @Override
    public String getName() {
        return credential.identity().subject();
    }

    /** Two principals are equal when they are the same identity (issuer and subject: {@link ClientIdentity#key()}). */
    @Override
    public boolean equals(Object other) {
        return other instanceof ClientPrincipal that && credential.identity().key().equals(that.credential.identity().key());
    }

    @Override
    public int hashCode() {
        return credential.identity().key().hashCode();
    }

    @Override
    public String toString() {
        return "ClientPrincipal[" + getName() + "]";
    }
}
