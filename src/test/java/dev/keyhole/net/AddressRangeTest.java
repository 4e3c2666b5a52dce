package dev.keyhole.net;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AddressRangeTest {

    @Test
    void an_ipv4_cidr_range_contains_its_addresses_only() {
        AddressRange range = AddressRange.parse("10.1.0.0/16");

        assertTrue(range.contains("10.1.200.3"));
        assertFalse(range.contains("10.2.0.1"));
    }

    @Test
    void an_ipv6_cidr_range_contains_its_addresses_only() {
        AddressRange range = AddressRange.parse("2001:db8::/32");

        assertTrue(range.contains("2001:db8:1::5"));
        assertFalse(range.contains("2001:db9::5"));
        assertFalse(range.contains("10.0.0.1"));
    }

    @Test
    void a_single_address_is_a_range_of_one() {
        assertTrue(AddressRange.parse("127.0.0.2").contains("127.0.0.2"));
        assertFalse(AddressRange.parse("127.0.0.2").contains("127.0.0.1"));
    }

    @Test
    void ipv4_mapped_ipv6_addresses_count_as_ipv4() {
        assertTrue(AddressRange.parse("127.0.0.0/8").contains("::ffff:127.0.0.1"));
    }

    @Test
    void host_names_are_refused_so_that_no_rule_depends_on_dns() {
        assertThrows(IllegalArgumentException.class, () -> AddressRange.parse("localhost"));
        assertFalse(AddressRange.parse("0.0.0.0/0").contains("example.com"));
    }

    @Test
    void invalid_ranges_are_refused() {
        assertThrows(IllegalArgumentException.class, () -> AddressRange.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> AddressRange.parse("10.0.0.256"));
        assertThrows(IllegalArgumentException.class, () -> AddressRange.parse("10.0.0.0/x"));
    }
}
