package dev.keyhole.auth;

import dev.keyhole.net.AddressRange;

import dev.keyhole.auth.AuthenticationPolicy.ProxyTrust;
import dev.keyhole.config.InvalidSettingException;
import dev.keyhole.config.Setting;
import dev.keyhole.config.Settings;
import dev.keyhole.log.LogLine;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.stream.Collectors;

/**
 * Reads the keyhole.auth.* settings, checks them, and builds the {@link AuthenticationPolicy}. What it reports —
 * the effective rules, and a warning for each insecure or doubtful choice — is logged once at start-up.
 */
public final class AuthenticationSettings {

    private final AuthenticationPolicy policy;
    private final int checkIntervalSeconds;
    private final Level auditAssetsLevel;
    private final List<String> report = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    /**
     * @param systemProperties where the JVM-wide truststore settings are looked up (javax.net.ssl.trustStore…)
     */
    public AuthenticationSettings(Settings settings, UnaryOperator<String> systemProperties, Clock clock) {
        Locations locations = locations(settings);
        List<X509Certificate> anchors = anchors(settings, systemProperties);
        int maxDepth = settings.get(Setting.AUTH_MAX_CHAIN_DEPTH);
        Set<BigInteger> denied = settings.get(Setting.AUTH_DENIED_SERIALS,
                serials -> serials.stream().map(CertificateValidator::parseSerial).collect(Collectors.toSet()));
        CertificateValidator validator = new CertificateValidator(anchors, maxDepth, denied, clock);

        List<Path> crlFiles = settings.get(Setting.AUTH_CRL_FILES, files -> files.stream().map(Path::of).toList());
        CrlStore.Scope scope = settings.get(Setting.AUTH_CRL_CHECK).equals("leaf") ? CrlStore.Scope.LEAF : CrlStore.Scope.CHAIN;
        Optional<CrlStore> crls = crlFiles.isEmpty() ? Optional.empty() : Optional.of(new CrlStore(crlFiles, scope, clock));
        boolean failOpen = settings.get(Setting.AUTH_CRL_FAIL_OPEN);
        checkIntervalSeconds = settings.get(Setting.AUTH_CHECK_INTERVAL_SECONDS);

        RoleMapping roles = roles(settings);
        ProxyTrust proxyTrust = new ProxyTrust(
                settings.get(Setting.AUTH_PROXY_ADDRESSES, AuthenticationSettings::ranges),
                settings.get(Setting.AUTH_PROXY_SUBJECTS, AuthenticationSettings::subjectRules),
                settings.get(Setting.AUTH_PROXY_TRUST_ADDRESS_ONLY),
                header(settings, Setting.AUTH_PROXY_CERTIFICATE_HEADER),
                header(settings, Setting.AUTH_PROXY_CHAIN_HEADER),
                header(settings, Setting.AUTH_PROXY_FORWARDED_FOR_HEADER));
        checkProxyIdentity(settings, proxyTrust);
        int decisionCacheSize = settings.get(Setting.AUTH_DECISION_CACHE_SIZE);
        policy = new AuthenticationPolicy(locations, validator, crls, failOpen, roles, proxyTrust, decisionCacheSize);
        auditAssetsLevel = Level.parse(settings.get(Setting.AUTH_AUDIT_ASSETS_LEVEL).toUpperCase(Locale.ROOT));

        describe(locations, anchors, maxDepth, denied, crlFiles, scope, failOpen, roles, proxyTrust);
        report.add(LogLine.event("auth.decisions").with("decision-cache-size", decisionCacheSize)
                .with("audit-assets-level", auditAssetsLevel.getName()).toString());
    }

    public AuthenticationPolicy policy() {
        return policy;
    }

    public int checkIntervalSeconds() {
        return checkIntervalSeconds;
    }

    /** The level of the audit line of an accepted request that is not a WebSocket handshake. */
    public Level auditAssetsLevel() {
        return auditAssetsLevel;
    }

    /** The effective rules, one log line each. */
    public List<String> report() {
        return Collections.unmodifiableList(report);
    }

    /** One log line for each insecure or doubtful choice. */
    public List<String> warnings() {
        return Collections.unmodifiableList(warnings);
    }

    /**
     * The operations locations and their paths: built in and matched before every configured location, so that no
     * configured location (nor leaving them out of {@code keyhole.auth.locations}) can open them to everyone.
     */
    static final Map<String, List<String>> OPERATIONS_LOCATIONS = Map.of(
            "health", List.of("/health/*"),
            "metrics", List.of("/metrics"),
            "admin", List.of("/admin/*"));

