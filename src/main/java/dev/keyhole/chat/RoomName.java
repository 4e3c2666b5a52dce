package dev.keyhole.chat;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A valid room name: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit and not ending with
 * '.' (a path segment ending in a dot is refused before routing, see docs/perimeter.md).
 */
public record RoomName(String value) {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9_-])?");

    public RoomName {
        if (!VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid room name");
        }
    }

    public static Optional<RoomName> parse(String value) {
        return value != null && VALID.matcher(value).matches() ? Optional.of(new RoomName(value)) : Optional.empty();
    }

    @Override
    public String toString() {
        return value;
    }
}
