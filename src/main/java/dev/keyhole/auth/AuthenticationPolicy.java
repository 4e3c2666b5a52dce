package dev.keyhole.auth;

import dev.keyhole.net.AddressRange;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Decides, for one request, who the client is and whether it may go on: the rules an Apache front applies with
 * {@code SSLVerifyClient}, {@code SSLVerifyDepth}, {@code SSLCARevocationFile}, {@code Require} and
 * {@code Allow from}, applied per location and the same way whether the certificate comes from the TLS handshake or
 * from a trusted proxy. Plain Java: the servlet filter gathers the request's facts and acts on the decision.
 */
public final class AuthenticationPolicy {

    /** Where the certificate of a decision came from. */
    public enum Source {
        /** The TLS handshake with Keyhole. */
        TLS,
        /** A header set by a trusted proxy. */
        PROXY,
        /** No certificate was presented. */
        NONE
    }

    /**
     * The facts of one request.
     *
     * @param path the path inside the application, e.g. {@code /chat/ops}
     * @param remoteAddress the address of the connection
     * @param tlsChain the chain from the TLS handshake, client certificate first (empty: none)
     * @param headers the values of a request header by name (empty list: absent)
     */
    public record Request(String path, String remoteAddress, List<X509Certificate> tlsChain,
            Function<String, List<String>> headers) {
        public Request {
            tlsChain = List.copyOf(tlsChain);
        }
    }

    /**
     * A verified client certificate: who it names, and the path that proves it, kept so that open sessions can be
     * checked again when a CRL changes or the certificate expires.
     */
    public record Credential(ClientIdentity identity, List<X509Certificate> path, X509Certificate anchor) {
        public Credential {
            path = List.copyOf(path);
        }
    }

    /**
     * What a decision is about, for the audit log.
     *
     * @param leaf the presented client certificate, if any (also when it was refused)
     * @param fingerprint the SHA-256 fingerprint of {@code leaf} when the decision computed it (it checked the
     *        certificate), else null
     * @param ignored the forwarding headers that were not believed, or {@code null} when there were none
     */
    public record Facts(String path, Location location, ClientAddress client, Source source, X509Certificate leaf,
            String fingerprint, IgnoredHeaders ignored) {

        /** Whether a forwarding header was present and not believed. */
        public boolean forwardedHeaderIgnored() {
            return ignored != null;
        }

        Facts withFingerprint(String leafFingerprint) {
            return new Facts(path, location, client, source, leaf, leafFingerprint, ignored);
        }
    }

    /**
     * Forwarding headers (certificate, chain, client address) that were present but not believed.
     *
     * @param headers their names, as configured
     * @param reason {@code not-a-trusted-proxy} (the address is not a proxy's) or {@code proxy-not-authenticated}
     *        (a proxy's address, but no valid proxy certificate)
     * @param proxyProblem for {@code proxy-not-authenticated}: what was wrong with the connection's certificate, a
     *        {@link Reason} code ({@code no-certificate}, {@code subject-not-allowed}, {@code revoked}, …); else null
     */
    public record IgnoredHeaders(List<String> headers, String reason, String proxyProblem) {
        public static final String NOT_A_TRUSTED_PROXY = "not-a-trusted-proxy";
        public static final String PROXY_NOT_AUTHENTICATED = "proxy-not-authenticated";

        public IgnoredHeaders {
            headers = List.copyOf(headers);
        }
    }

    /** The outcome for one request. */
    public sealed interface Decision {
        Facts facts();
    }

    /** The request may go on, with a verified credential or (on an optional location) without one. */
    public record Accepted(Facts facts, Optional<Credential> credential, boolean revocationUnknown) implements Decision {
    }

    /** The request is refused. */
    public record Rejected(Facts facts, Reason reason) implements Decision {
    }

    /**
     * Proxy trust: which connections may forward a certificate and a client address, and in which headers. A
     * connection is a trusted proxy when it comes from one of {@code proxies} <em>and</em> presents a client
     * certificate that passes every check a user's certificate passes (CA, validity, purpose, depth, deny-list,
     * revocation) and matches one of {@code subjects} — or, only when {@code addressOnly} was chosen (insecure),
     * by its address alone.
     */
    public record ProxyTrust(List<AddressRange> proxies, List<SubjectRule> subjects, boolean addressOnly,
            String certificateHeader, String chainHeader, String forwardedForHeader) {
        public ProxyTrust {
            proxies = List.copyOf(proxies);
            subjects = List.copyOf(subjects);
        }

        /** Whether the identity is the proxy's own (never a user's). */
        boolean isProxyIdentity(ClientIdentity identity) {
            return subjects.stream().anyMatch(rule -> rule.admits(identity));
        }
    }

