package dev.keyhole.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthTest {

    private static Map<String, Object> ordered(String key1, Object value1, String key2, Object value2) {
        Map<String, Object> map = new java.util.LinkedHashMap<>();
        map.put(key1, value1);
        map.put(key2, value2);
        return map;
    }

    @Test
    void up_only_when_every_check_is_up_in_the_microprofile_health_shape() {
        Health up = new Health(List.of(Health.Check.up("handshakes", Map.of("open-sessions", 3))));
        Health down = new Health(List.of(Health.Check.up("handshakes", Map.of()),
                Health.Check.down("cluster", ordered("reason", "redis-unavailable", "fail-open", false))));

        assertTrue(up.up());
        assertEquals("{\"status\":\"UP\",\"checks\":[{\"name\":\"handshakes\",\"status\":\"UP\",\"data\":{\"open-sessions\":3}}]}",
                up.json().toString());
        assertFalse(down.up());
        assertEquals("{\"status\":\"DOWN\",\"checks\":[{\"name\":\"handshakes\",\"status\":\"UP\"},"
                + "{\"name\":\"cluster\",\"status\":\"DOWN\",\"data\":{\"reason\":\"redis-unavailable\",\"fail-open\":false}}]}",
                down.json().toString());
    }
}
