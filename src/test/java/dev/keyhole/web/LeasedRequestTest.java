package dev.keyhole.web;

import dev.keyhole.ws.SessionRuntime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keyhole.ws.FrameGuard;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeasedRequestTest {

    private static HttpServletRequest request(String query, Map<String, String[]> parameters) {
        return (HttpServletRequest) Proxy.newProxyInstance(HttpServletRequest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getQueryString" -> query;
                    case "getParameterMap" -> parameters;
                    case "getLocalAddr" -> "192.0.2.7";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void the_lease_is_added_to_the_parameters_and_the_query() {
        Map<String, String[]> parameters = new LinkedHashMap<>();
        parameters.put("after", new String[] {"42"});
        LeasedRequest leased = new LeasedRequest(request("after=42", parameters), "L1", new FrameGuard(1024), true);

        assertEquals("L1", leased.getParameter(SessionRuntime.LEASE_PARAMETER));
        assertArrayEquals(new String[] {"42"}, leased.getParameterValues("after"));
        assertEquals("after=42&keyhole-lease=L1", leased.getQueryString());
    }

    @Test
    void a_lease_the_client_sent_itself_is_dropped() {
        Map<String, String[]> parameters = new LinkedHashMap<>();
        parameters.put(SessionRuntime.LEASE_PARAMETER, new String[] {"forged", "again"});
        LeasedRequest leased = new LeasedRequest(request("keyhole-lease=forged&x=1&keyhole-lease", parameters), "L2",
                new FrameGuard(1024), true);

        assertArrayEquals(new String[] {"L2"}, leased.getParameterValues(SessionRuntime.LEASE_PARAMETER));
        assertEquals("x=1&keyhole-lease=L2", leased.getQueryString());
    }

    @Test
    void a_request_without_a_query_gets_one() {
        LeasedRequest leased = new LeasedRequest(request(null, Map.of()), "L3", new FrameGuard(1024), true);
        assertEquals("keyhole-lease=L3", leased.getQueryString());
    }

    @Test
    void the_local_name_is_the_local_address_so_the_handshake_makes_no_reverse_lookup() {
        // The stand-in request throws for getLocalName: the container's (a reverse lookup on Payara) is never asked.
        LeasedRequest leased = new LeasedRequest(request(null, Map.of()), "L4", new FrameGuard(1024), true);

        assertEquals("192.0.2.7", leased.getLocalName());
    }
}
