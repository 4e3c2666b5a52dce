package dev.keyhole.testing;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates and CRLs made inside a unit test, never committed: a CA, intermediate CAs, and client certificates
 * with whatever flaw a test needs (expired, wrong purpose, deep chain, …). EC P-256 keys, SHA-256 signatures.
 */
public final class TestPki {

    private static final AtomicLong SERIALS = new AtomicLong(0x1000);
    private static final Instant NOW = Instant.now();

    private TestPki() {
    }

    /** A certificate authority: its key pair and its certificate. */
    public record Authority(KeyPair keys, X509Certificate certificate) {

        public String name() {
            return certificate.getSubjectX500Principal().getName();
        }

        /** An intermediate CA issued by this one. */
        public Authority intermediate(String commonName) {
            return authority("CN=" + commonName + ",O=Test", this);
        }

        /** A builder for a client certificate issued by this CA; the defaults make a valid one. */
        public ClientBuilder client(String commonName) {
            return new ClientBuilder(this, "CN=" + commonName + ",O=Test");
        }

        /** A CRL of this CA, current now, listing the given certificates as revoked. */
        public X509CRL crl(X509Certificate... revoked) {
            return crl(NOW.minus(Duration.ofHours(1)), NOW.plus(Duration.ofDays(7)), revoked);
        }

        /** A CRL of this CA with the given validity. */
        public X509CRL crl(Instant thisUpdate, Instant nextUpdate, X509Certificate... revoked) {
            return crlSignedBy(keys, thisUpdate, nextUpdate, revoked);
        }

        /** A CRL that names this CA as its issuer but is signed with another key (a forgery). */
        public X509CRL forgedCrl(X509Certificate... revoked) {
            return crlSignedBy(newKeys(), NOW.minus(Duration.ofHours(1)), NOW.plus(Duration.ofDays(7)), revoked);
        }

        private X509CRL crlSignedBy(KeyPair signer, Instant thisUpdate, Instant nextUpdate, X509Certificate... revoked) {
            try {
                X509v2CRLBuilder builder = new X509v2CRLBuilder(X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()),
                        Date.from(thisUpdate));
                builder.setNextUpdate(Date.from(nextUpdate));
                for (X509Certificate certificate : revoked) {
                    builder.addCRLEntry(certificate.getSerialNumber(), Date.from(thisUpdate), CRLReason.keyCompromise);
                }
                return new JcaX509CRLConverter().getCRL(builder.build(signer(signer)));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A certificate and its key pair. */
    public record Credential(KeyPair keys, X509Certificate certificate) {
    }

    /** A client certificate with adjustable flaws. */
    public static final class ClientBuilder {
        private final Authority issuer;
        private String subject;
        private Instant notBefore = NOW.minus(Duration.ofDays(1));
        private Instant notAfter = NOW.plus(Duration.ofDays(30));
        private KeyPurposeId[] purposes = {KeyPurposeId.id_kp_clientAuth};
        private int keyUsage = KeyUsage.digitalSignature;
        private boolean ca;
        private final List<GeneralName> alternativeNames = new ArrayList<>();
        private BigInteger serial;

        ClientBuilder(Authority issuer, String subject) {
            this.issuer = issuer;
            this.subject = subject;
        }

        public ClientBuilder subject(String distinguishedName) {
            this.subject = distinguishedName;
            return this;
        }

        public ClientBuilder validity(Instant from, Instant until) {
            this.notBefore = from;
            this.notAfter = until;
            return this;
        }

        public ClientBuilder expired() {
            return validity(NOW.minus(Duration.ofDays(30)), NOW.minus(Duration.ofDays(1)));
        }

        public ClientBuilder notYetValid() {
            return validity(NOW.plus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(30)));
        }

        /** Extended key usage: server authentication only. */
        public ClientBuilder forServers() {
            this.purposes = new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth};
            return this;
        }

        /** No extended key usage extension at all. */
        public ClientBuilder withoutExtendedKeyUsage() {
            this.purposes = null;
            return this;
        }

        public ClientBuilder keyUsage(int usage) {
            this.keyUsage = usage;
            return this;
        }

        public ClientBuilder asCertificateAuthority() {
            this.ca = true;
            return this;
        }

        public ClientBuilder email(String address) {
            alternativeNames.add(new GeneralName(GeneralName.rfc822Name, address));
            return this;
        }

        public ClientBuilder dns(String name) {
            alternativeNames.add(new GeneralName(GeneralName.dNSName, name));
            return this;
        }

        public ClientBuilder serial(BigInteger value) {
            this.serial = value;
            return this;
        }

        public X509Certificate build() {
            return issue().certificate();
        }

        /** The certificate together with its key pair, for a client that presents it. */
        public Credential issue() {
            try {
                KeyPair keys = newKeys();
                X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer.certificate(),
                        serial != null ? serial : nextSerial(), Date.from(notBefore), Date.from(notAfter),
                        x500(subject), keys.getPublic());
                JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
                if (purposes != null) {
                    builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes));
                }
                if (!alternativeNames.isEmpty()) {
                    builder.addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(alternativeNames.toArray(GeneralName[]::new)));
                }
                builder.addExtension(Extension.authorityKeyIdentifier, false,
                        utils.createAuthorityKeyIdentifier(issuer.certificate()));
                return new Credential(keys,
                        new JcaX509CertificateConverter().getCertificate(builder.build(signer(issuer.keys()))));
            } catch (GeneralSecurityException | CertIOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A self-signed root CA. */
    public static Authority root(String commonName) {
        return authority("CN=" + commonName + ",O=Test", null);
    }

    /** PEM text of certificates or CRLs. */
    public static String pem(X509Certificate... certificates) {
        StringBuilder pem = new StringBuilder();
        try {
            for (X509Certificate certificate : certificates) {
                pem.append(pem("CERTIFICATE", certificate.getEncoded()));
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return pem.toString();
    }

    public static String pem(X509CRL crl) {
        try {
            return pem("X509 CRL", crl.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static Authority authority(String subject, Authority parent) {
        try {
            KeyPair keys = newKeys();
            X500Name name = x500(subject);
            X500Name issuerName = parent == null ? name
                    : X500Name.getInstance(parent.certificate().getSubjectX500Principal().getEncoded());
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName, nextSerial(),
                    Date.from(NOW.minus(Duration.ofDays(10))), Date.from(NOW.plus(Duration.ofDays(3650))), name, keys.getPublic());
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
            KeyPair signerKeys = parent == null ? keys : parent.keys();
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(builder.build(signer(signerKeys)));
            return new Authority(keys, certificate);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A name as RFC 2253 writes it (most specific RDN first), as the JDK reads and prints names. */
    private static X500Name x500(String rfc2253) {
        return X500Name.getInstance(new X500Principal(rfc2253).getEncoded());
    }

    private static ContentSigner signer(KeyPair keys) {
        try {
            return new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate());
        } catch (OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair newKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigInteger nextSerial() {
        return BigInteger.valueOf(SERIALS.incrementAndGet());
    }
}
