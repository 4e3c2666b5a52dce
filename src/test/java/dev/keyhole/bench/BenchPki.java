package dev.keyhole.bench;

import dev.keyhole.testing.ItPki;
import dev.keyhole.testing.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The benchmark's users: {@code member0001} … certificates issued in memory, for this run only, by the CA of the
 * integration-test PKI (which the servers under test trust), so that every chat member is an identity of its own.
 */
final class BenchPki {

    private final TrustManager[] trust;
    private final List<KeyManager[]> members = new ArrayList<>();
    private final List<SSLSocketFactory> factories = new ArrayList<>();

    BenchPki(int count) throws GeneralSecurityException, IOException {
        trust = trustManagers();
        TestPki.Authority ca = new TestPki.Authority(new KeyPair(ItPki.ca().getPublicKey(), caKey()), ItPki.ca());
        for (int i = 1; i <= count; i++) {
            TestPki.Credential member = ca.client(name(i)).issue();
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] password = "in-memory".toCharArray();
            store.setKeyEntry("member", member.keys().getPrivate(), password,
                    new X509Certificate[] {member.certificate(), ca.certificate()});
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            members.add(factory.getKeyManagers());
            factories.add(fresh(i - 1).getSocketFactory());
        }
    }

    static String name(int number) {
        return String.format("member%04d", number);
    }

    int size() {
        return members.size();
    }

    /** The socket factory of member {@code index} (0-based; taken modulo the number of members). */
    SSLSocketFactory member(int index) {
        return factories.get(index % factories.size());
    }

    /** A new SSL context for member {@code index}: its session cache is empty, so its first handshake is a full one. */
    SSLContext fresh(int index) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(members.get(index % members.size()), trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PrivateKey caKey() throws IOException, GeneralSecurityException {
        String pem = Files.readString(ItPki.keyhole().resolve("ca.key"));
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        String algorithm = ItPki.ca().getPublicKey().getAlgorithm();
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    }

    private static TrustManager[] trustManagers() throws IOException, GeneralSecurityException {
        Path truststore = ItPki.truststore();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(truststore)) {
            store.load(in, ItPki.password(truststore));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory.getTrustManagers();
    }
}
