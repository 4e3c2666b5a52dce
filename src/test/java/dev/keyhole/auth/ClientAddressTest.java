package dev.keyhole.auth;

import dev.keyhole.net.AddressRange;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {

    private static final List<AddressRange> PROXIES = List.of(AddressRange.parse("10.0.0.0/24"), AddressRange.parse("::1"));

    @Test
    void from_a_client_the_forwarded_for_header_means_nothing() {
        assertEquals(new ClientAddress("203.0.113.7", null),
                ClientAddress.resolve("203.0.113.7", PROXIES, List.of("198.51.100.1")));
    }

    @Test
    void from_a_trusted_proxy_the_forwarded_address_counts() {
        assertEquals(new ClientAddress("198.51.100.1", "10.0.0.5"),
                ClientAddress.resolve("10.0.0.5", PROXIES, List.of("198.51.100.1")));
    }

    @Test
    void the_right_most_address_that_is_not_a_trusted_proxy_is_the_client() {
        // The client forged the first entry; the proxies appended the rest.
        ClientAddress client = ClientAddress.resolve("10.0.0.5", PROXIES, List.of("1.1.1.1, 198.51.100.1", "10.0.0.9"));

        assertEquals("198.51.100.1", client.address());
    }

    @Test
    void ports_and_brackets_are_removed() {
        assertEquals("198.51.100.1", ClientAddress.resolve("10.0.0.5", PROXIES, List.of("198.51.100.1:5432")).address());
        assertEquals("2001:db8::7", ClientAddress.resolve("::1", PROXIES, List.of("[2001:db8::7]:443")).address());
    }

    @Test
    void an_unreadable_entry_makes_the_client_unknown_never_the_proxy() {
        assertEquals(ClientAddress.UNKNOWN, ClientAddress.resolve("10.0.0.5", PROXIES, List.of("evil.example, 10.0.0.9")).address());
        assertEquals(ClientAddress.UNKNOWN, ClientAddress.resolve("10.0.0.5", PROXIES, List.of("unknown")).address());
        assertEquals(ClientAddress.UNKNOWN, ClientAddress.resolve("10.0.0.5", PROXIES, List.of("")).address());
        assertEquals(false, AddressRange.parse("0.0.0.0/0").contains(ClientAddress.UNKNOWN), "no rule admits it");
    }

    @Test
    void a_zone_id_is_not_part_of_the_address() {
        assertEquals("fe80::1", ClientAddress.resolve("10.0.0.5", PROXIES, List.of("fe80::1%eth0")).address());
    }

    @Test
    void a_trusted_proxy_without_the_header_is_itself_the_client() {
        assertEquals(new ClientAddress("10.0.0.5", "10.0.0.5"), ClientAddress.resolve("10.0.0.5", PROXIES, List.of()));
    }
}
