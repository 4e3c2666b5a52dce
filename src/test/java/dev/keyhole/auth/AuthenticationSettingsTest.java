package dev.keyhole.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.auth.AuthenticationPolicy.Accepted;
import dev.keyhole.auth.AuthenticationPolicy.Rejected;
import dev.keyhole.auth.AuthenticationPolicy.Request;
import dev.keyhole.config.InvalidSettingException;
import dev.keyhole.config.Settings;
import dev.keyhole.testing.TestPki;
import dev.keyhole.testing.TestPki.Authority;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthenticationSettingsTest {

    private static final Authority CA = TestPki.root("Keyhole Test CA");
    private static final X509Certificate ALICE = CA.client("alice").build();

    @TempDir
    Path dir;

    private Path caFile() throws IOException {
        return Files.writeString(dir.resolve("ca.pem"), TestPki.pem(CA.certificate()));
    }

    private AuthenticationSettings settings(Map<String, String> values) throws IOException {
        Map<String, String> all = new HashMap<>(values);
        all.putIfAbsent("keyhole.auth.ca-file", caFile().toString());
        return new AuthenticationSettings(Settings.of(all), name -> null, Clock.systemUTC());
    }

    private static Request request(String path, X509Certificate... chain) {
        return new Request(path, "127.0.0.1", List.of(chain), name -> List.of());
    }

    @Test
    void by_default_chat_requires_a_certificate_and_echo_and_whoami_accept_one() throws IOException {
        AuthenticationPolicy policy = settings(Map.of()).policy();

        assertEquals(Reason.NO_CERTIFICATE, assertInstanceOf(Rejected.class, policy.decide(request("/chat/lobby"))).reason());
        assertInstanceOf(Accepted.class, policy.decide(request("/echo")));
        assertInstanceOf(Accepted.class, policy.decide(request("/whoami")));
        assertInstanceOf(Accepted.class, policy.decide(request("/chat/lobby", ALICE)));
    }

    @Test
    void the_operations_locations_are_matched_first_and_need_their_roles_whatever_the_configured_locations() throws IOException {
        AuthenticationPolicy policy = settings(Map.of(
                "keyhole.auth.locations", "everything",
                "keyhole.auth.location.everything.paths", "/*",
                "keyhole.auth.location.everything.certificate", "optional")).policy();

        assertEquals(Reason.ROLE_REQUIRED, assertInstanceOf(Rejected.class, policy.decide(request("/admin/api/nodes", ALICE))).reason());
        assertEquals(Reason.NO_CERTIFICATE, assertInstanceOf(Rejected.class, policy.decide(request("/admin"))).reason());
        assertEquals(Reason.ROLE_REQUIRED, assertInstanceOf(Rejected.class, policy.decide(request("/metrics", ALICE))).reason());
        assertInstanceOf(Accepted.class, policy.decide(request("/health/ready")), "loopback without a certificate");
        assertInstanceOf(Accepted.class, policy.decide(request("/chat/lobby")), "the configured location");
    }

    @Test
    void an_operations_location_cannot_be_listed_nor_made_optional_while_it_has_roles() throws IOException {
        InvalidSettingException listed = assertThrows(InvalidSettingException.class,
                () -> settings(Map.of("keyhole.auth.locations", "admin,chat")));
        assertTrue(listed.getMessage().contains("built-in location"), listed.getMessage());

        InvalidSettingException optional = assertThrows(InvalidSettingException.class,
                () -> settings(Map.of("keyhole.auth.location.admin.certificate", "optional")));
        assertTrue(optional.getMessage().contains("keyhole.auth.location.admin.certificate"), optional.getMessage());
    }

    @Test
    void an_admin_location_open_to_clients_without_a_certificate_is_a_warning() throws IOException {
        AuthenticationSettings open = settings(Map.of("keyhole.auth.location.admin.anonymous-addresses", "10.0.0.0/8"));

        assertTrue(open.warnings().stream().anyMatch(line -> line.contains("admin.anonymous-addresses is set")),
                open.warnings().toString());
    }

    @Test
    void a_location_of_its_own_comes_from_its_named_keys() throws IOException {
        AuthenticationPolicy policy = settings(Map.of(
                "keyhole.auth.locations", "ops,chat,echo",
                "keyhole.auth.location.ops.paths", "/echo",
                "keyhole.auth.location.ops.certificate", "required",
                "keyhole.auth.location.ops.subjects", "cn:bob; dn:CN=carol,O=Test")).policy();

        assertEquals(Reason.NO_CERTIFICATE, assertInstanceOf(Rejected.class, policy.decide(request("/echo"))).reason());
        assertEquals(Reason.SUBJECT_NOT_ALLOWED, assertInstanceOf(Rejected.class, policy.decide(request("/echo", ALICE))).reason());
    }

    @Test
    void roles_come_from_their_subject_rules() throws IOException {
        AuthenticationPolicy policy = settings(Map.of("keyhole.auth.roles", "operator,auditor",
                "keyhole.auth.role.operator.subjects", "cn:alice")).policy();

        Accepted accepted = assertInstanceOf(Accepted.class, policy.decide(request("/echo", ALICE)));

        assertEquals(java.util.Set.of("operator"), accepted.credential().orElseThrow().identity().roles());
    }

    @Test
    void an_invalid_location_setting_names_its_key() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> settings(Map.of("keyhole.auth.location.chat.paths", "chat/*")));

        assertTrue(e.getMessage().contains("keyhole.auth.location.chat.paths"), e.getMessage());
    }

    @Test
    void an_invalid_subject_rule_names_its_key() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> settings(Map.of("keyhole.auth.location.chat.subjects", "alice")));

        assertTrue(e.getMessage().contains("keyhole.auth.location.chat.subjects"), e.getMessage());
    }

    @Test
    void without_a_ca_file_the_jvm_truststore_is_the_ca_set() throws Exception {
        Path truststore = dir.resolve("truststore.p12");
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", CA.certificate());
        try (OutputStream out = Files.newOutputStream(truststore)) {
            store.store(out, "secret".toCharArray());
        }
        Map<String, String> system = Map.of("javax.net.ssl.trustStore", truststore.toString(),
                "javax.net.ssl.trustStorePassword", "secret");

        AuthenticationPolicy policy = new AuthenticationSettings(Settings.of(Map.of()), system::get, Clock.systemUTC()).policy();

        assertInstanceOf(Accepted.class, policy.decide(request("/chat/lobby", ALICE)));
    }

    @Test
    void a_truststore_of_many_cas_without_a_ca_file_is_reported_as_public() throws Exception {
        Path truststore = dir.resolve("cacerts.p12");
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (int i = 0; i <= AuthenticationSettings.PUBLIC_STORE_SIZE; i++) {
            store.setCertificateEntry("root" + i, TestPki.root("Public Root " + i).certificate());
        }
        try (OutputStream out = Files.newOutputStream(truststore)) {
            store.store(out, "changeit".toCharArray());
        }
        Map<String, String> system = Map.of("javax.net.ssl.trustStore", truststore.toString(),
                "javax.net.ssl.trustStorePassword", "changeit");

        AuthenticationSettings settings = new AuthenticationSettings(Settings.of(Map.of()), system::get, Clock.systemUTC());

        assertTrue(String.join("\n", settings.warnings()).contains("problem=\"client CAs taken from a public-looking truststore\""),
                settings.warnings().toString());
    }

    @Test
    void insecure_choices_are_reported() throws IOException {
        AuthenticationSettings settings = settings(Map.of("keyhole.auth.crl-fail-open", "true",
                "keyhole.auth.proxy.addresses", "0.0.0.0/0", "keyhole.auth.proxy.trust-address-only", "true",
                "keyhole.auth.default-certificate", "optional"));

        String warnings = String.join("\n", settings.warnings());
        assertTrue(warnings.contains("problem=\"keyhole.auth.proxy.trust-address-only=true\""), warnings);
        assertTrue(warnings.contains("no CRL configured"), warnings);
        assertTrue(warnings.contains("keyhole.auth.crl-fail-open=true"), warnings);
        assertTrue(warnings.contains("every address is a trusted proxy"), warnings);
        assertTrue(warnings.contains("keyhole.auth.default-certificate=optional"), warnings);
    }

    @Test
    void no_ca_at_all_is_reported_and_refuses_every_certificate() {
        AuthenticationSettings settings = new AuthenticationSettings(Settings.of(Map.of()), name -> null, Clock.systemUTC());

        assertTrue(String.join("\n", settings.warnings()).contains("no CA configured"));
        assertEquals(Reason.UNTRUSTED, assertInstanceOf(Rejected.class, settings.policy().decide(request("/echo", ALICE))).reason());
    }

    @Test
    void proxy_addresses_without_a_proxy_identity_stop_the_deployment_with_what_to_set() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> settings(Map.of("keyhole.auth.proxy.addresses", "127.0.0.1")));

        assertTrue(e.getMessage().contains("keyhole.auth.proxy.addresses"), e.getMessage());
        assertTrue(e.getMessage().contains("keyhole.auth.proxy.subjects"), e.getMessage());
        assertTrue(e.getMessage().contains("keyhole.auth.proxy.trust-address-only=true"), e.getMessage());
    }

    @Test
    void a_proxy_identity_without_addresses_or_together_with_address_only_trust_is_refused() {
        InvalidSettingException noAddresses = assertThrows(InvalidSettingException.class,
                () -> settings(Map.of("keyhole.auth.proxy.subjects", "cn:front")));
        InvalidSettingException contradiction = assertThrows(InvalidSettingException.class,
                () -> settings(Map.of("keyhole.auth.proxy.addresses", "127.0.0.1", "keyhole.auth.proxy.subjects", "cn:front",
                        "keyhole.auth.proxy.trust-address-only", "true")));

        assertTrue(noAddresses.getMessage().contains("keyhole.auth.proxy.subjects"), noAddresses.getMessage());
        assertTrue(contradiction.getMessage().contains("keyhole.auth.proxy.trust-address-only"), contradiction.getMessage());
    }

    @Test
    void an_invalid_proxy_subject_rule_names_its_key() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> settings(Map.of("keyhole.auth.proxy.addresses", "127.0.0.1", "keyhole.auth.proxy.subjects", "front")));

        assertTrue(e.getMessage().contains("keyhole.auth.proxy.subjects"), e.getMessage());
    }

    @Test
    void a_proxy_with_its_identity_forwards_certificates_and_is_reported_without_warning() throws Exception {
        X509Certificate front = CA.client("front").subject("CN=front,OU=proxy,O=Test").build();
        AuthenticationSettings settings = settings(Map.of("keyhole.auth.proxy.addresses", "127.0.0.1",
                "keyhole.auth.proxy.subjects", "dn:CN=front,OU=proxy,O=Test|" + front.getIssuerX500Principal().getName()));
        String header = ":" + java.util.Base64.getEncoder().encodeToString(ALICE.getEncoded()) + ":";

        Accepted accepted = assertInstanceOf(Accepted.class, settings.policy().decide(new Request("/chat/lobby", "127.0.0.1",
                List.of(front), name -> name.equals("Client-Cert") ? List.of(header) : List.of())));

        assertEquals("alice", accepted.credential().orElseThrow().identity().commonName());
        assertTrue(String.join("\n", settings.report()).contains("event=auth.proxy trusted=127.0.0.1 proof=certificate subject-rules=1"),
                settings.report().toString());
        assertTrue(settings.warnings().stream().noneMatch(line -> line.contains("proxy")), settings.warnings().toString());
    }

    @Test
    void a_proxy_identity_that_does_not_name_its_issuer_is_warned_about() throws Exception {
        AuthenticationSettings settings = settings(Map.of("keyhole.auth.proxy.addresses", "127.0.0.1",
                "keyhole.auth.proxy.subjects", "dn:CN=front,OU=proxy,O=Test"));

        assertTrue(settings.warnings().stream().anyMatch(line -> line.contains("does not name the issuer")),
                settings.warnings().toString());
    }
}