    private static Locations locations(Settings settings) {
        List<Location> ordered = new ArrayList<>();
        for (String name : List.of("health", "metrics", "admin")) {
            ordered.add(location(settings, name, OPERATIONS_LOCATIONS.get(name).stream().map(PathPattern::parse).toList()));
        }
        List<String> configured = settings.get(Setting.AUTH_LOCATIONS);
        for (String name : configured) {
            if (OPERATIONS_LOCATIONS.containsKey(name)) {
                throw new InvalidSettingException(Setting.AUTH_LOCATIONS, String.join(",", configured),
                        "'" + name + "' is a built-in location, always matched first; set its rules with "
                                + "keyhole.auth.location." + name + ".* without listing it");
            }
            List<PathPattern> paths = settings.get(Setting.AUTH_LOCATION_PATHS.of(name),
                    patterns -> patterns.stream().map(PathPattern::parse).toList());
            ordered.add(location(settings, name, paths));
        }
        boolean fallbackRequired = settings.get(Setting.AUTH_DEFAULT_CERTIFICATE).equals("required");
        return new Locations(ordered, Locations.fallback(fallbackRequired));
    }

    private static Location location(Settings settings, String name, List<PathPattern> paths) {
        boolean required = settings.get(Setting.AUTH_LOCATION_CERTIFICATE.of(name)).equals("required");
        List<SubjectRule> subjects = settings.get(Setting.AUTH_LOCATION_SUBJECTS.of(name), AuthenticationSettings::subjectRules);
        List<AddressRange> addresses = settings.get(Setting.AUTH_LOCATION_ADDRESSES.of(name), AuthenticationSettings::ranges);
        List<String> roles = settings.get(Setting.AUTH_LOCATION_ROLES.of(name));
        List<AddressRange> anonymous = settings.get(Setting.AUTH_LOCATION_ANONYMOUS_ADDRESSES.of(name), AuthenticationSettings::ranges);
        if (!required && !roles.isEmpty()) {
            // A request without a certificate has no roles: "optional" would let it past the role rule.
            throw new InvalidSettingException(Setting.AUTH_LOCATION_CERTIFICATE.of(name), "optional",
                    "a location with roles (keyhole.auth.location." + name + ".roles) requires a certificate; "
                            + "admit requests without one from chosen addresses with keyhole.auth.location." + name
                            + ".anonymous-addresses");
        }
        return new Location(name, paths, required, subjects, addresses, roles, anonymous);
    }

    private static RoleMapping roles(Settings settings) {
        Map<String, List<SubjectRule>> rules = new LinkedHashMap<>();
        for (String role : settings.get(Setting.AUTH_ROLES)) {
            rules.put(role, settings.get(Setting.AUTH_ROLE_SUBJECTS.of(role), AuthenticationSettings::subjectRules));
        }
        return new RoleMapping(rules);
    }

    /**
     * A proxy must prove itself with its client certificate; trusting its address alone is a choice made explicitly.
     * Like Apache refusing to start on a contradictory configuration, a proxy setting that cannot work as meant
     * stops the deployment instead of silently trusting too much or nothing.
     */
    private static void checkProxyIdentity(Settings settings, ProxyTrust proxyTrust) {
        boolean addresses = !proxyTrust.proxies().isEmpty();
        boolean subjects = !proxyTrust.subjects().isEmpty();
        if (addresses && !subjects && !proxyTrust.addressOnly()) {
            throw new InvalidSettingException(Setting.AUTH_PROXY_ADDRESSES, String.join(",", settings.get(Setting.AUTH_PROXY_ADDRESSES)),
                    "a trusted proxy must prove itself with its own client certificate: set "
                            + Setting.AUTH_PROXY_SUBJECTS.key() + " to the subject of that certificate (or, insecure, "
                            + Setting.AUTH_PROXY_TRUST_ADDRESS_ONLY.key() + "=true)");
        }
        if (subjects && !addresses) {
            throw new InvalidSettingException(Setting.AUTH_PROXY_SUBJECTS, String.join(";", settings.get(Setting.AUTH_PROXY_SUBJECTS)),
                    "a proxy identity needs the addresses it connects from: set " + Setting.AUTH_PROXY_ADDRESSES.key());
        }
        if (subjects && proxyTrust.addressOnly()) {
            throw new InvalidSettingException(Setting.AUTH_PROXY_TRUST_ADDRESS_ONLY, "true",
                    "contradicts " + Setting.AUTH_PROXY_SUBJECTS.key() + " (a proxy identity): set one of them");
        }
    }

