package dev.keyhole.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PerimeterTest {

    private static HttpServletRequest request(Map<String, List<String>> headers) {
        return request(headers, true);
    }

    private static HttpServletRequest request(Map<String, List<String>> headers, boolean secure) {
        return (HttpServletRequest) Proxy.newProxyInstance(HttpServletRequest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getHeader" -> headers.getOrDefault((String) args[0], List.of()).stream().findFirst().orElse(null);
                    case "getHeaders" -> Collections.enumeration(headers.getOrDefault((String) args[0], List.of()));
                    case "isSecure" -> secure;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void every_spelling_of_a_websocket_upgrade_counts_as_a_handshake() {
        assertTrue(Perimeter.isWebSocketHandshake(request(Map.of("Upgrade", List.of("websocket")))));
        assertTrue(Perimeter.isWebSocketHandshake(request(Map.of("Upgrade", List.of("WebSocket")))));
        assertTrue(Perimeter.isWebSocketHandshake(request(Map.of("Upgrade", List.of("h2c, websocket")))));
        assertTrue(Perimeter.isWebSocketHandshake(request(Map.of("Upgrade", List.of("h2c", " websocket/13")))));
        assertTrue(Perimeter.isWebSocketHandshake(request(Map.of("Sec-WebSocket-Key", List.of("dGhlIHNhbXBsZSBub25jZQ==")))));
    }

    @Test
    void keyholes_own_origin_is_taken_from_the_host_header_over_https_only() {
        HttpServletRequest secure = request(Map.of("Host", List.of("keyhole.example:8443")), true);
        HttpServletRequest plain = request(Map.of("Host", List.of("keyhole.example:8080")), false);

        assertEquals(Origin.parse("https://keyhole.example:8443"), Perimeter.self(secure));
        assertEquals(Optional.empty(), Perimeter.self(plain));
    }

    @Test
    void other_requests_are_not_handshakes() {
        assertFalse(Perimeter.isWebSocketHandshake(request(Map.of())));
        assertFalse(Perimeter.isWebSocketHandshake(request(Map.of("Upgrade", List.of("h2c")))));
        assertFalse(Perimeter.isWebSocketHandshake(request(Map.of("Upgrade", List.of("websockets")))));
    }
}
