package io.ringguard.buffers.ip;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;

/**
 * Static readers for IPv4 and IPv6 headers in a buffer at an offset. The dataplane uses them to route a
 * plaintext packet by destination, check that a decrypted packet's source belongs to its peer, and strip
 * WireGuard's padding (the IP total length, not the decrypted length, is the packet's real size).
 *
 * <pre>
 * IPv4 (RFC 791), big-endian:
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |Type of Service|          Total Length         |  0
 * |         Identification        |Flags|      Fragment Offset    |  4
 * |  Time to Live |    Protocol   |         Header Checksum       |  8
 * |                       Source Address                          | 12
 * |                    Destination Address                        | 16
 * |                    Options (IHL > 5)                          | 20
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * IPv6 (RFC 8200), big-endian:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Traffic Class |           Flow Label                  |  0
 * |         Payload Length        |  Next Header  |   Hop Limit   |  4
 * |                    Source Address (16 bytes)                  |  8
 * |                 Destination Address (16 bytes)                | 24
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ 40
 * </pre>
 *
 * <p>Contract: {@link #version}, {@link #isValidIpv4} and {@link #isValidIpv6} take the captured length and
 * read nothing outside {@code [offset, offset + length)}; they return 0 or false for anything malformed,
 * including a range outside the buffer. The other readers take only an offset and read fixed header fields
 * without checks, so call them only after the matching validator said yes.
 *
 * <p>Threading: stateless; any thread, over bytes it owns.
 */
public final class IpPacket {
    /** Returned by {@link #version} for anything that is not a valid IPv4 or IPv6 header. */
    public static final int INVALID_VERSION = 0;

    public static final int IPV4_VERSION = 4;
    public static final int IPV6_VERSION = 6;

    public static final int VERSION_OFFSET = 0;

    public static final int IPV4_VERSION_IHL_OFFSET = 0;
    public static final int IPV4_TOS_OFFSET = 1;
    public static final int IPV4_TOTAL_LENGTH_OFFSET = 2;
    public static final int IPV4_IDENTIFICATION_OFFSET = 4;
    public static final int IPV4_FLAGS_FRAGMENT_OFFSET = 6;
    public static final int IPV4_TTL_OFFSET = 8;
    public static final int IPV4_PROTOCOL_OFFSET = 9;
    public static final int IPV4_CHECKSUM_OFFSET = 10;
    public static final int IPV4_SOURCE_OFFSET = 12;
    public static final int IPV4_DESTINATION_OFFSET = 16;
    public static final int IPV4_MIN_HEADER_BYTES = 20;
    public static final int IPV4_MIN_IHL = 5;
    public static final int IPV4_ADDRESS_BYTES = 4;

    /** Flags/fragment-offset bits: "more fragments" and the 13-bit offset; either set means a fragment. */
    public static final int IPV4_MORE_FRAGMENTS_MASK = 0x2000;

    public static final int IPV4_FRAGMENT_OFFSET_MASK = 0x1FFF;

    public static final int IPV6_PAYLOAD_LENGTH_OFFSET = 4;
    public static final int IPV6_NEXT_HEADER_OFFSET = 6;
    public static final int IPV6_HOP_LIMIT_OFFSET = 7;
    public static final int IPV6_SOURCE_OFFSET = 8;
    public static final int IPV6_DESTINATION_OFFSET = 24;
    public static final int IPV6_HEADER_BYTES = 40;
    public static final int IPV6_ADDRESS_BYTES = 16;

    public static final int PROTOCOL_ICMP = 1;
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;
    public static final int PROTOCOL_ICMPV6 = 58;

    private IpPacket() {}

    /**
     * Which IP version the bytes hold, after full header validation.
     *
     * @param buffer holding the packet.
     * @param offset of the first header byte.
     * @param length captured bytes from {@code offset}.
     * @return {@link #IPV4_VERSION} if {@link #isValidIpv4} holds, {@link #IPV6_VERSION} if {@link
     *     #isValidIpv6} holds, otherwise {@link #INVALID_VERSION}.
     */
    public static int version(final DirectBuffer buffer, final int offset, final int length) {
        if (!isInBuffer(buffer, offset, length) || length < 1) {
            return INVALID_VERSION;
        }
        return switch (versionNibble(buffer, offset)) {
            case IPV4_VERSION -> isValidIpv4(buffer, offset, length) ? IPV4_VERSION : INVALID_VERSION;
            case IPV6_VERSION -> isValidIpv6(buffer, offset, length) ? IPV6_VERSION : INVALID_VERSION;
            default -> INVALID_VERSION;
        };
    }

