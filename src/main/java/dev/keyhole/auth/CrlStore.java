package dev.keyhole.auth;

import dev.keyhole.log.LogLine;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CRL;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import javax.security.auth.x500.X500Principal;

/**
 * The certificate revocation lists Keyhole checks, read from files and read again when a file changes (no restart
 * needed; {@code pki.sh crl} replaces the file in one step). A CRL counts only when its signature verifies with the
 * key of the CA that issued the certificate being checked. A CRL vouches that a certificate is good only until its
 * nextUpdate: a CRL that is missing, unreadable or out of date makes the status {@link Status#UNAVAILABLE}, never
 * {@link Status#GOOD}. A certificate listed on a signed CRL is {@link Status#REVOKED} even when that CRL is out of
 * date, so that {@code keyhole.auth.crl-fail-open} never lets a known revocation back in.
 */
public final class CrlStore {

    private static final Logger LOG = Logger.getLogger(CrlStore.class.getName());

    /** The revocation status of a certification path. */
    public enum Status {
        GOOD, REVOKED, UNAVAILABLE
    }

    /** Which certificates of a path are checked. */
    public enum Scope {
        /** Every certificate of the path except the trust anchor. */
        CHAIN,
        /** The client certificate only. */
        LEAF
    }

    /** What was read from one file: its identity on disk, and its CRLs (empty when it could not be read). */
    private record FileState(Instant modified, long size, Object fileKey, List<X509CRL> crls) {
    }

    private final List<Path> files;
    private final Scope scope;
    private final Clock clock;
    private final Map<Path, FileState> states = new LinkedHashMap<>();
    private volatile Map<X500Principal, List<X509CRL>> byIssuer = Map.of();
    private final Map<X509CRL, PublicKey> verified = new ConcurrentHashMap<>();

    public CrlStore(List<Path> files, Scope scope, Clock clock) {
        this.files = List.copyOf(files);
        this.scope = Objects.requireNonNull(scope, "scope");
        this.clock = Objects.requireNonNull(clock, "clock");
        reload();
    }

    public List<Path> files() {
        return files;
    }

    /**
     * Reads every file that changed since the last call.
     *
     * @return whether the set of CRLs changed
     */
    public synchronized boolean reload() {
        boolean changed = false;
        for (Path file : files) {
            FileState before = states.get(file);
            FileState now = read(file, before);
            if (now != before) {
                states.put(file, now);
                changed = true;
            }
        }
        if (changed) {
            Map<X500Principal, List<X509CRL>> index = new HashMap<>();
            states.values().forEach(state -> state.crls().forEach(crl ->
                    index.computeIfAbsent(crl.getIssuerX500Principal(), issuer -> new ArrayList<>()).add(crl)));
            index.replaceAll((issuer, crls) -> List.copyOf(crls));
            byIssuer = Map.copyOf(index);
            verified.keySet().retainAll(index.values().stream().flatMap(Collection::stream).toList());
        }
        return changed;
    }

    private FileState read(Path file, FileState before) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            return unreadable(file, before, "missing or unreadable");
        }
        Instant modified = attributes.lastModifiedTime().toInstant();
        if (before != null && modified.equals(before.modified()) && attributes.size() == before.size()
                && Objects.equals(attributes.fileKey(), before.fileKey())) {
            return before;
        }
        try {
            byte[] content = Files.readAllBytes(file);
            Collection<? extends CRL> parsed = CertificateFactory.getInstance("X.509")
                    .generateCRLs(new ByteArrayInputStream(content));
            List<X509CRL> crls = parsed.stream().filter(X509CRL.class::isInstance).map(X509CRL.class::cast).toList();
            if (crls.isEmpty()) {
                return unreadable(file, before, "holds no CRL");
            }
            for (X509CRL crl : crls) {
                LOG.info(() -> LogLine.event("crl.loaded").with("file", file).with("issuer", crl.getIssuerX500Principal().getName())
                        .with("this-update", crl.getThisUpdate().toInstant())
                        .with("next-update", crl.getNextUpdate() == null ? null : crl.getNextUpdate().toInstant())
                        .with("revoked", crl.getRevokedCertificates() == null ? 0 : crl.getRevokedCertificates().size())
                        .toString());
            }
            return new FileState(modified, attributes.size(), attributes.fileKey(), crls);
        } catch (IOException | GeneralSecurityException e) {
            return unreadable(file, before, "cannot be parsed as a CRL");
        }
    }

    private static FileState unreadable(Path file, FileState before, String problem) {
        if (before != null && before.crls().isEmpty()) {
            return before; // already known to be unusable: report once
        }
        LOG.severe(() -> LogLine.event("crl.unavailable").with("file", file).with("problem", problem).toString());
        return new FileState(Instant.EPOCH, -1, null, List.of());
    }

    /**
     * The revocation status of a validated path.
     *
     * @param path the client certificate first, then its issuers up to the trust anchor
     * @param anchor the trust anchor the path ends at
     */
    public Status check(List<X509Certificate> path, X509Certificate anchor) {
        int checked = scope == Scope.LEAF ? 1 : path.size();
        Status result = Status.GOOD;
        for (int i = 0; i < checked; i++) {
            X509Certificate certificate = path.get(i);
            X509Certificate issuer = i + 1 < path.size() ? path.get(i + 1) : anchor;
            Status status = statusOf(certificate, issuer);
            if (status == Status.REVOKED) {
                return Status.REVOKED;
            }
            if (status == Status.UNAVAILABLE) {
                result = Status.UNAVAILABLE;
            }
        }
        return result;
    }

    /**
     * The status from the newest CRL its issuer signed. A CRL past its nextUpdate still revokes what it lists: being
     * out of date makes its silence worthless, not its word. Only a certificate that no signed CRL lists, and that no
     * current CRL covers, is {@link Status#UNAVAILABLE}.
     */
    private Status statusOf(X509Certificate certificate, X509Certificate issuer) {
        Date now = Date.from(clock.instant());
        X509CRL newest = null;
        for (X509CRL crl : byIssuer.getOrDefault(certificate.getIssuerX500Principal(), List.of())) {
            boolean issued = !crl.getThisUpdate().after(now);
            if (issued && signedBy(crl, issuer) && (newest == null || crl.getThisUpdate().after(newest.getThisUpdate()))) {
                newest = crl;
            }
        }
        if (newest == null) {
            return Status.UNAVAILABLE;
        }
        if (newest.isRevoked(certificate)) {
            return Status.REVOKED;
        }
        boolean current = newest.getNextUpdate() != null && now.before(newest.getNextUpdate());
        return current ? Status.GOOD : Status.UNAVAILABLE;
    }

    private boolean signedBy(X509CRL crl, X509Certificate issuer) {
        PublicKey key = issuer.getPublicKey();
        PublicKey known = verified.get(crl);
        if (known != null && Arrays.equals(known.getEncoded(), key.getEncoded())) {
            return true;
        }
        try {
            crl.verify(key);
            verified.put(crl, key);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
