package dev.keyhole.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keyhole.testing.TestPki;
import dev.keyhole.testing.TestPki.Authority;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardedCertificatesTest {

    private static final Authority CA = TestPki.root("Keyhole Test CA");
    private static final X509Certificate ALICE = CA.client("alice").build();

    private static String base64(X509Certificate certificate) throws Exception {
        return Base64.getEncoder().encodeToString(certificate.getEncoded());
    }

    @Test
    void rfc_9440_client_cert_is_read() throws Exception {
        assertEquals(List.of(ALICE), ForwardedCertificates.parse(":" + base64(ALICE) + ":"));
    }

    @Test
    void rfc_9440_client_cert_chain_is_a_comma_separated_list() throws Exception {
        String chain = ":" + base64(ALICE) + ":, :" + base64(CA.certificate()) + ":";

        assertEquals(List.of(ALICE, CA.certificate()), ForwardedCertificates.parse(chain));
    }

    @Test
    void nginx_url_escaped_pem_is_read() {
        // nginx's $ssl_client_escaped_cert: the PEM, URL-encoded (spaces as %20, line breaks as %0A).
        String escaped = URLEncoder.encode(TestPki.pem(ALICE), StandardCharsets.UTF_8).replace("+", "%20");

        assertEquals(List.of(ALICE), ForwardedCertificates.parse(escaped));
    }

    @Test
    void apache_pem_with_line_breaks_turned_into_spaces_is_read() {
        String oneLine = TestPki.pem(ALICE).replace('\n', ' ');

        assertEquals(List.of(ALICE), ForwardedCertificates.parse(oneLine));
    }

    @Test
    void base64_der_without_markers_is_read() throws Exception {
        assertEquals(List.of(ALICE), ForwardedCertificates.parse(base64(ALICE)));
    }

    @Test
    void empty_values_and_apaches_null_mean_no_certificate() {
        assertEquals(List.of(), ForwardedCertificates.parse(null));
        assertEquals(List.of(), ForwardedCertificates.parse(" "));
        assertEquals(List.of(), ForwardedCertificates.parse("(null)"));
    }

    @Test
    void a_value_that_is_not_a_certificate_is_malformed() {
        assertThrows(IllegalArgumentException.class, () -> ForwardedCertificates.parse(":bm90IGEgY2VydA==:"));
        assertThrows(IllegalArgumentException.class, () -> ForwardedCertificates.parse("CN=alice"));
        assertThrows(IllegalArgumentException.class, () -> ForwardedCertificates.parse("%ZZ"));
        assertThrows(IllegalArgumentException.class, () -> ForwardedCertificates.parse(":abc"));
    }

    @Test
    void an_oversized_value_is_refused() {
        assertThrows(IllegalArgumentException.class,
                () -> ForwardedCertificates.parse("A".repeat(ForwardedCertificates.MAX_LENGTH + 1)));
    }
}
