package dev.keyhole.web;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which pages may open a WebSocket to Keyhole and read its resources. A client certificate is an ambient
 * credential — a hostile page can make the browser present it (Cross-Site WebSocket Hijacking, CWE-1385) — so a
 * browser's handshake is accepted only from Keyhole's own origin or an exact entry of the allow-list. A handshake
 * without an Origin header comes from a client that is not a browser (browsers always send it on WebSockets);
 * what it gets is configurable.
 */
public final class OriginPolicy {

    /** The verdict on one request's Origin. */
    public enum Verdict {
        /** The request comes from Keyhole's own origin. */
        SAME_ORIGIN,
        /** The origin is on the allow-list. */
        ALLOWED,
        /** There is no Origin header and such requests are accepted. */
        NO_ORIGIN,
        /** Refused: no Origin header where one is required, "null", malformed, or not allowed. */
        REFUSED;

        public boolean accepted() {
            return this != REFUSED;
        }
    }

    private final Set<Origin> allowed;
    private final boolean acceptMissing;

    public OriginPolicy(Set<Origin> allowed, boolean acceptMissing) {
        this.allowed = Set.copyOf(allowed);
        this.acceptMissing = acceptMissing;
    }

    /**
     * Parses the configured allow-list.
     *
     * @throws IllegalArgumentException for a wildcard (it cannot be combined with certificate authentication),
     *         {@code null} or anything that is not an origin
     */
    public static Set<Origin> parseAllowed(List<String> entries) {
        return entries.stream().map(entry -> {
            if (entry.contains("*")) {
                throw new IllegalArgumentException("a wildcard origin cannot be combined with client-certificate "
                        + "authentication: list each origin");
            }
            return Origin.parse(entry).orElseThrow(() -> new IllegalArgumentException(
                    "'" + entry + "' is not an origin (https://host[:port])"));
        }).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * @param originHeader the request's Origin header, or null
     * @param self the origin the request was addressed to (its scheme and Host), if known
     */
    public Verdict check(String originHeader, Optional<Origin> self) {
        if (originHeader == null) {
            return acceptMissing ? Verdict.NO_ORIGIN : Verdict.REFUSED;
        }
        Optional<Origin> origin = Origin.parse(originHeader);
        if (origin.isEmpty()) {
            return Verdict.REFUSED;
        }
        if (self.isPresent() && self.get().equals(origin.get())) {
            return Verdict.SAME_ORIGIN;
        }
        return allowed.contains(origin.get()) ? Verdict.ALLOWED : Verdict.REFUSED;
    }

    public Set<Origin> allowed() {
        return allowed;
    }

    public boolean acceptsMissing() {
        return acceptMissing;
    }
}
