package dev.keyhole.auth;

import dev.keyhole.auth.AuthenticationPolicy.Decision;
import dev.keyhole.config.InvalidSettingException;
import dev.keyhole.config.Settings;
import dev.keyhole.log.LogLine;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Authentication as the application runs it: the policy built from the settings at start-up (an invalid setting
 * stops the deployment), one audit line per decision, and a periodic reload of changed CRLs; the
 * {@link #revocation()} it gives tells the session runtime when to check the open sessions again.
 */
@ApplicationScoped
public class Authentication {

    private static final Logger LOG = Logger.getLogger(Authentication.class.getName());

    @Inject
    Settings settings;

    @Resource
    ManagedScheduledExecutorService scheduler;

    private final Clock clock = Clock.systemUTC();
    private AuthenticationPolicy policy;
    private AuditLog audit;
    private ScheduledFuture<?> check;

    @PostConstruct
    void start() {
        AuthenticationSettings configured;
        try {
            configured = new AuthenticationSettings(settings, System::getProperty, clock);
        } catch (InvalidSettingException e) {
            // Stops the deployment; the line says which key and what to do, without a stack trace to read through.
            LOG.severe(LogLine.event("config.invalid").with("message", e.getMessage()).toString());
            throw e;
        }
        configured.report().forEach(LOG::info);
        configured.warnings().forEach(LOG::warning);
        policy = configured.policy();
        audit = new AuditLog(clock, configured.auditAssetsLevel());
        int interval = configured.checkIntervalSeconds();
        check = scheduler.scheduleWithFixedDelay(this::reloadCrls, interval, interval, TimeUnit.SECONDS);
    }

    /** Builds the policy when the application starts, so that a bad setting fails the deployment, not a request. */
    void onStartup(@Observes Startup startup) {
        LOG.fine("authentication ready");
    }

    @PreDestroy
    void stop() {
        if (check != null) {
            check.cancel(false);
        }
    }

    /**
     * Decides one request and records the decision in the audit log.
     *
     * @param handshake whether the request is a WebSocket handshake (else the page or an asset: audited lower)
     */
    public Decision decide(AuthenticationPolicy.Request request, boolean handshake) {
        Decision decision = policy.decide(request);
        audit.record(decision, handshake);
        return decision;
    }

    /**
     * An endpoint's own check of the location rules for the resource it serves (defence in depth); a refusal is
     * logged like a handshake's.
     *
     * @return why the location refuses this principal, or empty
     */
    public Optional<Reason> recheck(String path, ClientPrincipal principal) {
        Optional<Reason> refusal = policy.recheck(path, principal.identity(), principal.address().orElse(null));
        refusal.ifPresent(reason -> LOG.warning(LogLine.event("auth.recheck").with("decision", "reject")
                .with("reason", reason.code()).with("path", path).with("remote", principal.address().orElse(null))
                .with("subject", principal.identity().subject()).with("issuer", principal.identity().issuer())
                .with("serial", principal.identity().serial()).toString()));
        return refusal;
    }

    /** Which certificates are revoked now; its generation is the CRL store's (0 without CRLs). */
    public Revocation revocation() {
        return new Revocation() {
            @Override
            public long generation() {
                return policy.crls().map(CrlStore::generation).orElse(0L);
            }

            @Override
            public CrlStore.Status status(AuthenticationPolicy.Credential credential) {
                return policy.revocationStatus(credential);
            }
        };
    }

    /** The CRL store, when CRLs are configured. */
    public Optional<CrlStore> crls() {
        return policy.crls();
    }

    /** Whether certificates are accepted when their CRL is missing or out of date (keyhole.auth.crl-fail-open). */
    public boolean crlFailOpen() {
        return policy.crlFailOpen();
    }

    private void reloadCrls() {
        try {
            policy.crls().ifPresent(CrlStore::reload);
        } catch (RuntimeException e) {
            // Never let the periodic check die: a failure here is logged and the next run tries again.
            LOG.log(Level.SEVERE, LogLine.event("auth.check-failed").with("error", e.getClass().getName()).toString(), e);
        }
    }
}
