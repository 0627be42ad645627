package io.ringguard.buffers.ip;

import static io.ringguard.buffers.ip.Bytes.exact;
import static io.ringguard.buffers.ip.Bytes.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class InternetChecksumTest {
    @Test
    void shouldMatchRfc1071Example() {
        // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2 (carries folded), checksum ~0xddf2.
        final UnsafeBuffer buffer = exact(hex("0001 f203 f4f5 f6f7"));

        assertEquals(0xDDF2, InternetChecksum.fold(InternetChecksum.sum(buffer, 0, 8, 0)));
        assertEquals(0x220D, InternetChecksum.checksum(buffer, 0, 8));
    }

    @Test
    void shouldPadOddLengthWithZeroLowByte() {
        // 0x0001 + 0xf200 = 0xf201.
        final UnsafeBuffer buffer = exact(hex("0001 f2"));

        assertEquals(0xF201, InternetChecksum.fold(InternetChecksum.sum(buffer, 0, 3, 0)));
        assertEquals(0x0DFE, InternetChecksum.checksum(buffer, 0, 3));
    }

    @Test
    void shouldVerifyCapturedIpv4Header() {
        final UnsafeBuffer buffer = exact(IpPacketTest.capturedIpv4Packet());

        assertTrue(InternetChecksum.isIpv4HeaderValid(buffer, 0, IpPacketTest.CAPTURED_TOTAL_LENGTH));
    }

    @Test
    void shouldRecomputeCapturedIpv4HeaderChecksum() {
        final UnsafeBuffer buffer = exact(IpPacketTest.capturedIpv4Packet());
        buffer.putShort(IpPacket.IPV4_CHECKSUM_OFFSET, (short) 0x1234);

        assertEquals(0xAD8D, InternetChecksum.writeIpv4HeaderChecksum(buffer, 0));
        assertEquals((short) 0xAD8D, buffer.getShort(IpPacket.IPV4_CHECKSUM_OFFSET, ByteOrder.BIG_ENDIAN));
    }

    @Test
    void shouldRejectIpv4HeaderWithFlippedBit() {
        for (int bit = 0; bit < IpPacket.IPV4_MIN_HEADER_BYTES * 8; bit++) {
            final byte[] packet = IpPacketTest.capturedIpv4Packet();
            packet[bit / 8] ^= (byte) (1 << (bit % 8));
            final UnsafeBuffer buffer = exact(packet);
            // Flips in version, IHL or total length already fail validation; the rest must fail the checksum.
            assertFalse(InternetChecksum.isIpv4HeaderValid(buffer, 0, packet.length), "bit " + bit);
        }
    }

    @Test
    void shouldMatchNaiveSixteenBitSumForEveryLengthAndAlignment() {
        final SplittableRandom random = new SplittableRandom(1071);
        final byte[] bytes = new byte[96];
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) random.nextInt(256);
            }
            final UnsafeBuffer buffer = exact(bytes);
            for (int offset = 0; offset < 8; offset++) {
                for (int length = 0; length <= bytes.length - offset; length++) {
                    assertEquals(
                            naiveChecksum(bytes, offset, length),
                            InternetChecksum.checksum(buffer, offset, length),
                            "offset " + offset + " length " + length);
                }
            }
        }
    }

    @Test
    void shouldChainRangesLikeOneSum() {
        final byte[] bytes = new byte[61];
        new SplittableRandom(7).nextBytes(bytes);
        final UnsafeBuffer buffer = exact(bytes);

        // Only the last range may be odd, so split at even points.
        final long first = InternetChecksum.sum(buffer, 0, 12, 0);
        final long second = InternetChecksum.sum(buffer, 12, 30, first);
        final long third = InternetChecksum.sum(buffer, 42, 19, second);

        assertEquals(InternetChecksum.checksum(buffer, 0, 61), InternetChecksum.finish(third));
    }

    @Test
    void shouldAdjustChecksumIncrementallyAfterTtlDecrement() {
        final UnsafeBuffer buffer = exact(IpPacketTest.capturedIpv4Packet());
        final int oldWord = buffer.getShort(IpPacket.IPV4_TTL_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF; // 0x4011
        buffer.putByte(IpPacket.IPV4_TTL_OFFSET, (byte) 0x3F);
        final int newWord = buffer.getShort(IpPacket.IPV4_TTL_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF; // 0x3f11

        final int adjusted = InternetChecksum.adjust(0xAD8D, oldWord, newWord);

        assertEquals(0xAE8D, adjusted);
        assertEquals(adjusted, InternetChecksum.writeIpv4HeaderChecksum(buffer, 0));
    }

    @Test
    void shouldSumIpv4PseudoHeaderLikeItsBytes() {
        // source, destination, zero, protocol, UDP length: RFC 768's 12-byte pseudo-header.
        final UnsafeBuffer pseudoHeader = exact(hex("c612 0001 c612 00c7 0011 005f"));

        final long sum = InternetChecksum.ipv4PseudoHeaderSum(0xC6120001, 0xC61200C7, IpPacket.PROTOCOL_UDP, 0x5F);

        assertEquals(InternetChecksum.fold(InternetChecksum.sum(pseudoHeader, 0, 12, 0)), InternetChecksum.fold(sum));
    }

    @Test
    void shouldSumIpv6PseudoHeaderLikeItsBytes() {
        final UnsafeBuffer packet = exact(IpPacketTest.ipv6Packet());
        // source, destination, 32-bit upper-layer length, three zero bytes, next header (RFC 8200 section 8.1).
        final UnsafeBuffer pseudoHeader = exact(hex("fd00 0000 0000 0000 0000 0000 0000 0001"
                + " fd00 0000 0000 0000 0000 0000 0000 0002"
                + " 0001 0008 0000 003a"));

        final long sum = InternetChecksum.ipv6PseudoHeaderSum(packet, 0, IpPacket.PROTOCOL_ICMPV6, 0x10008);

        assertEquals(InternetChecksum.fold(InternetChecksum.sum(pseudoHeader, 0, 40, 0)), InternetChecksum.fold(sum));
    }

    private static int naiveChecksum(final byte[] bytes, final int offset, final int length) {
        int sum = 0;
        for (int i = 0; i < length; i += 2) {
            final int high = bytes[offset + i] & 0xFF;
            final int low = i + 1 < length ? bytes[offset + i + 1] & 0xFF : 0;
            sum += (high << 8) | low;
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return ~sum & 0xFFFF;
    }
}
