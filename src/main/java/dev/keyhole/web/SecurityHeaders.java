package dev.keyhole.web;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The security headers of every response: a strict Content-Security-Policy (the page needs only its own scripts,
 * styles and images, and WebSockets to its own origin), no framing, no sniffing, no referrer, no powerful browser
 * features, a same-origin opener and resource policy — and HSTS, over HTTPS only.
 */
public final class SecurityHeaders {

    private final Map<String, String> always = new LinkedHashMap<>();
    private final String hsts;

    /**
     * @param contentSecurityPolicy the policy; empty sends none (a warning at startup)
     * @param referrerPolicy empty sends none
     * @param permissionsPolicy empty sends none
     * @param hstsMaxAge seconds; 0 sends no HSTS header
     */
    public SecurityHeaders(String contentSecurityPolicy, String referrerPolicy, String permissionsPolicy,
            int hstsMaxAge, boolean hstsIncludeSubdomains, boolean hstsPreload) {
        always.put("Content-Security-Policy", contentSecurityPolicy);
        always.put("X-Content-Type-Options", "nosniff");
        always.put("X-Frame-Options", "DENY");
        always.put("Referrer-Policy", referrerPolicy);
        always.put("Permissions-Policy", permissionsPolicy);
        always.put("Cross-Origin-Opener-Policy", "same-origin");
        always.put("Cross-Origin-Resource-Policy", "same-origin");
        always.values().removeIf(String::isEmpty);
        hsts = hstsMaxAge <= 0 ? null : "max-age=" + hstsMaxAge + (hstsIncludeSubdomains ? "; includeSubDomains" : "")
                + (hstsPreload ? "; preload" : "");
    }

    /** The headers for a response over HTTPS ({@code secure}) or plain HTTP. */
    public Map<String, String> headers(boolean secure) {
        Map<String, String> headers = new LinkedHashMap<>(always);
        if (secure && hsts != null) {
            headers.put("Strict-Transport-Security", hsts);
        }
        return headers;
    }
}