    private static List<SubjectRule> subjectRules(List<String> rules) {
        return rules.stream().map(SubjectRule::parse).toList();
    }

    private static List<AddressRange> ranges(List<String> ranges) {
        return ranges.stream().map(AddressRange::parse).toList();
    }

    private static String header(Settings settings, Setting<String> setting) {
        return settings.get(setting, name -> {
            if (!name.matches("[A-Za-z0-9-]+")) {
                throw new IllegalArgumentException("expected an HTTP header name");
            }
            return name;
        });
    }

    /** The CAs from keyhole.auth.ca-file, or else the trusted certificates of the JVM-wide truststore. */
    private List<X509Certificate> anchors(Settings settings, UnaryOperator<String> systemProperties) {
        String caFile = settings.get(Setting.AUTH_CA_FILE);
        if (!caFile.isEmpty()) {
            return settings.get(Setting.AUTH_CA_FILE, file -> pemCertificates(Path.of(file)));
        }
        String store = systemProperties.apply("javax.net.ssl.trustStore");
        if (store == null || store.isBlank()) {
            warnings.add(LogLine.event("auth.warning").with("problem", "no CA configured")
                    .with("effect", "every client certificate is refused as untrusted")
                    .with("fix", "set keyhole.auth.ca-file or javax.net.ssl.trustStore").toString());
            return List.of();
        }
        List<X509Certificate> certificates = truststoreCertificates(Path.of(store),
                systemProperties.apply("javax.net.ssl.trustStorePassword"), systemProperties.apply("javax.net.ssl.trustStoreType"));
        if (certificates.size() > PUBLIC_STORE_SIZE) {
            // Payara Server's domain names its cacerts (the public CAs) here: each of them would be an identity issuer.
            warnings.add(LogLine.event("auth.warning").with("problem", "client CAs taken from a public-looking truststore")
                    .with("truststore", store).with("cas", certificates.size())
                    .with("effect", "a certificate from any of these CAs is a Keyhole identity")
                    .with("fix", "set keyhole.auth.ca-file to your client CA").toString());
        }
        return certificates;
    }

    /** More CAs than a deployment's own client CAs would plausibly be: a store of public roots. */
    static final int PUBLIC_STORE_SIZE = 16;