    /**
     * Whether the bytes start with an IPv4 header that is safe to read: version 4, IHL at least 5, and
     * {@code IHL * 4 <= total length <= length}. Bytes after the total length (WireGuard padding, link
     * trailers) are allowed. The header checksum is not checked here; see {@link
     * InternetChecksum#isIpv4HeaderValid}.
     *
     * @param buffer holding the packet.
     * @param offset of the first header byte.
     * @param length captured bytes from {@code offset}.
     * @return true if every IPv4 reader in this class may be used.
     */
    public static boolean isValidIpv4(final DirectBuffer buffer, final int offset, final int length) {
        if (!isInBuffer(buffer, offset, length) || length < IPV4_MIN_HEADER_BYTES) {
            return false;
        }
        final int versionIhl = buffer.getByte(offset + IPV4_VERSION_IHL_OFFSET) & 0xFF;
        if ((versionIhl >>> 4) != IPV4_VERSION || (versionIhl & 0x0F) < IPV4_MIN_IHL) {
            return false;
        }
        final int headerBytes = (versionIhl & 0x0F) * 4;
        final int totalLength = ipv4TotalLength(buffer, offset);
        return headerBytes <= totalLength && totalLength <= length;
    }

    /**
     * Whether the bytes start with an IPv6 header that is safe to read: version 6, at least 40 bytes, and
     * {@code 40 + payload length <= length}. Jumbograms (payload length 0 with a hop-by-hop jumbo option)
     * are not supported: they are read as a bare header.
     *
     * @param buffer holding the packet.
     * @param offset of the first header byte.
     * @param length captured bytes from {@code offset}.
     * @return true if every IPv6 reader in this class may be used.
     */
    public static boolean isValidIpv6(final DirectBuffer buffer, final int offset, final int length) {
        if (!isInBuffer(buffer, offset, length) || length < IPV6_HEADER_BYTES) {
            return false;
        }
        return versionNibble(buffer, offset) == IPV6_VERSION
                && IPV6_HEADER_BYTES + ipv6PayloadLength(buffer, offset) <= length;
    }

    /**
     * The packet's own length, to cut WireGuard padding off a decrypted packet. Validated headers only.
     *
     * @param buffer holding a header that passed {@link #version}.
     * @param offset of the first header byte.
     * @return IPv4 total length, or 40 + IPv6 payload length.
     */
    public static int totalLengthBytes(final DirectBuffer buffer, final int offset) {
        return versionNibble(buffer, offset) == IPV4_VERSION
                ? ipv4TotalLength(buffer, offset)
                : IPV6_HEADER_BYTES + ipv6PayloadLength(buffer, offset);
    }

