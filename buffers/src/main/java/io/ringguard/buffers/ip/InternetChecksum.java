package io.ringguard.buffers.ip;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The Internet checksum of RFC 1071: the ones' complement of the ones' complement sum of 16-bit big-endian
 * words, an odd trailing byte padded with a zero low byte.
 *
 * <p>Work is split into a running sum and a finish step so that several ranges (a pseudo-header, then a
 * header, then a payload) add up without copying: {@code finish(sum(b, o2, n2, sum(b, o1, n1, 0)))}. The
 * running sum is a {@code long} holding unfolded 32-bit words; RFC 1071 section 2(B) shows the result is the
 * same as summing 16-bit words, and a 64-bit accumulator cannot overflow for any buffer Java can address.
 * Only the last range summed may have an odd length, since an odd range shifts the word boundaries of the
 * next one.
 *
 * <p>Threading: stateless; any thread, over bytes it owns.
 */
public final class InternetChecksum {
    /** What a range that includes a correct checksum field folds to. */
    public static final int VALID_FOLDED_SUM = 0xFFFF;

    private InternetChecksum() {}

    /**
     * Adds a range of bytes to a running sum.
     *
     * @param buffer holding the bytes.
     * @param offset first byte, the high byte of the first word.
     * @param lengthBytes bytes to add; may be odd only for the last range of a checksum.
     * @param sum running sum so far (0 to start).
     * @return the new running sum, not folded.
     */
    public static long sum(final DirectBuffer buffer, final int offset, final int lengthBytes, final long sum) {
        long acc = sum;
        int index = offset;
        final int end = offset + lengthBytes;
        // Eight bytes per step as two 32-bit words: far fewer bounds checks than 16 bits at a time.
        while (end - index >= 8) {
            final long word = buffer.getLong(index, ByteOrder.BIG_ENDIAN);
            acc += (word >>> 32) + (word & 0xFFFF_FFFFL);
            index += 8;
        }
        if (end - index >= 4) {
            acc += buffer.getInt(index, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL;
            index += 4;
        }
        if (end - index >= 2) {
            acc += buffer.getShort(index, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            index += 2;
        }
        if (end - index == 1) {
            acc += (buffer.getByte(index) & 0xFF) << 8;
        }
        return acc;
    }

    /**
     * Adds one 16-bit word to a running sum, for fields that are not in a buffer.
     *
     * @param sum running sum so far.
     * @param word 0..0xFFFF, in host order (the value, not its bytes).
     * @return the new running sum, not folded.
     */
    public static long addWord(final long sum, final int word) {
        return sum + (word & 0xFFFF);
    }

    /**
     * Folds the carries of a running sum back into 16 bits (end-around carry).
     *
     * @param sum running sum.
     * @return the ones' complement sum, 0..0xFFFF.
     */
    public static int fold(final long sum) {
        long folded = sum;
        while ((folded >>> 16) != 0) {
            folded = (folded & 0xFFFF) + (folded >>> 16);
        }
        return (int) folded;
    }

    /**
     * Turns a running sum into the value to store in a checksum field.
     *
     * @param sum running sum over every covered byte, the checksum field counted as zero.
     * @return the checksum, 0..0xFFFF.
     */
    public static int finish(final long sum) {
        return ~fold(sum) & 0xFFFF;
    }

    /**
     * Checksum of one range of bytes.
     *
     * @param buffer holding the bytes.
     * @param offset first byte.
     * @param lengthBytes bytes covered, odd allowed.
     * @return the checksum, 0..0xFFFF.
     */
    public static int checksum(final DirectBuffer buffer, final int offset, final int lengthBytes) {
        return finish(sum(buffer, offset, lengthBytes, 0));
    }

    /**
     * Updates a checksum after one 16-bit word it covers changed (RFC 1624 equation 3), without summing the
     * whole range again; e.g. after decrementing a TTL or rewriting an address half.
     *
     * @param checksum the stored checksum.
     * @param oldWord the word before the change.
     * @param newWord the word after the change.
     * @return the new checksum.
     */
    public static int adjust(final int checksum, final int oldWord, final int newWord) {
        return finish((~checksum & 0xFFFF) + (~oldWord & 0xFFFF) + (newWord & 0xFFFF));
    }

    /**
     * Whether an IPv4 header is well formed and its checksum is right.
     *
     * @param buffer holding the packet.
     * @param offset of the first header byte.
     * @param length captured bytes from {@code offset}.
     * @return false if {@link IpPacket#isValidIpv4} fails or the header does not sum to 0xFFFF.
     */
    public static boolean isIpv4HeaderValid(final DirectBuffer buffer, final int offset, final int length) {
        return IpPacket.isValidIpv4(buffer, offset, length)
                && fold(sum(buffer, offset, IpPacket.ipv4HeaderLengthBytes(buffer, offset), 0)) == VALID_FOLDED_SUM;
    }

    /**
     * Computes and stores the IPv4 header checksum. Validated headers only.
     *
     * @param buffer holding a header that passed {@link IpPacket#isValidIpv4}.
     * @param offset of the first header byte.
     * @return the checksum written.
     */
    public static int writeIpv4HeaderChecksum(final MutableDirectBuffer buffer, final int offset) {
        final int checksumIndex = offset + IpPacket.IPV4_CHECKSUM_OFFSET;
        buffer.putShort(checksumIndex, (short) 0, ByteOrder.BIG_ENDIAN);
        final int checksum = checksum(buffer, offset, IpPacket.ipv4HeaderLengthBytes(buffer, offset));
        buffer.putShort(checksumIndex, (short) checksum, ByteOrder.BIG_ENDIAN);
        return checksum;
    }

    /**
     * Running sum of the IPv4 pseudo-header that UDP and TCP checksums cover (RFC 768): source, destination,
     * zero, protocol, upper-layer length. ICMPv4 has no pseudo-header. A UDP checksum that finishes as 0 is sent
     * as 0xFFFF, because 0 there means "no checksum".
     *
     * @param sourceAddress big-endian int, as from {@link IpPacket#ipv4SourceAddress}.
     * @param destinationAddress big-endian int.
     * @param protocol e.g. {@link IpPacket#PROTOCOL_UDP}.
     * @param upperLayerLengthBytes UDP length or TCP segment length.
     * @return running sum to pass on to {@link #sum}.
     */
    public static long ipv4PseudoHeaderSum(
            final int sourceAddress,
            final int destinationAddress,
            final int protocol,
            final int upperLayerLengthBytes) {
        return (sourceAddress & 0xFFFF_FFFFL)
                + (destinationAddress & 0xFFFF_FFFFL)
                + (protocol & 0xFF)
                + (upperLayerLengthBytes & 0xFFFF);
    }

    /**
     * Running sum of the IPv6 pseudo-header that ICMPv6, UDP and TCP checksums cover (RFC 8200 section
     * 8.1): source, destination, 32-bit upper-layer length, 24 zero bits, next header. Validated headers
     * only.
     *
     * @param buffer holding a header that passed {@link IpPacket#isValidIpv6}.
     * @param offset of the first IPv6 header byte; the addresses are read from it.
     * @param nextHeader the upper-layer protocol, e.g. {@link IpPacket#PROTOCOL_ICMPV6}, which differs from
     *     the header's own next header when extension headers sit between.
     * @param upperLayerLengthBytes length of the upper-layer header plus data.
     * @return running sum to pass on to {@link #sum}.
     */
    public static long ipv6PseudoHeaderSum(
            final DirectBuffer buffer, final int offset, final int nextHeader, final int upperLayerLengthBytes) {
        final long addresses = sum(buffer, offset + IpPacket.IPV6_SOURCE_OFFSET, 2 * IpPacket.IPV6_ADDRESS_BYTES, 0);
        return addresses + (upperLayerLengthBytes & 0xFFFF_FFFFL) + (nextHeader & 0xFF);
    }
}
