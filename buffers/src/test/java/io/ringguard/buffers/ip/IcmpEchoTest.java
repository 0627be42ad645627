package io.ringguard.buffers.ip;

import static io.ringguard.buffers.ip.Bytes.exact;
import static io.ringguard.buffers.ip.Bytes.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class IcmpEchoTest {
    private static final int SOURCE = 0xC6120001; // 198.18.0.1
    private static final int DESTINATION = 0xC6120002; // 198.18.0.2
    private static final byte[] PAYLOAD = "ringguard ping payload".getBytes(StandardCharsets.US_ASCII);

    @Test
    void shouldMatchHandComputedEchoRequest() {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[32]);

        final int length =
                IcmpEcho.writeEchoRequest(buffer, 0, 0x0A000001, 0x0A000002, 0x1234, 1, payload("abcd"), 0, 4);

        // IPv4 sum 0x4500+0x0020+0x4000+0x4001+0x0a00+0x0001+0x0a00+0x0002 = 0xd924, checksum 0x26db.
        // ICMP sum 0x0800+0x1234+0x0001+0x6162+0x6364 = 0xdefb, checksum 0x2104.
        assertEquals(32, length);
        assertArrayEquals(
                hex("4500 0020 0000 4000 4001 26db 0a00 0001 0a00 0002 0800 2104 1234 0001 6162 6364"),
                Arrays.copyOf(buffer.byteArray(), length));
    }

    @Test
    void shouldRoundTripEchoRequestAtOffset() {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[128]);
        final int offset = 5;

        final int length = IcmpEcho.writeEchoRequest(
                buffer, offset, SOURCE, DESTINATION, 0xBEEF, 0xFFFF, new UnsafeBuffer(PAYLOAD), 0, PAYLOAD.length);

        assertEquals(IcmpEcho.OVERHEAD_BYTES + PAYLOAD.length, length);
        assertEquals(IpPacket.IPV4_VERSION, IpPacket.version(buffer, offset, length));
        assertTrue(InternetChecksum.isIpv4HeaderValid(buffer, offset, length));
        assertEquals(IpPacket.PROTOCOL_ICMP, IpPacket.ipv4Protocol(buffer, offset));
        assertEquals(SOURCE, IpPacket.ipv4SourceAddress(buffer, offset));
        assertEquals(DESTINATION, IpPacket.ipv4DestinationAddress(buffer, offset));
        assertTrue(IcmpEcho.isEchoRequest(buffer, offset, length));
        assertFalse(IcmpEcho.isEchoReply(buffer, offset, length));
        assertEquals(0xBEEF, IcmpEcho.identifier(buffer, offset));
        assertEquals(0xFFFF, IcmpEcho.sequence(buffer, offset));
        assertEquals(PAYLOAD.length, IcmpEcho.payloadLengthBytes(buffer, offset));
        final byte[] data = new byte[PAYLOAD.length];
        buffer.getBytes(IcmpEcho.payloadOffset(buffer, offset), data);
        assertArrayEquals(PAYLOAD, data);
    }

    @Test
    void shouldRoundTripEchoReplyWithOddPayload() {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);

        final int length = IcmpEcho.writeEchoReply(buffer, 0, DESTINATION, SOURCE, 7, 42, payload("odd"), 0, 3);

        assertEquals(31, length);
        assertTrue(IcmpEcho.isEchoReply(buffer, 0, length));
        assertFalse(IcmpEcho.isEchoRequest(buffer, 0, length));
        assertEquals(7, IcmpEcho.identifier(buffer, 0));
        assertEquals(42, IcmpEcho.sequence(buffer, 0));
        assertEquals(3, IcmpEcho.payloadLengthBytes(buffer, 0));
        final int icmpLength = length - IpPacket.IPV4_MIN_HEADER_BYTES;
        assertEquals(
                InternetChecksum.VALID_FOLDED_SUM,
                InternetChecksum.fold(InternetChecksum.sum(buffer, IpPacket.IPV4_MIN_HEADER_BYTES, icmpLength, 0)));
    }

    @Test
    void shouldRoundTripEmptyPayload() {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[IcmpEcho.OVERHEAD_BYTES]);

        final int length = IcmpEcho.writeEchoRequest(buffer, 0, SOURCE, DESTINATION, 1, 2, buffer, 0, 0);

        assertEquals(IcmpEcho.OVERHEAD_BYTES, length);
        assertTrue(IcmpEcho.isEchoRequest(buffer, 0, length));
        assertEquals(0, IcmpEcho.payloadLengthBytes(buffer, 0));
    }

    @Test
    void shouldRejectCorruptedEcho() {
        final byte[] bytes = new byte[64];
        final int length =
                IcmpEcho.writeEchoReply(new UnsafeBuffer(bytes), 0, SOURCE, DESTINATION, 1, 2, payload("abcdef"), 0, 6);

        for (int index = 0; index < length; index++) {
            final byte[] corrupted = Arrays.copyOf(bytes, length);
            corrupted[index] ^= 0x01;
            assertFalse(IcmpEcho.isEchoReply(exact(corrupted), 0, length), "byte " + index);
        }
    }

    @Test
    void shouldRejectEveryTruncationOfEcho() {
        final byte[] bytes = new byte[64];
        final int length = IcmpEcho.writeEchoRequest(
                new UnsafeBuffer(bytes), 0, SOURCE, DESTINATION, 1, 2, payload("abcdef"), 0, 6);

        for (int truncated = 0; truncated < length; truncated++) {
            final UnsafeBuffer buffer = exact(Arrays.copyOf(bytes, truncated));
            assertFalse(IcmpEcho.isEchoRequest(buffer, 0, truncated), "length " + truncated);
        }
    }

    @Test
    void shouldRejectFragmentedEcho() {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final int length = IcmpEcho.writeEchoRequest(buffer, 0, SOURCE, DESTINATION, 1, 2, payload("abcdef"), 0, 6);
        buffer.putByte(IpPacket.IPV4_FLAGS_FRAGMENT_OFFSET, (byte) 0x20); // MF instead of DF
        InternetChecksum.writeIpv4HeaderChecksum(buffer, 0);

        assertTrue(InternetChecksum.isIpv4HeaderValid(buffer, 0, length));
        assertFalse(IcmpEcho.isEchoRequest(buffer, 0, length));
    }

    @Test
    void shouldRefuseToWritePastBuffer() {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[IcmpEcho.OVERHEAD_BYTES + 3]);

        assertThrows(
                IllegalArgumentException.class,
                () -> IcmpEcho.writeEchoRequest(buffer, 1, SOURCE, DESTINATION, 1, 2, payload("abc"), 0, 3));
        assertThrows(
                IllegalArgumentException.class,
                () -> IcmpEcho.writeEchoRequest(
                        buffer, 0, SOURCE, DESTINATION, 1, 2, buffer, 0, IcmpEcho.MAX_PAYLOAD_BYTES + 1));
    }

    private static UnsafeBuffer payload(final String ascii) {
        return new UnsafeBuffer(ascii.getBytes(StandardCharsets.US_ASCII));
    }
}
