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

class GroCoalescerTest {
    private static final int MSS = 1368;
    private final UnsafeBuffer packet = OffloadPackets.direct(4096);
    private final GroCoalescer coalescer = new GroCoalescer();

    private int segment(boolean v6, int index, int flags, int payload) {
        return OffloadPackets.write(packet, 0, v6, 5000 + index * MSS, flags, payload, 9);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldMergeConsecutiveSegmentsIntoOneGsoFrame(boolean v6) {
        int n = 30;
        for (int i = 0; i < n; i++) {
            int flags = i == n - 1 ? OffloadPackets.ACK | OffloadPackets.PSH : OffloadPackets.ACK;
            int length = segment(v6, i, flags, i == n - 1 ? 500 : MSS);
            if (i == 0) {
                assertTrue(coalescer.start(packet, 0, length));
            } else {
                assertTrue(coalescer.append(packet, 0, length), "segment " + i);
            }
        }
        assertEquals(n, coalescer.segments());
        assertFalse(coalescer.append(packet, 0, segment(v6, n, OffloadPackets.ACK, MSS)), "PSH closed the merge");
        int frameLength = coalescer.finish();
        UnsafeBuffer frame = coalescer.frame();
        int ip = v6 ? 40 : 20;
        int total = ip + OffloadPackets.TCP_HEADER_BYTES + (n - 1) * MSS + 500;
        assertEquals(VirtioNetHeader.BYTES + total, frameLength);
        assertEquals(total, IpPacket.totalLengthBytes(frame, VirtioNetHeader.BYTES));
        if (!v6) {
            assertTrue(InternetChecksum.isIpv4HeaderValid(frame, VirtioNetHeader.BYTES, total));
        }
        assertEquals(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.flags(frame, 0));
        assertEquals(v6 ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4, VirtioNetHeader.gsoType(frame, 0));
        assertEquals(MSS, VirtioNetHeader.gsoSize(frame, 0));
        assertEquals(ip + OffloadPackets.TCP_HEADER_BYTES, VirtioNetHeader.hdrLen(frame, 0));
        assertEquals(ip, VirtioNetHeader.csumStart(frame, 0));
        assertEquals(16, VirtioNetHeader.csumOffset(frame, 0));
        assertEquals(OffloadPackets.ACK | OffloadPackets.PSH, OffloadPackets.flags(frame, VirtioNetHeader.BYTES, v6));
        // What the kernel does with CHECKSUM_PARTIAL: sum from csum_start over the seeded field.
        long sum = InternetChecksum.sum(frame, VirtioNetHeader.BYTES + ip, total - ip, 0);
        frame.putShort(VirtioNetHeader.BYTES + ip + 16, (short) InternetChecksum.finish(sum), ByteOrder.BIG_ENDIAN);
        assertTrue(OffloadPackets.tcpChecksumValid(frame, VirtioNetHeader.BYTES, total, v6));
        // Splitting it again gives back the segments that went in, byte for byte after their headers.
        frame.putByte(VirtioNetHeader.FLAGS_OFFSET, (byte) 0);
        GsoSegmenter segmenter = new GsoSegmenter();
        assertEquals(n, segmenter.start(frame, 0, frameLength));
        UnsafeBuffer slot = OffloadPackets.direct(2048);
        for (int i = 0; i < n; i++) {
            int length = segmenter.next(slot, 0, 2048);
            int flags = i == n - 1 ? OffloadPackets.ACK | OffloadPackets.PSH : OffloadPackets.ACK;
            int expectedLength = segment(v6, i, flags, i == n - 1 ? 500 : MSS);
            assertEquals(expectedLength, length);
            for (int k = ip; k < length; k++) {
                assertEquals(packet.getByte(k), slot.getByte(k), "byte " + k + " of segment " + i);
            }
        }
    }

    @Test
    void shouldWriteSingleSegmentWithEmptyHeader() {
        int length = segment(false, 0, OffloadPackets.ACK, MSS);
        assertTrue(coalescer.start(packet, 0, length));
        assertEquals(VirtioNetHeader.BYTES + length, coalescer.finish());
        for (int i = 0; i < VirtioNetHeader.BYTES; i++) {
            assertEquals(0, coalescer.frame().getByte(i));
        }
        for (int i = 0; i < length; i++) {
            assertEquals(packet.getByte(i), coalescer.frame().getByte(VirtioNetHeader.BYTES + i));
        }
        assertFalse(coalescer.pending());
        assertEquals(0, coalescer.finish());
    }

    @Test
    void shouldNotMergeAcrossGapsFlowsFlagsOrBadChecksums() {
        assertTrue(coalescer.start(packet, 0, segment(false, 0, OffloadPackets.ACK, MSS)));
        assertFalse(coalescer.append(packet, 0, segment(false, 2, OffloadPackets.ACK, MSS)), "sequence gap");
        assertFalse(coalescer.append(packet, 0, segment(true, 1, OffloadPackets.ACK, MSS)), "other family");
        assertFalse(coalescer.append(packet, 0, segment(false, 1, OffloadPackets.ACK | 0x01, MSS)), "FIN");
        assertFalse(
                coalescer.append(packet, 0, segment(false, 1, OffloadPackets.ACK, MSS + 1)), "bigger than gso_size");
        int length = segment(false, 1, OffloadPackets.ACK, MSS);
        packet.putShort(2 + 20, (short) 40001, ByteOrder.BIG_ENDIAN);
        GsoSegmenter.writeTcpChecksum(packet, 0, 20, length, false);
        assertFalse(coalescer.append(packet, 0, length), "other source port");
        length = segment(false, 1, OffloadPackets.ACK, MSS);
        packet.putByte(100, (byte) (packet.getByte(100) + 1));
        assertFalse(coalescer.append(packet, 0, length), "bad checksum");
        length = segment(false, 1, OffloadPackets.ACK, MSS);
        packet.putInt(20 + 24, 0x33333333);
        GsoSegmenter.writeTcpChecksum(packet, 0, 20, length, false);
        assertFalse(coalescer.append(packet, 0, length), "other timestamp");
        assertTrue(coalescer.append(packet, 0, segment(false, 1, OffloadPackets.ACK, MSS)), "the next one merges");
        assertEquals(2, coalescer.segments());
    }

    @Test
    void shouldNotStartWithPureAckSynOrNonTcp() {
        assertFalse(coalescer.start(packet, 0, segment(false, 0, OffloadPackets.ACK, 0)), "no payload");
        assertFalse(coalescer.start(packet, 0, segment(false, 0, 0x02, MSS)), "SYN");
        int length = segment(false, 0, OffloadPackets.ACK, MSS);
        packet.putByte(9, (byte) IpPacket.PROTOCOL_UDP);
        InternetChecksum.writeIpv4HeaderChecksum(packet, 0);
        assertFalse(coalescer.start(packet, 0, length), "UDP");
        assertFalse(coalescer.pending());
    }

    @Test
    void shouldStopBelowMaximumPacketSize() {
        int length = segment(false, 0, OffloadPackets.ACK, MSS);
        assertTrue(coalescer.start(packet, 0, length));
        int i = 1;
        while (coalescer.append(packet, 0, segment(false, i, OffloadPackets.ACK, MSS))) {
            i++;
        }
        int frameLength = coalescer.finish();
        assertTrue(frameLength - VirtioNetHeader.BYTES <= GroCoalescer.MAX_PACKET_BYTES);
        assertEquals((GroCoalescer.MAX_PACKET_BYTES - 52) / MSS, i, "as many segments as fit in 64 KiB");
    }

    private static final int DATAGRAM = 1300;
    private final GroCoalescer udpCoalescer = new GroCoalescer(true);

    private int datagram(boolean v6, int sourcePort, int payload) {
        return OffloadPackets.writeUdp(packet, 0, v6, sourcePort, payload, payload);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldMergeUdpDatagramsIntoOneUsoFrameTheSegmenterSplitsBack(boolean v6) {
        int n = 20;
        UnsafeBuffer originals = OffloadPackets.direct(n * 2048);
        for (int i = 0; i < n; i++) {
            int length = datagram(v6, 40000, i == n - 1 ? 200 : DATAGRAM);
            originals.putBytes(i * 2048, packet, 0, length);
            if (i == 0) {
                assertTrue(udpCoalescer.start(packet, 0, length));
            } else {
                assertTrue(udpCoalescer.append(packet, 0, length), "datagram " + i);
            }
        }
        assertFalse(udpCoalescer.append(packet, 0, datagram(v6, 40000, DATAGRAM)), "a short datagram closed it");
        int frameLength = udpCoalescer.finish();
        UnsafeBuffer frame = udpCoalescer.frame();
        int ip = v6 ? 40 : 20;
        int total = ip + 8 + (n - 1) * DATAGRAM + 200;
        assertEquals(VirtioNetHeader.BYTES + total, frameLength);
        assertEquals(total, IpPacket.totalLengthBytes(frame, VirtioNetHeader.BYTES));
        assertEquals(total - ip, frame.getShort(VirtioNetHeader.BYTES + ip + 4, ByteOrder.BIG_ENDIAN) & 0xFFFF);
        if (!v6) {
            assertTrue(InternetChecksum.isIpv4HeaderValid(frame, VirtioNetHeader.BYTES, total));
        }
        assertEquals(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.flags(frame, 0));
        assertEquals(VirtioNetHeader.GSO_UDP_L4, VirtioNetHeader.gsoType(frame, 0));
        assertEquals(DATAGRAM, VirtioNetHeader.gsoSize(frame, 0));
        assertEquals(ip + 8, VirtioNetHeader.hdrLen(frame, 0));
        assertEquals(ip, VirtioNetHeader.csumStart(frame, 0));
        assertEquals(6, VirtioNetHeader.csumOffset(frame, 0));
        // The kernel reads it back the way it reads a USO frame: the segmenter must give back every datagram.
        GsoSegmenter segmenter = new GsoSegmenter();
        assertEquals(n, segmenter.start(frame, 0, frameLength));
        UnsafeBuffer slot = OffloadPackets.direct(2048);
        for (int i = 0; i < n; i++) {
            int length = segmenter.next(slot, 0, 2048);
            assertEquals(ip + 8 + (i == n - 1 ? 200 : DATAGRAM), length);
            for (int k = ip; k < length; k++) {
                assertEquals(originals.getByte(i * 2048 + k), slot.getByte(k), "byte " + k + " of datagram " + i);
            }
        }
    }

    @Test
    void shouldNotMergeUdpAcrossPortsSizesProtocolsOrChecksums() {
        assertTrue(udpCoalescer.start(packet, 0, datagram(false, 40000, DATAGRAM)));
        assertFalse(udpCoalescer.append(packet, 0, datagram(false, 40001, DATAGRAM)), "other source port");
        assertFalse(udpCoalescer.append(packet, 0, datagram(false, 40000, DATAGRAM + 1)), "bigger than gso_size");
        assertFalse(udpCoalescer.append(packet, 0, datagram(true, 40000, DATAGRAM)), "other family");
        assertFalse(udpCoalescer.append(packet, 0, segment(false, 0, OffloadPackets.ACK, DATAGRAM - 24)), "TCP");
        int length = datagram(false, 40000, DATAGRAM);
        packet.putByte(500, (byte) (packet.getByte(500) + 1));
        assertFalse(udpCoalescer.append(packet, 0, length), "bad checksum");
        length = datagram(false, 40000, DATAGRAM);
        packet.putShort(26, (short) 0);
        assertFalse(udpCoalescer.append(packet, 0, length), "IPv4 datagram sent without a checksum");
        length = datagram(false, 40000, DATAGRAM);
        packet.putByte(8, (byte) 63);
        InternetChecksum.writeIpv4HeaderChecksum(packet, 0);
        assertFalse(udpCoalescer.append(packet, 0, length), "other TTL");
        assertTrue(udpCoalescer.append(packet, 0, datagram(false, 40000, DATAGRAM)), "the next one merges");
        assertEquals(2, udpCoalescer.segments());
        udpCoalescer.finish();
        length = datagram(false, 40000, DATAGRAM);
        packet.putShort(26, (short) 0);
        assertFalse(udpCoalescer.start(packet, 0, length), "no checksum: written alone, as it came");
        assertFalse(coalescer.start(packet, 0, datagram(false, 40000, DATAGRAM)), "UDP without USO");
    }

    @Test
    void shouldStopUdpAtSegmentLimit() {
        assertTrue(udpCoalescer.start(packet, 0, datagram(false, 40000, 100)));
        int merged = 1;
        while (udpCoalescer.append(packet, 0, datagram(false, 40000, 100))) {
            merged++;
        }
        assertEquals(GroCoalescer.MAX_SEGMENTS, merged);
    }
}
