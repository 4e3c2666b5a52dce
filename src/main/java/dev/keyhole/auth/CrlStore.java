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
import java.security.cert.CertStore;
import java.security.cert.CertStoreException;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLSelector;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The certificate revocation lists Keyhole checks, read from files and read again when a file changes (no restart
 * needed; {@code pki.sh crl} replaces the file in one step). A CRL counts only when its signature verifies with the
 * key of the CA that issued the certificate being checked. A CRL vouches that a certificate is good only until its
 * nextUpdate: a CRL that is missing, unreadable or out of date makes the status {@link Status#UNAVAILABLE}, never
 * {@link Status#GOOD}. A certificate listed on a signed CRL is {@link Status#REVOKED} even when that CRL is out of
 * date, so that {@code keyhole.auth.crl-fail-open} never lets a known revocation back in. Every change of the set
 * of CRLs starts a new {@link #generation()}; decisions remembered under an older one are not used again.
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
    private volatile Snapshot snapshot = new Snapshot(0, List.of());
    private final Map<X509CRL, PublicKey> verified = new ConcurrentHashMap<>();

    public CrlStore(List<Path> files, Scope scope, Clock clock) {
        this.files = List.copyOf(files);
        this.scope = Objects.requireNonNull(scope, "scope");
        this.clock = Objects.requireNonNull(clock, "clock");
        reload();
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
            List<X509CRL> all = states.values().stream().flatMap(state -> state.crls().stream()).toList();
            // One write: a check reads either the old CRLs with the old generation or the new with the new.
            snapshot = new Snapshot(snapshot.generation() + 1, all);
            verified.keySet().retainAll(all);
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
     * What one configured CRL file holds now, for health and metrics — judged as a check is: by the newest CRL of
     * each issuer in the file (an older CRL beside it, or one of a retired CA, vouches for nothing and does not count).
     *
     * @param thisUpdate the oldest thisUpdate of those CRLs, or null when the file holds no readable CRL
     * @param nextUpdate the earliest nextUpdate of those CRLs, or null when unreadable or none is stated
     */
    public record FileStatus(Path file, Instant thisUpdate, Instant nextUpdate) {

        /** Whether the file holds a CRL that still vouches at {@code now} (read, and not past its nextUpdate). */
        public boolean freshAt(Instant now) {
            return thisUpdate != null && nextUpdate != null && now.isBefore(nextUpdate);
        }
    }

    /** Every configured file, in the configured order. */
    public synchronized List<FileStatus> files() {
        List<FileStatus> result = new ArrayList<>();
        for (Path file : files) {
            FileState state = states.get(file);
            Map<javax.security.auth.x500.X500Principal, X509CRL> newest = new LinkedHashMap<>();
            for (X509CRL crl : state == null ? List.<X509CRL>of() : state.crls()) {
                newest.merge(crl.getIssuerX500Principal(), crl,
                        (one, other) -> other.getThisUpdate().after(one.getThisUpdate()) ? other : one);
            }
            Instant oldest = null;
            Instant earliest = null;
            for (X509CRL crl : newest.values()) {
                Instant thisUpdate = crl.getThisUpdate().toInstant();
                oldest = oldest == null || thisUpdate.isBefore(oldest) ? thisUpdate : oldest;
                if (crl.getNextUpdate() != null) {
                    Instant next = crl.getNextUpdate().toInstant();
                    earliest = earliest == null || next.isBefore(earliest) ? next : earliest;
                }
            }
            result.add(new FileStatus(file, oldest, earliest));
        }
        return result;
    }

    /** The CRLs as read now: a consistent view for one decision, and the generation that names it. */
    Snapshot snapshot() {
        return snapshot;
    }

    /**
     * A number that changes whenever the set of CRLs changes (a file was read again, appeared or disappeared): a
     * decision remembered under one generation is not used under another.
     */
    public long generation() {
        return snapshot.generation();
    }

    /**
     * The revocation status of a validated path.
     *
     * @param path the client certificate first, then its issuers up to the trust anchor
     * @param anchor the trust anchor the path ends at
     */
    public Status check(List<X509Certificate> path, X509Certificate anchor) {
        return snapshot.check(path, anchor);
    }

    /**
     * One generation of CRLs, never changed: the JDK's {@link CertStore} selects a certificate's candidate CRLs
     * ({@link X509CRLSelector} by issuer), this class decides what they say.
     */
    final class Snapshot {

        private final long generation;
        private final CertStore store;
        private final List<X509CRL> all;

        private Snapshot(long generation, List<X509CRL> all) {
            this.generation = generation;
            this.all = List.copyOf(all);
            try {
                this.store = CertStore.getInstance("Collection", new CollectionCertStoreParameters(this.all));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK's Collection CertStore is missing", e);
            }
        }

        long generation() {
            return generation;
        }

        /** The revocation status of a validated path, as these CRLs say now. */
        Status check(List<X509Certificate> path, X509Certificate anchor) {
            Date now = Date.from(clock.instant());
            int checked = scope == Scope.LEAF ? 1 : path.size();
            Status result = Status.GOOD;
            for (int i = 0; i < checked; i++) {
                X509Certificate certificate = path.get(i);
                X509Certificate issuer = i + 1 < path.size() ? path.get(i + 1) : anchor;
                Status status = statusOf(certificate, issuer, now);
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
         * The next instant after {@code now} at which a verdict of these CRLs can change by itself: a CRL's
         * thisUpdate (it starts to count) or nextUpdate (it stops vouching). Null when none lies ahead.
         */
        Instant nextChangeAfter(Instant now) {
            Instant next = null;
            for (X509CRL crl : all) {
                for (Date date : new Date[] {crl.getThisUpdate(), crl.getNextUpdate()}) {
                    if (date != null && date.toInstant().isAfter(now) && (next == null || date.toInstant().isBefore(next))) {
                        next = date.toInstant();
                    }
                }
            }
            return next;
        }

        /**
         * The status from the newest CRL its issuer signed. A CRL past its nextUpdate still revokes what it lists:
         * being out of date makes its silence worthless, not its word. Only a certificate that no signed CRL lists,
         * and that no current CRL covers, is {@link Status#UNAVAILABLE}. (The JDK's PKIXRevocationChecker is not
         * used: it ignores a CRL past its nextUpdate, so a stale CRL could not revoke, and it accepts one up to 15
         * minutes past it, so a stale CRL would still vouch.)
         */
        private Status statusOf(X509Certificate certificate, X509Certificate issuer, Date now) {
            X509CRLSelector selector = new X509CRLSelector();
            selector.addIssuer(certificate.getIssuerX500Principal());
            selector.setCertificateChecking(certificate);
            Collection<? extends CRL> candidates;
            try {
                candidates = store.getCRLs(selector);
            } catch (CertStoreException e) {
                return Status.UNAVAILABLE;
            }
            X509CRL newest = null;
            for (CRL candidate : candidates) {
                X509CRL crl = (X509CRL) candidate;
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
