package dev.keyhole.web;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A web origin, {@code scheme://host[:port]}, normalised: lower case, the default port of the scheme left out.
 * Two origins are the same only when scheme, host and port are all the same — nothing is matched by suffix or
 * prefix, so {@code https://app.example.com.evil.net} is not {@code https://app.example.com}.
 */
public record Origin(String scheme, String host, int port) {

    private static final Pattern SYNTAX = Pattern.compile(
            "((?i:https?))://(\\[[0-9a-fA-F:.]+]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}[A-Za-z0-9])?)(?::([0-9]{1,5}))?");

    /** Parses an Origin header or a configured origin; empty for {@code null}, paths, userinfo and anything odd. */
    public static Optional<Origin> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher matcher = SYNTAX.matcher(text.strip());
        if (!matcher.matches()) {
            return Optional.empty();
        }
        String scheme = matcher.group(1).toLowerCase(Locale.ROOT);
        int port = matcher.group(3) == null ? defaultPort(scheme) : Integer.parseInt(matcher.group(3));
        if (port < 1 || port > 65535) {
            return Optional.empty();
        }
        return Optional.of(new Origin(scheme, matcher.group(2).toLowerCase(Locale.ROOT), port));
    }

    /** The origin a request was addressed to: its scheme and its Host header. */
    public static Optional<Origin> ofRequest(String scheme, String hostHeader) {
        return hostHeader == null ? Optional.empty() : parse(scheme + "://" + hostHeader);
    }

    static int defaultPort(String scheme) {
        return scheme.equals("https") ? 443 : 80;
    }

    @Override
    public String toString() {
        return scheme + "://" + host + (port == defaultPort(scheme) ? "" : ":" + port);
    }
}
