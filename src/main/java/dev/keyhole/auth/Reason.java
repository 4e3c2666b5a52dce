package dev.keyhole.auth;

/**
 * Why a handshake was rejected: the stable reason code that the 403 body, the audit log and the close reason of a
 * revoked session carry.
 */
public enum Reason {

    /** The location requires a certificate and none was presented. */
    NO_CERTIFICATE("no-certificate"),
    /** The certificate does not chain to a configured CA, or the chain is broken. */
    UNTRUSTED("untrusted"),
    /** A certificate of the chain is past its notAfter. */
    EXPIRED("expired"),
    /** A certificate of the chain is before its notBefore. */
    NOT_YET_VALID("not-yet-valid"),
    /** More CA certificates stand above the client certificate than keyhole.auth.max-chain-depth allows. */
    CHAIN_TOO_DEEP("chain-too-deep"),
    /** The certificate is not for TLS client authentication (extended or plain key usage). */
    NOT_FOR_CLIENT_AUTH("not-for-client-auth"),
    /** A certificate of the chain is on its CA's revocation list. */
    REVOKED("revoked"),
    /** The revocation status cannot be known: no CRL for the issuer, or the CRL is unreadable or out of date. */
    CRL_UNAVAILABLE("crl-unavailable"),
    /** The serial number is on keyhole.auth.denied-serials. */
    SERIAL_DENIED("serial-denied"),
    /** The subject is not among those the location admits. */
    SUBJECT_NOT_ALLOWED("subject-not-allowed"),
    /** The identity has none of the roles the location needs (keyhole.auth.location.NAME.roles). */
    ROLE_REQUIRED("role-required"),
    /** The client address is not among those the location admits. */
    ADDRESS_NOT_ALLOWED("address-not-allowed"),
    /** A trusted proxy forwarded a certificate header that does not hold a certificate. */
    MALFORMED_CERTIFICATE("malformed-certificate"),
    /**
     * The certificate is a proxy's (keyhole.auth.proxy.subjects), presented from an address that is not a trusted
     * proxy's, or forwarded as a client's: a proxy's certificate is never a user identity.
     */
    PROXY_CERTIFICATE("proxy-certificate"),
    /**
     * Forwarding headers (a certificate, a client address) from a trusted proxy's address whose connection did not
     * present a valid proxy certificate: the headers are not believed, and the request is refused.
     */
    PROXY_NOT_AUTHENTICATED("proxy-not-authenticated");

    private final String code;

    Reason(String code) {
        this.code = code;
    }

    /** The stable reason code, e.g. {@code revoked}. */
    public String code() {
        return code;
    }
}
