package dev.keyhole.ops;

import dev.keyhole.ws.SessionRuntime.OpenSession;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * Which connections an admin request is about: any of subject, issuer, serial, fingerprint, room, node and session
 * (one connection, as the admin page picks it), all of which must match. Distinguished names compare as names (so spacing and attribute case do not matter), serials and
 * fingerprints as hex without colons, case and leading zeros. An empty filter matches every connection. Plain Java.
 */
public record ConnectionFilter(Map<String, String> keys) {

    /** The filter keys, as query parameters and as the arguments a question to the other nodes carries. */
    public static final Set<String> KEYS = Set.of("subject", "issuer", "serial", "fingerprint", "room", "node", "session");
    private static final int MAX_VALUE = 1024;

    /** A request that cannot be answered: its stable reason code (400). */
    public static final class Invalid extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        private final String reason;

        public Invalid(String reason, String message) {
            super(message);
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    public ConnectionFilter {
        keys = Map.copyOf(keys);
    }

    /**
     * The filter in a request's parameters; other parameters named in {@code alsoAllowed} are left alone, any other is
     * refused (a misspelt key must not widen a disconnect to everyone).
     *
     * @throws Invalid with reason {@code bad-filter}
     */
    public static ConnectionFilter of(Map<String, String> parameters, Set<String> alsoAllowed) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (Map.Entry<String, String> parameter : parameters.entrySet()) {
            String key = parameter.getKey();
            String value = parameter.getValue() == null ? "" : parameter.getValue().strip();
            if (alsoAllowed.contains(key)) {
                continue;
            }
            if (!KEYS.contains(key)) {
                throw new Invalid("bad-filter", "unknown filter key (known: subject, issuer, serial, fingerprint, room, node, session)");
            }
            if (value.isEmpty() || value.length() > MAX_VALUE) {
                throw new Invalid("bad-filter", "a filter value is empty or longer than " + MAX_VALUE + " characters");
            }
            if (key.equals("subject") || key.equals("issuer")) {
                name(value);
            }
            if (key.equals("room")) {
                value = dev.keyhole.chat.RoomName.parse(value).map(dev.keyhole.chat.RoomName::value)
                        .orElseThrow(() -> new Invalid("bad-filter", "room is a room name"));
            }
            if ((key.equals("serial") || key.equals("fingerprint")) && hex(value).isEmpty()) {
                throw new Invalid("bad-filter", key + " is hex digits (colons allowed)");
            }
            keys.put(key, value);
        }
        return new ConnectionFilter(keys);
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }

    /** Whether the connection, open on {@code node}, matches every key. */
    public boolean matches(OpenSession session, String node) {
        for (Map.Entry<String, String> key : keys.entrySet()) {
            String wanted = key.getValue();
            boolean matched = switch (key.getKey()) {
                case "node" -> wanted.equals(node);
                case "session" -> wanted.equals(session.id());
                case "room" -> wanted.equals(room(session));
                case "subject" -> session.identity().map(id -> sameName(id.subject(), wanted)).orElse(false);
                case "issuer" -> session.identity().map(id -> sameName(id.issuer(), wanted)).orElse(false);
                case "serial" -> session.identity().map(id -> sameHex(id.serial(), wanted)).orElse(false);
                case "fingerprint" -> session.identity().map(id -> sameHex(id.fingerprint(), wanted)).orElse(false);
                default -> false;
            };
            if (!matched) {
                return false;
            }
        }
        return true;
    }

    /**
     * The room a session is in, as the chat names it (room names are case-insensitive: {@code /chat/OPS} is room
     * {@code ops}), or null.
     */
    static String room(OpenSession session) {
        String raw = session.pathParameters().get("room");
        return raw == null ? null : dev.keyhole.chat.RoomName.parse(raw).map(dev.keyhole.chat.RoomName::value).orElse(null);
    }

    /** The keys as they appear in an audit line: {@code subject=…;room=…}, or {@code all}. */
    public String describe() {
        if (keys.isEmpty()) {
            return "all";
        }
        StringBuilder text = new StringBuilder();
        for (String key : List.of("subject", "issuer", "serial", "fingerprint", "room", "node", "session")) {
            if (keys.containsKey(key)) {
                text.append(text.length() == 0 ? "" : ";").append(key).append('=').append(keys.get(key));
            }
        }
        return text.toString();
    }

    private static X500Principal name(String text) {
        try {
            return new X500Principal(text);
        } catch (IllegalArgumentException e) {
            throw new Invalid("bad-filter", "subject and issuer are distinguished names, e.g. CN=alice,O=Example");
        }
    }

    private static boolean sameName(String actual, String wanted) {
        try {
            return new X500Principal(actual).equals(new X500Principal(wanted));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Hex digits only, lower case, without leading zeros; empty when the text is not hex. */
    private static String hex(String text) {
        String digits = text.replace(":", "").toLowerCase(Locale.ROOT);
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
            return "";
        }
        return digits.replaceFirst("^0+(?=.)", "");
    }

    private static boolean sameHex(String actual, String wanted) {
        String a = hex(actual);
        return !a.isEmpty() && a.equals(hex(wanted));
    }
}
