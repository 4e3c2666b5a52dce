package dev.keyhole.testing;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * The bar every Keyhole TLS endpoint must clear, judged on a {@link TlsScan}: TLS 1.2 and 1.3 only, only the
 * Mozilla "intermediate" suites (ECDHE with AES-GCM or ChaCha20-Poly1305; the three TLS 1.3 suites), forward secrecy
 * on every suite, the chain sent complete and verifiable against our CA, our client CA (and only it) named in the
 * certificate request, and HSTS for at least a year. Both scanners must agree where both can tell.
 */
public final class TlsGate {

    /** Mozilla intermediate (v5.7): IANA code → name. */
    public static final Map<Integer, String> INTERMEDIATE = Map.of(
            0x1301, "TLS_AES_128_GCM_SHA256", 0x1302, "TLS_AES_256_GCM_SHA384", 0x1303, "TLS_CHACHA20_POLY1305_SHA256",
            0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    public static final long ONE_YEAR_SECONDS = 365L * 24 * 3600;

    private TlsGate() {
    }

    /** What is wrong with the endpoint (empty: it passes). */
    public static List<String> violations(TlsScan scan, X509Certificate clientCa) {
        List<String> violations = new ArrayList<>(scan.problems());
        for (String old : List.of("SSLv2", "SSLv3", "TLS1", "TLS1_1")) {
            String finding = scan.offered().get(old);
            if (finding == null || !finding.startsWith("not offered")) {
                violations.add("protocol " + old + " must not be offered (testssl: " + finding + ")");
            }
        }
        for (String current : List.of("TLS1_2", "TLS1_3")) {
            String finding = scan.offered().get(current);
            if (finding == null || !finding.startsWith("offered")) {
                violations.add("protocol " + current + " must be offered (testssl: " + finding + ")");
            }
        }
        if (!scan.enabled().equals(Set.of("tls1.2", "tls1.3"))) {
            violations.add("protocols must be TLS 1.2 and 1.3 only (sslscan: " + scan.enabled() + ")");
        }
        suites("testssl", scan.suites(), violations);
        suites("sslscan", scan.scannedSuites(), violations);
        if (scan.certsSent() < 2) {
            violations.add("the server must send its chain, not the leaf alone (testssl: " + scan.certsSent() + " sent)");
        }
        if (!scan.chainOfTrust().startsWith("passed")) {
            violations.add("the chain must verify against the CA (testssl: " + scan.chainOfTrust() + ")");
        }
        String expectedCa = compatName(clientCa);
        if (!scan.clientCas().equals(List.of(expectedCa))) {
            violations.add("the certificate request must name our client CA, and only it: expected [" + expectedCa
                    + "], sslscan saw " + (scan.clientCas().isEmpty() ? "no certificate request" : scan.clientCas()));
        }
        if (scan.hstsSeconds().isEmpty() || scan.hstsSeconds().getAsLong() < ONE_YEAR_SECONDS) {
            violations.add("HSTS max-age must be at least a year (testssl: "
                    + (scan.hstsSeconds().isEmpty() ? "no HSTS" : scan.hstsSeconds().getAsLong() + " s") + ")");
        }
        return violations;
    }

    private static void suites(String scanner, List<TlsScan.Suite> suites, List<String> violations) {
        if (suites.isEmpty()) {
            violations.add(scanner + " reported no cipher suites");
        }
        List<TlsScan.Suite> outside = suites.stream().filter(s -> !INTERMEDIATE.containsKey(s.code())).toList();
        if (!outside.isEmpty()) {
            violations.add("suites outside Mozilla intermediate (" + scanner + "): " + outside);
        }
        List<TlsScan.Suite> noForwardSecrecy = suites.stream().filter(s -> s.keyExchange().isEmpty()).toList();
        if (!noForwardSecrecy.isEmpty()) {
            violations.add("suites without forward secrecy (" + scanner + "): " + noForwardSecrecy);
        }
    }

    /** The CA's subject as OpenSSL's "compat" form prints it, which sslscan uses: /O=Keyhole IT/CN=Keyhole IT CA. */
    static String compatName(X509Certificate ca) {
        try {
            List<Rdn> rdns = new LdapName(ca.getSubjectX500Principal().getName()).getRdns(); // most significant first
            return rdns.stream().map(rdn -> rdn.getType() + "=" + rdn.getValue()).collect(Collectors.joining("/", "/", ""));
        } catch (InvalidNameException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
