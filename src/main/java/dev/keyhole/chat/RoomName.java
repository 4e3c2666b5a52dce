package dev.keyhole.chat;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A valid room name: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit and not ending with
 * '.' (a path segment ending in a dot is refused before routing, see docs/perimeter.md). Names are case-insensitive:
 * {@code /chat/Ops} is the room {@code ops}, just as locations match paths without regard to case — so the room a
 * session joins is always the room whose location rules it was checked against.
 */
public record RoomName(String value) {

    private static final Pattern ASCII = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern VALID = Pattern.compile("[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9_-])?");

    public RoomName {
        if (!VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid room name");
        }
    }

    /** The room a path segment names, folded to lower case; empty when it is not a valid name. */
    public static Optional<RoomName> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        // Only ASCII is folded (checked first): Unicode case rules (the Kelvin sign is a 'k') must not make a name.
        return ASCII.matcher(value).matches() && VALID.matcher(value.toLowerCase(Locale.ROOT)).matches()
                ? Optional.of(new RoomName(value.toLowerCase(Locale.ROOT))) : Optional.empty();
    }

    @Override
    public String toString() {
        return value;
    }
}
