package dev.keyhole.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.limits.ConnectionLimits.Outcome;
import dev.keyhole.limits.ConnectionLimits.Refusal;
import org.junit.jupiter.api.Test;

class ConnectionLimitsTest {

    private static final long SECOND = 1_000_000_000L;
    private final long[] now = {0};

    private ConnectionLimits limits(int total, int perAddress, int perIdentity, int rate, int burst) {
        return limits(total, perAddress, perIdentity, rate, burst, 100, 100);
    }

    private ConnectionLimits limits(int total, int perAddress, int perIdentity, int rate, int burst, int anonymousTotal,
            int anonymousPerAddress) {
        return new ConnectionLimits(new ConnectionLimits.Limits(total, perAddress, perIdentity, rate, burst, anonymousTotal,
                anonymousPerAddress), () -> now[0]);
    }

    @Test
    void the_connection_over_the_limit_of_one_identity_is_refused_with_429_until_one_is_given_back() {
        ConnectionLimits limits = limits(100, 100, 2, 100, 100);
        Outcome first = limits.acquire("10.0.0.1", "bob");
        limits.acquire("10.0.0.2", "bob");

        Outcome third = limits.acquire("10.0.0.3", "bob");

        assertEquals(Refusal.TOO_MANY_CONNECTIONS, third.refusal());
        assertEquals(429, third.refusal().status());
        assertTrue(limits.acquire("10.0.0.3", "carol").granted(), "other identities are not affected");
        limits.release(first.lease());
        assertTrue(limits.acquire("10.0.0.3", "bob").granted());
    }

    @Test
    void the_connection_over_the_limit_of_one_address_is_refused_with_429() {
        ConnectionLimits limits = limits(100, 2, 100, 100, 100);
        limits.acquire("10.0.0.1", "alice");
        limits.acquire("10.0.0.1", "bob");

        assertEquals(Refusal.TOO_MANY_CONNECTIONS, limits.acquire("10.0.0.1", "carol").refusal());
        assertTrue(limits.acquire("10.0.0.2", "carol").granted());
    }

    @Test
    void anonymous_connections_from_many_addresses_fill_only_their_own_pool_and_certificate_holders_still_get_in() {
        ConnectionLimits limits = limits(3, 100, 100, 100, 100, 5, 1);
        int granted = 0;
        Outcome last = null;
        for (int i = 1; i <= 50; i++) {
            last = limits.acquire("10.0.1." + i, null);
            granted += last.granted() ? 1 : 0;
        }

        assertEquals(5, granted);
        assertEquals(Refusal.SERVER_BUSY, last.refusal());
        assertEquals(503, last.refusal().status());
        assertTrue(limits.acquire("10.0.0.1", "alice").granted());
        assertTrue(limits.acquire("10.0.0.2", "bob").granted());
        assertTrue(limits.acquire("10.0.0.3", "carol").granted(), "the whole total is there for certificate holders");
        assertEquals(Refusal.SERVER_BUSY, limits.acquire("10.0.0.4", "dave").refusal());
        assertEquals(8, limits.open());
        assertEquals(5, limits.openAnonymous());
    }

    @Test
    void anonymous_connections_have_a_budget_per_address_that_is_not_the_certificate_holders_budget() {
        ConnectionLimits limits = limits(100, 2, 100, 100, 100, 100, 2);
        Outcome first = limits.acquire("10.0.0.1", null);
        limits.acquire("10.0.0.1", null);

        Outcome third = limits.acquire("10.0.0.1", null);

        assertEquals(Refusal.TOO_MANY_CONNECTIONS, third.refusal());
        assertEquals(429, third.refusal().status());
        assertTrue(limits.acquire("10.0.0.1", "alice").granted(), "anonymous connections do not count for the address");
        assertTrue(limits.acquire("10.0.0.1", "bob").granted());
        assertEquals(Refusal.TOO_MANY_CONNECTIONS, limits.acquire("10.0.0.1", "carol").refusal());
        limits.release(first.lease());
        assertTrue(limits.acquire("10.0.0.1", null).granted());
    }

    @Test
    void anonymous_handshakes_do_not_spend_the_allowance_of_certificate_holders_at_the_same_address() {
        ConnectionLimits limits = limits(100, 100, 100, 1, 3, 100, 100);
        for (int i = 0; i < 3; i++) {
            limits.release(limits.acquire("10.0.0.1", null).lease());
        }

        assertEquals(Refusal.TOO_MANY_HANDSHAKES, limits.acquire("10.0.0.1", null).refusal());
        assertTrue(limits.acquire("10.0.0.1", "alice").granted());
    }