    static List<X509Certificate> pemCertificates(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(X509Certificate.class::cast).toList();
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException(file + " holds no certificate");
            }
            return certificates;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(file + " cannot be read as PEM or DER certificates");
        }
    }

    private static List<X509Certificate> truststoreCertificates(Path file, String password, String type) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance(type == null || type.isBlank() ? KeyStore.getDefaultType() : type);
            store.load(in, password == null ? null : password.toCharArray());
            List<X509Certificate> certificates = new ArrayList<>();
            for (String alias : Collections.list(store.aliases())) {
                Certificate certificate = store.getCertificate(alias);
                if (store.isCertificateEntry(alias) && certificate instanceof X509Certificate x509) {
                    certificates.add(x509);
                }
            }
            return certificates;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("the truststore " + file + " (javax.net.ssl.trustStore) cannot be read", e);
        }
    }

    private void describe(Locations locations, List<X509Certificate> anchors, int maxDepth, Set<BigInteger> denied,
            List<Path> crlFiles, CrlStore.Scope scope, boolean failOpen, RoleMapping roles, ProxyTrust proxyTrust) {
        Function<List<?>, String> joined = list -> list.isEmpty() ? "any" : list.stream().map(String::valueOf)
                .collect(Collectors.joining(","));
        for (Location location : locations.ordered()) {
            report.add(LogLine.event("auth.location").with("name", location.name())
                    .with("paths", location.paths().stream().map(PathPattern::pattern).collect(Collectors.joining(",")))
                    .with("certificate", location.certificateRequired() ? "required" : "optional")
                    .with("subject-rules", location.subjects().size())
                    .with("addresses", joined.apply(location.addresses()))
                    .with("roles", joined.apply(location.roles()))
                    .with("anonymous-addresses", location.anonymousAddresses().isEmpty() ? "none"
                            : joined.apply(location.anonymousAddresses())).toString());
            if (location.paths().isEmpty()) {
                warnings.add(LogLine.event("auth.warning").with("problem", "location covers no path")
                        .with("location", location.name()).toString());
            }
            if (location.anonymousAddresses().stream().anyMatch(AddressRange::isEverything)) {
                warnings.add(LogLine.event("auth.warning").with("problem", "keyhole.auth.location." + location.name()
                        + ".anonymous-addresses admits every address")
                        .with("effect", "clients without a certificate may use " + location.name()).toString());
            }
            if (location.name().equals("admin") && !location.anonymousAddresses().isEmpty()) {
                warnings.add(LogLine.event("auth.warning").with("problem", "keyhole.auth.location.admin.anonymous-addresses is set")
                        .with("effect", "clients without a certificate from " + joined.apply(location.anonymousAddresses())
                                + " may use the admin API").toString());
            }
        }
        report.add(LogLine.event("auth.location").with("name", "default").with("paths", "every other path")
                .with("certificate", locations.fallback().certificateRequired() ? "required" : "optional").toString());
        report.add(LogLine.event("auth.trust").with("cas", anchors.stream()
                .map(ca -> ca.getSubjectX500Principal().getName()).collect(Collectors.joining("; ")))
                .with("max-chain-depth", maxDepth).with("denied-serials", denied.size()).toString());
        report.add(LogLine.event("auth.revocation")
                .with("crl-files", crlFiles.isEmpty() ? "none" : crlFiles.stream().map(Path::toString).collect(Collectors.joining(",")))
                .with("check", scope.name().toLowerCase(Locale.ROOT)).with("fail-open", failOpen)
                .with("check-interval-seconds", checkIntervalSeconds).toString());
        report.add(LogLine.event("auth.roles").with("roles", joined.apply(new ArrayList<>(roles.roles()))).toString());
        report.add(LogLine.event("auth.proxy").with("trusted", proxyTrust.proxies().isEmpty() ? "none" : joined.apply(proxyTrust.proxies()))
                .with("proof", proxyTrust.proxies().isEmpty() ? "-" : proxyTrust.addressOnly() ? "address-only" : "certificate")
                .with("subject-rules", proxyTrust.subjects().size())
                .with("certificate-header", proxyTrust.certificateHeader())
                .with("forwarded-for-header", proxyTrust.forwardedForHeader()).toString());

        if (crlFiles.isEmpty()) {
            warnings.add(LogLine.event("auth.warning").with("problem", "no CRL configured")
                    .with("effect", "revoked certificates are accepted").with("fix", "set keyhole.auth.crl-files").toString());
        }
        if (failOpen) {
            warnings.add(LogLine.event("auth.warning").with("problem", "keyhole.auth.crl-fail-open=true")
                    .with("effect", "certificates are accepted when their CRL is missing or out of date").toString());
        }
        if (proxyTrust.proxies().stream().anyMatch(AddressRange::isEverything)) {
            warnings.add(LogLine.event("auth.warning").with("problem", "every address is a trusted proxy")
                    .with("effect", proxyTrust.addressOnly()
                            ? "any client can claim any certificate in " + proxyTrust.certificateHeader()
                            : "the proxy's certificate is its only proof, from anywhere").toString());
        }
        if (proxyTrust.addressOnly()) {
            warnings.add(LogLine.event("auth.warning").with("problem", Setting.AUTH_PROXY_TRUST_ADDRESS_ONLY.key() + "=true")
                    .with("effect", proxyTrust.proxies().isEmpty() ? "none: no proxy address is configured"
                            : "any process that can connect from " + joined.apply(proxyTrust.proxies())
                                    + " can claim any certificate in " + proxyTrust.certificateHeader())
                    .with("fix", "give the proxy a client certificate and set " + Setting.AUTH_PROXY_SUBJECTS.key()).toString());
        }
        if (proxyTrust.subjects().stream().anyMatch(rule -> !(rule instanceof SubjectRule.ExactSubject exact && exact.bindsIssuer()))) {
            warnings.add(LogLine.event("auth.warning").with("problem", Setting.AUTH_PROXY_SUBJECTS.key()
                    + " has a rule that does not name the issuer")
                    .with("effect", "a client certificate with the proxy's name from any configured CA is the proxy")
                    .with("fix", "dn:PROXY-SUBJECT|ISSUER-DN").toString());
        }
        if (proxyTrust.subjects().stream().anyMatch(SubjectRule.Anyone.class::isInstance)) {
            warnings.add(LogLine.event("auth.warning").with("problem", Setting.AUTH_PROXY_SUBJECTS.key() + " admits every subject")
                    .with("effect", "any certified client that connects from a proxy address can claim any certificate")
                    .toString());
        }
        if (!locations.fallback().certificateRequired()) {
            warnings.add(LogLine.event("auth.warning").with("problem", "keyhole.auth.default-certificate=optional")
                    .with("effect", "paths outside every location accept clients without a certificate").toString());
        }
    }
}
