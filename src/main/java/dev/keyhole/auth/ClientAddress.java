package dev.keyhole.auth;

import dev.keyhole.net.AddressRange;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a request comes from. A request from a trusted proxy (its address and its certificate, see
 * {@link AuthenticationPolicy.ProxyTrust}) is attributed to the address the proxy names in
 * {@code X-Forwarded-For}: the right-most entry that is not itself a trusted proxy. From anyone else the header
 * means nothing and the connection's own address counts.
 *
 * @param address the client address that rules and logs use
 * @param proxy the trusted proxy the request came through, or {@code null}
 */
public record ClientAddress(String address, String proxy) {

    /**
     * The client address when a trusted proxy names one that cannot be read: no address rule admits it, and all such
     * clients share one address's connection limits.
     */
    public static final String UNKNOWN = "unknown";

    public boolean viaProxy() {
        return proxy != null;
    }

    /**
     * @param remoteAddress the address of the connection, as the servlet container reports it
     * @param proxies the trusted proxies
     * @param forwardedFor the values of the forwarded-for header, in the order received
     */
    public static ClientAddress resolve(String remoteAddress, List<AddressRange> proxies, List<String> forwardedFor) {
        if (!trusted(remoteAddress, proxies)) {
            return new ClientAddress(remoteAddress, null);
        }
        List<String> hops = new ArrayList<>();
        for (String value : forwardedFor) {
            for (String hop : value.split(",")) {
                hops.add(hop.strip());
            }
        }
        String client = remoteAddress;
        for (int i = hops.size() - 1; i >= 0; i--) {
            String hop = withoutZone(withoutPort(hops.get(i)));
            if (AddressRange.literal(hop).isEmpty()) {
                // Unreadable ("unknown", empty, garbage): the client is unknown — not the proxy, whose address
                // (often loopback) address rules may admit.
                client = UNKNOWN;
                break;
            }
            client = hop;
            if (!trusted(hop, proxies)) {
                break;
            }
        }
        return new ClientAddress(client, remoteAddress);
    }

    /** {@code fe80::1%eth0} → {@code fe80::1}. */
    static String withoutZone(String address) {
        int zone = address.indexOf('%');
        return zone < 0 ? address : address.substring(0, zone);
    }

    static boolean trusted(String address, List<AddressRange> proxies) {
        return proxies.stream().anyMatch(range -> range.contains(address));
    }

    /** {@code 1.2.3.4:5678} → {@code 1.2.3.4}; {@code [2001:db8::1]:443} → {@code 2001:db8::1}. */
    static String withoutPort(String hop) {
        if (hop.startsWith("[")) {
            int end = hop.indexOf(']');
            return end > 0 ? hop.substring(1, end) : hop;
        }
        int colon = hop.indexOf(':');
        return colon > 0 && hop.indexOf(':', colon + 1) < 0 ? hop.substring(0, colon) : hop;
    }
}
