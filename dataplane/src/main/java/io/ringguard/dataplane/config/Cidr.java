package io.ringguard.dataplane.config;

import java.util.Arrays;

/**
 * An IPv4 or IPv6 prefix with its host bits cleared, as {@code wg show allowed-ips} prints it:
 * {@code 198.18.0.1/24} is held and printed as {@code 198.18.0.0/24}.
 *
 * <p>Ordered IPv4 first, then by address, then by prefix length, which is the order {@link
 * PeerConfig} keeps its allowed IPs in. Immutable; any thread.
 */
public final class Cidr implements Comparable<Cidr> {
    private final byte[] address;
    private final int prefixLength;

    private Cidr(byte[] address, int prefixLength) {
        this.address = address;
        this.prefixLength = prefixLength;
        mask(address, prefixLength);
    }

    /**
     * The prefix of a 4- or 16-byte address (copied; host bits cleared in the copy).
     *
     * @throws IllegalArgumentException for another address length or a prefix length out of range
     */
    public static Cidr of(byte[] address, int prefixLength) {
        if (address.length != IpLiteral.IPV4_BYTES && address.length != IpLiteral.IPV6_BYTES) {
            throw new IllegalArgumentException("address must be 4 or 16 bytes, not " + address.length);
        }
        if (prefixLength < 0 || prefixLength > address.length * 8) {
            throw new IllegalArgumentException("prefix length must be 0 to " + address.length * 8);
        }
        return new Cidr(address.clone(), prefixLength);
    }

    /**
     * Parses {@code ADDRESS/PREFIX} strictly, like Go's {@code netip.ParsePrefix} (and so like
     * wireguard-go's {@code allowed_ip}): the prefix length is required and has no leading zeros.
     *
     * @throws IllegalArgumentException with the reason
     */
    public static Cidr parse(CharSequence text) {
        int slash = -1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '/') {
                slash = i;
                break;
            }
        }
        try {
            if (slash < 0) {
                throw new IllegalArgumentException("missing /prefix-length");
            }
            byte[] address = IpLiteral.parse(text, 0, slash);
            int maxBits = address.length * 8;
            if (text.length() - slash > 2 && text.charAt(slash + 1) == '0') {
                throw new IllegalArgumentException("prefix length has a leading zero");
            }
            int prefixLength = IpLiteral.parseDecimal(text, slash + 1, text.length(), maxBits, "prefix length");
            return new Cidr(address, prefixLength);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a CIDR: " + e.getMessage(), e);
        }
    }

    private static void mask(byte[] address, int prefixLength) {
        for (int i = 0; i < address.length; i++) {
            int bitsHere = Math.clamp(prefixLength - 8L * i, 0, 8);
            address[i] &= (byte) (0xFF00 >>> bitsHere);
        }
    }

    public boolean isIpv4() {
        return address.length == IpLiteral.IPV4_BYTES;
    }

    /** A copy of the masked address: 4 bytes for IPv4, 16 for IPv6. */
    public byte[] address() {
        return address.clone();
    }

    public int prefixLength() {
        return prefixLength;
    }

    /** Canonical text, e.g. {@code 198.18.0.0/15} or {@code fd00::/8}. */
    @Override
    public String toString() {
        return IpLiteral.format(address, new StringBuilder(48))
                .append('/')
                .append(prefixLength)
                .toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr other && prefixLength == other.prefixLength && Arrays.equals(address, other.address);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(address) + prefixLength;
    }

    @Override
    public int compareTo(Cidr o) {
        if (address.length != o.address.length) {
            return Integer.compare(address.length, o.address.length);
        }
        int c = Arrays.compareUnsigned(address, o.address);
        return c != 0 ? c : Integer.compare(prefixLength, o.prefixLength);
    }
}
