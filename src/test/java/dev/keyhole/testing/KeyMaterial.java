package dev.keyhole.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Finds key material in an archive, nested archives included, by name and by content: keystore files, JKS and
 * JCEKS stores, PKCS#12 files whatever their name, DER private keys (PKCS#8, encrypted PKCS#8, PKCS#1, SEC1) and
 * PEM private keys (encrypted ones with headers too).
 */
public final class KeyMaterial {

    private static final Pattern STORE_NAME = Pattern.compile(".*\\.(p12|pfx|jks|jceks|bks|keystore|truststore|key)");
    private static final Pattern PEM_PRIVATE_KEY = Pattern.compile(
            "-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----\\r?\\n(?:[A-Za-z-]+:[^\\r\\n]*\\r?\\n)*\\s*[A-Za-z0-9+/=\\r\\n]{40,}");
    private static final Pattern PEM_PRIVATE_KEY_BODY =
            Pattern.compile("-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(.*?)-----END", Pattern.DOTALL);
    /**
     * Private keys that are published on purpose, by the SHA-256 of their base64 text: not secrets of anyone's.
     * Only this exact content is passed over, wherever it is; any other key next to it is still found.
     * <ul>
     *   <li>Netty's self-signed "example.com" key, in netty-handler's {@code SslUtils}, {@code OpenSsl} and
     *       {@code JdkSslServerContext} (it probes what the TLS provider supports). Netty comes with Lettuce, the
     *       cluster's Redis client; Keyhole never uses the key.</li>
     * </ul>
     */
    private static final Set<String> PUBLISHED_KEYS = Set.of("1bb2a9feb770febe36dca4a88d5351421d4f4f211b52e6143197e6b850f0ffb8");
    private static final byte[] JKS_MAGIC = {(byte) 0xFE, (byte) 0xED, (byte) 0xFE, (byte) 0xED};
    private static final byte[] JCEKS_MAGIC = {(byte) 0xCE, (byte) 0xCE, (byte) 0xCE, (byte) 0xCE};

    /** OID bytes (without tag and length) that, near the start of a DER structure, mark keys and stores. */
    private static final byte[] PKCS7_CONTENT = hex("2A864886F70D0107"); // 1.2.840.113549.1.7.* (PKCS#12 AuthenticatedSafe)
    private static final byte[] RSA = hex("2A864886F70D010101");
    private static final byte[] EC = hex("2A8648CE3D0201");
    private static final byte[] ED25519 = hex("2B6570");
    private static final byte[] PBES2 = hex("2A864886F70D01050D");
    private static final byte[] PKCS12_PBE = hex("2A864886F70D010C01");

    private KeyMaterial() {
    }

    /** Every entry that is or holds key material, as {@code archive!entry!nested-entry}. */
    public static List<String> findIn(Path archive) throws IOException {
        List<String> found = new ArrayList<>();
        try (InputStream in = Files.newInputStream(archive)) {
            scan(archive.getFileName().toString(), in, found);
        }
        return found;
    }

    private static void scan(String where, InputStream archive, List<String> found) throws IOException {
        ZipInputStream zip = new ZipInputStream(archive);
        for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
            if (entry.isDirectory()) {
                continue;
            }
            String name = entry.getName().toLowerCase(Locale.ROOT);
            byte[] content = zip.readAllBytes();
            String path = where + "!" + entry.getName();
            if (name.endsWith(".jar") || name.endsWith(".war") || name.endsWith(".rar") || name.endsWith(".zip")) {
                scan(path, new ByteArrayInputStream(content), found);
            } else if (isKeyMaterial(name, content)) {
                found.add(path);
            }
        }
    }

    static boolean isKeyMaterial(String name, byte[] content) {
        return STORE_NAME.matcher(name).matches()
                || startsWith(content, 0, JKS_MAGIC) || startsWith(content, 0, JCEKS_MAGIC)
                || isDerKeyOrStore(content)
                || hasUnpublishedPemKey(new String(content, StandardCharsets.ISO_8859_1));
    }

    /** Whether the text holds a PEM private key other than those published on purpose ({@link #PUBLISHED_KEYS}). */
    private static boolean hasUnpublishedPemKey(String text) {
        Matcher key = PEM_PRIVATE_KEY.matcher(text);
        while (key.find()) {
            Matcher body = PEM_PRIVATE_KEY_BODY.matcher(text).region(key.start(), text.length());
            if (!body.lookingAt() || !PUBLISHED_KEYS.contains(sha256(body.group(1).replaceAll("[^A-Za-z0-9+/=]", "")))) {
                return true;
            }
        }
        return false;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** PKCS#12, PKCS#8 (plain or encrypted), PKCS#1 or SEC1 DER, judged by the first bytes of the structure. */
    private static boolean isDerKeyOrStore(byte[] der) {
        int body = sequenceBody(der);
        if (body < 0) {
            return false;
        }
        if (startsWith(der, body, hex("020103"))) { // PFX version 3, then the AuthenticatedSafe
            return containsWithin(der, body, 24, PKCS7_CONTENT);
        }
        if (startsWith(der, body, hex("020100"))) { // version 0: PKCS#8 PrivateKeyInfo or PKCS#1 RSAPrivateKey
            return containsWithin(der, body, 24, RSA) || containsWithin(der, body, 24, EC)
                    || containsWithin(der, body, 16, ED25519) || startsWith(der, body + 3, hex("0282"));
        }
        if (startsWith(der, body, hex("020101")) && startsWith(der, body + 3, hex("04"))) { // SEC1 ECPrivateKey
            return true;
        }
        return startsWith(der, body, hex("30")) // EncryptedPrivateKeyInfo: AlgorithmIdentifier first
                && (containsWithin(der, body, 16, PBES2) || containsWithin(der, body, 16, PKCS12_PBE));
    }

    /** The offset of a DER SEQUENCE's contents when the data is one, else -1. */
    private static int sequenceBody(byte[] der) {
        if (der.length < 8 || der[0] != 0x30) {
            return -1;
        }
        int first = der[1] & 0xFF;
        if (first < 0x80) {
            return 2;
        }
        int lengthBytes = first & 0x7F;
        return lengthBytes >= 1 && lengthBytes <= 4 ? 2 + lengthBytes : -1;
    }

    private static boolean containsWithin(byte[] content, int from, int span, byte[] pattern) {
        for (int i = from; i <= Math.min(content.length - pattern.length, from + span); i++) {
            if (startsWith(content, i, pattern)) {
                return true;
            }
        }
        return false;
    }

    private static boolean startsWith(byte[] content, int offset, byte[] prefix) {
        if (offset < 0 || content.length < offset + prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (content[offset + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] hex(String hex) {
        byte[] bytes = new byte[hex.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }
}
