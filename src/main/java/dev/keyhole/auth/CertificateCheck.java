package dev.keyhole.auth;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The part of an authentication decision that depends on the presented chain alone: path validation
 * ({@link CertificateValidator}) and revocation ({@link CrlStore}), remembered so that the repeated requests of one
 * client are not validated again. A verdict is remembered per presented chain (the SHA-256 of its certificates) and
 * CRL generation, and only until time can change it: the next notBefore or notAfter of a certificate involved, or the
 * next thisUpdate or nextUpdate of a CRL. The trust anchors, deny-list and depth are fixed for the life of the
 * validator this check holds, so they need no generation of their own. Nothing of the request (path, location,
 * address, proxy) is part of a verdict: those rules are applied to every request.
 */
final class CertificateCheck {

    /** The outcome for a presented chain, with the client certificate's SHA-256 fingerprint (computed once). */
    sealed interface Verdict {
        String fingerprint();
    }

    /**
     * A chain with a valid path that no CRL revokes.
     *
     * @param identity the client certificate's identity, without roles
     * @param revocationUnknown whether no current CRL vouches for some certificate of the path (fail-open decides)
     */
    record Passed(String fingerprint, CertificateValidator.Valid valid, ClientIdentity identity, boolean revocationUnknown)
            implements Verdict {
    }

    /** A chain that is refused, and why (a path problem, or {@code revoked}). */
    record Refused(String fingerprint, Reason reason) implements Verdict {
    }

    private record Key(String chain, long crlGeneration) {
    }

    /** @param until the first instant at which the verdict may no longer hold (null: none ahead) */
    private record Entry(Verdict verdict, Instant until) {
    }

    private final CertificateValidator validator;
    private final Optional<CrlStore> crls;
    private final int capacity;
    private final Clock clock;
    private final Map<Key, Entry> remembered;
    private long rememberedGeneration;

    /** @param capacity how many verdicts are remembered, the least recently used forgotten first; 0: none */
    CertificateCheck(CertificateValidator validator, Optional<CrlStore> crls, int capacity, Clock clock) {
        this.validator = Objects.requireNonNull(validator, "validator");
        this.crls = Objects.requireNonNull(crls, "crls");
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.capacity = capacity;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.remembered = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
                return size() > CertificateCheck.this.capacity;
            }
        };
    }

    Optional<CrlStore> crls() {
        return crls;
    }

    /** How many verdicts are remembered now. */
    synchronized int size() {
        return remembered.size();
    }

    /** The verdict for a chain as presented, the client certificate first. */
    Verdict check(List<X509Certificate> chain) {
        // The CRLs of one generation for the whole check, so that the verdict is remembered under the right one.
        Optional<CrlStore.Snapshot> snapshot = crls.map(CrlStore::snapshot);
        long generation = snapshot.map(CrlStore.Snapshot::generation).orElse(0L);
        Instant now = clock.instant();
        String chainDigest = capacity == 0 ? null : digest(chain);
        if (chainDigest != null) {
            Verdict known = lookUp(new Key(chainDigest, generation), now);
            if (known != null) {
                return known;
            }
        }
        // One certificate: the chain's digest is the certificate's fingerprint.
        String fingerprint = chain.size() == 1 && chainDigest != null ? chainDigest : ClientIdentity.fingerprint(chain.get(0));
        Verdict verdict = validate(chain, fingerprint, snapshot);
        if (chainDigest != null) {
            remember(new Key(chainDigest, generation), verdict, until(chain, verdict, snapshot, now), now);
        }
        return verdict;
    }

    private Verdict validate(List<X509Certificate> chain, String fingerprint, Optional<CrlStore.Snapshot> snapshot) {
        CertificateValidator.Result result = validator.validate(chain);
        if (result instanceof CertificateValidator.Invalid invalid) {
            return new Refused(fingerprint, invalid.reason());
        }
        CertificateValidator.Valid valid = (CertificateValidator.Valid) result;
        CrlStore.Status status = snapshot.map(crls -> crls.check(valid.path(), valid.anchor())).orElse(CrlStore.Status.GOOD);
        if (status == CrlStore.Status.REVOKED) {
            return new Refused(fingerprint, Reason.REVOKED);
        }
        return new Passed(fingerprint, valid, ClientIdentity.of(valid.path().get(0), fingerprint, Set.of()),
                status == CrlStore.Status.UNAVAILABLE);
    }

    private synchronized Verdict lookUp(Key key, Instant now) {
        Entry entry = remembered.get(key);
        if (entry == null) {
            return null;
        }
        if (entry.until() != null && !now.isBefore(entry.until())) {
            remembered.remove(key);
            return null;
        }
        return entry.verdict();
    }

    private synchronized void remember(Key key, Verdict verdict, Instant until, Instant now) {
        if (until != null && !now.isBefore(until)) {
            return;
        }
        if (key.crlGeneration() < rememberedGeneration) {
            return; // decided on CRLs that have been replaced meanwhile
        }
        if (key.crlGeneration() > rememberedGeneration) {
            // New CRLs: no verdict of the old ones is looked up again.
            remembered.clear();
            rememberedGeneration = key.crlGeneration();
        }
        remembered.put(key, new Entry(verdict, until));
    }

    /**
     * The first instant after {@code now} at which the verdict may change by time alone: a presented certificate (or
     * the anchor of a passed path) becoming valid or expiring, a CRL starting to count or going out of date.
     */
    private static Instant until(List<X509Certificate> chain, Verdict verdict, Optional<CrlStore.Snapshot> snapshot,
            Instant now) {
        List<X509Certificate> involved = new ArrayList<>(chain);
        if (verdict instanceof Passed passed) {
            involved.add(passed.valid().anchor());
        }
        Instant until = snapshot.map(crls -> crls.nextChangeAfter(now)).orElse(null);
        for (X509Certificate certificate : involved) {
            Instant notAfter = certificate.getNotAfter().toInstant();
            // Valid through notAfter itself: expires at notAfter, and again 1 ms later when checked at notAfter.
            for (Instant boundary : List.of(certificate.getNotBefore().toInstant(), notAfter, notAfter.plusMillis(1))) {
                if (boundary.isAfter(now) && (until == null || boundary.isBefore(until))) {
                    until = boundary;
                }
            }
        }
        return until;
    }

    /**
     * The SHA-256 of the presented chain (its certificates' DER encodings one after the other, each self-delimiting):
     * for a single certificate, its fingerprint.
     */
    private static String digest(List<X509Certificate> chain) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            for (X509Certificate certificate : chain) {
                sha256.update(certificate.getEncoded());
            }
            return HexFormat.of().formatHex(sha256.digest());
        } catch (CertificateEncodingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot digest a certificate chain", e);
        }
    }
}
