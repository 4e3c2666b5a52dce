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

/** Finds key material in an archive, nested archives included: keystore files, PEM private keys, JKS and PKCS#12. */
public final class KeyMaterial {

    private static final Pattern STORE_NAME = Pattern.compile(".*\\.(p12|pfx|jks|jceks|bks|keystore|truststore|key)");
    private static final Pattern PEM_PRIVATE_KEY =
            Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----\\s+[A-Za-z0-9+/=\\s]{40,}-----END");
    private static final byte[] JKS_MAGIC = {(byte) 0xFE, (byte) 0xED, (byte) 0xFE, (byte) 0xED};
    /** DER of OID 1.2.840.113549.1.12.10.1 (PKCS#12 bag types), found in every PKCS#12 file's safe contents. */
    private static final byte[] PKCS12_BAG_OID = {0x06, 0x0B, 0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01, 0x0C, 0x0A, 0x01};

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
        if (STORE_NAME.matcher(name).matches() || startsWith(content, JKS_MAGIC)) {
            return true;
        }
        if (!name.endsWith(".class") && indexOf(content, PKCS12_BAG_OID) >= 0) {
            return true;
        }
        return PEM_PRIVATE_KEY.matcher(new String(content, StandardCharsets.ISO_8859_1)).find();
    }

    private static boolean startsWith(byte[] content, byte[] prefix) {
        if (content.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (content[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] content, byte[] pattern) {
        outer:
        for (int i = 0; i <= content.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (content[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