    /**
     * IPv4 total length field (header plus data). Validated headers only.
     *
     * @param buffer holding a header that passed {@link #isValidIpv4}.
     * @param offset of the first header byte.
     * @return 0..65535.
     */
    public static int ipv4TotalLength(final DirectBuffer buffer, final int offset) {
        return buffer.getShort(offset + IPV4_TOTAL_LENGTH_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * IPv4 header length in 32-bit words. Validated headers only.
     *
     * @param buffer holding a header that passed {@link #isValidIpv4}.
     * @param offset of the first header byte.
     * @return 5..15.
     */
    public static int ipv4Ihl(final DirectBuffer buffer, final int offset) {
        return buffer.getByte(offset + IPV4_VERSION_IHL_OFFSET) & 0x0F;
    }

    /**
     * IPv4 header length in bytes, where the transport header starts. Validated headers only.
     *
     * @param buffer holding a header that passed {@link #isValidIpv4}.
     * @param offset of the first header byte.
     * @return 20..60.
     */
    public static int ipv4HeaderLengthBytes(final DirectBuffer buffer, final int offset) {
        return ipv4Ihl(buffer, offset) * 4;
    }

    /**
     * IPv4 protocol number ({@link #PROTOCOL_ICMP}, {@link #PROTOCOL_UDP}, ...). Validated headers only.
     *
     * @param buffer holding a header that passed {@link #isValidIpv4}.
     * @param offset of the first header byte.
     * @return 0..255.
     */
    public static int ipv4Protocol(final DirectBuffer buffer, final int offset) {
        return buffer.getByte(offset + IPV4_PROTOCOL_OFFSET) & 0xFF;
    }

    /**
     * Whether the packet is a fragment (more-fragments set or non-zero fragment offset). Validated headers
     * only.
     *
     * @param buffer holding a header that passed {@link #isValidIpv4}.
     * @param offset of the first header byte.
     * @return true for any fragment, first ones included.
     */
    public static boolean ipv4IsFragment(final DirectBuffer buffer, final int offset) {
        final int flagsFragment = buffer.getShort(offset + IPV4_FLAGS_FRAGMENT_OFFSET, ByteOrder.BIG_ENDIAN);
        return (flagsFragment & (IPV4_MORE_FRAGMENTS_MASK | IPV4_FRAGMENT_OFFSET_MASK)) != 0;
    }

    /**
     * IPv4 source address as a big-endian int: 198.18.0.1 is {@code 0xC6120001}. Validated headers only.
     *
     * @param buffer holding a header that passed {@link #isValidIpv4}.
     * @param offset of the first header byte.
     * @return the address, most significant byte first.
     */
    public static int ipv4SourceAddress(final DirectBuffer buffer, final int offset) {
        return buffer.getInt(offset + IPV4_SOURCE_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /**
     * IPv4 destination address as a big-endian int: 198.18.0.1 is {@code 0xC6120001}. Validated headers only.
     *
     * @param buffer holding a header that passed {@link #isValidIpv4}.
     * @param offset of the first header byte.
     * @return the address, most significant byte first.
     */
    public static int ipv4DestinationAddress(final DirectBuffer buffer, final int offset) {
        return buffer.getInt(offset + IPV4_DESTINATION_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /**
     * IPv6 payload length (bytes after the fixed 40-byte header). Validated headers only.
     *
     * @param buffer holding a header that passed {@link #isValidIpv6}.
     * @param offset of the first header byte.
     * @return 0..65535.
     */
    public static int ipv6PayloadLength(final DirectBuffer buffer, final int offset) {
        return buffer.getShort(offset + IPV6_PAYLOAD_LENGTH_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * IPv6 next header ({@link #PROTOCOL_ICMPV6}, {@link #PROTOCOL_UDP}, or an extension header). Validated
     * headers only.
     *
     * @param buffer holding a header that passed {@link #isValidIpv6}.
     * @param offset of the first header byte.
     * @return 0..255.
     */
    public static int ipv6NextHeader(final DirectBuffer buffer, final int offset) {
        return buffer.getByte(offset + IPV6_NEXT_HEADER_OFFSET) & 0xFF;
    }

    /**
     * High 64 bits of the IPv6 source address, big-endian: {@code fd00::1} has high {@code
     * 0xFD00000000000000L}. Validated headers only.
     *
     * @param buffer holding a header that passed {@link #isValidIpv6}.
     * @param offset of the first header byte.
     * @return address bytes 0..7.
     */
    public static long ipv6SourceAddressHigh(final DirectBuffer buffer, final int offset) {
        return buffer.getLong(offset + IPV6_SOURCE_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /**
     * Low 64 bits of the IPv6 source address, big-endian. Validated headers only.
     *
     * @param buffer holding a header that passed {@link #isValidIpv6}.
     * @param offset of the first header byte.
     * @return address bytes 8..15.
     */
    public static long ipv6SourceAddressLow(final DirectBuffer buffer, final int offset) {
        return buffer.getLong(offset + IPV6_SOURCE_OFFSET + 8, ByteOrder.BIG_ENDIAN);
    }

    /**
     * High 64 bits of the IPv6 destination address, big-endian. Validated headers only.
     *
     * @param buffer holding a header that passed {@link #isValidIpv6}.
     * @param offset of the first header byte.
     * @return address bytes 0..7.
     */
    public static long ipv6DestinationAddressHigh(final DirectBuffer buffer, final int offset) {
        return buffer.getLong(offset + IPV6_DESTINATION_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /**
     * Low 64 bits of the IPv6 destination address, big-endian. Validated headers only.
     *
     * @param buffer holding a header that passed {@link #isValidIpv6}.
     * @param offset of the first header byte.
     * @return address bytes 8..15.
     */
    public static long ipv6DestinationAddressLow(final DirectBuffer buffer, final int offset) {
        return buffer.getLong(offset + IPV6_DESTINATION_OFFSET + 8, ByteOrder.BIG_ENDIAN);
    }

    /**
     * Copies the source address, in network byte order, into a caller-owned array. Validated headers only.
     *
     * @param buffer holding a header that passed {@link #version}.
     * @param offset of the first header byte.
     * @param dst receives 4 (IPv4) or 16 (IPv6) bytes at index 0; must be at least that long.
     * @return bytes written: 4 or 16.
     */
    public static int sourceAddress(final DirectBuffer buffer, final int offset, final byte[] dst) {
        return versionNibble(buffer, offset) == IPV4_VERSION
                ? copy(buffer, offset + IPV4_SOURCE_OFFSET, dst, IPV4_ADDRESS_BYTES)
                : copy(buffer, offset + IPV6_SOURCE_OFFSET, dst, IPV6_ADDRESS_BYTES);
    }

    /**
     * Copies the destination address, in network byte order, into a caller-owned array. Validated headers
     * only.
     *
     * @param buffer holding a header that passed {@link #version}.
     * @param offset of the first header byte.
     * @param dst receives 4 (IPv4) or 16 (IPv6) bytes at index 0; must be at least that long.
     * @return bytes written: 4 or 16.
     */
    public static int destinationAddress(final DirectBuffer buffer, final int offset, final byte[] dst) {
        return versionNibble(buffer, offset) == IPV4_VERSION
                ? copy(buffer, offset + IPV4_DESTINATION_OFFSET, dst, IPV4_ADDRESS_BYTES)
                : copy(buffer, offset + IPV6_DESTINATION_OFFSET, dst, IPV6_ADDRESS_BYTES);
    }

    private static int versionNibble(final DirectBuffer buffer, final int offset) {
        return (buffer.getByte(offset + VERSION_OFFSET) & 0xFF) >>> 4;
    }

    private static int copy(final DirectBuffer buffer, final int index, final byte[] dst, final int lengthBytes) {
        buffer.getBytes(index, dst, 0, lengthBytes);
        return lengthBytes;
    }

    /** Whether {@code [offset, offset + length)} lies inside the buffer, written so that it cannot overflow. */
    static boolean isInBuffer(final DirectBuffer buffer, final int offset, final int length) {
        return offset >= 0 && length >= 0 && length <= buffer.capacity() - offset;
    }
}
