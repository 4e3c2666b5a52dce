package dev.keyhole.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A range of IP addresses in CIDR notation ({@code 10.0.0.0/8}, {@code 2001:db8::/32}) or a single address. Only
 * address literals are accepted, never host names, so nothing here ever asks DNS. IPv4-mapped IPv6 addresses
 * ({@code ::ffff:10.1.2.3}) count as the IPv4 address they carry.
 */
public final class AddressRange {

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private final byte[] network;
    private final int prefixLength;
    private final String text;

    private AddressRange(byte[] network, int prefixLength, String text) {
        this.network = network;
        this.prefixLength = prefixLength;
        this.text = text;
    }

    /** Parses {@code ADDRESS} or {@code ADDRESS/PREFIX}. */
    public static AddressRange parse(String cidr) {
        String value = cidr.strip();
        int slash = value.indexOf('/');
        String addressPart = slash < 0 ? value : value.substring(0, slash);
        byte[] address = literal(addressPart)
                .orElseThrow(() -> new IllegalArgumentException("'" + value + "' is not an IP address or CIDR range"));
        int bits = address.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(value.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("'" + value + "' has an invalid prefix length (0 to " + bits + ")");
            }
        }
        return new AddressRange(mask(address, prefix), prefix, value);
    }

    /** The bytes of an IP address literal (4 for IPv4, including IPv4-mapped IPv6; 16 for IPv6), if it is one. */
    public static Optional<byte[]> literal(String text) {
        String value = text.strip();
        if (value.startsWith("[") && value.endsWith("]")) {
            value = value.substring(1, value.length() - 1);
        }
        if (IPV4.matcher(value).matches()) {
            byte[] bytes = new byte[4];
            String[] parts = value.split("\\.");
            for (int i = 0; i < 4; i++) {
                int part = Integer.parseInt(parts[i]);
                if (part > 255) {
                    return Optional.empty();
                }
                bytes[i] = (byte) part;
            }
            return Optional.of(bytes);
        }
        if (!IPV6.matcher(value).matches()) {
            return Optional.empty();
        }
        try {
            // A literal with a colon is never looked up in DNS.
            return Optional.of(InetAddress.getByName(value).getAddress());
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** Whether the address (a literal as the servlet container reports it) lies in this range. */
    public boolean contains(String address) {
        return literal(address).map(this::contains).orElse(false);
    }

    boolean contains(byte[] address) {
        return address.length == network.length && Arrays.equals(mask(address, prefixLength), network);
    }

    private static byte[] mask(byte[] address, int prefixLength) {
        byte[] masked = address.clone();
        for (int i = 0; i < masked.length; i++) {
            int keep = Math.max(0, Math.min(8, prefixLength - i * 8));
            masked[i] &= (byte) (0xFF << (8 - keep));
        }
        return masked;
    }

    /** Whether this range holds every address of its family (0.0.0.0/0 or ::/0). */
    public boolean isEverything() {
        return prefixLength == 0;
    }

    @Override
    public String toString() {
        return text;
    }
}
