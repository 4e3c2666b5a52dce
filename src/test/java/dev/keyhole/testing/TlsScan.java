package dev.keyhole.testing;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * What two independent scanners saw on one TLS endpoint: sslscan (XML) and testssl.sh (JSON), run by
 * {@code src/test/scripts/tls-scan.sh}. Only the fields the {@link TlsGate} judges are read.
 *
 * @param offered       testssl: protocol id (SSLv2, SSLv3, TLS1, TLS1_1, TLS1_2, TLS1_3) → its finding
 * @param suites        testssl: every suite the server accepted
 * @param certsSent     testssl: how many certificates the server sent (-1: not reported)
 * @param chainOfTrust  testssl: whether the chain verifies against the given CA ("passed." when it does)
 * @param hstsSeconds   testssl: the HSTS max-age of GET / (empty: no HSTS header)
 * @param enabled       sslscan: the protocols it could negotiate, e.g. "tls1.2"
 * @param scannedSuites sslscan: every suite it could negotiate
 * @param clientCas     sslscan: the CA names in the server's certificate request (empty: no client-auth)
 * @param problems      what kept a scanner from finishing
 */
public record TlsScan(Map<String, String> offered, List<Suite> suites, int certsSent, String chainOfTrust,
        OptionalLong hstsSeconds, Set<String> enabled, List<Suite> scannedSuites, List<String> clientCas,
        List<String> problems) {

    /** A cipher suite by its IANA code, with the key exchange the scanner saw ("ECDH 253"; empty for none). */
    public record Suite(int code, String name, String keyExchange) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "0x%04X %s", code, name);
        }
    }

    private static final Pattern HSTS_SECONDS = Pattern.compile("\\(=(\\d+) seconds\\)");

    /** Scans https://HOST:PORT/ (at 127.0.0.1) with both scanners; their files go to {@code out}. */
    public static TlsScan of(String host, int port, Path ca, Path out) throws IOException, InterruptedException {
        Command.Result run = Command.run(List.of("bash", "src/test/scripts/tls-scan.sh", host, String.valueOf(port),
                ca.toString(), out.toString()), Duration.ofMinutes(4));
        if (run.exitCode() != 0) {
            throw new AssertionError("tls-scan.sh failed (" + run.exitCode() + "): " + run.output());
        }
        return read(out.resolve("testssl.json"), out.resolve("sslscan.xml"));
    }

    /** Reads the two result files. */
    public static TlsScan read(Path testsslJson, Path sslscanXml) throws IOException {
        Map<String, String> offered = new LinkedHashMap<>();
        List<Suite> suites = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int certsSent = -1;
        String chainOfTrust = "not reported";
        OptionalLong hsts = OptionalLong.empty();
        for (JsonObject finding : testsslFindings(testsslJson, problems)) {
            String id = finding.getString("id", "");
            String text = finding.getString("finding", "");
            if (id.equals("scanProblem") || "FATAL".equals(finding.getString("severity", ""))) {
                problems.add("testssl " + id + ": " + text);
            } else if (id.matches("SSLv2|SSLv3|TLS1|TLS1_1|TLS1_2|TLS1_3")) {
                offered.put(id, text);
            } else if (id.startsWith("cipher_x")) {
                suites.add(testsslSuite(text));
            } else if (id.startsWith("certs_countServer")) {
                certsSent = text.matches("\\d+") ? Integer.parseInt(text) : 0;
            } else if (id.startsWith("cert_chain_of_trust")) {
                chainOfTrust = text;
            } else if (id.equals("HSTS_time")) {
                Matcher seconds = HSTS_SECONDS.matcher(text);
                hsts = seconds.find() ? OptionalLong.of(Long.parseLong(seconds.group(1))) : OptionalLong.of(0);
            }
        }
        Set<String> enabled = new LinkedHashSet<>();
        List<Suite> scanned = new ArrayList<>();
        List<String> cas = new ArrayList<>();
        readSslscan(sslscanXml, enabled, scanned, cas, problems);
        return new TlsScan(offered, suites, certsSent, chainOfTrust, hsts, enabled, scanned, cas, problems);
    }

    /** testssl writes {"scanResult": [{..., "protocols": [findings], "cipherTests": [...], ...}]}. */
    private static List<JsonObject> testsslFindings(Path file, List<String> problems) throws IOException {
        List<JsonObject> findings = new ArrayList<>();
        JsonObject document;
        try (Reader in = Files.newBufferedReader(file); JsonReader json = Json.createReader(in)) {
            document = json.readObject();
        }
        List<JsonValue> scans = document.getJsonArray("scanResult") == null ? List.of() : document.getJsonArray("scanResult");
        if (scans.isEmpty()) {
            problems.add("testssl: no scanResult");
        }
        for (JsonValue scan : scans) {
            JsonObject target = scan.asJsonObject();
            if (target.containsKey("id")) { // a fatal problem is written as a bare finding
                problems.add("testssl " + target.getString("id") + ": " + target.getString("finding", ""));
            }
            for (JsonValue section : target.values()) {
                if (section.getValueType() == JsonValue.ValueType.ARRAY) {
                    section.asJsonArray().forEach(finding -> findings.add(finding.asJsonObject()));
                }
            }
        }
        return findings;
    }

    /** "xc02c   ECDHE-ECDSA-AES256-GCM-SHA384   ECDH 253   AESGCM   256   TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384". */
    private static Suite testsslSuite(String finding) {
        String[] columns = finding.strip().split("\\s{2,}");
        int code = columns[0].matches("x[0-9a-fA-F]+") ? Integer.parseInt(columns[0].substring(1), 16) : -1;
        String keyExchange = columns.length > 2 && columns[2].matches("(ECDH|DH) \\d+") ? columns[2] : "";
        return new Suite(code, columns[columns.length - 1], keyExchange);
    }

    private static void readSslscan(Path file, Set<String> enabled, List<Suite> suites, List<String> cas,
            List<String> problems) throws IOException {
        org.w3c.dom.Document document;
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            document = factory.newDocumentBuilder().parse(file.toFile());
        } catch (Exception e) {
            problems.add("sslscan: unreadable XML: " + e.getMessage());
            return;
        }
        NodeList errors = document.getElementsByTagName("error");
        for (int i = 0; i < errors.getLength(); i++) {
            problems.add("sslscan: " + errors.item(i).getTextContent().strip());
        }
        if (document.getElementsByTagName("ssltest").getLength() == 0) {
            problems.add("sslscan: no result");
        }
        for (Element protocol : elements(document, "protocol")) {
            if ("1".equals(protocol.getAttribute("enabled"))) {
                enabled.add(protocol.getAttribute("type") + protocol.getAttribute("version"));
            }
        }
        for (Element cipher : elements(document, "cipher")) {
            String bits = !cipher.getAttribute("ecdhebits").isEmpty() ? "ECDH " + cipher.getAttribute("ecdhebits")
                    : !cipher.getAttribute("dhebits").isEmpty() ? "DH " + cipher.getAttribute("dhebits") : "";
            suites.add(new Suite(Integer.decode(cipher.getAttribute("id")), cipher.getAttribute("cipher"), bits));
        }
        for (Element ca : elements(document, "ca")) {
            cas.add(ca.getTextContent().strip());
        }
    }

    private static List<Element> elements(org.w3c.dom.Document document, String tag) {
        NodeList nodes = document.getElementsByTagName(tag);
        List<Element> elements = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            elements.add((Element) nodes.item(i));
        }
        return elements;
    }
}
