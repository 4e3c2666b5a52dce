package dev.keyhole.web;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CORS for Keyhole's HTTP resources: only an allow-listed origin is echoed in Access-Control-Allow-Origin (never
 * {@code *}, since credentials — the client certificate — are always involved), every answer varies by Origin,
 * and a preflight is answered for GET and HEAD only.
 */
public final class Cors {

    /** What to answer: the CORS headers, and for a refused preflight nothing but 403. */
    public record Answer(Map<String, String> headers, boolean preflight, boolean refused) {
        public Answer {
            headers = Map.copyOf(headers);
        }
    }

    private static final String METHODS = "GET, HEAD";

    private final int maxAgeSeconds;

    public Cors(int maxAgeSeconds) {
        this.maxAgeSeconds = maxAgeSeconds;
    }

    /**
     * @param verdict the origin policy's verdict on the request's Origin
     * @param origin the request's Origin header, or null
     * @param method the request method
     * @param preflightMethod the Access-Control-Request-Method header, or null
     */
    public Answer answer(OriginPolicy.Verdict verdict, String origin, String method, String preflightMethod) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Vary", "Origin");
        // What is echoed is the origin as parsed, not the header as sent.
        String echoed = Origin.parse(origin).map(Origin::toString).orElse(null);
        boolean preflight = "OPTIONS".equals(method) && origin != null && preflightMethod != null;
        boolean crossOriginAllowed = verdict == OriginPolicy.Verdict.ALLOWED;
        if (preflight) {
            boolean methodAllowed = preflightMethod.equals("GET") || preflightMethod.equals("HEAD");
            if (!(verdict.accepted() && origin != null) || !methodAllowed) {
                return new Answer(headers, true, true);
            }
            if (crossOriginAllowed && echoed != null) {
                headers.put("Access-Control-Allow-Origin", echoed);
                headers.put("Access-Control-Allow-Credentials", "true");
            }
            headers.put("Access-Control-Allow-Methods", METHODS);
            headers.put("Access-Control-Max-Age", Integer.toString(maxAgeSeconds));
            return new Answer(headers, true, false);
        }
        if (crossOriginAllowed && echoed != null) {
            headers.put("Access-Control-Allow-Origin", echoed);
            headers.put("Access-Control-Allow-Credentials", "true");
        }
        return new Answer(headers, false, false);
    }
}
