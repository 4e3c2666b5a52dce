package dev.keyhole.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;

/**
 * The PKI made for this test run by {@code src/test/scripts/it-pki.sh}, with the shipped tooling: the Keyhole
 * CA with its server and client certificates, and another CA whose certificates Keyhole must not trust.
 */
public final class ItPki {

    private ItPki() {
    }

    public static Path dir() {
        return Path.of(System.getProperty("keyhole.it.pki", "target/it-pki")).toAbsolutePath();
    }

    /** The folder of the CA that Keyhole trusts. */
    public static Path keyhole() {
        return dir().resolve("keyhole");
    }

    /** A client .p12 issued by the Keyhole CA. */
    public static Path client(String name) {
        return keyhole().resolve("clients").resolve(name + ".p12");
    }

    /** The .p12 of a proxy's own certificate (pki.sh proxy NAME), issued by the Keyhole CA. */
    public static Path proxy(String name) {
        return keyhole().resolve("proxies").resolve(name + ".p12");
    }

    /** A proxy's certificate and key in one PEM file, as Apache's SSLProxyMachineCertificateFile reads them. */
    public static Path proxyPem(String name) {
        return keyhole().resolve("proxies").resolve(name + ".pem");
    }

    /** A client .p12 issued by a CA that Keyhole does not trust. */
    public static Path foreignClient(String name) {
        return dir().resolve("other/clients").resolve(name + ".p12");
    }

    public static Path truststore() {
        return keyhole().resolve("truststore.p12");
    }

    /** The javax.net.ssl.* properties file handed to the servers under test. */
    public static Path serverTlsProperties() {
        return dir().resolve("server-tls.properties");
    }

    /** The password the PKI tool stored next to a keystore or .p12 file. */
    /** The Keyhole CA's certificate. */
    public static X509Certificate ca() {
        return certificate(keyhole().resolve("ca.crt"));
    }

    /** The certificate of a client issued by the Keyhole CA (its .crt next to the .p12). */
    public static X509Certificate clientCertificate(String name) {
        return certificate(keyhole().resolve("clients").resolve(name + ".crt"));
    }

    /** A client's certificate as a TLS-terminating proxy forwards it: RFC 9440 {@code Client-Cert: :BASE64-DER:}. */
    public static String clientCertHeader(String name) {
        try {
            return ":" + Base64.getEncoder().encodeToString(clientCertificate(name).getEncoded()) + ":";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate certificate(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(pem + " is not a certificate", e);
        }
    }

    public static char[] password(Path store) {
        try {
            return Files.readAllLines(store.resolveSibling(store.getFileName() + ".pass")).get(0).strip().toCharArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
