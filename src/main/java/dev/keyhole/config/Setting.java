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
 * @param <T> the type of the parsed value
 */
public final class Setting<T> {

    private static final List<Setting<?>> ALL = new ArrayList<>();

    /** Largest text or binary message the echo endpoint accepts, in bytes; larger ones close with 1009. */
    public static final Setting<Integer> ECHO_MAX_MESSAGE_BYTES =
            define("keyhole.echo.max-message-bytes", "65536", Values.integerBetween(1, 16 * 1024 * 1024));

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

    /** Every declared setting, in declaration order. */
    public static List<Setting<?>> all() {
        return Collections.unmodifiableList(ALL);
    }

    public String key() {
        return key;
    }

    public String defaultValue() {
        return defaultValue;
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
