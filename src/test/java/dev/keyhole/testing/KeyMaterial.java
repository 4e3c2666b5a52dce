package dev.keyhole.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
                || PEM_PRIVATE_KEY.matcher(new String(content, StandardCharsets.ISO_8859_1)).find();
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