    @Test
    void no_anonymous_connections_at_all_when_their_pool_is_zero() {
        ConnectionLimits limits = limits(100, 100, 100, 100, 100, 0, 0);

        assertEquals(Refusal.SERVER_BUSY, limits.acquire("10.0.0.1", null).refusal());
        assertTrue(limits.acquire("10.0.0.1", "alice").granted());
    }

    @Test
    void an_ipv6_client_counts_by_its_64_block() {
        ConnectionLimits limits = limits(100, 2, 100, 100, 100, 100, 2);
        limits.acquire("2001:db8:1:2::a", null);
        limits.acquire("2001:db8:1:2:ffff::b", null);

        assertEquals(Refusal.TOO_MANY_CONNECTIONS, limits.acquire("2001:db8:1:2:1234:5678:9abc:def0", null).refusal());
        assertTrue(limits.acquire("2001:db8:1:3::a", null).granted(), "the next /64 is someone else");
        assertEquals("2001:db8:1:2:0:0:0:0/64", ConnectionLimits.addressKey("2001:db8:1:2:ffff::b"));
        assertEquals("10.0.0.1", ConnectionLimits.addressKey("10.0.0.1"));
        assertEquals("10.0.0.1", ConnectionLimits.addressKey("::ffff:10.0.0.1"), "IPv4-mapped counts as IPv4");
        assertEquals("fe80:0:0:0:0:0:0:0/64", ConnectionLimits.addressKey("fe80::1%eth0"), "zone id ignored");
        assertEquals("0:0:0:0:0:0:0:1", ConnectionLimits.addressKey("::1"), "loopback alone, not by /64");
    }

    @Test
    void over_the_total_every_handshake_gets_503() {
        ConnectionLimits limits = limits(2, 100, 100, 100, 100);
        limits.acquire("10.0.0.1", "alice");
        Outcome second = limits.acquire("10.0.0.2", "bob");

        Outcome refused = limits.acquire("10.0.0.3", "carol");

        assertEquals(Refusal.SERVER_BUSY, refused.refusal());
        assertEquals(503, refused.refusal().status());
        limits.release(second.lease());
        assertTrue(limits.acquire("10.0.0.3", "carol").granted());
    }

    @Test
    void handshakes_from_one_address_beyond_the_burst_are_refused_until_the_rate_allows_more() {
        ConnectionLimits limits = limits(100, 100, 100, 2, 3);
        for (int i = 0; i < 3; i++) {
            limits.release(limits.acquire("10.0.0.1", null).lease());
        }

        assertEquals(Refusal.TOO_MANY_HANDSHAKES, limits.acquire("10.0.0.1", null).refusal());
        assertTrue(limits.acquire("10.0.0.2", null).granted(), "another address has its own allowance");
        now[0] += SECOND / 2;
        assertTrue(limits.acquire("10.0.0.1", null).granted());
    }

    @Test
    void a_lease_is_claimed_once_and_given_back_once() {
        ConnectionLimits limits = limits(100, 100, 1, 100, 100);
        Outcome granted = limits.acquire("10.0.0.1", "bob");

        assertTrue(limits.claim(granted.lease().id()).isPresent());
        assertTrue(limits.claim(granted.lease().id()).isEmpty(), "a second session cannot use the same lease");
        assertTrue(limits.claim("forged").isEmpty());
        assertTrue(limits.claim(null).isEmpty());
        limits.release(granted.lease());
        limits.release(granted.lease());
        limits.release(null);
        assertEquals(0, limits.open());
        assertTrue(limits.acquire("10.0.0.1", "bob").granted());
        assertEquals(Refusal.TOO_MANY_CONNECTIONS, limits.acquire("10.0.0.1", "bob").refusal(), "counted once, not below zero");
    }

    @Test
    void a_lease_no_session_claimed_is_given_back_after_the_grace() {
        ConnectionLimits limits = limits(100, 100, 1, 100, 100);
        Outcome unclaimed = limits.acquire("10.0.0.1", "bob");
        Outcome claimed = limits.acquire("10.0.0.2", "carol");
        limits.claim(claimed.lease().id());

        assertEquals(0, limits.releaseUnclaimed(30 * SECOND));
        now[0] += 31 * SECOND;
        assertEquals(1, limits.releaseUnclaimed(30 * SECOND));

        assertEquals(1, limits.open());
        assertTrue(limits.acquire("10.0.0.1", "bob").granted());
        assertTrue(limits.claim(unclaimed.lease().id()).isEmpty(), "too late to claim");
    }
}
