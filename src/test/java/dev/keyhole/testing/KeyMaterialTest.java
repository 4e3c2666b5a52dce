package dev.keyhole.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scanner behind "the uber-jar holds no key material" must find key material wherever it hides. */
class KeyMaterialTest {

    @TempDir
    Path dir;

    private static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                zip.write(entry.getValue());
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] store(String type, boolean withKey) throws Exception {
        KeyStore store = KeyStore.getInstance(type);
        store.load(null, null);
        TestPki.Authority ca = TestPki.root("CA");
        if (withKey) {
            store.setKeyEntry("key", ca.keys().getPrivate(), "secret".toCharArray(), new java.security.cert.Certificate[] {ca.certificate()});
        } else {
            store.setCertificateEntry("ca", ca.certificate());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.store(out, "secret".toCharArray());
        return out.toByteArray();
    }

    @Test
    void key_material_is_found_by_content_whatever_its_name_and_in_nested_archives() throws Exception {
        KeyPair rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("data/truststore-in-disguise.bin", store("PKCS12", false));
        entries.put("data/keystore.dat", store("JKS", true));
        entries.put("data/key.der", rsa.getPrivate().getEncoded());
        entries.put("data/old.pem", ("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n"
                + Base64.getMimeEncoder().encodeToString(rsa.getPrivate().getEncoded()) + "\n-----END RSA PRIVATE KEY-----\n")
                .getBytes(StandardCharsets.US_ASCII));
        entries.put("lib/inner.jar", zip(Map.of("server.p12", new byte[] {1, 2, 3})));
        entries.put("code/Parser.class", "constant -----BEGIN PRIVATE KEY----- constant -----END PRIVATE KEY-----"
                .getBytes(StandardCharsets.US_ASCII));
        entries.put("public/ca.pem", TestPki.pem(TestPki.root("CA").certificate()).getBytes(StandardCharsets.US_ASCII));
        Path archive = Files.write(dir.resolve("app.jar"), zip(entries));

        assertEquals(List.of("app.jar!data/truststore-in-disguise.bin", "app.jar!data/keystore.dat", "app.jar!data/key.der",
                "app.jar!data/old.pem", "app.jar!lib/inner.jar!server.p12"), KeyMaterial.findIn(archive));
    }

    @Test
    void a_key_published_on_purpose_is_passed_over_but_not_a_key_beside_it() throws Exception {
        byte[] nettyClass;
        try (var in = io.netty.handler.ssl.SslContext.class.getResourceAsStream("SslUtils.class")) {
            nettyClass = in.readAllBytes();
        }
        KeyPair rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        byte[] another = ("\n-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(rsa.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n").getBytes(StandardCharsets.US_ASCII);
        byte[] both = new byte[nettyClass.length + another.length];
        System.arraycopy(nettyClass, 0, both, 0, nettyClass.length);
        System.arraycopy(another, 0, both, nettyClass.length, another.length);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("io/netty/handler/ssl/SslUtils.class", nettyClass);
        entries.put("io/netty/handler/ssl/Tampered.class", both);
        Path archive = Files.write(dir.resolve("netty.jar"), zip(entries));

        assertEquals(List.of("netty.jar!io/netty/handler/ssl/Tampered.class"), KeyMaterial.findIn(archive));
    }
}
