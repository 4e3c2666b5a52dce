package dev.keyhole.auth;

import java.util.regex.Pattern;

/**
 * A path pattern as in servlet mappings: {@code /echo} matches that path only, {@code /chat/*} matches
 * {@code /chat} and every path below it, {@code /*} matches every path. ASCII letters match in either case.
 */
public record PathPattern(String pattern) {

    /**
     * What the part before {@code /*} must be: a path a request can have at all — canonical segments (see
     * {@code web.RequestPath}: no {@code ;}, {@code %}, empty segment, segment ending in {@code .} or trailing
     * {@code /}). A pattern no request can match would leave its paths to a looser location without a word.
     */
    private static final Pattern CANONICAL = Pattern.compile("(/[A-Za-z0-9._~!$&'()+,=:@-]*[A-Za-z0-9_~!$&'()+,=:@-])*");

    public PathPattern {
        String rest = pattern.endsWith("/*") ? pattern.substring(0, pattern.length() - 2) : pattern;
        if (!pattern.startsWith("/") || rest.contains("*")) {
            throw new IllegalArgumentException("'" + pattern + "' is not a path pattern (/exact, /prefix/* or /*)");
        }
        if (!rest.equals("/") && !CANONICAL.matcher(rest).matches()) {
            throw new IllegalArgumentException("'" + pattern + "' can match no request: requests with ;, %, //, a trailing / "
                    + "or a segment ending in . are refused before any location is looked at");
        }
    }

    public static PathPattern parse(String pattern) {
        return new PathPattern(pattern.strip());
    }

    /**
     * Whether the pattern covers {@code path}, ignoring the case of ASCII letters: {@code /CHAT/ops} falls under the
     * same location as {@code /chat/ops}, whether or not a server routes it anywhere.
     */
    public boolean matches(String path) {
        String candidate = asciiLowerCase(path);
        String lower = asciiLowerCase(pattern);
        if (!lower.endsWith("/*")) {
            return lower.equals(candidate);
        }
        String prefix = lower.substring(0, lower.length() - 2);
        return prefix.isEmpty() || candidate.equals(prefix) || candidate.startsWith(prefix + "/");
    }

    /** Only A-Z are folded: Unicode case rules (the Kelvin sign is a 'k') have no place in path matching. */
    private static String asciiLowerCase(String text) {
        char[] chars = text.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            if (chars[i] >= 'A' && chars[i] <= 'Z') {
                chars[i] = (char) (chars[i] + ('a' - 'A'));
            }
        }
        return new String(chars);
    }

    @Override
    public String toString() {
        return pattern;
    }
}
