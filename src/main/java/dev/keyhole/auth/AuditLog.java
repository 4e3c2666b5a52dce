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
 * goes through {@link LogLine}, so a subject cannot forge a line.
 */
public final class AuditLog {

    private static final Logger LOG = Logger.getLogger(AuditLog.class.getName());

    private final Clock clock;

    public AuditLog(Clock clock) {
        this.clock = clock;
    }

    public void record(Decision decision) {
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
                    .with("fingerprint", ClientIdentity.fingerprint(leaf));
        }
        if (decision instanceof Accepted accepted) {
            accepted.credential().ifPresent(credential -> line.with("roles", String.join(",", credential.identity().roles())));
            if (accepted.revocationUnknown()) {
                line.with("revocation", "unknown");
            }
        }
        LOG.log(decision instanceof Accepted ? Level.INFO : Level.WARNING, line.toString());
    }

    /** The stable code of a decision: a {@link Reason} code, or {@code certificate} / {@code anonymous}. */
    public static String reason(Decision decision) {
        if (decision instanceof Rejected rejected) {
            return rejected.reason().code();
        }
        return ((Accepted) decision).credential().isPresent() ? "certificate" : "anonymous";
    }
}
