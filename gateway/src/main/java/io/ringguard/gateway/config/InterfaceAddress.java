package io.ringguard.gateway.config;

import io.ringguard.dataplane.config.Cidr;
import java.util.Arrays;

/**
 * One {@code Address} of the interface: the host address and the prefix length of the subnet it
 * is on, as {@code ip address add 100.64.0.1/16} takes it. Unlike a {@link Cidr} the host bits are
 * kept: they are the address. Immutable; any thread.
 */
public final class InterfaceAddress {
    private final byte[] address;
    private final int prefixLength;

    private InterfaceAddress(byte[] address, int prefixLength) {
        this.address = address;
        this.prefixLength = prefixLength;
    }

    /**
     * An address of 4 or 16 bytes (copied) with a prefix length that fits it.
     *
     * @throws IllegalArgumentException otherwise
     */
    public static InterfaceAddress of(byte[] address, int prefixLength) {
        if (address.length != 4 && address.length != 16) {
            throw new IllegalArgumentException("address must be 4 or 16 bytes, not " + address.length);
        }
        if (prefixLength < 0 || prefixLength > address.length * 8) {
            throw new IllegalArgumentException("prefix length must be 0 to " + address.length * 8);
        }
        return new InterfaceAddress(address.clone(), prefixLength);
    }

    /**
     * Parses {@code ADDRESS/PREFIX} or a bare {@code ADDRESS} (a host route, /32 or /128, as {@code
     * ip address add} reads it).
     *
     * @throws IllegalArgumentException with the reason
     */
    public static InterfaceAddress parse(CharSequence text) {
        int slash = -1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '/') {
                slash = i;
                break;
            }
        }
        if (slash < 0) {
            byte[] address = IpText.parseLiteral(text);
            return new InterfaceAddress(address, address.length * 8);
        }
        byte[] address = IpText.parseLiteral(text.subSequence(0, slash));
        // Cidr gives the same strict prefix-length rules as AllowedIPs; it only loses the host bits.
        Cidr prefix = Cidr.parse(IpText.format(address) + text.subSequence(slash, text.length()));
        return new InterfaceAddress(address, prefix.prefixLength());
    }

    public boolean isIpv4() {
        return address.length == 4;
    }

    /** A copy of the host address: 4 bytes for IPv4, 16 for IPv6. */
    public byte[] address() {
        return address.clone();
    }

    public int prefixLength() {
        return prefixLength;
    }

    /** The subnet, e.g. {@code 100.64.0.0/16} for {@code 100.64.0.1/16}. */
    public Cidr subnet() {
        return Cidr.of(address, prefixLength);
    }

    /** The address alone as a host prefix, e.g. {@code 100.64.0.1/32}: what a peer's AllowedIPs names. */
    public Cidr hostPrefix() {
        return Cidr.of(address, address.length * 8);
    }

    @Override
    public String toString() {
        return IpText.format(address) + "/" + prefixLength;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InterfaceAddress other
                && prefixLength == other.prefixLength
                && Arrays.equals(address, other.address);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(address) + prefixLength;
    }
}
