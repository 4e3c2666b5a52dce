package dev.keyhole.config;

import java.util.function.Function;

/** Parsers for setting values; each rejects what it cannot accept with a message that names the accepted form. */
final class Values {

    private Values() {
    }

    static Function<String, Integer> integerBetween(int min, int max) {
        return raw -> {
            int value;
            try {
                value = Integer.parseInt(raw.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a whole number from " + min + " to " + max);
            }
            if (value < min || value > max) {
                throw new IllegalArgumentException("expected a whole number from " + min + " to " + max);
            }
            return value;
        };
    }
}
