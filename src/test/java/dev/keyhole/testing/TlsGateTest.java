package dev.keyhole.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsGateTest {

    private static final X509Certificate CA = TestPki.root("Keyhole IT CA").certificate();
    private static final String CA_NAME = "/O=Test/CN=Keyhole IT CA";
    private static final TlsScan.Suite GCM = new TlsScan.Suite(0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDH 253");
    private static final TlsScan.Suite TLS13 = new TlsScan.Suite(0x1301, "TLS_AES_128_GCM_SHA256", "ECDH 253");

    private static Map<String, String> protocols(String tls11) {
        Map<String, String> offered = new LinkedHashMap<>();
        offered.put("SSLv2", "not offered");
        offered.put("SSLv3", "not offered");
        offered.put("TLS1", "not offered");
        offered.put("TLS1_1", tls11);
        offered.put("TLS1_2", "offered");
        offered.put("TLS1_3", "offered with final");
        return offered;
    }

    private static TlsScan good() {
        return new TlsScan(protocols("not offered"), List.of(TLS13, GCM), 2, "passed.", OptionalLong.of(63072000),
                Set.of("tls1.2", "tls1.3"), List.of(TLS13, GCM), List.of(CA_NAME), List.of());
    }

    @Test
    void the_ca_name_is_written_the_way_sslscan_prints_it() {
        assertEquals(CA_NAME, TlsGate.compatName(CA));
    }

    @Test
    void an_endpoint_with_the_intermediate_profile_passes() {
        assertEquals(List.of(), TlsGate.violations(good(), CA));
    }

    @Test
    void tls_1_1_fails_the_gate() {
        TlsScan scan = good();
        TlsScan weak = new TlsScan(protocols("offered (deprecated)"), scan.suites(), 2, "passed.", scan.hstsSeconds(),
                Set.of("tls1.1", "tls1.2", "tls1.3"), scan.scannedSuites(), scan.clientCas(), List.of());

        List<String> violations = TlsGate.violations(weak, CA);

        assertEquals(2, violations.size(), violations.toString());
        assertTrue(violations.get(0).startsWith("protocol TLS1_1 must not be offered"), violations.toString());
    }

    @Test
    void a_cbc_suite_or_static_rsa_fails_the_gate() {
        TlsScan.Suite cbc = new TlsScan.Suite(0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDH 253");
        TlsScan.Suite rsa = new TlsScan.Suite(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", "");
        TlsScan scan = good();
        TlsScan weak = new TlsScan(scan.offered(), List.of(GCM, cbc), 2, "passed.", scan.hstsSeconds(), scan.enabled(),
                List.of(GCM, rsa), scan.clientCas(), List.of());

        assertEquals(List.of("suites outside Mozilla intermediate (testssl): [0xC009 TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA]",
                "suites outside Mozilla intermediate (sslscan): [0x009C TLS_RSA_WITH_AES_128_GCM_SHA256]",
                "suites without forward secrecy (sslscan): [0x009C TLS_RSA_WITH_AES_128_GCM_SHA256]"),
                TlsGate.violations(weak, CA));
    }

    @Test
    void no_client_ca_list_a_lone_leaf_and_short_hsts_fail_the_gate() {
        TlsScan scan = good();
        TlsScan weak = new TlsScan(scan.offered(), scan.suites(), 1, "passed.", OptionalLong.of(86400), scan.enabled(),
                scan.scannedSuites(), List.of(), List.of());

        List<String> violations = TlsGate.violations(weak, CA);

        assertEquals(3, violations.size(), violations.toString());
        assertTrue(violations.get(0).contains("not the leaf alone"), violations.toString());
        assertTrue(violations.get(1).contains("sslscan saw no certificate request"), violations.toString());
        assertTrue(violations.get(2).contains("86400 s"), violations.toString());
    }

    @Test
    void the_scanners_files_are_read_field_by_field(@TempDir Path dir) throws Exception {
        Path json = Files.writeString(dir.resolve("testssl.json"), """
                {"scanResult": [{"targetHost": "localhost", "port": "8443",
                  "protocols": [{"id": "SSLv2", "severity": "OK", "finding": "not offered"},
                                {"id": "TLS1_3", "severity": "OK", "finding": "offered with final"}],
                  "serverDefaults": [{"id": "certs_countServer", "severity": "INFO", "finding": "2"},
                                     {"id": "cert_chain_of_trust", "severity": "OK", "finding": "passed."}],
                  "headerResponse": [{"id": "HSTS_time", "severity": "OK",
                                      "finding": "730 days (=63072000 seconds) > 31536000 seconds"}],
                  "cipherTests": [{"id": "cipher_xc02b", "severity": "INFO",
                    "finding": "xc02b   ECDHE-ECDSA-AES128-GCM-SHA256     ECDH 253   AESGCM      128      TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}]
                }]}
                """);
        Path xml = Files.writeString(dir.resolve("sslscan.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <document title="SSLScan Results" version="2.0.7">
                 <ssltest host="127.0.0.1" sniname="localhost" port="8443">
                  <protocol type="tls" version="1.1" enabled="0" />
                  <protocol type="tls" version="1.2" enabled="1" />
                  <cipher status="accepted" sslversion="TLSv1.2" bits="128" cipher="AES128-GCM-SHA256" id="0x009C" />
                  <ca>
                /O=Test/CN=Keyhole IT CA
                  </ca>
                 </ssltest>
                </document>
                """);

        TlsScan scan = TlsScan.read(json, xml);

        assertEquals(Map.of("SSLv2", "not offered", "TLS1_3", "offered with final"), scan.offered());
        assertEquals(List.of(GCM), scan.suites());
        assertEquals(2, scan.certsSent());
        assertEquals("passed.", scan.chainOfTrust());
        assertEquals(OptionalLong.of(63072000), scan.hstsSeconds());
        assertEquals(Set.of("tls1.2"), scan.enabled());
        assertEquals(List.of(new TlsScan.Suite(0x9C, "AES128-GCM-SHA256", "")), scan.scannedSuites());
        assertEquals(List.of(CA_NAME), scan.clientCas());
        assertEquals(List.of(), scan.problems());
    }

    @Test
    void a_scan_that_did_not_finish_is_a_violation_not_a_pass(@TempDir Path dir) throws Exception {
        Path json = Files.writeString(dir.resolve("testssl.json"),
                "{\"scanResult\": [{\"id\": \"scanProblem\", \"severity\": \"FATAL\", \"finding\": \"Can't connect\"}]}");
        Path xml = Files.writeString(dir.resolve("sslscan.xml"), "<document><error>Could not open a connection</error></document>");

        List<String> violations = TlsGate.violations(TlsScan.read(json, xml), CA);

        assertTrue(violations.get(0).contains("Can't connect"), violations.toString());
        assertTrue(violations.contains("sslscan: Could not open a connection"), violations.toString());
    }
}
