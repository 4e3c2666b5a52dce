package dev.keyhole.log;

import java.util.regex.Pattern;

/**
 * One structured log line, {@code event=name key=value ...}, safe for values a client controls: a value with
 * spaces, quotes or {@code =} is quoted, unsafe characters are escaped and long values are cut, so a value can
 * never start a new line or a new field.
 */
public final class LogLine {

    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_.-]*");
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._:/@+,\\-\\[\\]]+");
    private static final int MAX_VALUE = 256;

    private final StringBuilder line = new StringBuilder(128);

    private LogLine(String event) {
        append("event", event);
    }

    /** A line for the named event, e.g. {@code ws.open}. */
    public static LogLine event(String name) {
        return new LogLine(name);
    }

    /** Adds a field; a {@code null} value is written as {@code -}. */
    public LogLine with(String key, Object value) {
        return append(key, value);
    }

    private LogLine append(String key, Object value) {
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("log key must match " + KEY.pattern() + ": " + key);
        }
        if (line.length() > 0) {
            line.append(' ');
        }
        line.append(key).append('=').append(format(value));
        return this;
    }

    static String format(Object value) {
        if (value == null) {
            return "-";
        }
        String text = value.toString();
        if (!text.isEmpty() && text.length() <= MAX_VALUE && PLAIN.matcher(text).matches()) {
            return text;
        }
        String safe = SafeText.of(text, MAX_VALUE).replace("\"", "\\\"");
        return '"' + safe + '"';
    }

    @Override
    public String toString() {
        return line.toString();
    }
}
