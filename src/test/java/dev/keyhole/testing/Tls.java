package dev.keyhole.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;

/** TLS client contexts for the tests; they trust only the test CA and verify host names as usual. */
public final class Tls {

    /**
     * SNI for "localhost", which the JDK's sockets leave out on their own (they send SNI only for names with a dot):
     * a front that requires SNI (server-config/apache) refuses a client without it, as it should.
     */
    public static final List<SNIServerName> SNI_LOCALHOST = List.of(new SNIHostName("localhost"));

    private Tls() {
    }

    /** A client that presents no certificate. */
    public static SSLContext anonymous() {
        return context(ItPki.truststore(), null);
    }

    /** A client that presents the certificate in {@code p12} whenever the server asks for one. */
    public static SSLContext withCertificate(Path p12) {
        return withCertificate(ItPki.truststore(), p12);
    }

    /** Like {@link #withCertificate(Path)}, trusting the CA in another truststore (null: present none). */
    public static SSLContext withCertificate(Path truststore, Path p12) {
        return context(truststore, p12 == null ? null : new PresentingKeyManager(keyManager(p12), new ArrayList<>()));
    }

    /** Trust in the test CA alone, for clients that build many contexts (reading the truststore costs milliseconds). */
    public static TrustManager[] trustingTestCa() {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(load(ItPki.truststore()));
            return tmf.getTrustManagers();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A client that records which CAs the server names in its certificate request, and presents the certificate in
     * {@code p12}.
     */
    public static SSLContext recordingIssuers(Path p12, List<Principal> issuers) {
        return context(ItPki.truststore(), new PresentingKeyManager(keyManager(p12), issuers));
    }

    private static SSLContext context(Path truststore, KeyManager keyManager) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(load(truststore));
            return context(tmf.getTrustManagers(), keyManager);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client context with the given trust, presenting what {@code keyManager} holds (null: nothing). */
    public static SSLContext context(TrustManager[] trust, KeyManager keyManager) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManager == null ? null : new KeyManager[] {keyManager}, trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509KeyManager keyManager(Path p12) {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load(p12), ItPki.password(p12));
            return (X509KeyManager) kmf.getKeyManagers()[0];
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyStore load(Path store) throws GeneralSecurityException {
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(in, ItPki.password(store));
            return keyStore;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + store, e);
        }
    }

    /**
     * Presents its one certificate even when its issuer is not among those the server names: the JDK's own key
     * manager would quietly send none, and the test would never see the server refuse a foreign certificate.
     */
    private static final class PresentingKeyManager extends X509ExtendedKeyManager {

        private final X509KeyManager delegate;
        private final List<Principal> issuersSeen;
        private final String alias;

        PresentingKeyManager(X509KeyManager delegate, List<Principal> issuersSeen) {
            this.delegate = delegate;
            this.issuersSeen = Collections.synchronizedList(issuersSeen);
            String[] aliases = delegate.getClientAliases("EC", null);
            if (aliases == null) {
                aliases = delegate.getClientAliases("RSA", null);
            }
            this.alias = aliases[0];
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return choose(issuers);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return choose(issuers);
        }

        private String choose(Principal[] issuers) {
            if (issuers != null) {
                issuersSeen.addAll(Arrays.asList(issuers));
            }
            return alias;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {alias};
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return delegate.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return delegate.getPrivateKey(alias);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }
}
