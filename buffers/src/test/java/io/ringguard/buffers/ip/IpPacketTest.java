package io.ringguard.buffers.ip;

import static io.ringguard.buffers.ip.Bytes.exact;
import static io.ringguard.buffers.ip.Bytes.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class IpPacketTest {
    /**
     * An IPv4/UDP header shaped like a capture (198.18.0.1 -> 198.18.0.199, test range; total length 115,
     * DF, TTL 64), with its checksum 0xad8d worked out by hand (RFC 1071).
     */
    static final String CAPTURED_IPV4_HEADER = "4500 0073 0000 4000 4011 ad8d c612 0001 c612 00c7";

    static final int CAPTURED_TOTAL_LENGTH = 0x73;

    /** IPv6 fd00::1 -> fd00::2, ICMPv6 (58), hop limit 64, payload length 8. */
    static final String IPV6_HEADER = "6000 0000 0008 3a40"
            + " fd00 0000 0000 0000 0000 0000 0000 0001"
            + " fd00 0000 0000 0000 0000 0000 0000 0002";

    static byte[] capturedIpv4Packet() {
        return Arrays.copyOf(hex(CAPTURED_IPV4_HEADER), CAPTURED_TOTAL_LENGTH);
    }

    static byte[] ipv6Packet() {
        return Arrays.copyOf(hex(IPV6_HEADER), IpPacket.IPV6_HEADER_BYTES + 8);
    }

    @Test
    void shouldReadCapturedIpv4Header() {
        final UnsafeBuffer buffer = exact(capturedIpv4Packet());

        assertEquals(IpPacket.IPV4_VERSION, IpPacket.version(buffer, 0, CAPTURED_TOTAL_LENGTH));
        assertTrue(IpPacket.isValidIpv4(buffer, 0, CAPTURED_TOTAL_LENGTH));
        assertFalse(IpPacket.isValidIpv6(buffer, 0, CAPTURED_TOTAL_LENGTH));
        assertEquals(5, IpPacket.ipv4Ihl(buffer, 0));
        assertEquals(20, IpPacket.ipv4HeaderLengthBytes(buffer, 0));
        assertEquals(115, IpPacket.ipv4TotalLength(buffer, 0));
        assertEquals(115, IpPacket.totalLengthBytes(buffer, 0));
        assertEquals(IpPacket.PROTOCOL_UDP, IpPacket.ipv4Protocol(buffer, 0));
        assertFalse(IpPacket.ipv4IsFragment(buffer, 0));
        assertEquals(0xC6120001, IpPacket.ipv4SourceAddress(buffer, 0));
        assertEquals(0xC61200C7, IpPacket.ipv4DestinationAddress(buffer, 0));
    }

    @Test
    void shouldCopyIpv4AddressesInNetworkOrder() {
        final UnsafeBuffer buffer = exact(capturedIpv4Packet());
        final byte[] address = new byte[16];

        assertEquals(4, IpPacket.sourceAddress(buffer, 0, address));
        assertArrayEquals(hex("c6120001"), Arrays.copyOf(address, 4));
        assertEquals(4, IpPacket.destinationAddress(buffer, 0, address));
        assertArrayEquals(hex("c61200c7"), Arrays.copyOf(address, 4));
    }

    @Test
    void shouldRejectEveryTruncationOfIpv4PacketWithoutReadingPastIt() {
        final byte[] packet = capturedIpv4Packet();
        // Below 20 bytes the header is cut; from 20 to 114 the total length (115) exceeds what was captured.
        for (int length = 0; length < CAPTURED_TOTAL_LENGTH; length++) {
            final UnsafeBuffer truncated = exact(Arrays.copyOf(packet, length));
            assertFalse(IpPacket.isValidIpv4(truncated, 0, length), "length " + length);
            assertEquals(IpPacket.INVALID_VERSION, IpPacket.version(truncated, 0, length), "length " + length);
            assertFalse(InternetChecksum.isIpv4HeaderValid(truncated, 0, length), "length " + length);
        }
    }

    @Test
    void shouldAcceptPaddingAfterTotalLength() {
        // A decrypted WireGuard packet is padded to 16 bytes: 115 becomes 128.
        final byte[] padded = Arrays.copyOf(capturedIpv4Packet(), 128);
        final UnsafeBuffer buffer = exact(padded);

        assertEquals(IpPacket.IPV4_VERSION, IpPacket.version(buffer, 0, 128));
        assertEquals(115, IpPacket.totalLengthBytes(buffer, 0));
    }

    @Test
    void shouldRejectIpv4HeaderFieldsThatDoNotAddUp() {
        // Each header is 20 bytes with total length 20, so only the named field is wrong.
        assertValidIpv4("4500 0014 0000 4000 4011 0000 c612 0001 c612 00c7");
        assertInvalidIpv4("4400 0014 0000 4000 4011 0000 c612 0001 c612 00c7", "IHL 4, below the minimum 5");
        assertInvalidIpv4("4600 0014 0000 4000 4011 0000 c612 0001 c612 00c7", "IHL 6 (24 bytes) > total 20");
        assertInvalidIpv4("4500 0013 0000 4000 4011 0000 c612 0001 c612 00c7", "total length 19 < header");
        assertInvalidIpv4("4500 0015 0000 4000 4011 0000 c612 0001 c612 00c7", "total length 21 > captured");
        assertInvalidIpv4("5500 0014 0000 4000 4011 0000 c612 0001 c612 00c7", "version 5");
        assertInvalidIpv4("0000 0000 0000 0000 0000 0000 0000 0000 0000 0000", "all zeroes");
    }

    private static void assertValidIpv4(final String header) {
        final byte[] bytes = hex(header);
        assertEquals(IpPacket.IPV4_VERSION, IpPacket.version(exact(bytes), 0, bytes.length));
    }

    private static void assertInvalidIpv4(final String header, final String why) {
        final byte[] bytes = hex(header);
        final UnsafeBuffer buffer = exact(bytes);
        assertFalse(IpPacket.isValidIpv4(buffer, 0, bytes.length), why);
        assertEquals(IpPacket.INVALID_VERSION, IpPacket.version(buffer, 0, bytes.length), why);
    }

    @Test
    void shouldAcceptIpv4HeaderWithOptions() {
        // IHL 6: one 4-byte option word (four NOPs), total length 24.
        final byte[] bytes = hex("4600 0018 0000 4000 4001 0000 0a00 0001 0a00 0002 0101 0101");
        final UnsafeBuffer buffer = exact(bytes);

        assertTrue(IpPacket.isValidIpv4(buffer, 0, bytes.length));
        assertEquals(24, IpPacket.ipv4HeaderLengthBytes(buffer, 0));
        assertEquals(IpPacket.PROTOCOL_ICMP, IpPacket.ipv4Protocol(buffer, 0));
    }

    @Test
    void shouldSeeFragments() {
        final byte[] moreFragments = capturedIpv4Packet();
        moreFragments[6] = 0x20; // MF set, offset 0: the first fragment
        final byte[] laterFragment = capturedIpv4Packet();
        laterFragment[7] = 0x10; // DF clear, offset 16 * 8 bytes

        assertTrue(IpPacket.ipv4IsFragment(exact(moreFragments), 0));
        assertTrue(IpPacket.ipv4IsFragment(exact(laterFragment), 0));
    }

    @Test
    void shouldReadIpv6Header() {
        final UnsafeBuffer buffer = exact(ipv6Packet());

        assertEquals(IpPacket.IPV6_VERSION, IpPacket.version(buffer, 0, 48));
        assertTrue(IpPacket.isValidIpv6(buffer, 0, 48));
        assertFalse(IpPacket.isValidIpv4(buffer, 0, 48));
        assertEquals(8, IpPacket.ipv6PayloadLength(buffer, 0));
        assertEquals(48, IpPacket.totalLengthBytes(buffer, 0));
        assertEquals(IpPacket.PROTOCOL_ICMPV6, IpPacket.ipv6NextHeader(buffer, 0));
        assertEquals(0xFD00_0000_0000_0000L, IpPacket.ipv6SourceAddressHigh(buffer, 0));
        assertEquals(1L, IpPacket.ipv6SourceAddressLow(buffer, 0));
        assertEquals(0xFD00_0000_0000_0000L, IpPacket.ipv6DestinationAddressHigh(buffer, 0));
        assertEquals(2L, IpPacket.ipv6DestinationAddressLow(buffer, 0));

        final byte[] address = new byte[16];
        assertEquals(16, IpPacket.sourceAddress(buffer, 0, address));
        assertArrayEquals(hex("fd00 0000 0000 0000 0000 0000 0000 0001"), address);
        assertEquals(16, IpPacket.destinationAddress(buffer, 0, address));
        assertArrayEquals(hex("fd00 0000 0000 0000 0000 0000 0000 0002"), address);
    }

    @Test
    void shouldRejectIpv6WithPayloadLengthBeyondCapture() {
        final byte[] packet = ipv6Packet();
        packet[5] = 9; // claims 9 payload bytes, 8 captured

        final UnsafeBuffer buffer = exact(packet);
        assertFalse(IpPacket.isValidIpv6(buffer, 0, 48));
        assertEquals(IpPacket.INVALID_VERSION, IpPacket.version(buffer, 0, 48));
    }

    @Test
    void shouldRejectEveryTruncationOfIpv6PacketWithoutReadingPastIt() {
        final byte[] packet = ipv6Packet();
        for (int length = 0; length < packet.length; length++) {
            final UnsafeBuffer truncated = exact(Arrays.copyOf(packet, length));
            assertFalse(IpPacket.isValidIpv6(truncated, 0, length), "length " + length);
            assertEquals(IpPacket.INVALID_VERSION, IpPacket.version(truncated, 0, length), "length " + length);
        }
    }

    @Test
    void shouldReadHeaderAtOffsetInsideLargerBuffer() {
        final byte[] packet = capturedIpv4Packet();
        final byte[] framed = new byte[7 + packet.length + 5];
        System.arraycopy(packet, 0, framed, 7, packet.length);
        final UnsafeBuffer buffer = exact(framed);

        assertEquals(IpPacket.IPV4_VERSION, IpPacket.version(buffer, 7, packet.length));
        assertEquals(0xC61200C7, IpPacket.ipv4DestinationAddress(buffer, 7));
        // One byte short of the total length, though the buffer itself goes on.
        assertFalse(IpPacket.isValidIpv4(buffer, 7, packet.length - 1));
    }

    @Test
    void shouldRejectRangesOutsideTheBuffer() {
        final UnsafeBuffer buffer = exact(capturedIpv4Packet());

        assertEquals(IpPacket.INVALID_VERSION, IpPacket.version(buffer, -1, 20));
        assertEquals(IpPacket.INVALID_VERSION, IpPacket.version(buffer, 0, -1));
        assertEquals(IpPacket.INVALID_VERSION, IpPacket.version(buffer, 0, CAPTURED_TOTAL_LENGTH + 1));
        assertEquals(IpPacket.INVALID_VERSION, IpPacket.version(buffer, 1, CAPTURED_TOTAL_LENGTH));
        assertEquals(IpPacket.INVALID_VERSION, IpPacket.version(buffer, Integer.MAX_VALUE, Integer.MAX_VALUE));
        assertFalse(IpPacket.isValidIpv6(buffer, 200, 40));
    }
}
