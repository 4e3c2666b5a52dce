package dev.keyhole.web;

import dev.keyhole.ws.SessionRuntime;

import dev.keyhole.limits.ConnectionLimits;

import dev.keyhole.config.Setting;
import dev.keyhole.config.Settings;
import dev.keyhole.log.LogLine;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Enumeration;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The perimeter as configured: origin policy, CORS, security headers, HTTPS redirect and connection limits. Built
 * when the application starts (an invalid setting fails the deployment), which also logs the effective settings
 * and a warning for each insecure choice.
 */
@ApplicationScoped
public class Perimeter {

    private static final Logger LOG = Logger.getLogger(Perimeter.class.getName());
    private static final int ONE_YEAR = 31_536_000;

    @Inject
    Settings settings;

    @Inject
    SessionRuntime runtime;

    private OriginPolicy origins;
    private Cors cors;
    private SecurityHeaders headers;
    private boolean redirectHttp;
    private HttpsRedirect redirect;

    @PostConstruct
    void start() {
        origins = new OriginPolicy(settings.get(Setting.WEB_ALLOWED_ORIGINS, OriginPolicy::parseAllowed),
                settings.get(Setting.WEB_MISSING_ORIGIN).equals("allow"));
        cors = new Cors(settings.get(Setting.WEB_CORS_MAX_AGE));
        int hstsMaxAge = settings.get(Setting.WEB_HSTS_MAX_AGE);
        headers = new SecurityHeaders(settings.get(Setting.WEB_CONTENT_SECURITY_POLICY), settings.get(Setting.WEB_REFERRER_POLICY),
                settings.get(Setting.WEB_PERMISSIONS_POLICY), hstsMaxAge, settings.get(Setting.WEB_HSTS_INCLUDE_SUBDOMAINS),
                settings.get(Setting.WEB_HSTS_PRELOAD));
        redirectHttp = settings.get(Setting.WEB_REDIRECT_HTTP);
        redirect = new HttpsRedirect(settings.get(Setting.WEB_PUBLIC_ORIGIN, HttpsRedirect::parsePublicOrigin),
                settings.get(Setting.WEB_HTTPS_PORT));
        report(hstsMaxAge);
    }

    void onStartup(@Observes Startup startup) {
        LOG.fine("perimeter ready");
    }

    private void report(int hstsMaxAge) {
        ConnectionLimits.Limits limits = runtime.limits().limits();
        LOG.info(LogLine.event("web.origins").with("allowed", origins.allowed().isEmpty() ? "same-origin only"
                : "same-origin," + origins.allowed().stream().map(Origin::toString).collect(Collectors.joining(",")))
                .with("missing-origin", origins.acceptsMissing() ? "allow" : "reject").toString());
        LOG.info(LogLine.event("web.transport").with("redirect-http", redirectHttp)
                .with("redirect-to", redirect.describe()).with("https-port", redirect.httpsPort())
                .with("hsts-max-age", hstsMaxAge).toString());
        LOG.info(LogLine.event("web.limits").with("total", limits.total()).with("per-address", limits.perAddress())
                .with("per-identity", limits.perIdentity()).with("anonymous-total", limits.anonymousTotal())
                .with("anonymous-per-address", limits.anonymousPerAddress())
                .with("handshakes-per-second", limits.handshakesPerSecond())
                .with("idle-timeout-seconds", settings.get(Setting.WS_IDLE_TIMEOUT_SECONDS))
                .with("ping-interval-seconds", settings.get(Setting.WS_PING_INTERVAL_SECONDS)).toString());
        if (hstsMaxAge < ONE_YEAR) {
            LOG.warning(LogLine.event("web.warning").with("problem", "HSTS max-age below one year")
                    .with("value", hstsMaxAge).toString());
        }
        if (settings.get(Setting.WEB_CONTENT_SECURITY_POLICY).isEmpty()) {
            LOG.warning(LogLine.event("web.warning").with("problem", "keyhole.web.content-security-policy=none")
                    .with("effect", "no Content-Security-Policy: pages may be framed and load scripts from anywhere").toString());
        }
        if (!redirectHttp) {
            LOG.warning(LogLine.event("web.warning").with("problem", "keyhole.web.redirect-http=false")
                    .with("effect", "the plain HTTP listener serves the page and accepts ws:// without TLS").toString());
        }
        origins.allowed().stream().filter(origin -> origin.scheme().equals("http")).forEach(origin ->
                LOG.warning(LogLine.event("web.warning").with("problem", "an allowed origin is not HTTPS")
                        .with("origin", origin).toString()));
        if (settings.get(Setting.WS_PING_INTERVAL_SECONDS) >= 90) {
            LOG.warning(LogLine.event("web.warning").with("problem", "ping interval of 90 s or more")
                    .with("effect", "a listener or proxy read-timeout (WildFly: 90 s by default) may close quiet WebSockets").toString());
        }
    }

    public OriginPolicy origins() {
        return origins;
    }

    public Cors cors() {
        return cors;
    }

    public SecurityHeaders headers() {
        return headers;
    }

    public boolean redirectHttp() {
        return redirectHttp;
    }

    /** Where plain HTTP requests are redirected. */
    public HttpsRedirect redirect() {
        return redirect;
    }

    /**
     * Keyhole's own origin as a request addressed it: {@code https://} and its Host header. Only over HTTPS: there
     * the server certificate vouches for the host name, while over plain HTTP a page on another host could reach
     * Keyhole under its own name by DNS rebinding. (Over plain HTTP, Keyhole's own origin must be listed.)
     */
    public static Optional<Origin> self(HttpServletRequest request) {
        return request.isSecure() ? Origin.ofRequest("https", request.getHeader("Host")) : Optional.empty();
    }

    /**
     * Whether a request may be a WebSocket handshake: it names {@code websocket} among its Upgrade tokens, or carries
     * a {@code Sec-WebSocket-Key} (what Tyrus looks at). Erring towards "yes" keeps the origin policy and the limits
     * from being bypassed by an unusual spelling.
     */
    public static boolean isWebSocketHandshake(HttpServletRequest request) {
        if (request.getHeader("Sec-WebSocket-Key") != null) {
            return true;
        }
        Enumeration<String> upgrades = request.getHeaders("Upgrade");
        while (upgrades != null && upgrades.hasMoreElements()) {
            for (String token : upgrades.nextElement().split(",")) {
                String protocol = token.strip().toLowerCase(Locale.ROOT);
                if (protocol.equals("websocket") || protocol.startsWith("websocket/")) {
                    return true;
                }
            }
        }
        return false;
    }
}
