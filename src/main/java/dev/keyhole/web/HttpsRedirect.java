package dev.keyhole.web;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Where a plain-HTTP request is sent: the configured public origin, or else the HTTPS listener on the address the
 * request came in on — never a name from the request's {@code Host} header, which the client chooses (an open
 * redirect, and a way to poison caches). The path is the canonical one ({@link RequestPath}); the query is passed
 * on with every character outside RFC 3986 percent-encoded, so nothing in it can end the header or the URL.
 *
 * @param publicOrigin the configured {@code https://} origin, or empty for "the local address"
 * @param httpsPort the HTTPS listener's port, used without a public origin (443 is left out)
 */
public record HttpsRedirect(Optional<Origin> publicOrigin, int httpsPort) {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** Parses {@code keyhole.web.public-origin}: empty, or an {@code https://host[:port]} origin. */
    public static Optional<Origin> parsePublicOrigin(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        Origin origin = Origin.parse(text).orElseThrow(() -> new IllegalArgumentException(
                "'" + text + "' is not an origin (https://host[:port], no path)"));
        if (!origin.scheme().equals("https")) {
            throw new IllegalArgumentException("the public origin must be https:// (plain HTTP is what is redirected)");
        }
        return Optional.of(origin);
    }

    /**
     * The redirect target.
     *
     * @param localAddress the address the request came in on ({@code getLocalAddr()}), IPv4 or IPv6
     * @param canonicalPath the request's canonical path
     * @param query the raw query string, or null
     */
    public String target(String localAddress, String canonicalPath, String query) {
        return base(localAddress) + canonicalPath + (query == null ? "" : "?" + encodeQuery(query));
    }

    /** The origin requests are sent to, for the startup log: the public origin, or a description of the default. */
    public String describe() {
        return publicOrigin.map(Origin::toString).orElse("https://<local address>" + port());
    }

    private String base(String localAddress) {
        if (publicOrigin.isPresent()) {
            return publicOrigin.get().toString();
        }
        String host = localAddress;
        int zone = host.indexOf('%');
        if (zone >= 0) {
            host = host.substring(0, zone); // an IPv6 zone is local to this machine, and a '%' in a URL an escape
        }
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return "https://" + host + port();
    }

    private String port() {
        return httpsPort == 443 ? "" : ":" + httpsPort;
    }

    /**
     * The query with every character that RFC 3986 does not allow in a query percent-encoded (as UTF-8), and every
     * {@code %} that does not start an escape encoded as {@code %25}: what is already valid stays as it is.
     */
    static String encodeQuery(String query) {
        StringBuilder encoded = new StringBuilder(query.length());
        for (int i = 0; i < query.length(); i++) {
            char c = query.charAt(i);
            if (c == '%' && i + 2 < query.length() && isHex(query.charAt(i + 1)) && isHex(query.charAt(i + 2))) {
                encoded.append(c);
            } else if (c != '%' && c < 0x80 && (RequestPath.isPathCharacter(c) || c == '?' || c == ';')) {
                encoded.append(c);
            } else {
                int end = Character.isHighSurrogate(c) && i + 1 < query.length() ? i + 2 : i + 1;
                for (byte b : query.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                    encoded.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
                }
                i = end - 1;
            }
        }
        return encoded.toString();
    }

    private static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }
}
