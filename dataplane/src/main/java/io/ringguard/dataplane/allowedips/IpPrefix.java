package io.ringguard.dataplane.allowedips;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * An IPv4 or IPv6 prefix with its host bits cleared, the way {@code wg show allowed-ips} prints it
 * ({@code 198.18.1.7/24} becomes {@code 198.18.1.0/24}).
 *
 * <p>Immutable; any thread. This is a configuration and listing type: the per-packet lookups of
 * {@link AllowedIps} take raw {@code int} / {@code long} addresses and never create one.
 *
 * <p>Both families are held in one 128-bit layout, most significant bit first: an IPv6 address is
 * {@code high:low}; an IPv4 address sits in the top 32 bits of {@code high} with everything below it
 * zero. The trie uses the same layout, so one bit index means the same thing in both families.
 */
public final class IpPrefix {
    /** Address length of IPv4 in bits, also its longest prefix. */
    public static final int IPV4_BITS = 32;

    /** Address length of IPv6 in bits, also its longest prefix. */
    public static final int IPV6_BITS = 128;

    private final int addressBits;
    private final long high;
    private final long low;
    private final int cidr;

    private IpPrefix(final int addressBits, final long high, final long low, final int cidr) {
        this.addressBits = addressBits;
        this.high = high & maskHigh(cidr);
        this.low = low & maskLow(cidr);
        this.cidr = cidr;
    }

    /**
     * An IPv4 prefix; host bits of {@code address} below {@code cidr} are cleared.
     *
     * @param address the address, big-endian order as it appears on the wire ({@code 198.18.0.1 ==
     *     0xC6120001})
     * @param cidr the prefix length, 0 to 32
     * @throws IllegalArgumentException if {@code cidr} is out of range
     */
    public static IpPrefix ofV4(final int address, final int cidr) {
        checkCidr(cidr, IPV4_BITS);
        return new IpPrefix(IPV4_BITS, v4High(address), 0, cidr);
    }

    /**
     * An IPv6 prefix; host bits below {@code cidr} are cleared.
     *
     * @param high the first 8 bytes of the address, big-endian
     * @param low the last 8 bytes of the address, big-endian
     * @param cidr the prefix length, 0 to 128
     * @throws IllegalArgumentException if {@code cidr} is out of range
     */
    public static IpPrefix ofV6(final long high, final long low, final int cidr) {
        checkCidr(cidr, IPV6_BITS);
        return new IpPrefix(IPV6_BITS, high, low, cidr);
    }

    /**
     * A prefix from a network-order address of 4 (IPv4) or 16 (IPv6) bytes.
     *
     * @throws IllegalArgumentException if the length is neither 4 nor 16 or {@code cidr} is out of
     *     range
     */
    public static IpPrefix of(final byte[] address, final int cidr) {
        if (address.length == 4) {
            return ofV4(readInt(address, 0), cidr);
        }
        if (address.length == 16) {
            return ofV6(readLong(address, 0), readLong(address, 8), cidr);
        }
        throw new IllegalArgumentException("address must be 4 or 16 bytes, not " + address.length);
    }

    /**
     * Parses {@code a.b.c.d/n} or an IPv6 literal with {@code /n}, as {@code wg set ... allowed-ips}
     * accepts them; without {@code /n} the prefix is a single host (/32 or /128). Host names are never
     * resolved.
     *
     * @throws IllegalArgumentException with a one-line reason if the text is not a prefix
     */
    public static IpPrefix parse(final CharSequence text) {
        final String s = text.toString().strip();
        final int slash = s.indexOf('/');
        final String addressText = slash < 0 ? s : s.substring(0, slash);
        final boolean v6 = addressText.indexOf(':') >= 0;
        final int addressBits = v6 ? IPV6_BITS : IPV4_BITS;
        final int cidr = slash < 0 ? addressBits : parseCidr(s, s.substring(slash + 1), addressBits);
        if (!v6) {
            return ofV4(parseV4(s, addressText), cidr);
        }
        if (addressText.indexOf('%') >= 0 || addressText.indexOf('[') >= 0) {
            throw new IllegalArgumentException("not an IP prefix (no scope or brackets allowed): " + s);
        }
        final InetAddress parsed;
        try {
            parsed = Inet6Address.ofLiteral(addressText);
        } catch (final IllegalArgumentException ex) {
            throw new IllegalArgumentException("not an IP prefix: " + s, ex);
        }
        if (parsed instanceof Inet4Address mapped) {
            // ofLiteral folds ::ffff:a.b.c.d into IPv4; the prefix was written as IPv6, keep it so.
            return ofV6(0, 0xFFFF_0000_0000L | (readInt(mapped.getAddress(), 0) & 0xFFFF_FFFFL), cidr);
        }
        final byte[] bytes = parsed.getAddress();
        return ofV6(readLong(bytes, 0), readLong(bytes, 8), cidr);
    }

    /** 32 for IPv4, 128 for IPv6. */
    public int addressBits() {
        return addressBits;
    }

