package io.ringguard.membership.identity;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A mesh (tunnel) address with its prefix length, e.g. {@code 100.64.0.1/32}: what a member will
 * accept as inner source addresses. Immutable; any thread.
 *
 * <pre>
 *  wire form, 18 bytes: family (4 or 6) | 16 address bytes (IPv4 in the first 4) | prefix length
 * </pre>
 */
public record MeshPrefix(int family, long hi, long lo, int prefixLength) {
    public static final int ENCODED_BYTES = 18;

    public static MeshPrefix ipv4(int address, int prefixLength) {
        return new MeshPrefix(4, 0, address & 0xFFFF_FFFFL, prefixLength);
    }

    /** Parses {@code 100.64.0.1/32} or {@code fd00::1/128}; for configuration, not packets. */
    public static MeshPrefix parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("mesh address needs a prefix length: " + text);
        }
        String host = text.substring(0, slash);
        Endpoint e = Endpoint.parse(host.contains(":") ? "[" + host + "]:0" : host + ":0");
        int length = Integer.parseInt(text.substring(slash + 1));
        if (length < 0 || length > (e.family() == 4 ? 32 : 128)) {
            throw new IllegalArgumentException("bad prefix length in " + text);
        }
        return new MeshPrefix(e.family(), e.hi(), e.lo(), length);
    }

    /** Reads the wire form; null when the family or length is invalid (a counted drop upstream). */
    public static MeshPrefix read(DirectBuffer buffer, int offset) {
        int family = buffer.getByte(offset);
        int length = buffer.getByte(offset + 17) & 0xFF;
        if (family == 4 && length <= 32) {
            return ipv4(buffer.getInt(offset + 1, ByteOrder.BIG_ENDIAN), length);
        }
        if (family == 6 && length <= 128) {
            return new MeshPrefix(
                    6,
                    buffer.getLong(offset + 1, ByteOrder.BIG_ENDIAN),
                    buffer.getLong(offset + 9, ByteOrder.BIG_ENDIAN),
                    length);
        }
        return null;
    }

    public void write(MutableDirectBuffer buffer, int offset) {
        new Endpoint(family, hi, lo, 0).write(buffer, offset);
        buffer.putByte(offset + 17, (byte) prefixLength);
    }

    @Override
    public String toString() {
        String ep = new Endpoint(family, hi, lo, 0).toString();
        String host = ep.substring(0, ep.lastIndexOf(':'));
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        return host + "/" + prefixLength;
    }
}
