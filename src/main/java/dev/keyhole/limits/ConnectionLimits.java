package dev.keyhole.limits;

import dev.keyhole.net.AddressRange;
import dev.keyhole.limits.TokenBucket;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * How many WebSocket connections may be open — in total, per client address and per certificate identity — and
 * how fast one address may open them. A handshake that fits gets a {@link Lease}, which the session claims when it
 * opens and gives back when it closes; a lease that no session claims (the upgrade failed) is given back by
 * {@link #releaseUnclaimed}. An IPv6 client counts by its /64, the block one subscriber usually holds.
 *
 * <p>Connections without a certificate have a pool of their own, smaller, in total and per address, and their own
 * handshake allowance per address: however many there are, they take nothing from certificate holders — not their
 * total, not the budget of their address, not their handshake rate.
 */
public final class ConnectionLimits {

    /**
     * The limits.
     *
     * @param total connections with a certificate, in total
     * @param perAddress connections with a certificate per client address
     * @param anonymousTotal connections without a certificate, in total
     * @param anonymousPerAddress connections without a certificate per client address
     */
    public record Limits(int total, int perAddress, int perIdentity, int handshakesPerSecond, int handshakeBurst,
            int anonymousTotal, int anonymousPerAddress) {
    }

    /** The connections of one pool: how many in all, how many per address. */
    private static final class Pool {
        final int total;
        final int perAddress;
        final Map<String, Integer> byAddress = new HashMap<>();
        int open;

        Pool(int total, int perAddress) {
            this.total = total;
            this.perAddress = perAddress;
        }

        boolean full() {
            return open >= total;
        }

        boolean fullAt(String addressKey) {
            return byAddress.getOrDefault(addressKey, 0) >= perAddress;
        }

        void add(String addressKey) {
            open++;
            byAddress.merge(addressKey, 1, Integer::sum);
        }

        void remove(String addressKey) {
            open--;
            byAddress.computeIfPresent(addressKey, (key, count) -> count > 1 ? count - 1 : null);
        }
    }

    /** One granted connection. */
    public static final class Lease {
        private final String id = UUID.randomUUID().toString();
        private final String addressKey;
        private final String identityKey;
        private final long grantedAt;
        private volatile boolean claimed;

        private Lease(String addressKey, String identityKey, long grantedAt) {
            this.addressKey = addressKey;
            this.identityKey = identityKey;
            this.grantedAt = grantedAt;
        }

        public String id() {
            return id;
        }
    }

    /** Why a handshake is refused: the HTTP status and the stable reason code. */
    public enum Refusal {
        TOO_MANY_HANDSHAKES(429, "too-many-handshakes"),
        TOO_MANY_CONNECTIONS(429, "too-many-connections"),
        SERVER_BUSY(503, "server-busy");

        private final int status;
        private final String code;

        Refusal(int status, String code) {
            this.status = status;
            this.code = code;
        }

        public int status() {
            return status;
        }

        public String code() {
            return code;
        }
    }

    /** The outcome of a handshake: a lease, or why not. */
    public record Outcome(Lease lease, Refusal refusal) {
        public boolean granted() {
            return lease != null;
        }
    }

    private static final int MAX_TRACKED_ADDRESSES = 100_000;

    private final Limits limits;
    private final LongSupplier nanoTime;
    private final Map<String, Lease> leases = new HashMap<>();
    private final Pool certified;
    private final Pool anonymous;
    private final Map<String, Integer> perIdentity = new HashMap<>();
    private final Map<String, TokenBucket> handshakes = new HashMap<>();

    public ConnectionLimits(Limits limits, LongSupplier nanoTime) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.nanoTime = nanoTime;
        this.certified = new Pool(limits.total(), limits.perAddress());
        this.anonymous = new Pool(limits.anonymousTotal(), limits.anonymousPerAddress());
    }

    public Limits limits() {
        return limits;
    }

    /**
     * @param address the client address (after proxy resolution)
     * @param identityKey the certificate identity, or null for a client without one
     */
    public synchronized Outcome acquire(String address, String identityKey) {
        String addressKey = addressKey(address);
        Pool pool = identityKey == null ? anonymous : certified;
        // Anonymous handshakes spend an allowance of their own, not that of certificate holders at the same address.
        String rateKey = (identityKey == null ? "anonymous " : "certified ") + addressKey;
        TokenBucket rate = handshakes.get(rateKey);
        if (rate == null) {
            if (handshakes.size() >= MAX_TRACKED_ADDRESSES) {
                handshakes.values().removeIf(TokenBucket::isFull);
            }
            rate = new TokenBucket(limits.handshakesPerSecond(), limits.handshakeBurst(), nanoTime);
            handshakes.put(rateKey, rate);
        }
        if (!rate.tryTake()) {
            return new Outcome(null, Refusal.TOO_MANY_HANDSHAKES);
        }
        if (pool.full()) {
            return new Outcome(null, Refusal.SERVER_BUSY);
        }
        if (pool.fullAt(addressKey)
                || identityKey != null && perIdentity.getOrDefault(identityKey, 0) >= limits.perIdentity()) {
            return new Outcome(null, Refusal.TOO_MANY_CONNECTIONS);
        }
        Lease lease = new Lease(addressKey, identityKey, nanoTime.getAsLong());
        leases.put(lease.id, lease);
        pool.add(addressKey);
        if (identityKey != null) {
            perIdentity.merge(identityKey, 1, Integer::sum);
        }
        return new Outcome(lease, null);
    }

    /** Marks a lease as held by an open session; empty when there is no such lease (or it was claimed). */
    public synchronized Optional<Lease> claim(String leaseId) {
        Lease lease = leaseId == null ? null : leases.get(leaseId);
        if (lease == null || lease.claimed) {
            return Optional.empty();
        }
        lease.claimed = true;
        return Optional.of(lease);
    }

    /** Gives a lease back (again: no effect). */
    public synchronized void release(Lease lease) {
        if (lease == null || leases.remove(lease.id) == null) {
            return;
        }
        (lease.identityKey == null ? anonymous : certified).remove(lease.addressKey);
        if (lease.identityKey != null) {
            perIdentity.computeIfPresent(lease.identityKey, (key, count) -> count > 1 ? count - 1 : null);
        }
    }

    /** Gives back leases that no session claimed within {@code graceNanos}, and forgets idle rate buckets. */
    public synchronized int releaseUnclaimed(long graceNanos) {
        long now = nanoTime.getAsLong();
        var stale = leases.values().stream().filter(lease -> !lease.claimed && now - lease.grantedAt > graceNanos).toList();
        stale.forEach(this::release);
        handshakes.values().removeIf(TokenBucket::isFull);
        return stale.size();
    }

    /** Whether a lease with this id is held (granted and not given back). */
    public synchronized boolean holds(String leaseId) {
        return leases.containsKey(leaseId);
    }

    /** Open connections, with and without a certificate. */
    public synchronized int open() {
        return leases.size();
    }

    /** Open connections without a certificate. */
    public synchronized int openAnonymous() {
        return anonymous.open;
    }

    /**
     * An IPv4 address as it is (also when written as an IPv4-mapped IPv6 address); an IPv6 address by its /64 prefix,
     * the block one subscriber usually holds, except in ::/64 (loopback and the like), where each address counts
     * alone; anything else as given. A zone id ({@code fe80::1%eth0}) is ignored.
     */
    static String addressKey(String address) {
        int zone = address.indexOf('%');
        Optional<byte[]> literal = AddressRange.literal(zone < 0 ? address : address.substring(0, zone));
        if (literal.isEmpty()) {
            return address;
        }
        byte[] bytes = literal.get();
        if (bytes.length == 4) {
            return text(bytes);
        }
        if (isIpv4Mapped(bytes)) {
            return text(Arrays.copyOfRange(bytes, 12, 16));
        }
        if (Arrays.equals(Arrays.copyOf(bytes, 8), new byte[8])) {
            return text(bytes);
        }
        byte[] prefix = Arrays.copyOf(bytes, 16);
        Arrays.fill(prefix, 8, 16, (byte) 0);
        return text(prefix) + "/64";
    }

    private static boolean isIpv4Mapped(byte[] bytes) {
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return bytes[10] == (byte) 0xFF && bytes[11] == (byte) 0xFF;
    }

    private static String text(byte[] address) {
        try {
            return InetAddress.getByAddress(address).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
