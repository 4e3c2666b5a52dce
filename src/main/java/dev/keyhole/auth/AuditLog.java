package dev.keyhole.auth;

import dev.keyhole.auth.AuthenticationPolicy.Accepted;
import dev.keyhole.auth.AuthenticationPolicy.Decision;
import dev.keyhole.auth.AuthenticationPolicy.Facts;
import dev.keyhole.auth.AuthenticationPolicy.IgnoredHeaders;
import dev.keyhole.auth.AuthenticationPolicy.Rejected;
import dev.keyhole.log.LogLine;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The audit trail of authentication: one line per decision, accepted or rejected, with time, client address,
 * path, location, subject, issuer, serial, fingerprint and reason. Never a PEM, never a message body; every value
 * goes through {@link LogLine}, so a subject cannot forge a line. Refusals are logged at WARNING and accepted
 * WebSocket handshakes at INFO; accepted plain HTTP requests (the page and its assets: anything that is not a
 * WebSocket handshake) at the level keyhole.auth.audit-assets-level gives, FINE unless configured.
 */
public final class AuditLog {

    private static final Logger LOG = Logger.getLogger(AuditLog.class.getName());

    private final Clock clock;
    private final Level assetLevel;

    /** @param assetLevel the level of an accepted request that is not a WebSocket handshake */
    public AuditLog(Clock clock, Level assetLevel) {
        this.clock = clock;
        this.assetLevel = assetLevel;
    }

    /**
     * @param handshake whether the request is a WebSocket handshake (else a plain HTTP request: the page, an asset)
     */
    public void record(Decision decision, boolean handshake) {
        Facts facts = decision.facts();
        IgnoredHeaders ignored = facts.ignored();
        if (ignored != null) {
            LogLine line = LogLine.event("auth.forwarded-header-ignored").with("remote", facts.client().address())
                    .with("path", facts.path()).with("reason", ignored.reason())
                    .with("headers", String.join(",", ignored.headers()));
            if (ignored.proxyProblem() != null) {
                line.with("proxy-problem", ignored.proxyProblem());
            }
            LOG.warning(line.toString());
        }
        Level level = Level.WARNING;
        if (decision instanceof Accepted accepted) {
            // accepted only because the CRL could not be read (fail-open): as visible as a handshake
            level = handshake || accepted.revocationUnknown() ? Level.INFO : assetLevel;
        }
        if (!LOG.isLoggable(level)) {
            return;
        }
        LogLine line = LogLine.event("auth")
                .with("decision", decision instanceof Accepted ? "accept" : "reject")
                .with("reason", reason(decision))
                .with("time", clock.instant())
                .with("remote", facts.client().address())
                .with("proxy", facts.client().proxy())
                .with("path", facts.path())
                .with("location", facts.location().name())
                .with("source", facts.source().name().toLowerCase(Locale.ROOT));
        X509Certificate leaf = facts.leaf();
        if (leaf != null) {
            line.with("subject", leaf.getSubjectX500Principal().getName())
                    .with("issuer", leaf.getIssuerX500Principal().getName())
                    .with("serial", ClientIdentity.serial(leaf))
                    .with("fingerprint", facts.fingerprint() != null ? facts.fingerprint() : ClientIdentity.fingerprint(leaf));
        }
        if (decision instanceof Accepted accepted) {
            accepted.credential().ifPresent(credential -> line.with("roles", String.join(",", credential.identity().roles())));
            if (accepted.revocationUnknown()) {
                line.with("revocation", "unknown");
            }
        }
        LOG.log(level, line.toString());
    }

    /** The stable code of a decision: a {@link Reason} code, or {@code certificate} / {@code anonymous}. */
    public static String reason(Decision decision) {
        if (decision instanceof Rejected rejected) {
            return rejected.reason().code();
        }
        return ((Accepted) decision).credential().isPresent() ? "certificate" : "anonymous";
    }
}
