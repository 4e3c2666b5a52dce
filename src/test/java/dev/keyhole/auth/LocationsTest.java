package dev.keyhole.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LocationsTest {

    private static Location location(String name, String... patterns) {
        return new Location(name, List.of(patterns).stream().map(PathPattern::parse).toList(), true, List.of(), List.of());
    }

    @Test
    void an_exact_pattern_matches_only_its_path() {
        assertTrue(PathPattern.parse("/echo").matches("/echo"));
        assertFalse(PathPattern.parse("/echo").matches("/echo/x"));
        assertFalse(PathPattern.parse("/echo").matches("/echoes"));
    }

    @Test
    void a_prefix_pattern_matches_the_prefix_and_below_but_not_lookalikes() {
        PathPattern chat = PathPattern.parse("/chat/*");

        assertTrue(chat.matches("/chat"));
        assertTrue(chat.matches("/chat/ops"));
        assertFalse(chat.matches("/chatter"));
    }

    @Test
    void patterns_match_ascii_letters_in_either_case() {
        assertTrue(PathPattern.parse("/chat/ops").matches("/CHAT/OPS"));
        assertTrue(PathPattern.parse("/chat/ops").matches("/Chat/oPs"));
        assertTrue(PathPattern.parse("/CHAT/*").matches("/chat/lobby"));
        assertTrue(PathPattern.parse("/chat/*").matches("/CHAT"));
        assertFalse(PathPattern.parse("/chat/*").matches("/CHATTER"));
    }

    @Test
    void only_ascii_letters_are_folded() {
        // U+212A KELVIN SIGN folds to 'k' under Unicode rules; a path is not a word.
        assertFalse(PathPattern.parse("/kiosk").matches("/\u212Aiosk"));
        assertFalse(PathPattern.parse("/i").matches("/\u0130"));
    }

    @Test
    void a_location_covers_its_paths_in_any_case() {
        Locations locations = new Locations(List.of(location("ops", "/chat/ops"), location("chat", "/chat/*")),
                Locations.fallback(false));

        assertEquals("ops", locations.forPath("/CHAT/ops").name());
        assertEquals("ops", locations.forPath("/chat/OPS").name());
        assertEquals("chat", locations.forPath("/Chat/lobby").name());
    }

    @Test
    void slash_star_matches_everything() {
        assertTrue(PathPattern.parse("/*").matches("/anything/at/all"));
    }

    @Test
    void patterns_with_a_star_elsewhere_are_refused() {
        assertThrows(IllegalArgumentException.class, () -> PathPattern.parse("/chat*"));
        assertThrows(IllegalArgumentException.class, () -> PathPattern.parse("chat/*"));
    }

    @Test
    void the_first_location_that_covers_a_path_wins_and_others_fall_back() {
        Locations locations = new Locations(List.of(location("ops", "/chat/ops"), location("chat", "/chat/*")),
                Locations.fallback(true));

        assertEquals("ops", locations.forPath("/chat/ops").name());
        assertEquals("chat", locations.forPath("/chat/lobby").name());
        assertEquals("default", locations.forPath("/unknown").name());
    }

    @Test
    void a_pattern_no_request_can_match_is_refused_at_startup() {
        for (String never : java.util.List.of("/chat/vault/", "/chat//vault", "/chat/vault.", "/chat/va;x", "/chat/%61",
                "/chat/a\\b", "/chat/ü")) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> PathPattern.parse(never), never);
        }
        for (String fine : java.util.List.of("/", "/*", "/chat/*", "/chat/vault", "/index.html", "/assets/*", "/a.b/c")) {
            PathPattern.parse(fine);
        }
    }
}
