package io.ringguard.dataplane.sys;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Static accessors for a Linux {@code sockaddr_in} / {@code sockaddr_in6} in any buffer, so endpoints are
 * stored, compared and handed to the kernel as the kernel's own bytes, with no conversion per datagram.
 *
 * <pre>
 *  sockaddr_in (16 bytes)                    sockaddr_in6 (28 bytes)
 *  0      2      4              8       16   0      2      4          8                      24         28
 *  +------+------+--------------+-------+    +------+------+----------+----------------------+----------+
 *  |family| port | IPv4 address | zero  |    |family| port | flowinfo | IPv6 address         | scope id |
 *  |native|  BE  |     BE       |       |    |native|  BE  |    BE    |     BE               |  native  |
 *  +------+------+--------------+-------+    +------+------+----------+----------------------+----------+
 * </pre>
 *
 * <p>{@code family} and {@code scope id} are in host byte order, port and address in network byte order.
 * IPv4 addresses are {@code int}s read big-endian and IPv6 addresses two big-endian {@code long}s, as in
 * {@code io.ringguard.buffers.ip.IpPacket}, so an endpoint compares directly with a packet header.
 *
 * <p>Stateless: any thread, over bytes it owns. Methods that take or return {@code java.net} types allocate
 * and are for setup, the control thread and tests.
 */
public final class SockAddr {
    public static final int FAMILY_OFFSET = 0;
    public static final int PORT_OFFSET = 2;
    public static final int IPV4_ADDRESS_OFFSET = 4;
    public static final int IPV6_FLOWINFO_OFFSET = 4;
    public static final int IPV6_ADDRESS_OFFSET = 8;
    public static final int IPV6_SCOPE_ID_OFFSET = 24;

    /** {@code sizeof(struct sockaddr_in)}. */
    public static final int IPV4_LENGTH_BYTES = 16;

    /** {@code sizeof(struct sockaddr_in6)}. */
    public static final int IPV6_LENGTH_BYTES = 28;

    /** Room that holds either family: the size of an endpoint record's address part. */
    public static final int MAX_LENGTH_BYTES = IPV6_LENGTH_BYTES;

    /** Family value of an empty record (AF_UNSPEC): no endpoint known. */
    public static final int AF_UNSPEC = 0;

    private static final ByteOrder HOST = ByteOrder.nativeOrder();

    private SockAddr() {}

    /** {@link Posix#AF_INET}, {@link Posix#AF_INET6}, or {@link #AF_UNSPEC} / anything else the kernel wrote. */
    public static int family(final DirectBuffer buffer, final int offset) {
        return buffer.getShort(offset + FAMILY_OFFSET, HOST) & 0xFFFF;
    }

