package dev.keyhole.bench;

import dev.keyhole.testing.ItPki;
import dev.keyhole.testing.TestPki;
import dev.keyhole.testing.Tls;
import java.io.IOException;
import java.nio.file.Files;
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
import javax.net.ssl.TrustManager;

/**
 * The benchmark's users: {@code member0001} … certificates issued in memory, for this run only, by the CA of the
 * integration-test PKI (which the servers under test trust), so that every chat member is an identity of its own.
 */
final class BenchPki {

    private final TrustManager[] trust = Tls.trustingTestCa();
    private final List<KeyManager> keys = new ArrayList<>();
    private final List<SSLContext> contexts = new ArrayList<>();

    BenchPki(int count) throws GeneralSecurityException, IOException {
        TestPki.Authority ca = new TestPki.Authority(new KeyPair(ItPki.ca().getPublicKey(), caKey()), ItPki.ca());
        for (int i = 1; i <= count; i++) {
            TestPki.Credential member = ca.client(String.format("member%04d", i)).issue();
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] password = "in-memory".toCharArray();
            store.setKeyEntry("member", member.keys().getPrivate(), password,
                    new X509Certificate[] {member.certificate(), ca.certificate()});
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            keys.add(factory.getKeyManagers()[0]);
            contexts.add(Tls.context(trust, keys.get(i - 1)));
        }
    }

    /** The TLS context of member {@code index} (0-based; taken modulo the number of members), shared by its connections. */
    SSLContext member(int index) {
        return contexts.get(index % contexts.size());
    }

    /** A new TLS context for member {@code index}: its session cache is empty, so its first handshake is a full one. */
    SSLContext fresh(int index) {
        return Tls.context(trust, keys.get(index % keys.size()));
    }

    private static PrivateKey caKey() throws IOException, GeneralSecurityException {
        String pem = Files.readString(ItPki.keyhole().resolve("ca.key"));
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        String algorithm = ItPki.ca().getPublicKey().getAlgorithm();
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    }
}
