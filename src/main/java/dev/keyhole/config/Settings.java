package dev.keyhole.config;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Typed, validated access to configuration values. In the server the raw values come from MicroProfile Config
 * (system properties, environment, server config); in unit tests from a map. A blank value counts as not set, as
 * MicroProfile Config has it (an empty value is no value): it gives the default. A setting that can be switched off
 * takes a word for that (e.g. {@code none}), never an empty value.
 */
public final class Settings {

    private final Function<String, Optional<String>> source;

    public Settings(Function<String, Optional<String>> source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    /** Settings backed by a map of raw values; keys that are absent take their defaults. */
    public static Settings of(Map<String, String> values) {
        Map<String, String> copy = Map.copyOf(values);
        return new Settings(key -> Optional.ofNullable(copy.get(key)));
    }

    /**
     * The value of a setting: the configured one, or the default when none is configured.
     *
     * @throws InvalidSettingException when the configured value is not accepted
     */
    public <T> T get(Setting<T> setting) {
        String raw = raw(setting);
        try {
            return setting.parse(raw);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(setting, raw, e.getMessage());
        }
    }

    /**
     * The value of a setting interpreted as a domain type, e.g. a list of texts as path patterns.
     *
     * @throws InvalidSettingException when the value is not accepted, by the setting or by {@code interpret}
     */
    public <T, R> R get(Setting<T> setting, Function<? super T, R> interpret) {
        T value = get(setting);
        try {
            return interpret.apply(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(setting, raw(setting), e.getMessage());
        }
    }

    /** Whether the setting is left at its default. */
    public boolean isDefault(Setting<?> setting) {
        return configured(setting).isEmpty();
    }

    private String raw(Setting<?> setting) {
        return configured(setting).orElse(setting.defaultValue());
    }

    private Optional<String> configured(Setting<?> setting) {
        return source.apply(setting.key()).map(String::strip).filter(value -> !value.isEmpty());
    }
}
