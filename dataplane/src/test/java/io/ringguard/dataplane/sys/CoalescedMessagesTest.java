package io.ringguard.dataplane.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.buffers.PacketSlab;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * Splitting {@code UDP_GRO} runs into one entry per datagram, and reading the segment size from a hand-made
 * control area: the failure modes are counted entries, never exceptions.
 */
class CoalescedMessagesTest {
    private static final int SLOT_PAYLOAD_BYTES = 1500;
    private static final int ENTRIES = 16;

    private final PacketSlab slab = new PacketSlab(ENTRIES, SLOT_PAYLOAD_BYTES);
    private final DatagramBatch batch = new DatagramBatch(ENTRIES, slab.buffer());
    private final CoalescedMessages coalesced = new CoalescedMessages(4);

    CoalescedMessagesTest() {
        for (int i = 0; i < ENTRIES; i++) {
            batch.payload(i, slab.slotOffset(i), slab.maxPayloadBytes());
        }
    }

    /** Writes message {@code m}: {@code lengthBytes} bytes where byte b is {@code seed + b}, from {@code port}. */
    private void message(final int m, final int lengthBytes, final int segmentBytes, final int seed, final int port)
            throws Exception {
        final DatagramBatch messages = coalesced.messages();
        for (int b = 0; b < lengthBytes; b++) {
            messages.payloadBuffer().putByte(messages.payloadOffset(m) + b, (byte) (seed + b));
        }
        messages.length(m, lengthBytes);
        SockAddr.write(
                messages.endpoints(),
                DatagramBatch.remoteOffset(m),
                new InetSocketAddress(InetAddress.getByName("198.18.0.2"), port));
        messages.localIpv4(m, 0xC6120001, 3);
        coalesced.segmentBytes(m, segmentBytes);
    }

    private void assertDatagram(final int entry, final int lengthBytes, final int seed, final int port) {
        assertEquals(lengthBytes, batch.length(entry), "length of entry " + entry);
        for (int b = 0; b < lengthBytes; b++) {
            assertEquals(
                    (byte) (seed + b),
                    slab.buffer().getByte(batch.payloadOffset(entry) + b),
                    "byte " + b + " of entry " + entry);
        }
        assertEquals(port, SockAddr.port(batch.endpoints(), DatagramBatch.remoteOffset(entry)), "source port");
        assertEquals(0xC6120001, batch.localIpv4Address(entry), "local address of entry " + entry);
        assertEquals(3, batch.localIfindex(entry));
    }

    @Test
    void shouldSplitARunIntoOneEntryPerDatagramWithTheLastShorter() throws Exception {
        message(0, 5 * 1000 + 300, 1000, 7, 51820);
        coalesced.loaded(1);

        assertEquals(6, coalesced.split(batch, 0, ENTRIES));

        for (int k = 0; k < 5; k++) {
            assertDatagram(k, 1000, 7 + k * 1000, 51820);
        }
        assertDatagram(5, 300, 7 + 5000, 51820);
        assertFalse(coalesced.pending());
        assertEquals(0, coalesced.split(batch, 0, ENTRIES), "nothing left");
    }

    @Test
    void shouldKeepDatagramsThatFindNoFreeEntryForTheNextSplit() throws Exception {
        message(0, 10 * 1200, 1200, 1, 1000);
        message(1, 3 * 900, 900, 2, 2000);
        coalesced.loaded(2);

        // 13 datagrams through batches of 4 entries: 4 + 4 + 4 + 1, nothing lost, order kept.
        assertEquals(4, coalesced.split(batch, 0, 4));
        assertTrue(coalesced.pending());
        assertEquals(4, coalesced.split(batch, 4, 4));
        assertEquals(4, coalesced.split(batch, 8, 4));
        assertTrue(coalesced.pending());
        assertEquals(1, coalesced.split(batch, 12, 4));
        assertFalse(coalesced.pending());
        for (int k = 0; k < 10; k++) {
            assertDatagram(k, 1200, 1 + k * 1200, 1000);
        }
        for (int k = 0; k < 3; k++) {
            assertDatagram(10 + k, 900, 2 + k * 900, 2000);
        }
    }

