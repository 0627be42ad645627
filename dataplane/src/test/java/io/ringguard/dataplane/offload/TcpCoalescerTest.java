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

class TcpCoalescerTest {
    private static final int MSS = 1368;
    private final UnsafeBuffer packet = TcpPackets.direct(4096);
    private final TcpCoalescer coalescer = new TcpCoalescer();

    private int segment(boolean v6, int index, int flags, int payload) {
        return TcpPackets.write(packet, 0, v6, 5000 + index * MSS, flags, payload, 9);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldMergeConsecutiveSegmentsIntoOneGsoFrame(boolean v6) {
        int n = 30;
        for (int i = 0; i < n; i++) {
            int flags = i == n - 1 ? TcpPackets.ACK | TcpPackets.PSH : TcpPackets.ACK;
            int length = segment(v6, i, flags, i == n - 1 ? 500 : MSS);
            if (i == 0) {
                assertTrue(coalescer.start(packet, 0, length));
            } else {
                assertTrue(coalescer.append(packet, 0, length), "segment " + i);
            }
        }
        assertEquals(n, coalescer.segments());
        assertFalse(coalescer.append(packet, 0, segment(v6, n, TcpPackets.ACK, MSS)), "PSH closed the merge");
        int frameLength = coalescer.finish();
        UnsafeBuffer frame = coalescer.frame();
        int ip = v6 ? 40 : 20;
        int total = ip + TcpPackets.TCP_HEADER_BYTES + (n - 1) * MSS + 500;
        assertEquals(VirtioNetHeader.BYTES + total, frameLength);
        assertEquals(total, IpPacket.totalLengthBytes(frame, VirtioNetHeader.BYTES));
        if (!v6) {
            assertTrue(InternetChecksum.isIpv4HeaderValid(frame, VirtioNetHeader.BYTES, total));
        }
        assertEquals(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.flags(frame, 0));
        assertEquals(v6 ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4, VirtioNetHeader.gsoType(frame, 0));
        assertEquals(MSS, VirtioNetHeader.gsoSize(frame, 0));
        assertEquals(ip + TcpPackets.TCP_HEADER_BYTES, VirtioNetHeader.hdrLen(frame, 0));
        assertEquals(ip, VirtioNetHeader.csumStart(frame, 0));
        assertEquals(16, VirtioNetHeader.csumOffset(frame, 0));
        assertEquals(TcpPackets.ACK | TcpPackets.PSH, TcpPackets.flags(frame, VirtioNetHeader.BYTES, v6));
        // What the kernel does with CHECKSUM_PARTIAL: sum from csum_start over the seeded field.
        long sum = InternetChecksum.sum(frame, VirtioNetHeader.BYTES + ip, total - ip, 0);
        frame.putShort(VirtioNetHeader.BYTES + ip + 16, (short) InternetChecksum.finish(sum), ByteOrder.BIG_ENDIAN);
        assertTrue(TcpPackets.tcpChecksumValid(frame, VirtioNetHeader.BYTES, total, v6));
        // Splitting it again gives back the segments that went in, byte for byte after their headers.
        frame.putByte(VirtioNetHeader.FLAGS_OFFSET, (byte) 0);
        TcpSegmenter segmenter = new TcpSegmenter();
        assertEquals(n, segmenter.start(frame, 0, frameLength));
        UnsafeBuffer slot = TcpPackets.direct(2048);
        for (int i = 0; i < n; i++) {
            int length = segmenter.next(slot, 0, 2048);
            int flags = i == n - 1 ? TcpPackets.ACK | TcpPackets.PSH : TcpPackets.ACK;
            int expectedLength = segment(v6, i, flags, i == n - 1 ? 500 : MSS);
            assertEquals(expectedLength, length);
            for (int k = ip; k < length; k++) {
                assertEquals(packet.getByte(k), slot.getByte(k), "byte " + k + " of segment " + i);
            }
        }
    }

    @Test
    void shouldWriteSingleSegmentWithEmptyHeader() {
        int length = segment(false, 0, TcpPackets.ACK, MSS);
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
        assertTrue(coalescer.start(packet, 0, segment(false, 0, TcpPackets.ACK, MSS)));
        assertFalse(coalescer.append(packet, 0, segment(false, 2, TcpPackets.ACK, MSS)), "sequence gap");
        assertFalse(coalescer.append(packet, 0, segment(true, 1, TcpPackets.ACK, MSS)), "other family");
        assertFalse(coalescer.append(packet, 0, segment(false, 1, TcpPackets.ACK | 0x01, MSS)), "FIN");
        assertFalse(coalescer.append(packet, 0, segment(false, 1, TcpPackets.ACK, MSS + 1)), "bigger than gso_size");
        int length = segment(false, 1, TcpPackets.ACK, MSS);
        packet.putShort(2 + 20, (short) 40001, ByteOrder.BIG_ENDIAN);
        TcpSegmenter.writeTcpChecksum(packet, 0, 20, length, false);
        assertFalse(coalescer.append(packet, 0, length), "other source port");
        length = segment(false, 1, TcpPackets.ACK, MSS);
        packet.putByte(100, (byte) (packet.getByte(100) + 1));
        assertFalse(coalescer.append(packet, 0, length), "bad checksum");
        length = segment(false, 1, TcpPackets.ACK, MSS);
        packet.putInt(20 + 24, 0x33333333);
        TcpSegmenter.writeTcpChecksum(packet, 0, 20, length, false);
        assertFalse(coalescer.append(packet, 0, length), "other timestamp");
        assertTrue(coalescer.append(packet, 0, segment(false, 1, TcpPackets.ACK, MSS)), "the next one merges");
        assertEquals(2, coalescer.segments());
    }

    @Test
    void shouldNotStartWithPureAckSynOrNonTcp() {
        assertFalse(coalescer.start(packet, 0, segment(false, 0, TcpPackets.ACK, 0)), "no payload");
        assertFalse(coalescer.start(packet, 0, segment(false, 0, 0x02, MSS)), "SYN");
        int length = segment(false, 0, TcpPackets.ACK, MSS);
        packet.putByte(9, (byte) IpPacket.PROTOCOL_UDP);
        InternetChecksum.writeIpv4HeaderChecksum(packet, 0);
        assertFalse(coalescer.start(packet, 0, length), "UDP");
        assertFalse(coalescer.pending());
    }

    @Test
    void shouldStopBelowMaximumPacketSize() {
        int length = segment(false, 0, TcpPackets.ACK, MSS);
        assertTrue(coalescer.start(packet, 0, length));
        int i = 1;
        while (coalescer.append(packet, 0, segment(false, i, TcpPackets.ACK, MSS))) {
            i++;
        }
        int frameLength = coalescer.finish();
        assertTrue(frameLength - VirtioNetHeader.BYTES <= TcpCoalescer.MAX_PACKET_BYTES);
        assertEquals((TcpCoalescer.MAX_PACKET_BYTES - 52) / MSS, i, "as many segments as fit in 64 KiB");
    }
}
