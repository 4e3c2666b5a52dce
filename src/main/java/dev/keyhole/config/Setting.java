package dev.keyhole.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * One configuration key: its name, its default and the values it accepts. Every key Keyhole reads is declared
 * here, once; {@code docs/configuration.md} documents each of them (a unit test keeps the two in step).
 *
 * <p>A key that contains {@code <name>} is a template for a family of keys, such as the settings of a named
 * authentication location; {@link #of(String)} gives the key for one name. Where a family member is declared on
 * its own (a built-in location), that declaration and its default win.
 *
 * @param <T> the type of the parsed value
 */
public final class Setting<T> {

    private static final String NAME = "<name>";
    private static final List<Setting<?>> ALL = new ArrayList<>();

    // --- echo ----------------------------------------------------------------------------------------------

    /** Largest text or binary message the echo endpoint accepts, in bytes; larger ones close with 1009. */
    public static final Setting<Integer> ECHO_MAX_MESSAGE_BYTES =
            define("keyhole.echo.max-message-bytes", "65536", Values.integerBetween(1, 1024 * 1024));

    // --- chat ----------------------------------------------------------------------------------------------

    /** Largest chat frame a client may send, in bytes; larger ones close with 1009. */
    public static final Setting<Integer> CHAT_MAX_MESSAGE_BYTES =
            define("keyhole.chat.max-message-bytes", "16384", Values.integerBetween(256, 1024 * 1024));
    /** Longest chat text, in characters; longer ones get an error reply. */
    public static final Setting<Integer> CHAT_MAX_TEXT_CHARS =
            define("keyhole.chat.max-text-chars", "4000", Values.integerBetween(1, 100_000));
    /** How many messages each room keeps for clients that resume. */
    public static final Setting<Integer> CHAT_HISTORY_MESSAGES =
            define("keyhole.chat.history-messages", "1000", Values.integerBetween(0, 1_000_000));
    /** How long each room keeps a message for clients that resume, in seconds. */
    public static final Setting<Integer> CHAT_HISTORY_SECONDS =
            define("keyhole.chat.history-seconds", "3600", Values.integerBetween(0, 30 * 24 * 3600));
    /** Commands per second a connection may send, on average. */
    public static final Setting<Integer> CHAT_RATE_PER_SECOND =
            define("keyhole.chat.rate-per-second", "20", Values.integerBetween(1, 100_000));
    /** Commands a connection may send in a burst. */
    public static final Setting<Integer> CHAT_RATE_BURST =
            define("keyhole.chat.rate-burst", "40", Values.integerBetween(1, 100_000));
    /** Refused commands (over the rate, malformed) a connection may accumulate before it is closed with 1008. */
    public static final Setting<Integer> CHAT_STRIKES =
            define("keyhole.chat.strikes-before-close", "20", Values.integerBetween(1, 100_000));
    /**
     * How many rooms may have members at once. A room without members keeps its history only while its slot is not
     * needed: creating a room when the limit is reached retires the least recently active empty room first.
     */
    public static final Setting<Integer> CHAT_MAX_ROOMS =
            define("keyhole.chat.max-rooms", "1000", Values.integerBetween(1, 1_000_000));
    /** How many rooms one identity may have created that still exist (its own empty rooms are retired first). */
    public static final Setting<Integer> CHAT_MAX_ROOMS_PER_IDENTITY =
            define("keyhole.chat.max-rooms-per-identity", "20", Values.integerBetween(1, 1_000_000));
    /** How many bytes (UTF-8, as sent) of history each room keeps at most. */
    public static final Setting<Integer> CHAT_HISTORY_BYTES_PER_ROOM =
            define("keyhole.chat.history-bytes-per-room", "1048576", Values.integerBetween(0, 1024 * 1024 * 1024));
    /** How many bytes of history all rooms keep together; over it, the least recently active empty room's goes first. */
    public static final Setting<Integer> CHAT_HISTORY_BYTES =
            define("keyhole.chat.history-bytes", "67108864", Values.integerBetween(0, Integer.MAX_VALUE));
    /** Presence events (join, leave) a room sends per second on average; beyond that, changes are coalesced. */
    public static final Setting<Integer> CHAT_PRESENCE_PER_SECOND =
            define("keyhole.chat.presence-per-second", "5", Values.integerBetween(1, 100_000));
    /** Presence events a room may send in a burst. */
    public static final Setting<Integer> CHAT_PRESENCE_BURST =
            define("keyhole.chat.presence-burst", "20", Values.integerBetween(1, 100_000));

    // --- cluster (rooms shared by several nodes through Redis) ------------------------------------------------

    /**
     * The Redis that nodes share rooms through ({@code redis://} or {@code rediss://}, with a user and password if
     * Redis wants them); empty: rooms stay in this server's memory and nothing needs Redis.
     */
    public static final Setting<String> CLUSTER_REDIS_URI = define("keyhole.cluster.redis-uri", "", Values.text());
    /** A PEM file of the certificates that may sign a {@code rediss://} server's certificate; empty: the JDK's trust. */
    public static final Setting<String> CLUSTER_REDIS_CA_FILE = define("keyhole.cluster.redis-ca-file", "", Values.text());
    /** How long one Redis command may take before it fails, in milliseconds. */
    public static final Setting<Integer> CLUSTER_COMMAND_TIMEOUT_MILLIS =
            define("keyhole.cluster.command-timeout-millis", "2000", Values.integerBetween(50, 60_000));
    /** How many Redis commands may wait for an answer at once; beyond that, a post is refused as unavailable. */
    public static final Setting<Integer> CLUSTER_REQUEST_QUEUE =
            define("keyhole.cluster.request-queue-size", "10000", Values.integerBetween(100, 1_000_000));
    /** The prefix of every key and channel Keyhole uses in Redis (several Keyhole clusters can share one Redis). */
    public static final Setting<String> CLUSTER_KEY_PREFIX = define("keyhole.cluster.key-prefix", "keyhole:", Values.text());
    /** This node's name in the cluster; empty: the host name and a random suffix, new at every start. */
    public static final Setting<String> CLUSTER_NODE_ID = define("keyhole.cluster.node-id", "", Values.text());
    /**
     * How long a node's members stay in a room's presence without the node refreshing them, in seconds: the bound
     * on how long the members of a node that crashed are still listed. Nodes refresh every third of it.
     */
    public static final Setting<Integer> CLUSTER_PRESENCE_TTL_SECONDS =
            define("keyhole.cluster.presence-ttl-seconds", "29", Values.integerBetween(3, 3600));

    // --- the perimeter: origins, CORS, headers ---------------------------------------------------------

    /** Origins (scheme://host[:port]) besides the server's own that may open WebSockets and read resources. */
    public static final Setting<List<String>> WEB_ALLOWED_ORIGINS = define("keyhole.web.allowed-origins", "", Values.list(','));
    /** What a WebSocket handshake without an Origin header gets: allow (non-browser clients) or reject. */
    public static final Setting<String> WEB_MISSING_ORIGIN =
            define("keyhole.web.missing-origin", "allow", Values.oneOf("allow", "reject"));
    /** Whether plain HTTP requests are redirected to HTTPS. */
    public static final Setting<Boolean> WEB_REDIRECT_HTTP = define("keyhole.web.redirect-http", "true", Values.bool());
    /**
     * Where plain HTTP requests are redirected: an https:// origin (scheme://host[:port]); empty means the HTTPS
     * listener ({@code keyhole.web.https-port}) on the address the request came in on. Never the Host header.
     */
    public static final Setting<String> WEB_PUBLIC_ORIGIN = define("keyhole.web.public-origin", "", Values.text());
    /** The HTTPS port plain HTTP requests are redirected to (443 is left out of the URL). */
    public static final Setting<Integer> WEB_HTTPS_PORT = define("keyhole.web.https-port", "8443", Values.integerBetween(1, 65535));
    /** Strict-Transport-Security max-age; 0 sends no HSTS header. */
    public static final Setting<Integer> WEB_HSTS_MAX_AGE =
            define("keyhole.web.hsts-max-age-seconds", "63072000", Values.integerBetween(0, 2 * 63072000));
    /** Whether HSTS covers subdomains. */
    public static final Setting<Boolean> WEB_HSTS_INCLUDE_SUBDOMAINS =
            define("keyhole.web.hsts-include-subdomains", "true", Values.bool());
    /** Whether HSTS asks for preloading (only for a domain submitted to the preload list). */
    public static final Setting<Boolean> WEB_HSTS_PRELOAD = define("keyhole.web.hsts-preload", "false", Values.bool());
    /** The Content-Security-Policy of every response; {@code none}: no such header (empty is the default). */
    public static final Setting<String> WEB_CONTENT_SECURITY_POLICY = define("keyhole.web.content-security-policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
                    + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'",
            Values.headerValueOrNone());
    /** The Referrer-Policy of every response. */
    public static final Setting<String> WEB_REFERRER_POLICY = define("keyhole.web.referrer-policy", "no-referrer", Values.headerValue());
    /** The Permissions-Policy of every response. */
    public static final Setting<String> WEB_PERMISSIONS_POLICY = define("keyhole.web.permissions-policy",
            "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()", Values.headerValue());
    /** How long a browser may cache a CORS preflight answer. */
    public static final Setting<Integer> WEB_CORS_MAX_AGE =
            define("keyhole.web.cors-max-age-seconds", "600", Values.integerBetween(0, 86400));

    // --- the perimeter: connection limits -----------------------------------------------------------------

    /** Open WebSocket connections with a client certificate, in total; over it, new handshakes get 503. */
    public static final Setting<Integer> LIMITS_MAX_CONNECTIONS =
            define("keyhole.limits.max-connections", "10000", Values.integerBetween(1, 10_000_000));
    /**
     * Open WebSocket connections with a client certificate per client address (an IPv6 /64 counts as one); over it,
     * 429.
     */
    public static final Setting<Integer> LIMITS_MAX_PER_ADDRESS =
            define("keyhole.limits.max-connections-per-address", "200", Values.integerBetween(1, 10_000_000));
    /** Open WebSocket connections without a client certificate, in total (a pool of their own); over it, 503. */
    public static final Setting<Integer> LIMITS_MAX_ANONYMOUS =
            define("keyhole.limits.max-anonymous-connections", "1000", Values.integerBetween(0, 10_000_000));
    /** Open WebSocket connections without a client certificate per client address; over it, 429. */
    public static final Setting<Integer> LIMITS_MAX_ANONYMOUS_PER_ADDRESS =
            define("keyhole.limits.max-anonymous-connections-per-address", "20", Values.integerBetween(0, 10_000_000));
    /** Open WebSocket connections per certificate identity; over it, 429. */
    public static final Setting<Integer> LIMITS_MAX_PER_IDENTITY =
            define("keyhole.limits.max-connections-per-identity", "20", Values.integerBetween(1, 10_000_000));
    /** WebSocket handshakes per second per client address, on average; over it, 429. */
    public static final Setting<Integer> LIMITS_HANDSHAKE_RATE =
            define("keyhole.limits.handshakes-per-second-per-address", "20", Values.integerBetween(1, 1_000_000));
    /** WebSocket handshakes a client address may make in a burst. */
    public static final Setting<Integer> LIMITS_HANDSHAKE_BURST =
            define("keyhole.limits.handshake-burst-per-address", "50", Values.integerBetween(1, 1_000_000));

    // --- every WebSocket endpoint ------------------------------------------------------------------------

    /** How long a connection may go without a frame from the client (a pong counts) before it is closed. */
    public static final Setting<Integer> WS_IDLE_TIMEOUT_SECONDS =
            define("keyhole.ws.idle-timeout-seconds", "120", Values.integerBetween(2, 86400));
    /** How often a quiet connection is pinged; below every listener and proxy read timeout. */
    public static final Setting<Integer> WS_PING_INTERVAL_SECONDS =
            define("keyhole.ws.ping-interval-seconds", "30", Values.integerBetween(1, 86400));
    /**
     * How long stopping waits for open connections to finish closing after telling them 1001 (the server's own
     * shutdown grace must be at least as long; see docs/architecture.md).
     */
    public static final Setting<Integer> WS_SHUTDOWN_GRACE_SECONDS =
            define("keyhole.ws.shutdown-grace-seconds", "1", Values.integerBetween(0, 300));

    /** How many messages may wait to be sent to one session before it is closed as a slow consumer. */
    public static final Setting<Integer> WS_SEND_QUEUE_MESSAGES =
            define("keyhole.ws.send-queue-messages", "512", Values.integerBetween(1, 1_000_000));
    /** How many bytes may wait to be sent to one session before it is closed as a slow consumer. */
    public static final Setting<Integer> WS_SEND_QUEUE_BYTES =
            define("keyhole.ws.send-queue-bytes", "1048576", Values.integerBetween(1024, 256 * 1024 * 1024));
    /** How long one send may take before the session is closed as a slow consumer. */
    public static final Setting<Integer> WS_SEND_TIMEOUT_SECONDS =
            define("keyhole.ws.send-timeout-seconds", "30", Values.integerBetween(1, 3600));

    /**
     * On Tyrus (Payara), give each session, and the container that makes the sessions, an executor that skips Tyrus's
     * no-op idle-timer tasks (TyrusIdleTimer). Off: Tyrus as shipped. Does nothing on other containers.
     */
    public static final Setting<Boolean> WS_TYRUS_IDLE_TIMER_BYPASS =
            define("keyhole.ws.tyrus-idle-timer-bypass", "true", Values.bool());
    /**
     * On Payara, let go of what Grizzly and Tyrus keep for an upgraded connection but no longer need (UpgradeTrim).
     * Off: Payara as shipped. Does nothing on other containers.
     */
    public static final Setting<Boolean> WS_UPGRADE_TRIM = define("keyhole.ws.upgrade-trim", "true", Values.bool());

    // --- authentication: locations ------------------------------------------------------------------------

    /** The named locations, in the order in which their paths are matched. */
    public static final Setting<List<String>> AUTH_LOCATIONS =
            define("keyhole.auth.locations", "chat,echo,whoami,page", Values.names());
    /** The path patterns of a location. */
    public static final Setting<List<String>> AUTH_LOCATION_PATHS =
            define("keyhole.auth.location.<name>.paths", "", Values.list(','));
    /** Whether a location requires a client certificate or merely accepts one. */
    public static final Setting<String> AUTH_LOCATION_CERTIFICATE =
            define("keyhole.auth.location.<name>.certificate", "required", Values.oneOf("required", "optional"));
    /** Which certificate subjects a location admits (none listed: any subject the CA certified). */
    public static final Setting<List<String>> AUTH_LOCATION_SUBJECTS =
            define("keyhole.auth.location.<name>.subjects", "", Values.list(';'));
    /** Which client addresses a location admits (none listed: any address). */
    public static final Setting<List<String>> AUTH_LOCATION_ADDRESSES =
            define("keyhole.auth.location.<name>.addresses", "", Values.list(','));

    /** The roles of which an identity needs one in a location (none listed: no role needed). */
    public static final Setting<List<String>> AUTH_LOCATION_ROLES =
            define("keyhole.auth.location.<name>.roles", "", Values.names());
    /** Where a request without a certificate is admitted to a location that requires one (none listed: nowhere). */
    public static final Setting<List<String>> AUTH_LOCATION_ANONYMOUS_ADDRESSES =
            define("keyhole.auth.location.<name>.anonymous-addresses", "", Values.list(','));

    static {
        // The operations locations: built in, matched before every other, with fixed paths (docs/operations.md).
        define("keyhole.auth.location.health.roles", "admin,metrics", Values.names());
        define("keyhole.auth.location.health.anonymous-addresses", "127.0.0.0/8,::1", Values.list(','));
        define("keyhole.auth.location.metrics.roles", "metrics", Values.names());
        define("keyhole.auth.location.admin.roles", "admin", Values.names());
        define("keyhole.auth.location.chat.paths", "/chat/*", Values.list(','));
        define("keyhole.auth.location.chat.certificate", "required", Values.oneOf("required", "optional"));
        define("keyhole.auth.location.echo.paths", "/echo", Values.list(','));
        define("keyhole.auth.location.echo.certificate", "optional", Values.oneOf("required", "optional"));
        define("keyhole.auth.location.whoami.paths", "/whoami", Values.list(','));
        define("keyhole.auth.location.whoami.certificate", "optional", Values.oneOf("required", "optional"));
        define("keyhole.auth.location.page.paths", "/,/index.html,/assets/*", Values.list(','));
        define("keyhole.auth.location.page.certificate", "optional", Values.oneOf("required", "optional"));
    }

    /** Whether a path that no location matches requires a certificate. */
    public static final Setting<String> AUTH_DEFAULT_CERTIFICATE =
            define("keyhole.auth.default-certificate", "required", Values.oneOf("required", "optional"));

    // --- authentication: certificates ---------------------------------------------------------------------

    /** PEM file with the CA certificates that client certificates must chain to (none: the JVM truststore). */
    public static final Setting<String> AUTH_CA_FILE = define("keyhole.auth.ca-file", "", Values.text());
    /** How many CA certificates may stand above a client certificate, its trust anchor included. */
    public static final Setting<Integer> AUTH_MAX_CHAIN_DEPTH =
            define("keyhole.auth.max-chain-depth", "1", Values.integerBetween(1, 10));
    /** Serial numbers (hex) that are refused whatever their CA says. */
    public static final Setting<List<String>> AUTH_DENIED_SERIALS =
            define("keyhole.auth.denied-serials", "", Values.list(','));

    // --- authentication: revocation -----------------------------------------------------------------------

    /** CRL files (PEM or DER), reloaded when they change. */
    public static final Setting<List<String>> AUTH_CRL_FILES = define("keyhole.auth.crl-files", "", Values.list(','));
    /** Which certificates of a path are checked against the CRLs: chain (all but the trust anchor) or leaf. */
    public static final Setting<String> AUTH_CRL_CHECK =
            define("keyhole.auth.crl-check", "chain", Values.oneOf("chain", "leaf"));
    /** Accept certificates when their CRL is missing, unreadable or past its next update (insecure). */
    public static final Setting<Boolean> AUTH_CRL_FAIL_OPEN = define("keyhole.auth.crl-fail-open", "false", Values.bool());
    /** How often CRL files are checked for changes and open sessions for revoked or expired certificates. */
    public static final Setting<Integer> AUTH_CHECK_INTERVAL_SECONDS =
            define("keyhole.auth.check-interval-seconds", "10", Values.integerBetween(1, 3600));
    /**
     * How many certificate verdicts (validated path or refusal, per presented chain and CRL generation) are
     * remembered, so that a client's repeated requests are not validated again; 0: none.
     */
    public static final Setting<Integer> AUTH_DECISION_CACHE_SIZE =
            define("keyhole.auth.decision-cache-size", "10000", Values.integerBetween(0, 1_000_000));

    // --- authentication: audit ----------------------------------------------------------------------------

    /**
     * The java.util.logging level of the audit line of an accepted request that is not a WebSocket handshake (the
     * page and its assets); refusals stay at WARNING and accepted handshakes at INFO.
     */
    public static final Setting<String> AUTH_AUDIT_ASSETS_LEVEL = define("keyhole.auth.audit-assets-level", "fine",
            Values.oneOf("off", "severe", "warning", "info", "config", "fine", "finer", "finest"));

    // --- authentication: roles ----------------------------------------------------------------------------

    /** The roles that identities may have. */
    public static final Setting<List<String>> AUTH_ROLES = define("keyhole.auth.roles", "", Values.names());
    /** The subjects that have a role. */
    public static final Setting<List<String>> AUTH_ROLE_SUBJECTS =
            define("keyhole.auth.role.<name>.subjects", "", Values.list(';'));

    // --- authentication: behind a TLS-terminating proxy ---------------------------------------------------

    /** Addresses of trusted proxies (CIDR); only these may forward a client certificate or a client address. */
    public static final Setting<List<String>> AUTH_PROXY_ADDRESSES =
            define("keyhole.auth.proxy.addresses", "", Values.list(','));
    /**
     * Subject rules for the client certificate a trusted proxy presents to Keyhole; a connection from a proxy address
     * is the proxy only with a valid certificate these admit. Required with keyhole.auth.proxy.addresses, unless
     * keyhole.auth.proxy.trust-address-only is chosen.
     */
    public static final Setting<List<String>> AUTH_PROXY_SUBJECTS =
            define("keyhole.auth.proxy.subjects", "", Values.list(';'));
    /** Trust a proxy by its address alone, without its client certificate (insecure: any local process can forward). */
    public static final Setting<Boolean> AUTH_PROXY_TRUST_ADDRESS_ONLY =
            define("keyhole.auth.proxy.trust-address-only", "false", Values.bool());
    /** The header in which a trusted proxy forwards the client certificate. */
    public static final Setting<String> AUTH_PROXY_CERTIFICATE_HEADER =
            define("keyhole.auth.proxy.certificate-header", "Client-Cert", Values.text());
    /** The header in which a trusted proxy forwards the rest of the chain (RFC 9440). */
    public static final Setting<String> AUTH_PROXY_CHAIN_HEADER =
            define("keyhole.auth.proxy.chain-header", "Client-Cert-Chain", Values.text());
    /** The header in which a trusted proxy forwards the client address. */
    public static final Setting<String> AUTH_PROXY_FORWARDED_FOR_HEADER =
            define("keyhole.auth.proxy.forwarded-for-header", "X-Forwarded-For", Values.text());

    private final String key;
    private final String defaultValue;
    private final Function<String, T> parser;

    private Setting(String key, String defaultValue, Function<String, T> parser) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.parser = parser;
    }

    private static <T> Setting<T> define(String key, String defaultValue, Function<String, T> parser) {
        Setting<T> setting = new Setting<>(key, defaultValue, parser);
        setting.parse(defaultValue); // a default that its own parser rejects is a programming error
        ALL.add(setting);
        return setting;
    }

    /** Every declared setting and template, in declaration order. */
    public static List<Setting<?>> all() {
        return Collections.unmodifiableList(ALL);
    }

    public String key() {
        return key;
    }

    public String defaultValue() {
        return defaultValue;
    }

    /** Whether this is a template for a family of keys, with {@code <name>} in its key. */
    public boolean isTemplate() {
        return key.contains(NAME);
    }

    /** The member of this template's family for the given name, e.g. the paths of location {@code chat}. */
    @SuppressWarnings("unchecked")
    public Setting<T> of(String name) {
        if (!isTemplate()) {
            throw new IllegalStateException(key + " is not a template");
        }
        String concrete = key.replace(NAME, name);
        for (Setting<?> declared : ALL) {
            if (declared.key.equals(concrete)) {
                return (Setting<T>) declared;
            }
        }
        return new Setting<>(concrete, defaultValue, parser);
    }

    /**
     * Parses a raw value.
     *
     * @throws IllegalArgumentException with a message that says what is accepted
     */
    T parse(String raw) {
        return parser.apply(Objects.requireNonNull(raw, "raw"));
    }

    @Override
    public String toString() {
        return key;
    }
}
