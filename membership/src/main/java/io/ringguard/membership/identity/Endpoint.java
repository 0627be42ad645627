package io.ringguard.membership.identity;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A UDP endpoint (IPv4 or IPv6 address and port) as a value, so that it can key maps and travel in
 * gossip without {@link InetSocketAddress}'s name lookups. IPv4 addresses live in the low 32 bits of
 * {@code lo}. Immutable; any thread.
 *
 * <pre>
 *  wire form, 19 bytes: family (0 none, 4, 6) | 16 address bytes (IPv4 in the first 4) | port (BE)
 * </pre>
 */
public record Endpoint(int family, long hi, long lo, int port) {
    public static final int ENCODED_BYTES = 19;
    public static final Endpoint NONE = new Endpoint(0, 0, 0, 0);

    public static Endpoint ipv4(int address, int port) {
        return new Endpoint(4, 0, address & 0xFFFF_FFFFL, port & 0xFFFF);
    }

    public static Endpoint of(InetSocketAddress address) {
        byte[] raw = address.getAddress().getAddress();
        if (raw.length == 4) {
            int a = ((raw[0] & 0xFF) << 24) | ((raw[1] & 0xFF) << 16) | ((raw[2] & 0xFF) << 8) | (raw[3] & 0xFF);
            return ipv4(a, address.getPort());
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (raw[i] & 0xFF);
            lo = (lo << 8) | (raw[i + 8] & 0xFF);
        }
        return new Endpoint(6, hi, lo, address.getPort());
    }

    /** Parses {@code 198.18.0.1:51821} or {@code [fd00::1]:51821}; for configuration, not packets. */
    public static Endpoint parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("endpoint needs host:port: " + text);
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return of(new InetSocketAddress(InetAddress.ofLiteral(host), Integer.parseInt(text.substring(colon + 1))));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad endpoint " + text + ": " + e.getMessage(), e);
        }
    }

    public boolean isNone() {
        return family == 0;
    }

    /** Reads the 19-byte wire form; returns null for an unknown family (a counted drop upstream). */
    public static Endpoint read(DirectBuffer buffer, int offset) {
        int family = buffer.getByte(offset);
        if (family == 0) {
            return NONE;
        }
        if (family != 4 && family != 6) {
            return null;
        }
        int port = buffer.getShort(offset + 17, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        if (family == 4) {
            return ipv4(buffer.getInt(offset + 1, ByteOrder.BIG_ENDIAN), port);
        }
        return new Endpoint(
                6,
                buffer.getLong(offset + 1, ByteOrder.BIG_ENDIAN),
                buffer.getLong(offset + 9, ByteOrder.BIG_ENDIAN),
                port);
    }

    public void write(MutableDirectBuffer buffer, int offset) {
        buffer.putByte(offset, (byte) family);
        if (family == 4) {
            buffer.putInt(offset + 1, (int) lo, ByteOrder.BIG_ENDIAN);
            buffer.putInt(offset + 5, 0);
            buffer.putLong(offset + 9, 0);
        } else {
            buffer.putLong(offset + 1, hi, ByteOrder.BIG_ENDIAN);
            buffer.putLong(offset + 9, lo, ByteOrder.BIG_ENDIAN);
        }
        buffer.putShort(offset + 17, (short) port, ByteOrder.BIG_ENDIAN);
    }

    public InetSocketAddress toSocketAddress() {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(addressBytes()), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("endpoint " + this + " has no address", e);
        }
    }

    private byte[] addressBytes() {
        if (family == 4) {
            return new byte[] {(byte) (lo >>> 24), (byte) (lo >>> 16), (byte) (lo >>> 8), (byte) lo};
        }
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (hi >>> (56 - 8 * i));
            b[i + 8] = (byte) (lo >>> (56 - 8 * i));
        }
        return b;
    }

    @Override
    public String toString() {
        if (family == 0) {
            return "";
        }
        if (family == 4) {
            return ((lo >>> 24) & 0xFF) + "." + ((lo >>> 16) & 0xFF) + "." + ((lo >>> 8) & 0xFF) + "." + (lo & 0xFF)
                    + ":" + port;
        }
        return "[" + toSocketAddress().getAddress().getHostAddress() + "]:" + port;
    }
}