    @Test
    void shouldTakeAMessageWithoutSegmentSizeAsOneDatagram() throws Exception {
        message(0, 148, CoalescedMessages.SINGLE, 9, 1);
        message(1, 1400, CoalescedMessages.SINGLE, 10, 2);
        coalesced.loaded(2);

        assertEquals(2, coalesced.split(batch, 0, ENTRIES));
        assertDatagram(0, 148, 9, 1);
        assertDatagram(1, 1400, 10, 2);
    }

    @Test
    void shouldTakeASegmentSizeLargerThanTheMessageAsOneDatagram() throws Exception {
        message(0, 600, 1400, 4, 1);
        coalesced.loaded(1);

        assertEquals(1, coalesced.split(batch, 0, ENTRIES));
        assertDatagram(0, 600, 4, 1);
    }

    @Test
    void shouldReportATruncatedMessageAsOneTruncatedEntryAndGoOn() throws Exception {
        message(0, 4000, 1000, 0, 1);
        coalesced.messages().length(0, DatagramBatch.TRUNCATED);
        message(1, 2 * 500, 500, 3, 2);
        coalesced.loaded(2);

        assertEquals(3, coalesced.split(batch, 0, ENTRIES));
        assertEquals(DatagramBatch.TRUNCATED, batch.length(0));
        assertDatagram(1, 500, 3, 2);
        assertDatagram(2, 500, 3 + 500, 2);
    }

    @Test
    void shouldReportABadSegmentSizeAsOneMalformedEntryAndGoOn() throws Exception {
        message(0, 4000, CoalescedMessages.BAD_SEGMENT, 0, 1);
        message(1, 700, CoalescedMessages.SINGLE, 5, 2);
        coalesced.loaded(2);

        assertEquals(2, coalesced.split(batch, 0, ENTRIES));
        assertEquals(DatagramBatch.MALFORMED, batch.length(0));
        assertEquals(1, SockAddr.port(batch.endpoints(), DatagramBatch.remoteOffset(0)), "still its source");
        assertDatagram(1, 700, 5, 2);
    }

    @Test
    void shouldMarkEachSegmentLargerThanItsEntryTruncatedSoEveryOneIsCounted() throws Exception {
        message(0, 2 * 2000 + 100, 2000, 0, 1);
        message(1, 800, CoalescedMessages.SINGLE, 6, 2);
        coalesced.loaded(2);

        assertEquals(4, coalesced.split(batch, 0, ENTRIES));
        assertEquals(DatagramBatch.TRUNCATED, batch.length(0));
        assertEquals(DatagramBatch.TRUNCATED, batch.length(1));
        assertDatagram(2, 100, 4000, 1);
        assertDatagram(3, 800, 6, 2);
    }

    @Test
    void shouldHandOnAnEmptyDatagramAsOneEntry() throws Exception {
        message(0, 0, CoalescedMessages.SINGLE, 0, 1);
        message(1, 0, 1000, 0, 2);
        coalesced.loaded(2);

        assertEquals(2, coalesced.split(batch, 0, ENTRIES));
        assertEquals(0, batch.length(0));
        assertEquals(0, batch.length(1));
        assertFalse(coalesced.pending());
    }

    @Test
    void shouldSplitWithoutAllocating() throws Exception {
        message(0, 40 * 1300 + 20, 1300, 0, 1);
        final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        splitRounds(2_000); // warm-up, so the JIT has compiled the loop
        final long before = threads.getCurrentThreadAllocatedBytes();
        final long datagrams = splitRounds(1_000);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertEquals(1_000 * 41, datagrams);
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes for 41,000 datagrams");
    }

    private long splitRounds(final int rounds) {
        long datagrams = 0;
        for (int round = 0; round < rounds; round++) {
            coalesced.loaded(1);
            // Bounded: 41 datagrams per round, at least one per call.
            for (int call = 0; call < 41 && coalesced.pending(); call++) {
                datagrams += coalesced.split(batch, 0, ENTRIES);
            }
        }
        return datagrams;
    }

    // ---- the control area: what LinuxUdpSocket reads after each message ----

