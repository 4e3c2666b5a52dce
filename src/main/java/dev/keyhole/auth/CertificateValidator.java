package dev.keyhole.auth;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertStore;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks a client certificate chain beyond what the TLS layer proves, the same way for a certificate from the TLS
 * handshake and one forwarded by a proxy: deny-listed serial, validity now and purpose (TLS client authentication)
 * of the client certificate, then a certification path to a configured CA within the allowed depth, built and
 * validated by the JDK's PKIX {@link CertPathBuilder} from the presented chain. Revocation is checked separately
 * ({@link CrlStore}).
 */
public final class CertificateValidator {

    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String ANY_PURPOSE = "2.5.29.37.0";
    private static final int DIGITAL_SIGNATURE = 0;
    /** The longest path (client certificate and CAs) the diagnosis of a refused chain follows. */
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

    /** How a path is built: the JDK's PKIX builder (a seam, so that a test can count the builds). */
    @FunctionalInterface
    interface PathBuilder {
        PKIXCertPathBuilderResult build(PKIXBuilderParameters parameters) throws GeneralSecurityException;

        PathBuilder PKIX = parameters -> (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX").build(parameters);
    }

    private final List<X509Certificate> anchorCertificates;
    private final Set<TrustAnchor> anchors;
    private final int maxDepth;
    private final Set<BigInteger> deniedSerials;
    private final Clock clock;
    private final PathBuilder builder;

    /**
     * @param anchors the CA certificates client certificates must chain to
     * @param maxDepth how many CA certificates may stand above the client certificate, the anchor included
     * @param deniedSerials serial numbers refused outright
     */
    public CertificateValidator(List<X509Certificate> anchors, int maxDepth, Set<BigInteger> deniedSerials, Clock clock) {
        this(anchors, maxDepth, deniedSerials, clock, PathBuilder.PKIX);
    }

    CertificateValidator(List<X509Certificate> anchors, int maxDepth, Set<BigInteger> deniedSerials, Clock clock,
            PathBuilder builder) {
        this.anchorCertificates = List.copyOf(anchors);
        this.anchors = anchors.stream().map(anchor -> new TrustAnchor(anchor, null))
                .collect(Collectors.toUnmodifiableSet());
        this.maxDepth = maxDepth;
        this.deniedSerials = Set.copyOf(deniedSerials);
        this.clock = clock;
        this.builder = builder;
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

    Clock clock() {
        return clock;
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
        Date now = Date.from(clock.instant());
        Optional<Reason> invalidNow = validity(leaf, now);
        if (invalidNow.isPresent()) {
            return new Invalid(invalidNow.get());
        }
        if (!forClientAuthentication(leaf)) {
            return new Invalid(Reason.NOT_FOR_CLIENT_AUTH);
        }
        if (anchors.isEmpty()) {
            return new Invalid(Reason.UNTRUSTED);
        }
        try {
            PKIXCertPathBuilderResult built = builder.build(parameters(presented, leaf, now));
            @SuppressWarnings("unchecked")
            List<X509Certificate> path = (List<X509Certificate>) built.getCertPath().getCertificates();
            if (path.size() > maxDepth) {
                // The JDK's limit does not count self-issued CA certificates (a CA's key rollover); ours does.
                return new Invalid(Reason.CHAIN_TOO_DEEP);
            }
            return new Valid(path, built.getTrustAnchor().getTrustedCert());
        } catch (CertPathBuilderException e) {
            return new Invalid(diagnose(presented, leaf, now));
        } catch (GeneralSecurityException e) {
            return new Invalid(Reason.UNTRUSTED);
        }
    }

    /**
     * A search for a path from the client certificate through the presented certificates to a configured CA: valid
     * now, at most {@code maxDepth - 1} CA certificates between them (PKIX's maxPathLength), no revocation (that is
     * {@link CrlStore}'s, with rules the JDK's checker does not follow).
     */
    private PKIXBuilderParameters parameters(List<X509Certificate> presented, X509Certificate leaf, Date now)
            throws GeneralSecurityException {
        X509CertSelector target = new X509CertSelector();
        target.setCertificate(leaf);
        PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, target);
        parameters.setRevocationEnabled(false);
        parameters.setDate(now);
        parameters.setMaxPathLength(maxDepth - 1);
        parameters.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(presented)));
        return parameters;
    }

    /**
     * Why the builder found no path: only the reason code is decided here, the refusal is the builder's. The builder
     * says no more than "no valid path", so the presented certificates are followed by name to a configured CA and
     * that candidate path is given to the JDK's {@link CertPathValidator} without the depth limit: a path that
     * verifies but is longer than allowed is too deep, one whose only fault is a CA certificate out of its validity
     * is expired or not yet valid, everything else is untrusted.
     */
    private Reason diagnose(List<X509Certificate> presented, X509Certificate leaf, Date now) {
        List<X509Certificate> path = new ArrayList<>(List.of(leaf));
        while (path.size() <= MAX_PATH) {
            X509Certificate current = path.get(path.size() - 1);
            Reason best = null;
            for (X509Certificate anchor : anchorCertificates) {
                if (anchor.getSubjectX500Principal().equals(current.getIssuerX500Principal())) {
                    Reason reason = validateCandidate(path, anchor, now);
                    if (best == null || rank(reason) < rank(best)) {
                        best = reason;
                    }
                }
            }
            if (best != null) {
                return best;
            }
            Optional<X509Certificate> issuer = presented.stream()
                    .filter(candidate -> candidate.getSubjectX500Principal().equals(current.getIssuerX500Principal()))
                    .filter(candidate -> !path.contains(candidate)).findFirst();
            if (issuer.isEmpty()) {
                return Reason.UNTRUSTED;
            }
            path.add(issuer.get());
        }
        return Reason.UNTRUSTED;
    }

    /** Most telling first: a path that only fails the depth, then one that only fails on time. */
    private static int rank(Reason reason) {
        return switch (reason) {
            case CHAIN_TOO_DEEP -> 0;
            case EXPIRED, NOT_YET_VALID -> 1;
            default -> 2;
        };
    }

    private Reason validateCandidate(List<X509Certificate> path, X509Certificate anchor, Date now) {
        boolean tooDeep = path.size() > maxDepth;
        try {
            PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
            parameters.setRevocationEnabled(false);
            parameters.setDate(now);
            CertPath candidate = CertificateFactory.getInstance("X.509").generateCertPath(path);
            CertPathValidator.getInstance("PKIX").validate(candidate, parameters);
            // Valid but for its length; were it within the depth, the builder would have found it: stay closed.
            return tooDeep ? Reason.CHAIN_TOO_DEEP : Reason.UNTRUSTED;
        } catch (CertPathValidatorException e) {
            if (e.getReason() == BasicReason.EXPIRED || e.getReason() == BasicReason.NOT_YET_VALID) {
                if (tooDeep) {
                    return Reason.CHAIN_TOO_DEEP;
                }
                return e.getReason() == BasicReason.EXPIRED ? Reason.EXPIRED : Reason.NOT_YET_VALID;
            }
            return Reason.UNTRUSTED;
        } catch (GeneralSecurityException e) {
            return Reason.UNTRUSTED;
        }
    }

    private static Optional<Reason> validity(X509Certificate certificate, Date now) {
        try {
            certificate.checkValidity(now);
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
}
