package dev.keyhole.auth;

import dev.keyhole.auth.AuthenticationPolicy.Credential;
import dev.keyhole.log.LogLine;
import dev.keyhole.ws.Closure;
import dev.keyhole.ws.SessionErrors;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.websocket.Session;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The open WebSocket sessions that were authenticated by a certificate. Every endpoint reports its sessions here;
 * when a CRL change revokes a certificate, or a certificate expires, its sessions are closed with 1008.
 */
@ApplicationScoped
public class LiveSessions {

    /** The key under which a session's {@link ClientIdentity} is in {@code Session.getUserProperties()}. */
    public static final String IDENTITY = ClientIdentity.class.getName();

    private static final Logger LOG = Logger.getLogger(LiveSessions.class.getName());

    private final Map<Session, Credential> open = new ConcurrentHashMap<>();

    /**
     * Registers a newly opened session and puts its identity into the session's user properties.
     *
     * @return the identity, or empty for a session without a client certificate
     */
    public Optional<ClientIdentity> opened(Session session) {
        Optional<Credential> credential = ClientPrincipal.credentialOf(session.getUserPrincipal());
        credential.ifPresent(known -> {
            session.getUserProperties().put(IDENTITY, known.identity());
            open.put(session, known);
        });
        return credential.map(Credential::identity);
    }

    public void closed(Session session) {
        open.remove(session);
    }

    public int size() {
        return open.size();
    }

    /**
     * Closes the sessions whose certificate path has expired and, when {@code revocationChanged}, those that
     * {@code revocationStatus} now reports revoked.
     *
     * @return how many sessions were closed
     */
    public int sweep(Instant now, boolean revocationChanged, Function<Credential, CrlStore.Status> revocationStatus) {
        Map<Credential, Optional<Closure>> verdicts = new HashMap<>();
        List<Map.Entry<Session, Closure>> toClose = new ArrayList<>();
        for (Map.Entry<Session, Credential> entry : open.entrySet()) {
            verdicts.computeIfAbsent(entry.getValue(), credential -> verdict(credential, now, revocationChanged, revocationStatus))
                    .ifPresent(closure -> toClose.add(Map.entry(entry.getKey(), closure)));
        }
        for (Map.Entry<Session, Closure> entry : toClose) {
            Session session = entry.getKey();
            Credential credential = open.remove(session);
            if (credential == null) {
                continue;
            }
            LOG.warning(LogLine.event("auth.session-closed").with("reason", entry.getValue().reasonCode())
                    .with("session", session.getId()).with("subject", credential.identity().subject())
                    .with("serial", credential.identity().serial()).with("fingerprint", credential.identity().fingerprint())
                    .toString());
            SessionErrors.close(session, entry.getValue());
        }
        return toClose.size();
    }

    private static Optional<Closure> verdict(Credential credential, Instant now, boolean revocationChanged,
            Function<Credential, CrlStore.Status> revocationStatus) {
        List<X509Certificate> certificates = new ArrayList<>(credential.path());
        certificates.add(credential.anchor());
        if (certificates.stream().anyMatch(certificate -> !now.isBefore(certificate.getNotAfter().toInstant()))) {
            return Optional.of(Closure.EXPIRED);
        }
        if (revocationChanged && revocationStatus.apply(credential) == CrlStore.Status.REVOKED) {
            return Optional.of(Closure.REVOKED);
        }
        return Optional.empty();
    }
}
