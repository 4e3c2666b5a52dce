package dev.keyhole.limits;

import java.util.function.LongSupplier;

/** A token bucket: {@code ratePerSecond} tokens a second on average, at most {@code burst} at once. */
public final class TokenBucket {

    private static final long NANOS = 1_000_000_000L;

    private final double ratePerNano;
    private final double burst;
    private final LongSupplier nanoTime;
    private double tokens;
    private long last;

    public TokenBucket(int ratePerSecond, int burst, LongSupplier nanoTime) {
        this.ratePerNano = (double) ratePerSecond / NANOS;
        this.burst = burst;
        this.nanoTime = nanoTime;
        this.tokens = burst;
        this.last = nanoTime.getAsLong();
    }

    /** Takes a token if there is one. */
    public synchronized boolean tryTake() {
        refill();
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** Whether the bucket has refilled completely: its owner has been quiet, and it can be forgotten. */
    public synchronized boolean isFull() {
        refill();
        return tokens >= burst;
    }

    private void refill() {
        long now = nanoTime.getAsLong();
        tokens = Math.min(burst, tokens + (now - last) * ratePerNano);
        last = now;
    }
}
