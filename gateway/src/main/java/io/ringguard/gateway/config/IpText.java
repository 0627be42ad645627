package io.ringguard.gateway.config;

import io.ringguard.dataplane.config.Cidr;

/**
 * IP address literals for the config file, on top of the dataplane's strict {@link Cidr} parser so
 * that the file accepts exactly what the UAPI accepts (no leading zeros, no zones, no DNS).
 * Stateless; any thread.
 */
final class IpText {
    static final int IPV4_BITS = 32;
    static final int IPV6_BITS = 128;

    private IpText() {}

    /** True if the text can only be meant as an address literal (a host name has a letter or a hyphen). */
    static boolean looksLikeLiteral(CharSequence text) {
        if (isV6(text)) {
            return true; // a colon never appears in a host name
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c == '.' || (c >= '0' && c <= '9'))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The 4 or 16 bytes of a literal.
     *
     * @throws IllegalArgumentException with the reason
     */
    static byte[] parseLiteral(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '/') {
                throw new IllegalArgumentException("'" + text + "' is an address, it takes no /prefix");
            }
        }
        // A full-length prefix keeps every bit, so the prefix parser doubles as a literal parser.
        int bits = isV6(text) ? IPV6_BITS : IPV4_BITS;
        try {
            return Cidr.parse(text + "/" + bits).address();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address", e);
        }
    }

    static boolean isV6(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == ':') {
                return true;
            }
        }
        return false;
    }

    /** Canonical text of 4 or 16 bytes (RFC 5952 for IPv6), without brackets. */
    static String format(byte[] address) {
        String full = Cidr.of(address, address.length * 8).toString();
        return full.substring(0, full.lastIndexOf('/'));
    }

    /** 127.0.0.0/8, ::1, or an IPv4-mapped 127.x address. */
    static boolean isLoopback(byte[] address) {
        if (address.length == 4) {
            return address[0] == 127;
        }
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        if (address[10] == (byte) 0xFF && address[11] == (byte) 0xFF) {
            return address[12] == 127;
        }
        for (int i = 10; i < 15; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[15] == 1;
    }

    /** True if the two prefixes share an address: same family, and the shorter one contains the other. */
    static boolean overlaps(Cidr a, Cidr b) {
        if (a.isIpv4() != b.isIpv4()) {
            return false;
        }
        int bits = Math.min(a.prefixLength(), b.prefixLength());
        return Cidr.of(a.address(), bits).equals(Cidr.of(b.address(), bits));
    }
}