    /** Whether this is an IPv4 prefix. */
    public boolean isV4() {
        return addressBits == IPV4_BITS;
    }

    /** The prefix length. */
    public int cidr() {
        return cidr;
    }

    /** The IPv4 network address (host bits zero); meaningful only when {@link #isV4()}. */
    public int v4Address() {
        return (int) (high >>> 32);
    }

    /** The first 8 bytes of the IPv6 network address; meaningful only when not {@link #isV4()}. */
    public long v6High() {
        return high;
    }

    /** The last 8 bytes of the IPv6 network address; meaningful only when not {@link #isV4()}. */
    public long v6Low() {
        return low;
    }

    /** The network address in network byte order, 4 or 16 bytes. */
    public byte[] toBytes() {
        final byte[] bytes = new byte[addressBits / 8];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) ((i < 8 ? high : low) >>> (56 - 8 * (i & 7)));
        }
        return bytes;
    }

    /** {@code 198.18.1.0/24} or {@code fd00::/8} (RFC 5952 form, as {@code wg show} prints it). */
    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder(48);
        if (isV4()) {
            appendV4(sb, v4Address());
        } else {
            appendV6(sb, high, low);
        }
        return sb.append('/').append(cidr).toString();
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof IpPrefix other
                && addressBits == other.addressBits
                && cidr == other.cidr
                && high == other.high
                && low == other.low;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(high * 31 + low) * 31 + cidr * 2 + (addressBits == IPV4_BITS ? 0 : 1);
    }

    /** Internal 128-bit layout: first half. */
    long high() {
        return high;
    }

    /** Internal 128-bit layout: second half (always 0 for IPv4). */
    long low() {
        return low;
    }

    /** An IPv4 address placed in the top 32 bits of the 128-bit layout. */
    static long v4High(final int address) {
        return ((long) address) << 32;
    }

    /** Mask of the first {@code cidr} bits within {@code high}. */
    static long maskHigh(final int cidr) {
        // Java shifts are mod 64, so both ends need their own case.
        if (cidr <= 0) {
            return 0;
        }
        return cidr >= 64 ? -1L : -1L << (64 - cidr);
    }

    /** Mask of the bits of the first {@code cidr} that fall within {@code low}. */
    static long maskLow(final int cidr) {
        return cidr <= 64 ? 0 : -1L << (128 - cidr);
    }

    static void checkCidr(final int cidr, final int addressBits) {
        if (cidr < 0 || cidr > addressBits) {
            throw new IllegalArgumentException("prefix length " + cidr + " is outside 0.." + addressBits + " for IPv"
                    + (addressBits == 32 ? 4 : 6));
        }
    }

    static int readInt(final byte[] bytes, final int offset) {
        return (bytes[offset] & 0xFF) << 24
                | (bytes[offset + 1] & 0xFF) << 16
                | (bytes[offset + 2] & 0xFF) << 8
                | (bytes[offset + 3] & 0xFF);
    }

    static long readLong(final byte[] bytes, final int offset) {
        return ((long) readInt(bytes, offset)) << 32 | (readInt(bytes, offset + 4) & 0xFFFF_FFFFL);
    }

    private static int parseCidr(final String whole, final String text, final int addressBits) {
        if (text.isEmpty() || text.length() > 3 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("not an IP prefix (bad length after '/'): " + whole);
        }
        final int cidr = Integer.parseInt(text);
        checkCidr(cidr, addressBits);
        return cidr;
    }

    private static int parseV4(final String whole, final String text) {
        // Strict dotted quad like inet_pton: four decimal octets, no leading zeros, no shorthand.
        final String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IP prefix: " + whole);
        }
        int address = 0;
        for (final String part : parts) {
            final boolean digits = !part.isEmpty()
                    && part.length() <= 3
                    && part.chars().allMatch(c -> c >= '0' && c <= '9')
                    && (part.length() == 1 || part.charAt(0) != '0');
            final int octet = digits ? Integer.parseInt(part) : -1;
            if (octet < 0 || octet > 255) {
                throw new IllegalArgumentException("not an IP prefix: " + whole);
            }
            address = address << 8 | octet;
        }
        return address;
    }

    private static void appendV4(final StringBuilder sb, final int address) {
        sb.append(address >>> 24)
                .append('.')
                .append((address >>> 16) & 0xFF)
                .append('.')
                .append((address >>> 8) & 0xFF)
                .append('.')
                .append(address & 0xFF);
    }

    private static void appendV6(final StringBuilder sb, final long high, final long low) {
        if (high == 0 && (low >>> 32) == 0xFFFFL) {
            // IPv4-mapped, printed with the embedded IPv4 address as inet_ntop and RFC 5952 do.
            appendV4(sb.append("::ffff:"), (int) low);
            return;
        }
        final int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (int) (((i < 4 ? high : low) >>> (48 - 16 * (i & 3))) & 0xFFFF);
        }
        // RFC 5952: compress the longest run of two or more zero groups, the first one on a tie.
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (i > 0 && i != bestStart + bestLength) {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
    }
}
