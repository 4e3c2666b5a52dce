package dev.keyhole.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;

/** Parsers for setting values; each rejects what it cannot accept with a message that names the accepted form. */
final class Values {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    private Values() {
    }

    static Function<String, Integer> integerBetween(int min, int max) {
        return raw -> {
            try {
                int value = Integer.parseInt(raw.strip());
                if (value >= min && value <= max) {
                    return value;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("expected a whole number from " + min + " to " + max);
        };
    }

    static Function<String, Boolean> bool() {
        return raw -> switch (raw.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("expected true or false");
        };
    }

    static Function<String, String> text() {
        return String::strip;
    }

    /** Text for an HTTP header: trimmed, and no control characters (a line break would start a header of its own). */
    static Function<String, String> headerValue() {
        return raw -> {
            String value = raw.strip();
            if (value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7F)) {
                throw new IllegalArgumentException("control characters are not allowed in a header value");
            }
            return value;
        };
    }

    /**
     * A header value, or the word {@code none} (any case) for no header at all: MicroProfile Config treats an empty
     * value as no value, so "empty" cannot say "none".
     */
    static Function<String, String> headerValueOrNone() {
        Function<String, String> header = headerValue();
        return raw -> raw.strip().equalsIgnoreCase("none") ? "" : header.apply(raw);
    }

    /** One of the given words, compared without regard to case. */
    static Function<String, String> oneOf(String... allowed) {
        return raw -> {
            String value = raw.strip().toLowerCase(Locale.ROOT);
            if (Arrays.asList(allowed).contains(value)) {
                return value;
            }
            throw new IllegalArgumentException("expected one of " + String.join(", ", allowed));
        };
    }

    /** A list separated by {@code separator}; blank entries are dropped, the others trimmed. */
    static Function<String, List<String>> list(char separator) {
        return raw -> split(raw, separator);
    }

    /** A comma-separated list of names: lower-case letters, digits and '-', starting with a letter. */
    static Function<String, List<String>> names() {
        return raw -> {
            List<String> names = split(raw, ',');
            for (String name : names) {
                if (!NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("'" + name + "' is not a valid name "
                            + "(lower-case letters, digits and '-', starting with a letter, at most 32)");
                }
            }
            if (names.size() != names.stream().distinct().count()) {
                throw new IllegalArgumentException("a name appears twice");
            }
            return names;
        };
    }

    static List<String> split(String raw, char separator) {
        return Arrays.stream(raw.split(Pattern.quote(String.valueOf(separator))))
                .map(String::strip)
                .filter(entry -> !entry.isEmpty())
                .toList();
    }

    /** A URI without the user and password it may carry ({@code rediss://user:secret@host} → {@code rediss://***@host}). */
    public static String withoutCredentials(String uri) {
        int scheme = uri.indexOf("://");
        int at = uri.lastIndexOf('@');
        if (scheme < 0 || at < scheme) {
            return uri;
        }
        return uri.substring(0, scheme + 3) + "***" + uri.substring(at);
    }
}
