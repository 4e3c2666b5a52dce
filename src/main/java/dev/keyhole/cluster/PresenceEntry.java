package dev.keyhole.cluster;

import dev.keyhole.chat.Roster;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.util.Optional;

/**
 * A member in a room's presence set in Redis: which node has it, and who it is — written as a JSON array, the same
 * text every time, so that a node can refresh or remove exactly its own entry.
 */
record PresenceEntry(String node, Roster.Member member) {

    private static final JsonProvider JSON = JsonProvider.provider();

    String encode() {
        return JSON.createArrayBuilder().add(node).add(member.key()).add(member.name()).add(member.tag())
                .add(member.subject()).add(member.issuer()).build().toString();
    }

    /** Reads an entry; anything else in the set (not written by Keyhole) is skipped. */
    static Optional<PresenceEntry> decode(String text) {
        try {
            JsonArray fields = JSON.createReader(new StringReader(text)).readArray();
            if (fields.size() != 6) {
                return Optional.empty();
            }
            return Optional.of(new PresenceEntry(fields.getString(0), new Roster.Member(fields.getString(1),
                    fields.getString(2), fields.getString(3), fields.getString(4), fields.getString(5))));
        } catch (JsonException | ClassCastException | IllegalStateException e) {
            return Optional.empty();
        }
    }
}
