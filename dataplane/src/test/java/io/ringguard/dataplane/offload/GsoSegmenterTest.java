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

class GsoSegmenterTest {
    private static final int MSS = 1368;

    /** A GSO frame as the kernel hands it over: full packet, seeded partial checksum, virtio header. */
    private static int gsoFrame(UnsafeBuffer frame, boolean v6, int payload, int flags) {
        int length = OffloadPackets.write(frame, VirtioNetHeader.BYTES, v6, 1_000_000, flags, payload, 7);
        int ip = v6 ? 40 : 20;
        long pseudo =
                GsoSegmenter.pseudoHeaderSum(frame, VirtioNetHeader.BYTES, IpPacket.PROTOCOL_TCP, length - ip, v6);
        frame.putShort(VirtioNetHeader.BYTES + ip + 16, (short) InternetChecksum.fold(pseudo), ByteOrder.BIG_ENDIAN);
        VirtioNetHeader.put(
                frame,
                0,
                VirtioNetHeader.F_NEEDS_CSUM,
                v6 ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4,
                ip + OffloadPackets.TCP_HEADER_BYTES,
                MSS,
                ip,
                16);
        return VirtioNetHeader.BYTES + length;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldSplitSuperPacketIntoValidSegments(boolean v6) {
        UnsafeBuffer frame = OffloadPackets.direct(70_000);
        int payload = 40 * MSS + 100;
        int frameLength = gsoFrame(frame, v6, payload, OffloadPackets.ACK | OffloadPackets.PSH);
        GsoSegmenter segmenter = new GsoSegmenter();
        assertEquals(41, segmenter.start(frame, 0, frameLength));
        UnsafeBuffer slot = OffloadPackets.direct(2048);
        int ip = v6 ? 40 : 20;
        int header = ip + OffloadPackets.TCP_HEADER_BYTES;
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
            assertTrue(OffloadPackets.tcpChecksumValid(slot, 0, length, v6), "checksum of segment " + i);
            assertEquals(1_000_000 + i * MSS, OffloadPackets.sequence(slot, 0, v6));
            int flags = OffloadPackets.flags(slot, 0, v6);
            assertEquals(
                    i < 40 ? OffloadPackets.ACK : OffloadPackets.ACK | OffloadPackets.PSH,
                    flags,
                    "flags of segment " + i);
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
        UnsafeBuffer frame = OffloadPackets.direct(4096);
        int length = OffloadPackets.write(frame, VirtioNetHeader.BYTES, false, 5, OffloadPackets.ACK, 999, 3);
        long pseudo =
                GsoSegmenter.pseudoHeaderSum(frame, VirtioNetHeader.BYTES, IpPacket.PROTOCOL_TCP, length - 20, false);
        frame.putShort(VirtioNetHeader.BYTES + 36, (short) InternetChecksum.fold(pseudo), ByteOrder.BIG_ENDIAN);
        VirtioNetHeader.put(frame, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_NONE, 0, 0, 20, 16);
        GsoSegmenter segmenter = new GsoSegmenter();
        assertEquals(1, segmenter.start(frame, 0, VirtioNetHeader.BYTES + length));
        UnsafeBuffer slot = OffloadPackets.direct(2048);
        assertEquals(length, segmenter.next(slot, 0, 2048));
        assertTrue(OffloadPackets.tcpChecksumValid(slot, 0, length, false));
        assertFalse(segmenter.hasNext());
    }

    @Test
    void shouldPassPlainPacketUnchanged() {
        UnsafeBuffer frame = OffloadPackets.direct(4096);
        int length = OffloadPackets.write(frame, VirtioNetHeader.BYTES, true, 5, OffloadPackets.ACK, 77, 3);
        VirtioNetHeader.putNone(frame, 0);
        GsoSegmenter segmenter = new GsoSegmenter();
        assertEquals(1, segmenter.start(frame, 0, VirtioNetHeader.BYTES + length));
        UnsafeBuffer slot = OffloadPackets.direct(2048);
        assertEquals(length, segmenter.next(slot, 0, 2048));
        for (int i = 0; i < length; i++) {
            assertEquals(frame.getByte(VirtioNetHeader.BYTES + i), slot.getByte(i));
        }
    }

    @Test
    void shouldRejectMalformedFrames() {
        UnsafeBuffer frame = OffloadPackets.direct(70_000);
        GsoSegmenter segmenter = new GsoSegmenter();
        assertEquals(GsoSegmenter.MALFORMED, segmenter.start(frame, 0, VirtioNetHeader.BYTES));
        int length = gsoFrame(frame, false, 3 * MSS, OffloadPackets.ACK);
        frame.putByte(VirtioNetHeader.GSO_TYPE_OFFSET, (byte) VirtioNetHeader.GSO_UDP);
        assertEquals(GsoSegmenter.MALFORMED, segmenter.start(frame, 0, length), "UDP fragmentation offload");
        frame.putByte(VirtioNetHeader.GSO_TYPE_OFFSET, (byte) VirtioNetHeader.GSO_TCPV6);
        assertEquals(GsoSegmenter.MALFORMED, segmenter.start(frame, 0, length), "family mismatch");
        frame.putByte(VirtioNetHeader.GSO_TYPE_OFFSET, (byte) VirtioNetHeader.GSO_TCPV4);
        frame.putShort(VirtioNetHeader.CSUM_START_OFFSET, (short) 24, ByteOrder.nativeOrder());
        assertEquals(GsoSegmenter.MALFORMED, segmenter.start(frame, 0, length), "csum_start past the IP header");
        frame.putShort(VirtioNetHeader.CSUM_START_OFFSET, (short) 20, ByteOrder.nativeOrder());
        frame.putShort(VirtioNetHeader.GSO_SIZE_OFFSET, (short) 0, ByteOrder.nativeOrder());
        assertEquals(GsoSegmenter.MALFORMED, segmenter.start(frame, 0, length), "gso_size 0");
        assertFalse(segmenter.hasNext());
    }

    @Test
    void shouldReportPlainPacketLargerThanSlotByItsLengthWithoutCopying() {
        UnsafeBuffer frame = OffloadPackets.direct(4096);
        int length = OffloadPackets.write(frame, VirtioNetHeader.BYTES, false, 5, OffloadPackets.ACK, 2_000, 77);
        VirtioNetHeader.putNone(frame, 0);
        GsoSegmenter segmenter = new GsoSegmenter();
        assertEquals(1, segmenter.start(frame, 0, VirtioNetHeader.BYTES + length));
        UnsafeBuffer slot = OffloadPackets.direct(1024);
        assertEquals(length, segmenter.next(slot, 0, 1024), "longer than the slot: the reader counts too_big");
        assertEquals(0, slot.getByte(0), "nothing copied");
        assertFalse(segmenter.hasNext());
    }

    @Test
    void shouldDropSegmentLargerThanSlot() {
        UnsafeBuffer frame = OffloadPackets.direct(70_000);
        int length = gsoFrame(frame, false, 2 * MSS, OffloadPackets.ACK);
        GsoSegmenter segmenter = new GsoSegmenter();
        assertEquals(2, segmenter.start(frame, 0, length));
        assertEquals(GsoSegmenter.MALFORMED, segmenter.next(OffloadPackets.direct(1024), 0, 1024));
        assertFalse(segmenter.hasNext(), "the rest of the frame goes with it");
    }

    /** A GSO_UDP_L4 frame as the kernel hands it over for a sender using UDP_SEGMENT. */
    private static int usoFrame(UnsafeBuffer frame, boolean v6, int payload, int gsoSize) {
        int length = OffloadPackets.writeUdp(frame, VirtioNetHeader.BYTES, v6, 40000, payload, 5);
        int ip = v6 ? 40 : 20;
        long pseudo =
                GsoSegmenter.pseudoHeaderSum(frame, VirtioNetHeader.BYTES, IpPacket.PROTOCOL_UDP, length - ip, v6);
        frame.putShort(VirtioNetHeader.BYTES + ip + 6, (short) InternetChecksum.fold(pseudo), ByteOrder.BIG_ENDIAN);
        VirtioNetHeader.put(frame, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_UDP_L4, ip + 8, gsoSize, ip, 6);
        return VirtioNetHeader.BYTES + length;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldSplitUdpSuperPacketIntoValidDatagrams(boolean v6) {
        UnsafeBuffer frame = OffloadPackets.direct(70_000);
        int gso = 1300;
        int payload = 12 * gso + 77;
        int length = usoFrame(frame, v6, payload, gso);
        GsoSegmenter segmenter = new GsoSegmenter();
        assertEquals(13, segmenter.start(frame, 0, length));
        UnsafeBuffer slot = OffloadPackets.direct(2048);
        int ip = v6 ? 40 : 20;
        for (int i = 0; i < 13; i++) {
            int n = segmenter.next(slot, 0, 2048);
            int chunk = i < 12 ? gso : 77;
            assertEquals(ip + 8 + chunk, n);
            assertEquals(n, IpPacket.totalLengthBytes(slot, 0));
            assertEquals(8 + chunk, slot.getShort(ip + 4, ByteOrder.BIG_ENDIAN) & 0xFFFF, "UDP length");
            assertTrue(OffloadPackets.udpChecksumValid(slot, 0, n, v6), "UDP checksum of datagram " + i);
            if (!v6) {
                assertTrue(InternetChecksum.isIpv4HeaderValid(slot, 0, n));
            }
            for (int k = 0; k < chunk; k++) {
                assertEquals(
                        frame.getByte(VirtioNetHeader.BYTES + ip + 8 + i * gso + k),
                        slot.getByte(ip + 8 + k),
                        "payload byte " + k + " of datagram " + i);
            }
        }
        assertFalse(segmenter.hasNext());
    }

    @Test
    void shouldRejectMalformedUdpSuperPackets() {
        UnsafeBuffer frame = OffloadPackets.direct(70_000);
        GsoSegmenter segmenter = new GsoSegmenter();
        int length = usoFrame(frame, false, 3 * 1300, 1300);
        frame.putShort(VirtioNetHeader.GSO_SIZE_OFFSET, (short) 0, ByteOrder.nativeOrder());
        assertEquals(GsoSegmenter.MALFORMED, segmenter.start(frame, 0, length), "gso_size 0");
        length = usoFrame(frame, false, 3 * 1300, 1300);
        frame.putShort(VirtioNetHeader.CSUM_START_OFFSET, (short) 24, ByteOrder.nativeOrder());
        assertEquals(GsoSegmenter.MALFORMED, segmenter.start(frame, 0, length), "csum_start past the IP header");
        length = OffloadPackets.write(frame, VirtioNetHeader.BYTES, false, 1, OffloadPackets.ACK, 3 * 1300, 1);
        VirtioNetHeader.put(frame, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_UDP_L4, 28, 1300, 20, 6);
        assertEquals(
                GsoSegmenter.MALFORMED,
                segmenter.start(frame, 0, VirtioNetHeader.BYTES + length),
                "GSO_UDP_L4 over a TCP packet");
        length = usoFrame(frame, true, 0, 1300);
        assertEquals(GsoSegmenter.MALFORMED, segmenter.start(frame, 0, length), "header only, no payload");
        assertFalse(segmenter.hasNext());
    }
}
