package io.ringguard.dataplane.offload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.buffers.ip.InternetChecksum;
import io.ringguard.buffers.ip.IpPacket;
import java.nio.ByteOrder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TcpSegmenterTest {
    private static final int MSS = 1368;

    /** A GSO frame as the kernel hands it over: full packet, seeded partial checksum, virtio header. */
    private static int gsoFrame(UnsafeBuffer frame, boolean v6, int payload, int flags) {
        int length = TcpPackets.write(frame, VirtioNetHeader.BYTES, v6, 1_000_000, flags, payload, 7);
        int ip = v6 ? 40 : 20;
        long pseudo = TcpSegmenter.pseudoHeaderSum(frame, VirtioNetHeader.BYTES, length - ip, v6);
        frame.putShort(VirtioNetHeader.BYTES + ip + 16, (short) InternetChecksum.fold(pseudo), ByteOrder.BIG_ENDIAN);
        VirtioNetHeader.put(
                frame,
                0,
                VirtioNetHeader.F_NEEDS_CSUM,
                v6 ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4,
                ip + TcpPackets.TCP_HEADER_BYTES,
                MSS,
                ip,
                16);
        return VirtioNetHeader.BYTES + length;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldSplitSuperPacketIntoValidSegments(boolean v6) {
        UnsafeBuffer frame = TcpPackets.direct(70_000);
        int payload = 40 * MSS + 100;
        int frameLength = gsoFrame(frame, v6, payload, TcpPackets.ACK | TcpPackets.PSH);
        TcpSegmenter segmenter = new TcpSegmenter();
        assertEquals(41, segmenter.start(frame, 0, frameLength));
        UnsafeBuffer slot = TcpPackets.direct(2048);
        int ip = v6 ? 40 : 20;
        int header = ip + TcpPackets.TCP_HEADER_BYTES;
        int delivered = 0;
        for (int i = 0; i < 41; i++) {
            assertTrue(segmenter.hasNext());
            int length = segmenter.next(slot, 0, 2048);
            int chunk = i < 40 ? MSS : 100;
            assertEquals(header + chunk, length, "segment " + i);
            assertEquals(header + chunk, IpPacket.totalLengthBytes(slot, 0));
            if (!v6) {
                assertTrue(InternetChecksum.isIpv4HeaderValid(slot, 0, length));
                assertEquals(0x1234 + i, slot.getShort(4, ByteOrder.BIG_ENDIAN) & 0xFFFF);
            }
            assertTrue(TcpPackets.tcpChecksumValid(slot, 0, length, v6), "checksum of segment " + i);
            assertEquals(1_000_000 + i * MSS, TcpPackets.sequence(slot, 0, v6));
            int flags = TcpPackets.flags(slot, 0, v6);
            assertEquals(i < 40 ? TcpPackets.ACK : TcpPackets.ACK | TcpPackets.PSH, flags, "flags of segment " + i);
            for (int k = 0; k < chunk; k++) {
                assertEquals(
                        frame.getByte(VirtioNetHeader.BYTES + header + i * MSS + k),
                        slot.getByte(header + k),
                        "payload byte " + k + " of segment " + i);
            }
            delivered += chunk;
        }
        assertFalse(segmenter.hasNext());
        assertEquals(payload, delivered);
    }

    @Test
    void shouldCompletePartialChecksumOfPlainPacket() {
        UnsafeBuffer frame = TcpPackets.direct(4096);
        int length = TcpPackets.write(frame, VirtioNetHeader.BYTES, false, 5, TcpPackets.ACK, 999, 3);
        long pseudo = TcpSegmenter.pseudoHeaderSum(frame, VirtioNetHeader.BYTES, length - 20, false);
        frame.putShort(VirtioNetHeader.BYTES + 36, (short) InternetChecksum.fold(pseudo), ByteOrder.BIG_ENDIAN);
        VirtioNetHeader.put(frame, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_NONE, 0, 0, 20, 16);
        TcpSegmenter segmenter = new TcpSegmenter();
        assertEquals(1, segmenter.start(frame, 0, VirtioNetHeader.BYTES + length));
        UnsafeBuffer slot = TcpPackets.direct(2048);
        assertEquals(length, segmenter.next(slot, 0, 2048));
        assertTrue(TcpPackets.tcpChecksumValid(slot, 0, length, false));
        assertFalse(segmenter.hasNext());
    }

    @Test
    void shouldPassPlainPacketUnchanged() {
        UnsafeBuffer frame = TcpPackets.direct(4096);
        int length = TcpPackets.write(frame, VirtioNetHeader.BYTES, true, 5, TcpPackets.ACK, 77, 3);
        VirtioNetHeader.putNone(frame, 0);
        TcpSegmenter segmenter = new TcpSegmenter();
        assertEquals(1, segmenter.start(frame, 0, VirtioNetHeader.BYTES + length));
        UnsafeBuffer slot = TcpPackets.direct(2048);
        assertEquals(length, segmenter.next(slot, 0, 2048));
        for (int i = 0; i < length; i++) {
            assertEquals(frame.getByte(VirtioNetHeader.BYTES + i), slot.getByte(i));
        }
    }

    @Test
    void shouldRejectMalformedFrames() {
        UnsafeBuffer frame = TcpPackets.direct(70_000);
        TcpSegmenter segmenter = new TcpSegmenter();
        assertEquals(TcpSegmenter.MALFORMED, segmenter.start(frame, 0, VirtioNetHeader.BYTES));
        int length = gsoFrame(frame, false, 3 * MSS, TcpPackets.ACK);
        frame.putByte(VirtioNetHeader.GSO_TYPE_OFFSET, (byte) VirtioNetHeader.GSO_UDP);
        assertEquals(TcpSegmenter.MALFORMED, segmenter.start(frame, 0, length), "UDP fragmentation offload");
        frame.putByte(VirtioNetHeader.GSO_TYPE_OFFSET, (byte) VirtioNetHeader.GSO_TCPV6);
        assertEquals(TcpSegmenter.MALFORMED, segmenter.start(frame, 0, length), "family mismatch");
        frame.putByte(VirtioNetHeader.GSO_TYPE_OFFSET, (byte) VirtioNetHeader.GSO_TCPV4);
        frame.putShort(VirtioNetHeader.CSUM_START_OFFSET, (short) 24, ByteOrder.nativeOrder());
        assertEquals(TcpSegmenter.MALFORMED, segmenter.start(frame, 0, length), "csum_start past the IP header");
        frame.putShort(VirtioNetHeader.CSUM_START_OFFSET, (short) 20, ByteOrder.nativeOrder());
        frame.putShort(VirtioNetHeader.GSO_SIZE_OFFSET, (short) 0, ByteOrder.nativeOrder());
        assertEquals(TcpSegmenter.MALFORMED, segmenter.start(frame, 0, length), "gso_size 0");
        assertFalse(segmenter.hasNext());
    }

    @Test
    void shouldReportPlainPacketLargerThanSlotByItsLengthWithoutCopying() {
        UnsafeBuffer frame = TcpPackets.direct(4096);
        int length = TcpPackets.write(frame, VirtioNetHeader.BYTES, false, 5, TcpPackets.ACK, 2_000, 77);
        VirtioNetHeader.putNone(frame, 0);
        TcpSegmenter segmenter = new TcpSegmenter();
        assertEquals(1, segmenter.start(frame, 0, VirtioNetHeader.BYTES + length));
        UnsafeBuffer slot = TcpPackets.direct(1024);
        assertEquals(length, segmenter.next(slot, 0, 1024), "longer than the slot: the reader counts too_big");
        assertEquals(0, slot.getByte(0), "nothing copied");
        assertFalse(segmenter.hasNext());
    }

    @Test
    void shouldDropSegmentLargerThanSlot() {
        UnsafeBuffer frame = TcpPackets.direct(70_000);
        int length = gsoFrame(frame, false, 2 * MSS, TcpPackets.ACK);
        TcpSegmenter segmenter = new TcpSegmenter();
        assertEquals(2, segmenter.start(frame, 0, length));
        assertEquals(TcpSegmenter.MALFORMED, segmenter.next(TcpPackets.direct(1024), 0, 1024));
        assertFalse(segmenter.hasNext(), "the rest of the frame goes with it");
    }
}
