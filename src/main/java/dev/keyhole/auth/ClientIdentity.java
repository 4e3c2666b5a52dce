package dev.keyhole.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * Who a client is, as its verified certificate says: what every endpoint sees. Immutable.
 *
 * @param subject the subject distinguished name (RFC 2253)
 * @param commonName the most specific CN of the subject, or the subject itself when it has no CN
 * @param subjectAlternativeNames the subject alternative names as {@code email:…}, {@code dns:…}, {@code uri:…},
 *        {@code ip:…}
 * @param issuer the issuer distinguished name (RFC 2253)
 * @param serial the serial number in upper-case hex
 * @param fingerprint the SHA-256 of the certificate's DER encoding, lower-case hex
 * @param notAfter the end of the certificate's validity
 * @param roles the roles keyhole.auth.role.* give this subject
 */
public record ClientIdentity(String subject, String commonName, List<String> subjectAlternativeNames, String issuer,
        String serial, String fingerprint, Instant notAfter, Set<String> roles) {

    public ClientIdentity {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(commonName, "commonName");
        subjectAlternativeNames = List.copyOf(subjectAlternativeNames);
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(notAfter, "notAfter");
        roles = Set.copyOf(roles);
    }

    /** The identity a certificate states, with the given roles. */
    public static ClientIdentity of(X509Certificate certificate, Set<String> roles) {
        return of(certificate, fingerprint(certificate), roles);
    }

    /** The identity a certificate states, with its fingerprint already computed. */
    static ClientIdentity of(X509Certificate certificate, String fingerprint, Set<String> roles) {
        String subject = certificate.getSubjectX500Principal().getName();
        return new ClientIdentity(subject, commonName(subject), subjectAlternativeNames(certificate),
                certificate.getIssuerX500Principal().getName(), serial(certificate), fingerprint,
                certificate.getNotAfter().toInstant(), new TreeSet<>(roles));
    }

    /** This identity with other roles. */
    public ClientIdentity withRoles(Set<String> newRoles) {
        return new ClientIdentity(subject, commonName, subjectAlternativeNames, issuer, serial, fingerprint, notAfter,
                new TreeSet<>(newRoles));
    }

    /**
     * The identity key: what makes two certificates the same identity — the same subject from the same issuer, however
     * many certificates (serials) that issuer gave it. Each part is prefixed with its length, so no two pairs give
     * the same key. Both are compared in canonical form, as {@code dn:} rules compare them. Connection limits, room
     * membership and principal equality all use this key.
     */
    public String key() {
        String canonicalIssuer = canonical(issuer);
        return canonicalIssuer.length() + ":" + canonicalIssuer + "|" + canonical(subject);
    }

    /** A DN in the canonical form of RFC 2253 comparison (case and spacing folded), as {@code dn:} rules compare. */
    private static String canonical(String dn) {
        try {
            return new X500Principal(dn).getName(X500Principal.CANONICAL);
        } catch (IllegalArgumentException e) {
            return dn;
        }
    }

    /**
     * A short, stable tag of the identity key (12 hex digits of its SHA-256): what clients see to tell apart two
     * identities with the same display name.
     */
    public String tag() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256", e);
        }
    }

    /** The serial number of a certificate in upper-case hex, the form the audit log and the deny-list use. */
    public static String serial(X509Certificate certificate) {
        return certificate.getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
    }

    /** The SHA-256 fingerprint of a certificate, lower-case hex. */
    public static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (CertificateEncodingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot fingerprint a certificate", e);
        }
    }

    static String commonName(String subject) {
        try {
            List<Rdn> rdns = new LdapName(subject).getRdns();
            // LdapName lists RDNs from the most significant (right in RFC 2253) to the most specific.
            for (int i = rdns.size() - 1; i >= 0; i--) {
                if (rdns.get(i).getType().equalsIgnoreCase("CN")) {
                    return String.valueOf(rdns.get(i).getValue());
                }
            }
        } catch (InvalidNameException e) {
            // fall through: the whole subject is the best name there is
        }
        return subject;
    }

    static List<String> subjectAlternativeNames(X509Certificate certificate) {
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return List.of();
        }
        if (names == null) {
            return List.of();
        }
        List<String> result = new ArrayList<>();
        for (List<?> name : names) {
            String prefix = switch ((Integer) name.get(0)) {
                case 1 -> "email:";
                case 2 -> "dns:";
                case 6 -> "uri:";
                case 7 -> "ip:";
                default -> null;
            };
            if (prefix != null && name.get(1) instanceof String value) {
                result.add(prefix + value);
            }
        }
        return result;
    }
}
