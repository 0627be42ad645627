package io.ringguard.dataplane.config;

/**
 * Strict parsing and canonical printing of IPv4 and IPv6 address literals, without any name lookup.
 *
 * <p>Accepts what Go's {@code netip.ParseAddr} accepts, minus zones: dotted quads without leading
 * zeros, and RFC 4291 IPv6 text with at most one {@code ::} and an optional trailing dotted quad.
 * Prints like Go (and so like wireguard-go's {@code get}): RFC 5952 for IPv6, with IPv4-mapped
 * addresses as {@code ::ffff:a.b.c.d}. Stateless; any thread.
 */
final class IpLiteral {
    static final int IPV4_BYTES = 4;
    static final int IPV6_BYTES = 16;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private IpLiteral() {}

    /** Parses {@code text[start, end)} into 4 or 16 bytes; throws {@link IllegalArgumentException}. */
    static byte[] parse(CharSequence text, int start, int end) {
        if (start >= end) {
            throw new IllegalArgumentException("empty address");
        }
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c == ':') {
                return parseV6(text, start, end);
            }
            if (c == '%') {
                throw new IllegalArgumentException("IPv6 zone ids are not supported");
            }
        }
        byte[] out = new byte[IPV4_BYTES];
        parseV4(text, start, end, out, 0);
        return out;
    }

    static void parseV4(CharSequence text, int start, int end, byte[] out, int outOffset) {
        int part = 0;
        int i = start;
        while (true) {
            int partStart = i;
            int value = 0;
            while (i < end && text.charAt(i) != '.') {
                int d = text.charAt(i) - '0';
                if (d < 0 || d > 9) {
                    throw new IllegalArgumentException("unexpected character '" + text.charAt(i) + "' in IPv4 address");
                }
                value = value * 10 + d;
                i++;
                if (i - partStart > 3 || value > 255) {
                    throw new IllegalArgumentException("IPv4 field out of range");
                }
            }
            if (i == partStart) {
                throw new IllegalArgumentException("empty field in IPv4 address");
            }
            if (i - partStart > 1 && text.charAt(partStart) == '0') {
                // Go rejects these too: "010" means 8 to inet_aton but 10 to most humans.
                throw new IllegalArgumentException("IPv4 field has a leading zero");
            }
            out[outOffset + part++] = (byte) value;
            if (i == end) {
                break;
            }
            if (part == IPV4_BYTES) {
                throw new IllegalArgumentException("IPv4 address has more than 4 fields");
            }
            i++; // the dot
        }
        if (part != IPV4_BYTES) {
            throw new IllegalArgumentException("IPv4 address has fewer than 4 fields");
        }
    }

    private static byte[] parseV6(CharSequence text, int start, int end) {
        for (int i = start; i < end; i++) {
            if (text.charAt(i) == '%') {
                throw new IllegalArgumentException("IPv6 zone ids are not supported");
            }
        }
        byte[] out = new byte[IPV6_BYTES];
        int ellipsis = indexOfEllipsis(text, start, end);
        if (ellipsis < 0) {
            if (parseGroups(text, start, end, out, IPV6_BYTES) != IPV6_BYTES) {
                throw new IllegalArgumentException("IPv6 address has fewer than 8 groups and no '::'");
            }
            return out;
        }
        if (indexOfEllipsis(text, ellipsis + 1, end) >= 0) {
            throw new IllegalArgumentException("IPv6 address has more than one '::'");
        }
        // "::" stands for at least one zero group, so each side holds at most 7 groups (14 bytes).
        byte[] head = new byte[IPV6_BYTES];
        byte[] tail = new byte[IPV6_BYTES];
        int headBytes = ellipsis == start ? 0 : parseGroups(text, start, ellipsis, head, IPV6_BYTES - 2);
        int tailBytes = ellipsis + 2 == end ? 0 : parseGroups(text, ellipsis + 2, end, tail, IPV6_BYTES - 2);
        if (headBytes + tailBytes > IPV6_BYTES - 2) {
            throw new IllegalArgumentException("IPv6 address has too many groups around '::'");
        }
        System.arraycopy(head, 0, out, 0, headBytes);
        System.arraycopy(tail, 0, out, IPV6_BYTES - tailBytes, tailBytes);
        return out;
    }

    private static int indexOfEllipsis(CharSequence text, int start, int end) {
        for (int i = start; i + 1 < end; i++) {
            if (text.charAt(i) == ':' && text.charAt(i + 1) == ':') {
                return i;
            }
        }
        return -1;
    }

    /** Parses colon-separated groups (the last may be a dotted quad); returns the bytes written. */
    private static int parseGroups(CharSequence text, int start, int end, byte[] out, int maxBytes) {
        int n = 0;
        int i = start;
        while (true) {
            int groupStart = i;
            boolean dotted = false;
            while (i < end && text.charAt(i) != ':') {
                dotted |= text.charAt(i) == '.';
                i++;
            }
            if (dotted) {
                if (i != end) {
                    throw new IllegalArgumentException("embedded IPv4 address must be the last group");
                }
                if (n + IPV4_BYTES > maxBytes) {
                    throw new IllegalArgumentException("IPv6 address has too many groups");
                }
                parseV4(text, groupStart, i, out, n);
                return n + IPV4_BYTES;
            }
            if (i == groupStart) {
                throw new IllegalArgumentException("empty group in IPv6 address");
            }
            if (i - groupStart > 4) {
                throw new IllegalArgumentException("IPv6 group has more than 4 hex digits");
            }
            int value = 0;
            for (int j = groupStart; j < i; j++) {
                int d = Character.digit(text.charAt(j), 16);
                if (d < 0 || text.charAt(j) > 'f') {
                    throw new IllegalArgumentException("unexpected character '" + text.charAt(j) + "' in IPv6 address");
                }
                value = (value << 4) | d;
            }
            if (n + 2 > maxBytes) {
                throw new IllegalArgumentException("IPv6 address has too many groups");
            }
            out[n++] = (byte) (value >>> 8);
            out[n++] = (byte) value;
            if (i == end) {
                return n;
            }
            i++; // the colon
            if (i == end) {
                throw new IllegalArgumentException("IPv6 address ends with a single ':'");
            }
        }
    }

    /** Appends the canonical text of a 4- or 16-byte address. */
    static StringBuilder format(byte[] address, StringBuilder out) {
        if (address.length == IPV4_BYTES) {
            return appendV4(address, 0, out);
        }
        if (isV4Mapped(address)) {
            return appendV4(address, 12, out.append("::ffff:"));
        }
        // RFC 5952 4.2: compress the longest run (first on a tie) of two or more zero groups.
        int bestStart = -1;
        int bestLength = 1;
        for (int g = 0; g < 8; ) {
            if (group(address, g) != 0) {
                g++;
                continue;
            }
            int runStart = g;
            while (g < 8 && group(address, g) == 0) {
                g++;
            }
            if (g - runStart > bestLength) {
                bestStart = runStart;
                bestLength = g - runStart;
            }
        }
        for (int g = 0; g < 8; g++) {
            if (g == bestStart) {
                out.append("::");
                g += bestLength - 1;
                continue;
            }
            if (g > 0 && g != bestStart + bestLength) {
                out.append(':');
            }
            appendHexGroup(group(address, g), out);
        }
        return out;
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xFF && a[11] == (byte) 0xFF;
    }

    private static int group(byte[] a, int g) {
        return ((a[2 * g] & 0xFF) << 8) | (a[2 * g + 1] & 0xFF);
    }

    private static void appendHexGroup(int value, StringBuilder out) {
        boolean started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            int d = (value >>> shift) & 15;
            if (d != 0 || started || shift == 0) {
                out.append(HEX[d]);
                started = true;
            }
        }
    }

    private static StringBuilder appendV4(byte[] a, int offset, StringBuilder out) {
        return out.append(a[offset] & 0xFF)
                .append('.')
                .append(a[offset + 1] & 0xFF)
                .append('.')
                .append(a[offset + 2] & 0xFF)
                .append('.')
                .append(a[offset + 3] & 0xFF);
    }

    /** Parses decimal digits (leading zeros allowed, as Go's {@code strconv} does) up to {@code max}. */
    static int parseDecimal(CharSequence text, int start, int end, int max, String what) {
        if (start >= end) {
            throw new IllegalArgumentException("empty " + what);
        }
        int value = 0;
        for (int i = start; i < end; i++) {
            int d = text.charAt(i) - '0';
            if (d < 0 || d > 9) {
                throw new IllegalArgumentException(what + " is not a decimal number");
            }
            value = value * 10 + d;
            if (value > max) {
                // Checked per digit so that a long run of digits cannot overflow.
                throw new IllegalArgumentException(what + " out of range");
            }
        }
        return value;
    }
}
