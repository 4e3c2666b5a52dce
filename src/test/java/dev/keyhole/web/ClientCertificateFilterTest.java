package dev.keyhole.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keyhole.testing.TestPki;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientCertificateFilterTest {

    private static final X509Certificate ALICE = TestPki.root("Keyhole Test CA").client("alice").build();

    private static HttpServletRequest request(Map<String, Object> attributes, String servletPath, String pathInfo) {
        return (HttpServletRequest) Proxy.newProxyInstance(HttpServletRequest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getAttribute" -> attributes.get((String) args[0]);
                    case "getServletPath" -> servletPath;
                    case "getPathInfo" -> pathInfo;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void the_chain_is_read_from_the_jakarta_attribute() {
        HttpServletRequest request = request(Map.of(ClientCertificateFilter.CERTIFICATES, new X509Certificate[] {ALICE}), "/echo", null);

        assertEquals(List.of(ALICE), ClientCertificateFilter.certificates(request));
    }

    @Test
    void the_legacy_javax_attribute_is_read_when_the_jakarta_one_is_absent() {
        HttpServletRequest request = request(Map.of(ClientCertificateFilter.LEGACY_CERTIFICATES, new X509Certificate[] {ALICE}), "/echo", null);

        assertEquals(List.of(ALICE), ClientCertificateFilter.certificates(request));
    }

    @Test
    void no_attribute_or_an_empty_chain_means_no_certificate() {
        assertEquals(List.of(), ClientCertificateFilter.certificates(request(Map.of(), "/echo", null)));
        assertEquals(List.of(), ClientCertificateFilter.certificates(
                request(Map.of(ClientCertificateFilter.CERTIFICATES, new X509Certificate[0]), "/echo", null)));
    }
}