    private final Locations locations;
    private final CertificateCheck certificates;
    private final boolean crlFailOpen;
    private final RoleMapping roles;
    private final ProxyTrust proxyTrust;

    /**
     * @param decisionCacheSize how many certificate verdicts are remembered ({@link CertificateCheck}); 0: none
     */
    public AuthenticationPolicy(Locations locations, CertificateValidator validator, Optional<CrlStore> crls,
            boolean crlFailOpen, RoleMapping roles, ProxyTrust proxyTrust, int decisionCacheSize) {
        this.locations = Objects.requireNonNull(locations, "locations");
        this.certificates = new CertificateCheck(validator, crls, decisionCacheSize, validator.clock());
        this.crlFailOpen = crlFailOpen;
        this.roles = Objects.requireNonNull(roles, "roles");
        this.proxyTrust = Objects.requireNonNull(proxyTrust, "proxyTrust");
    }

    public Decision decide(Request request) {
        Location location = locations.forPath(request.path());
        List<String> certificateHeader = request.headers().apply(proxyTrust.certificateHeader());
        List<String> forwardingHeaders = presentForwardingHeaders(request);

        String remote = request.remoteAddress();
        Optional<String> distrust = ClientAddress.trusted(remote, proxyTrust.proxies())
                ? proxyProblem(request.tlsChain())
                : Optional.of(IgnoredHeaders.NOT_A_TRUSTED_PROXY);

        List<X509Certificate> chain;
        Source source;
        ClientAddress client;
        IgnoredHeaders ignored = null;
        if (distrust.isEmpty()) {
            client = ClientAddress.resolve(remote, proxyTrust.proxies(), request.headers().apply(proxyTrust.forwardedForHeader()));
            try {
                chain = forwardedChain(certificateHeader, request.headers().apply(proxyTrust.chainHeader()));
            } catch (IllegalArgumentException e) {
                Facts facts = new Facts(request.path(), location, client, Source.PROXY, null, null, null);
                return new Rejected(facts, Reason.MALFORMED_CERTIFICATE);
            }
            source = chain.isEmpty() ? Source.NONE : Source.PROXY;
        } else {
            // Not a proxy, or a proxy's address without the proxy's certificate: the request is its own client.
            client = new ClientAddress(remote, null);
            chain = request.tlsChain();
            source = chain.isEmpty() ? Source.NONE : Source.TLS;
            if (!forwardingHeaders.isEmpty()) {
                String problem = distrust.get();
                ignored = problem.equals(IgnoredHeaders.NOT_A_TRUSTED_PROXY)
                        ? new IgnoredHeaders(forwardingHeaders, problem, null)
                        : new IgnoredHeaders(forwardingHeaders, IgnoredHeaders.PROXY_NOT_AUTHENTICATED, problem);
            }
        }
        Facts facts = new Facts(request.path(), location, client, source, chain.isEmpty() ? null : chain.get(0), null, ignored);

        if (ignored != null && ignored.reason().equals(IgnoredHeaders.PROXY_NOT_AUTHENTICATED)) {
            // Forwarding headers from a proxy's address that did not prove itself: a misconfigured proxy identity (or
            // someone else on the proxy's host). Refused outright, so that the proxy's own certificate never becomes
            // the identity of every user behind it.
            return new Rejected(facts, Reason.PROXY_NOT_AUTHENTICATED);
        }
        if (!location.admitsAddress(client.address())) {
            return new Rejected(facts, Reason.ADDRESS_NOT_ALLOWED);
        }
        if (chain.isEmpty()) {
            return location.admitsWithoutCertificate(client.address())
                    ? new Accepted(facts, Optional.empty(), false)
                    : new Rejected(facts, Reason.NO_CERTIFICATE);
        }
        CertificateCheck.Verdict verdict = certificates.check(chain);
        facts = facts.withFingerprint(verdict.fingerprint());
        if (verdict instanceof CertificateCheck.Refused refused) {
            return new Rejected(facts, refused.reason());
        }
        CertificateCheck.Passed passed = (CertificateCheck.Passed) verdict;
        if (passed.revocationUnknown() && !crlFailOpen) {
            return new Rejected(facts, Reason.CRL_UNAVAILABLE);
        }
        ClientIdentity identity = passed.identity().withRoles(roles.rolesOf(passed.identity()));
        if (proxyTrust.isProxyIdentity(identity)) {
            // The proxy's certificate from an address that is not a proxy's, or forwarded by a proxy: not a user.
            return new Rejected(facts, Reason.PROXY_CERTIFICATE);
        }
        if (!location.admits(identity)) {
            return new Rejected(facts, Reason.SUBJECT_NOT_ALLOWED);
        }
        if (!location.grants(identity)) {
            return new Rejected(facts, Reason.ROLE_REQUIRED);
        }
        return new Accepted(facts, Optional.of(new Credential(identity, passed.valid().path(), passed.valid().anchor())),
                passed.revocationUnknown());
    }