    private final UnsafeBuffer control = new UnsafeBuffer(BufferUtil.allocateDirectAligned(128, 8));

    /** Appends a cmsg at {@code offset}; returns the offset after it (CMSG_SPACE). */
    private int cmsg(final int offset, final int level, final int type, final int dataBytes) {
        control.putLong(offset + LinuxUdpSocket.CMSG_LEN_OFFSET, LinuxUdpSocket.CMSG_DATA_OFFSET + dataBytes);
        control.putInt(offset + LinuxUdpSocket.CMSG_LEVEL_OFFSET, level);
        control.putInt(offset + LinuxUdpSocket.CMSG_TYPE_OFFSET, type);
        return offset + ((LinuxUdpSocket.CMSG_DATA_OFFSET + dataBytes + 7) & ~7);
    }

    private int pktinfo4(final int offset) {
        final int data = offset + LinuxUdpSocket.CMSG_DATA_OFFSET;
        control.putInt(data, 2, ByteOrder.nativeOrder());
        control.putInt(data + LinuxUdpSocket.IN_PKTINFO_SPEC_DST_OFFSET, 0xC6120005, ByteOrder.BIG_ENDIAN);
        return cmsg(offset, Posix.IPPROTO_IP, Posix.IP_PKTINFO, LinuxUdpSocket.IN_PKTINFO_BYTES);
    }

    private int gro(final int offset, final int segmentBytes) {
        control.putInt(offset + LinuxUdpSocket.CMSG_DATA_OFFSET, segmentBytes, ByteOrder.nativeOrder());
        return cmsg(offset, Posix.SOL_UDP, Posix.UDP_GRO, 4);
    }

    @Test
    void shouldReadTheSegmentSizeNextToThePacketInfo() {
        final int end = gro(pktinfo4(0), 1360);

        assertEquals(1360, LinuxUdpSocket.readControl(control, 0, end, batch, 2));
        assertEquals(Posix.AF_INET, batch.localFamily(2));
        assertEquals(0xC6120005, batch.localIpv4Address(2));
        assertEquals(2, batch.localIfindex(2));
    }

    @Test
    void shouldReadNoSegmentSizeAsOneDatagram() {
        assertEquals(CoalescedMessages.SINGLE, LinuxUdpSocket.readControl(control, 0, pktinfo4(0), batch, 0));
        assertEquals(CoalescedMessages.SINGLE, LinuxUdpSocket.readControl(control, 0, 0, batch, 1));
        assertEquals(0, batch.localFamily(1), "no pktinfo: the local address is forgotten");
    }

    @Test
    void shouldRejectAZeroOrNegativeSegmentSize() {
        assertEquals(CoalescedMessages.BAD_SEGMENT, LinuxUdpSocket.readControl(control, 0, gro(0, 0), batch, 0));
        assertEquals(CoalescedMessages.BAD_SEGMENT, LinuxUdpSocket.readControl(control, 0, gro(0, -5), batch, 0));
    }

    @Test
    void shouldRejectASegmentSizeMessageTooShortForItsInt() {
        final int end = cmsg(0, Posix.SOL_UDP, Posix.UDP_GRO, 2);

        assertEquals(CoalescedMessages.BAD_SEGMENT, LinuxUdpSocket.readControl(control, 0, end, batch, 0));
    }

    @Test
    void shouldRejectAControlAreaThatCannotBeWalked() {
        final int end = gro(pktinfo4(0), 1360);
        // A length running past the area, and one shorter than a cmsghdr: neither is followed.
        control.putLong(end - 24 + LinuxUdpSocket.CMSG_LEN_OFFSET, 200);
        assertEquals(CoalescedMessages.BAD_SEGMENT, LinuxUdpSocket.readControl(control, 0, end, batch, 0));
        control.putLong(end - 24 + LinuxUdpSocket.CMSG_LEN_OFFSET, 4);
        assertEquals(CoalescedMessages.BAD_SEGMENT, LinuxUdpSocket.readControl(control, 0, end, batch, 0));
        assertEquals(0xC6120005, batch.localIpv4Address(0), "the pktinfo before it still counts");
    }
}