    /** The port, 0..65535. */
    public static int port(final DirectBuffer buffer, final int offset) {
        return buffer.getShort(offset + PORT_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    /** The IPv4 address of a {@code sockaddr_in}, read big-endian. */
    public static int ipv4Address(final DirectBuffer buffer, final int offset) {
        return buffer.getInt(offset + IPV4_ADDRESS_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /** The first 8 bytes of the IPv6 address of a {@code sockaddr_in6}, read big-endian. */
    public static long ipv6AddressHigh(final DirectBuffer buffer, final int offset) {
        return buffer.getLong(offset + IPV6_ADDRESS_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /** The last 8 bytes of the IPv6 address of a {@code sockaddr_in6}, read big-endian. */
    public static long ipv6AddressLow(final DirectBuffer buffer, final int offset) {
        return buffer.getLong(offset + IPV6_ADDRESS_OFFSET + 8, ByteOrder.BIG_ENDIAN);
    }

    /** The scope id (interface index) of a link-local {@code sockaddr_in6}. */
    public static int ipv6ScopeId(final DirectBuffer buffer, final int offset) {
        return buffer.getInt(offset + IPV6_SCOPE_ID_OFFSET, HOST);
    }

    /** The length to pass to the kernel for the family stored at {@code offset}, or 0 when it is neither. */
    public static int lengthBytes(final DirectBuffer buffer, final int offset) {
        return switch (family(buffer, offset)) {
            case Posix.AF_INET -> IPV4_LENGTH_BYTES;
            case Posix.AF_INET6 -> IPV6_LENGTH_BYTES;
            default -> 0;
        };
    }

    /** Writes a {@code sockaddr_in}; returns its length. */
    public static int writeIpv4(final MutableDirectBuffer buffer, final int offset, final int address, final int port) {
        buffer.putShort(offset + FAMILY_OFFSET, (short) Posix.AF_INET, HOST);
        buffer.putShort(offset + PORT_OFFSET, (short) port, ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + IPV4_ADDRESS_OFFSET, address, ByteOrder.BIG_ENDIAN);
        buffer.putLong(offset + 8, 0L);
        return IPV4_LENGTH_BYTES;
    }

    /** Writes a {@code sockaddr_in6} with flowinfo 0; returns its length. */
    public static int writeIpv6(
            final MutableDirectBuffer buffer,
            final int offset,
            final long addressHigh,
            final long addressLow,
            final int port,
            final int scopeId) {
        buffer.putShort(offset + FAMILY_OFFSET, (short) Posix.AF_INET6, HOST);
        buffer.putShort(offset + PORT_OFFSET, (short) port, ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + IPV6_FLOWINFO_OFFSET, 0);
        buffer.putLong(offset + IPV6_ADDRESS_OFFSET, addressHigh, ByteOrder.BIG_ENDIAN);
        buffer.putLong(offset + IPV6_ADDRESS_OFFSET + 8, addressLow, ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + IPV6_SCOPE_ID_OFFSET, scopeId, HOST);
        return IPV6_LENGTH_BYTES;
    }

    /** Marks the record empty (family {@link #AF_UNSPEC}). */
    public static void clear(final MutableDirectBuffer buffer, final int offset) {
        buffer.setMemory(offset, MAX_LENGTH_BYTES, (byte) 0);
    }

    /** Copies the address stored at {@code srcOffset} (its family's length) to {@code dst}; returns the length. */
    public static int copy(
            final DirectBuffer src, final int srcOffset, final MutableDirectBuffer dst, final int dstOffset) {
        final int lengthBytes = lengthBytes(src, srcOffset);
        if (lengthBytes == 0) {
            clear(dst, dstOffset);
        } else {
            dst.putBytes(dstOffset, src, srcOffset, lengthBytes);
        }
        return lengthBytes;
    }

    /**
     * True when both records hold the same family, port and address (and scope id for IPv6); flowinfo and
     * padding are ignored. The comparison the receive path makes to see whether a peer roamed.
     */
    public static boolean sameEndpoint(
            final DirectBuffer a, final int aOffset, final DirectBuffer b, final int bOffset) {
        final int family = family(a, aOffset);
        if (family != family(b, bOffset) || port(a, aOffset) != port(b, bOffset)) {
            return false;
        }
        return switch (family) {
            case Posix.AF_INET -> ipv4Address(a, aOffset) == ipv4Address(b, bOffset);
            case Posix.AF_INET6 ->
                ipv6AddressHigh(a, aOffset) == ipv6AddressHigh(b, bOffset)
                        && ipv6AddressLow(a, aOffset) == ipv6AddressLow(b, bOffset)
                        && ipv6ScopeId(a, aOffset) == ipv6ScopeId(b, bOffset);
            default -> false;
        };
    }

    /** Writes {@code address} in the kernel's form; returns its length. Setup and control thread (reads a {@code byte[]}). */
    public static int write(final MutableDirectBuffer buffer, final int offset, final InetSocketAddress address) {
        final InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address: " + address);
        }
        final byte[] bytes = ip.getAddress();
        if (ip instanceof Inet4Address) {
            final int value = ((bytes[0] & 0xFF) << 24)
                    | ((bytes[1] & 0xFF) << 16)
                    | ((bytes[2] & 0xFF) << 8)
                    | (bytes[3] & 0xFF);
            return writeIpv4(buffer, offset, value, address.getPort());
        }
        final int scopeId = ((Inet6Address) ip).getScopeId();
        return writeIpv6(buffer, offset, bigEndianLong(bytes, 0), bigEndianLong(bytes, 8), address.getPort(), scopeId);
    }

    /** The record as a {@code java.net} address (allocates), or {@code null} for an empty or unknown family. */
    public static InetSocketAddress toInetSocketAddress(final DirectBuffer buffer, final int offset) {
        final int family = family(buffer, offset);
        final byte[] bytes;
        if (family == Posix.AF_INET) {
            bytes = new byte[4];
            buffer.getBytes(offset + IPV4_ADDRESS_OFFSET, bytes);
        } else if (family == Posix.AF_INET6) {
            bytes = new byte[16];
            buffer.getBytes(offset + IPV6_ADDRESS_OFFSET, bytes);
        } else {
            return null;
        }
        try {
            final InetAddress ip = family == Posix.AF_INET6 && ipv6ScopeId(buffer, offset) != 0
                    ? Inet6Address.getByAddress(null, bytes, ipv6ScopeId(buffer, offset))
                    : InetAddress.getByAddress(bytes);
            return new InetSocketAddress(ip, port(buffer, offset));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("cannot happen for a 4 or 16 byte address", e);
        }
    }

    /** {@code "1.2.3.4:51820"} or {@code "[fd00::1]:51820"}, or {@code "(none)"}; allocates, for logs and UAPI. */
    public static String format(final DirectBuffer buffer, final int offset) {
        final InetSocketAddress address = toInetSocketAddress(buffer, offset);
        if (address == null) {
            return "(none)";
        }
        final String host = address.getAddress().getHostAddress();
        return (address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static long bigEndianLong(final byte[] bytes, final int from) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (bytes[from + i] & 0xFF);
        }
        return value;
    }
}