    /**
     * Why a connection from a proxy's address is not the proxy (empty when it is): it presented no certificate, or
     * one that fails a check, or one whose subject is not the proxy's. A reason code.
     */
    private Optional<String> proxyProblem(List<X509Certificate> tlsChain) {
        if (proxyTrust.addressOnly()) {
            return Optional.empty();
        }
        if (tlsChain.isEmpty()) {
            return Optional.of(Reason.NO_CERTIFICATE.code());
        }
        CertificateCheck.Verdict verdict = certificates.check(tlsChain);
        if (verdict instanceof CertificateCheck.Refused refused) {
            return Optional.of(refused.reason().code());
        }
        CertificateCheck.Passed passed = (CertificateCheck.Passed) verdict;
        if (passed.revocationUnknown()) {
            return Optional.of(Reason.CRL_UNAVAILABLE.code()); // never fail open for the proxy: it speaks for everyone
        }
        return proxyTrust.isProxyIdentity(passed.identity()) ? Optional.empty() : Optional.of(Reason.SUBJECT_NOT_ALLOWED.code());
    }

    /** The names of the forwarding headers the request carries. */
    private List<String> presentForwardingHeaders(Request request) {
        List<String> present = new ArrayList<>();
        for (String name : List.of(proxyTrust.certificateHeader(), proxyTrust.chainHeader(), proxyTrust.forwardedForHeader())) {
            if (!request.headers().apply(name).isEmpty()) {
                present.add(name);
            }
        }
        return present;
    }

    /**
     * The rules of the location of {@code path} applied again to an identity that is already authenticated: its
     * address and its subject. An endpoint calls this for the resource it actually serves (the chat endpoint for its
     * room), so that a path the filter saw differently from the container's routing still meets the right rules.
     *
     * @param address the client address, or null when unknown (then only a location without address rules admits)
     * @return why the location refuses, or empty
     */
    public Optional<Reason> recheck(String path, ClientIdentity identity, String address) {
        Location location = locations.forPath(path);
        if (!location.addresses().isEmpty() && (address == null || !location.admitsAddress(address))) {
            return Optional.of(Reason.ADDRESS_NOT_ALLOWED);
        }
        if (!location.admits(identity)) {
            return Optional.of(Reason.SUBJECT_NOT_ALLOWED);
        }
        if (!location.grants(identity)) {
            return Optional.of(Reason.ROLE_REQUIRED);
        }
        return Optional.empty();
    }

    /** The revocation status of a credential now, for sessions that stay open (GOOD when no CRL is configured). */
    public CrlStore.Status revocationStatus(Credential credential) {
        return certificates.crls().map(store -> store.check(credential.path(), credential.anchor())).orElse(CrlStore.Status.GOOD);
    }

    public Optional<CrlStore> crls() {
        return certificates.crls();
    }

    public boolean crlFailOpen() {
        return crlFailOpen;
    }

    private static List<X509Certificate> forwardedChain(List<String> certificate, List<String> rest) {
        if (certificate.size() > 1) {
            throw new IllegalArgumentException("more than one certificate header");
        }
        List<X509Certificate> chain = new ArrayList<>(ForwardedCertificates.parse(certificate.isEmpty() ? null : certificate.get(0)));
        if (!chain.isEmpty()) {
            for (String value : rest) {
                chain.addAll(ForwardedCertificates.parse(value));
            }
        }
        return chain;
    }
}
