package dev.keyhole.auth;

import dev.keyhole.auth.AuthenticationPolicy.Credential;

/**
 * Which certificates are revoked now, for the sessions that are already open: the session runtime checks its open
 * sessions again whenever the {@link #generation()} changes (a CRL was reloaded with new content).
 */
public interface Revocation {

    /** Changes whenever the revocation data changes. */
    long generation();

    /** The status of a credential's certificates under the current revocation data. */
    CrlStore.Status status(Credential credential);
}
