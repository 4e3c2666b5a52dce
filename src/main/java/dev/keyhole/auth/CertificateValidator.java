package dev.keyhole.auth;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a client certificate chain beyond what the TLS layer proves, the same way for a certificate from the TLS
 * handshake and one forwarded by a proxy: deny-listed serial, validity now, purpose (TLS client authentication),
 * a path to a configured CA, its depth, and PKIX validation of that path. Revocation is checked separately.
 */
public final class CertificateValidator {

    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String ANY_PURPOSE = "2.5.29.37.0";
    private static final int DIGITAL_SIGNATURE = 0;
    private static final int MAX_PATH = 10;

    /** The outcome: a validated path, or why there is none. */
    public sealed interface Result {
    }

    /**
     * A validated certification path.
     *
     * @param path the client certificate first, then its issuers up to (not including) the trust anchor
     * @param anchor the configured CA certificate the path ends at
     */
    public record Valid(List<X509Certificate> path, X509Certificate anchor) implements Result {
        public Valid {
            path = List.copyOf(path);
        }
    }

    /** A chain that is refused, and why. */
    public record Invalid(Reason reason) implements Result {
    }

    private final List<X509Certificate> anchors;
    private final int maxDepth;
    private final Set<BigInteger> deniedSerials;
    private final Clock clock;

    /**
     * @param anchors the CA certificates client certificates must chain to
     * @param maxDepth how many CA certificates may stand above the client certificate, the anchor included
     * @param deniedSerials serial numbers refused outright
     */
    public CertificateValidator(List<X509Certificate> anchors, int maxDepth, Set<BigInteger> deniedSerials, Clock clock) {
        this.anchors = List.copyOf(anchors);
        this.maxDepth = maxDepth;
        this.deniedSerials = Set.copyOf(deniedSerials);
        this.clock = clock;
    }

    /** Parses a hexadecimal serial number as written by openssl or keytool (colons and spaces allowed). */
    public static BigInteger parseSerial(String hex) {
        String digits = hex.replace(":", "").replace(" ", "").strip();
        try {
            return new BigInteger(digits, 16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + hex + "' is not a hexadecimal serial number");
        }
    }

    /** Validates a chain as presented, the client certificate first. */
    public Result validate(List<X509Certificate> presented) {
        if (presented.isEmpty()) {
            throw new IllegalArgumentException("no certificate to validate");
        }
        X509Certificate leaf = presented.get(0);
        if (deniedSerials.contains(leaf.getSerialNumber())) {
            return new Invalid(Reason.SERIAL_DENIED);
        }
        Optional<Reason> invalidNow = validityNow(leaf);
        if (invalidNow.isPresent()) {
            return new Invalid(invalidNow.get());
        }
        if (!forClientAuthentication(leaf)) {
            return new Invalid(Reason.NOT_FOR_CLIENT_AUTH);
        }
        List<X509Certificate> path = new ArrayList<>(List.of(leaf));
        X509Certificate anchor;
        while (true) {
            X509Certificate current = path.get(path.size() - 1);
            Optional<X509Certificate> issuingAnchor = issuerAmong(current, anchors);
            if (issuingAnchor.isPresent()) {
                anchor = issuingAnchor.get();
                break;
            }
            Optional<X509Certificate> issuer = issuerAmong(current, presented).filter(candidate -> !path.contains(candidate));
            if (issuer.isEmpty() || path.size() >= MAX_PATH) {
                return new Invalid(Reason.UNTRUSTED);
            }
            path.add(issuer.get());
        }
        if (path.size() > maxDepth) {
            return new Invalid(Reason.CHAIN_TOO_DEEP);
        }
        return pkix(path, anchor);
    }

    private Result pkix(List<X509Certificate> path, X509Certificate anchor) {
        try {
            PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(clock.instant()));
            CertPathValidator.getInstance("PKIX")
                    .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
            return new Valid(path, anchor);
        } catch (CertPathValidatorException e) {
            if (e.getReason() == BasicReason.EXPIRED) {
                return new Invalid(Reason.EXPIRED);
            }
            if (e.getReason() == BasicReason.NOT_YET_VALID) {
                return new Invalid(Reason.NOT_YET_VALID);
            }
            return new Invalid(Reason.UNTRUSTED);
        } catch (GeneralSecurityException e) {
            return new Invalid(Reason.UNTRUSTED);
        }
    }

    private Optional<Reason> validityNow(X509Certificate certificate) {
        try {
            certificate.checkValidity(Date.from(clock.instant()));
            return Optional.empty();
        } catch (CertificateExpiredException e) {
            return Optional.of(Reason.EXPIRED);
        } catch (CertificateNotYetValidException e) {
            return Optional.of(Reason.NOT_YET_VALID);
        }
    }

    /** A client certificate: not a CA, digitalSignature if key usage is stated, clientAuth in extended key usage. */
    static boolean forClientAuthentication(X509Certificate certificate) {
        if (certificate.getBasicConstraints() >= 0) {
            return false;
        }
        boolean[] keyUsage = certificate.getKeyUsage();
        if (keyUsage != null && (keyUsage.length <= DIGITAL_SIGNATURE || !keyUsage[DIGITAL_SIGNATURE])) {
            return false;
        }
        try {
            List<String> purposes = certificate.getExtendedKeyUsage();
            return purposes != null && (purposes.contains(CLIENT_AUTH) || purposes.contains(ANY_PURPOSE));
        } catch (CertificateParsingException e) {
            return false;
        }
    }

    /** The certificate among {@code candidates} that issued {@code certificate}: same name, and its key signed it. */
    private static Optional<X509Certificate> issuerAmong(X509Certificate certificate, List<X509Certificate> candidates) {
        for (X509Certificate candidate : candidates) {
            if (candidate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal()) && signed(certificate, candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static boolean signed(X509Certificate certificate, X509Certificate issuer) {
        try {
            certificate.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
