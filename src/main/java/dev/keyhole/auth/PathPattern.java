package dev.keyhole.auth;

/**
 * A path pattern as in servlet mappings: {@code /echo} matches that path only, {@code /chat/*} matches
 * {@code /chat} and every path below it, {@code /*} matches every path.
 */
public record PathPattern(String pattern) {

    public PathPattern {
        String rest = pattern.endsWith("/*") ? pattern.substring(0, pattern.length() - 2) : pattern;
        if (!pattern.startsWith("/") || rest.contains("*")) {
            throw new IllegalArgumentException("'" + pattern + "' is not a path pattern (/exact, /prefix/* or /*)");
        }
    }

    public static PathPattern parse(String pattern) {
        return new PathPattern(pattern.strip());
    }

    public boolean matches(String path) {
        if (!pattern.endsWith("/*")) {
            return pattern.equals(path);
        }
        String prefix = pattern.substring(0, pattern.length() - 2);
        return prefix.isEmpty() || path.equals(prefix) || path.startsWith(prefix + "/");
    }

    @Override
    public String toString() {
        return pattern;
    }
}
