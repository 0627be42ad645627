package io.ringguard.buffers.ip;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Writes and reads IPv4 ICMP echo request/reply packets (RFC 792), the "ping" that tests push through a
 * tunnel. Not a dataplane type: the gateway forwards ICMP without looking at it.
 *
 * <pre>
 * IPv4 header (20 bytes, no options, DF set, TTL 64, protocol 1), then ICMP, big-endian:
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |  0
 * |           Identifier          |        Sequence Number        |  4
 * |     Data ...                                                  |  8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>The ICMP checksum covers the ICMP header and data, with no pseudo-header. The readers accept any IHL,
 * so a packet that gained IP options on the way still parses.
 *
 * <p>Threading: stateless; any thread, over bytes it owns.
 */
public final class IcmpEcho {
    public static final int TYPE_ECHO_REPLY = 0;
    public static final int TYPE_ECHO_REQUEST = 8;

    public static final int TYPE_OFFSET = 0;
    public static final int CODE_OFFSET = 1;
    public static final int CHECKSUM_OFFSET = 2;
    public static final int IDENTIFIER_OFFSET = 4;
    public static final int SEQUENCE_OFFSET = 6;
    public static final int DATA_OFFSET = 8;
    public static final int ICMP_HEADER_BYTES = 8;

    /** Bytes the writer adds around the payload: a 20-byte IPv4 header and the 8-byte ICMP header. */
    public static final int OVERHEAD_BYTES = IpPacket.IPV4_MIN_HEADER_BYTES + ICMP_HEADER_BYTES;

    /** Largest payload that keeps the IPv4 total length within 16 bits. */
    public static final int MAX_PAYLOAD_BYTES = 65_535 - OVERHEAD_BYTES;

    static final int DEFAULT_TTL = 64;
    static final int DONT_FRAGMENT = 0x4000;

    private IcmpEcho() {}

    /**
     * Writes an echo request.
     *
     * @param buffer to write into.
     * @param offset where the IPv4 header starts.
     * @param sourceAddress big-endian IPv4 address, 198.18.0.1 as {@code 0xC6120001}.
     * @param destinationAddress big-endian IPv4 address.
     * @param identifier 0..0xFFFF, matches replies to this pinger.
     * @param sequence 0..0xFFFF, matches a reply to its request.
     * @param payload bytes to carry (copied).
     * @param payloadOffset first payload byte.
     * @param payloadLengthBytes 0..{@link #MAX_PAYLOAD_BYTES}.
     * @return total packet length written.
     * @throws IllegalArgumentException if the payload is too long or the packet does not fit the buffer.
     */
    public static int writeEchoRequest(
            final MutableDirectBuffer buffer,
            final int offset,
            final int sourceAddress,
            final int destinationAddress,
            final int identifier,
            final int sequence,
            final DirectBuffer payload,
            final int payloadOffset,
            final int payloadLengthBytes) {
        return write(
                buffer,
                offset,
                TYPE_ECHO_REQUEST,
                sourceAddress,
                destinationAddress,
                identifier,
                sequence,
                payload,
                payloadOffset,
                payloadLengthBytes);
    }

    /**
     * Writes an echo reply. Parameters as for {@link #writeEchoRequest}; a real reply swaps the request's
     * addresses and echoes its identifier, sequence and data.
     *
     * @param buffer to write into.
     * @param offset where the IPv4 header starts.
     * @param sourceAddress big-endian IPv4 address.
     * @param destinationAddress big-endian IPv4 address.
     * @param identifier 0..0xFFFF.
     * @param sequence 0..0xFFFF.
     * @param payload bytes to carry (copied).
     * @param payloadOffset first payload byte.
     * @param payloadLengthBytes 0..{@link #MAX_PAYLOAD_BYTES}.
     * @return total packet length written.
     * @throws IllegalArgumentException if the payload is too long or the packet does not fit the buffer.
     */
    public static int writeEchoReply(
            final MutableDirectBuffer buffer,
            final int offset,
            final int sourceAddress,
            final int destinationAddress,
            final int identifier,
            final int sequence,
            final DirectBuffer payload,
            final int payloadOffset,
            final int payloadLengthBytes) {
        return write(
                buffer,
                offset,
                TYPE_ECHO_REPLY,
                sourceAddress,
                destinationAddress,
                identifier,
                sequence,
                payload,
                payloadOffset,
                payloadLengthBytes);
    }

