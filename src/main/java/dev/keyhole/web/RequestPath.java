package dev.keyhole.web;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The path of a request inside the application, accepted only when it is already canonical — the one spelling that
 * every container, WebSocket router and proxy reads the same way. Containers disagree about everything else: Payara
 * cuts the servlet path at the first {@code ;} while Tyrus strips {@code ;...} from each segment, percent-escapes
 * and dot-segments are decoded and resolved at different stages, and characters outside RFC 3986 make Tyrus fail
 * after the filters. Keyhole needs none of these (room names, assets and endpoints are plain ASCII words), so
 * rather than normalise, it refuses them; what is accepted is then exactly the path that locations are decided on.
 */
public final class RequestPath {

    /** The reason code of every refusal (the {@link Verdict#rule()} says which rule, for the log). */
    public static final String REASON = "bad-path";

    /**
     * The outcome of a check.
     *
     * @param path the canonical path, or null when refused
     * @param rule for a refusal, which rule refused it (a stable word for the log); null when accepted
     */
    public record Verdict(String path, String rule) {

        static Verdict canonical(String path) {
            return new Verdict(path, null);
        }

        static Verdict refused(String rule) {
            return new Verdict(null, rule);
        }

        public boolean accepted() {
            return path != null;
        }
    }

    private RequestPath() {
    }

    /**
     * The file a container serves for a path ending in {@code /} (web.xml's welcome-file-list): Payara maps
     * {@code /} to the servlet path {@code /index.html} before the filters run.
     */
    static final String WELCOME_FILE = "index.html";

    /** The folders whose page is asked for with a trailing slash, as {@code /} is: the admin page. */
    static final java.util.Set<String> PAGE_FOLDERS = java.util.Set.of("/admin/");

    /** The verdict on a request: its raw URI against the path the container computed for servlet mapping. */
    public static Verdict of(HttpServletRequest request) {
        if (request.isRequestedSessionIdFromURL()) {
            // ";jsessionid=..." is cut out of the URI by the container before the application sees it.
            return Verdict.refused("path-parameter");
        }
        return check(request.getRequestURI(), request.getContextPath(), containerPath(request));
    }

    /** The path the container routes on: servlet path and path info, decoded and resolved by the container. */
    public static String containerPath(HttpServletRequest request) {
        String path = (request.getServletPath() == null ? "" : request.getServletPath())
                + (request.getPathInfo() == null ? "" : request.getPathInfo());
        return path.isEmpty() ? "/" : path;
    }

    /**
     * Checks a raw request URI (as sent, without the query string, not decoded).
     *
     * @param requestUri the raw URI path, context path included
     * @param contextPath the application's context path ("" at the root)
     * @param containerPath the path inside the application as the container computed it, or null not to compare
     */
    public static Verdict check(String requestUri, String contextPath, String containerPath) {
        if (requestUri == null || !requestUri.startsWith(contextPath == null ? "" : contextPath)) {
            return Verdict.refused("context");
        }
        String path = requestUri.substring(contextPath == null ? 0 : contextPath.length());
        if (path.isEmpty()) {
            path = "/";
        }
        String rule = firstBrokenRule(path);
        if (rule != null) {
            return Verdict.refused(rule);
        }
        boolean folder = path.equals("/") || PAGE_FOLDERS.contains(path);
        if (containerPath != null && !containerPath.equals(path) && !(folder && containerPath.equals(path + WELCOME_FILE))) {
            return Verdict.refused("container-mismatch");
        }
        return Verdict.canonical(path);
    }

    /** The first rule the path breaks, or null when it is canonical. */
    static String firstBrokenRule(String path) {
        if (!path.startsWith("/")) {
            return "not-absolute";
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == ';') {
                return "path-parameter";
            }
            if (c == '%') {
                return "percent-escape";
            }
            if (c == '\\') {
                return "backslash";
            }
            if (c < 0x20 || c == 0x7F) {
                return "control-character";
            }
            if (c > 0x7F) {
                return "non-ascii";
            }
            if (!isPathCharacter(c)) {
                return "character";
            }
        }
        if (path.equals("/") || PAGE_FOLDERS.contains(path)) {
            return null;
        }
        if (path.endsWith("/")) {
            return "trailing-slash";
        }
        for (String segment : path.substring(1).split("/", -1)) {
            if (segment.isEmpty()) {
                return "empty-segment";
            }
            if (segment.endsWith(".")) {
                return "dot-segment";
            }
        }
        return null;
    }

    /**
     * RFC 3986 {@code pchar} or {@code /}, without {@code %} (no escapes) and {@code ;} (no path parameters):
     * ALPHA, DIGIT, {@code - . _ ~ ! $ & ' ( ) * + , = : @}.
     */
    static boolean isPathCharacter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~!$&'()*+,=:@/".indexOf(c) >= 0;
    }
}
