package dev.keyhole.limits;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

    @Test
    void a_full_bucket_allows_a_burst_then_refills_at_the_rate() {
        long[] now = {0};
        TokenBucket bucket = new TokenBucket(2, 3, () -> now[0]);

        assertTrue(bucket.tryTake());
        assertTrue(bucket.tryTake());
        assertTrue(bucket.tryTake());
        assertFalse(bucket.tryTake());

        now[0] += 500_000_000L; // half a second at 2 per second: one token
        assertTrue(bucket.tryTake());
        assertFalse(bucket.tryTake());

        now[0] += 60_000_000_000L; // a minute: refilled, but never beyond the burst
        assertTrue(bucket.isFull());
        assertTrue(bucket.tryTake());
        assertTrue(bucket.tryTake());
        assertTrue(bucket.tryTake());
        assertFalse(bucket.tryTake());
    }
}