    /**
     * Whether the bytes are a complete, unfragmented IPv4 ICMP echo request with correct IPv4 and ICMP
     * checksums.
     *
     * @param buffer holding the packet.
     * @param offset of the IPv4 header.
     * @param length captured bytes from {@code offset}.
     * @return true if {@link #identifier}, {@link #sequence} and the payload readers may be used.
     */
    public static boolean isEchoRequest(final DirectBuffer buffer, final int offset, final int length) {
        return isEcho(buffer, offset, length, TYPE_ECHO_REQUEST);
    }

    /**
     * Whether the bytes are a complete, unfragmented IPv4 ICMP echo reply with correct IPv4 and ICMP
     * checksums.
     *
     * @param buffer holding the packet.
     * @param offset of the IPv4 header.
     * @param length captured bytes from {@code offset}.
     * @return true if {@link #identifier}, {@link #sequence} and the payload readers may be used.
     */
    public static boolean isEchoReply(final DirectBuffer buffer, final int offset, final int length) {
        return isEcho(buffer, offset, length, TYPE_ECHO_REPLY);
    }

    /**
     * Echo identifier. Only after {@link #isEchoRequest} or {@link #isEchoReply} returned true.
     *
     * @param buffer holding the packet.
     * @param offset of the IPv4 header.
     * @return 0..0xFFFF.
     */
    public static int identifier(final DirectBuffer buffer, final int offset) {
        return buffer.getShort(icmpOffset(buffer, offset) + IDENTIFIER_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Echo sequence number. Only after {@link #isEchoRequest} or {@link #isEchoReply} returned true.
     *
     * @param buffer holding the packet.
     * @param offset of the IPv4 header.
     * @return 0..0xFFFF.
     */
    public static int sequence(final DirectBuffer buffer, final int offset) {
        return buffer.getShort(icmpOffset(buffer, offset) + SEQUENCE_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Where the echo data starts. Only after {@link #isEchoRequest} or {@link #isEchoReply} returned true.
     *
     * @param buffer holding the packet.
     * @param offset of the IPv4 header.
     * @return index in {@code buffer}.
     */
    public static int payloadOffset(final DirectBuffer buffer, final int offset) {
        return icmpOffset(buffer, offset) + DATA_OFFSET;
    }

    /**
     * Length of the echo data. Only after {@link #isEchoRequest} or {@link #isEchoReply} returned true.
     *
     * @param buffer holding the packet.
     * @param offset of the IPv4 header.
     * @return bytes of data after the ICMP header.
     */
    public static int payloadLengthBytes(final DirectBuffer buffer, final int offset) {
        return IpPacket.ipv4TotalLength(buffer, offset)
                - IpPacket.ipv4HeaderLengthBytes(buffer, offset)
                - ICMP_HEADER_BYTES;
    }

    private static boolean isEcho(
            final DirectBuffer buffer, final int offset, final int length, final int expectedType) {
        if (!InternetChecksum.isIpv4HeaderValid(buffer, offset, length)
                || IpPacket.ipv4Protocol(buffer, offset) != IpPacket.PROTOCOL_ICMP
                || IpPacket.ipv4IsFragment(buffer, offset)) {
            return false;
        }
        final int icmpOffset = icmpOffset(buffer, offset);
        final int icmpLengthBytes =
                IpPacket.ipv4TotalLength(buffer, offset) - IpPacket.ipv4HeaderLengthBytes(buffer, offset);
        return icmpLengthBytes >= ICMP_HEADER_BYTES
                && (buffer.getByte(icmpOffset + TYPE_OFFSET) & 0xFF) == expectedType
                && buffer.getByte(icmpOffset + CODE_OFFSET) == 0
                && InternetChecksum.fold(InternetChecksum.sum(buffer, icmpOffset, icmpLengthBytes, 0))
                        == InternetChecksum.VALID_FOLDED_SUM;
    }

    private static int icmpOffset(final DirectBuffer buffer, final int offset) {
        return offset + IpPacket.ipv4HeaderLengthBytes(buffer, offset);
    }

    private static int write(
            final MutableDirectBuffer buffer,
            final int offset,
            final int type,
            final int sourceAddress,
            final int destinationAddress,
            final int identifier,
            final int sequence,
            final DirectBuffer payload,
            final int payloadOffset,
            final int payloadLengthBytes) {
        if (payloadLengthBytes < 0 || payloadLengthBytes > MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException(
                    "echo payload must be 0.." + MAX_PAYLOAD_BYTES + " bytes, got " + payloadLengthBytes);
        }
        final int totalLengthBytes = OVERHEAD_BYTES + payloadLengthBytes;
        if (!IpPacket.isInBuffer(buffer, offset, totalLengthBytes)) {
            throw new IllegalArgumentException("echo packet of " + totalLengthBytes + " bytes at offset " + offset
                    + " does not fit a buffer of " + buffer.capacity() + " bytes");
        }

        buffer.putByte(offset + IpPacket.IPV4_VERSION_IHL_OFFSET, (byte) (IpPacket.IPV4_VERSION << 4 | 5));
        buffer.putByte(offset + IpPacket.IPV4_TOS_OFFSET, (byte) 0);
        buffer.putShort(offset + IpPacket.IPV4_TOTAL_LENGTH_OFFSET, (short) totalLengthBytes, ByteOrder.BIG_ENDIAN);
        // Identification 0 with DF set: an atomic datagram may carry any ID (RFC 6864 section 4.1).
        buffer.putShort(offset + IpPacket.IPV4_IDENTIFICATION_OFFSET, (short) 0, ByteOrder.BIG_ENDIAN);
        buffer.putShort(offset + IpPacket.IPV4_FLAGS_FRAGMENT_OFFSET, (short) DONT_FRAGMENT, ByteOrder.BIG_ENDIAN);
        buffer.putByte(offset + IpPacket.IPV4_TTL_OFFSET, (byte) DEFAULT_TTL);
        buffer.putByte(offset + IpPacket.IPV4_PROTOCOL_OFFSET, (byte) IpPacket.PROTOCOL_ICMP);
        buffer.putInt(offset + IpPacket.IPV4_SOURCE_OFFSET, sourceAddress, ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + IpPacket.IPV4_DESTINATION_OFFSET, destinationAddress, ByteOrder.BIG_ENDIAN);
        InternetChecksum.writeIpv4HeaderChecksum(buffer, offset);

        final int icmpOffset = offset + IpPacket.IPV4_MIN_HEADER_BYTES;
        buffer.putByte(icmpOffset + TYPE_OFFSET, (byte) type);
        buffer.putByte(icmpOffset + CODE_OFFSET, (byte) 0);
        buffer.putShort(icmpOffset + CHECKSUM_OFFSET, (short) 0, ByteOrder.BIG_ENDIAN);
        buffer.putShort(icmpOffset + IDENTIFIER_OFFSET, (short) identifier, ByteOrder.BIG_ENDIAN);
        buffer.putShort(icmpOffset + SEQUENCE_OFFSET, (short) sequence, ByteOrder.BIG_ENDIAN);
        buffer.putBytes(icmpOffset + DATA_OFFSET, payload, payloadOffset, payloadLengthBytes);
        final int icmpChecksum = InternetChecksum.checksum(buffer, icmpOffset, ICMP_HEADER_BYTES + payloadLengthBytes);
        buffer.putShort(icmpOffset + CHECKSUM_OFFSET, (short) icmpChecksum, ByteOrder.BIG_ENDIAN);
        return totalLengthBytes;
    }
}
