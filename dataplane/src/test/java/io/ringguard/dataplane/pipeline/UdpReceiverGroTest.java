package io.ringguard.dataplane.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import io.ringguard.buffers.PacketSlab;
import io.ringguard.buffers.SlotPool;
import io.ringguard.dataplane.counters.DataplaneCounters;
import io.ringguard.dataplane.counters.DropReason;
import io.ringguard.dataplane.sys.CoalescedMessages;
import io.ringguard.dataplane.sys.DatagramBatch;
import io.ringguard.dataplane.sys.IoStatus;
import io.ringguard.dataplane.sys.SockAddr;
import io.ringguard.dataplane.sys.UdpSocket;
import io.ringguard.handshake.message.InitiationMessage;
import io.ringguard.handshake.message.MessageType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The receiver over coalesced runs ({@code UDP_GRO}): every datagram of a run is its own slot, ring entry and
 * drop count, and handshake messages in a run still reach the control ring.
 */
class UdpReceiverGroTest {
    private static final int BATCH = 8;
    private static final int TRANSPORT_BYTES = 100;

    private final PacketSlab slab = new PacketSlab(256, 1500);
    private final SlotPool pool = new SlotPool(256);
    private final ControlRing control = new ControlRing(64 * 1024);
    private final DataplaneCounters counters = new DataplaneCounters();
    private final CoalescedMessages coalesced = new CoalescedMessages(4);

    /**
     * A socket whose receive hands out the loaded runs as {@code LinuxUdpSocket} does with GRO on, and that
     * reports itself closed once they are out, so {@link UdpReceiver#run} returns on the test's thread.
     */
    private final UdpSocket socket = new UdpSocket() {
        private int idleAwaits;

        @Override
        public int receive(final DatagramBatch batch, final int count) {
            final int n = coalesced.split(batch, 0, count);
            return n > 0 ? n : IoStatus.WOULD_BLOCK;
        }

        @Override
        public int awaitReadable(final int timeoutMs) {
            // Bounded: a receiver that cannot take the pending runs gets a few calls, then the socket closes.
            return coalesced.pending() && idleAwaits++ < 100 ? 1 : IoStatus.CLOSED;
        }

        @Override
        public int send(final DatagramBatch batch, final int first, final int count) {
            return IoStatus.ERROR;
        }

        @Override
        public int lastReceiveErrno() {
            return 0;
        }

        @Override
        public int lastSendErrno() {
            return 0;
        }

        @Override
        public int family() {
            return 2;
        }

        @Override
        public int boundPort() {
            return 51820;
        }

        @Override
        public int fd() {
            return -1;
        }

        @Override
        public void close() {}
    };

    /** Message {@code m}: {@code count} datagrams of {@code segmentBytes} of {@code type}, from {@code port}. */
    private void run(final int m, final int type, final int segmentBytes, final int count, final int port) {
        final DatagramBatch messages = coalesced.messages();
        for (int k = 0; k < count; k++) {
            final int offset = messages.payloadOffset(m) + k * segmentBytes;
            messages.payloadBuffer().setMemory(offset, segmentBytes, (byte) 0);
            MessageType.putType(messages.payloadBuffer(), offset, type);
            messages.payloadBuffer().putInt(offset + 4, k);
        }
        messages.length(m, segmentBytes * count);
        SockAddr.writeIpv4(messages.endpoints(), DatagramBatch.remoteOffset(m), 0xC6120002, port);
        messages.clearLocal(m);
        coalesced.segmentBytes(m, segmentBytes);
    }

    private UdpReceiver receiver(final RingBuffer<InboundEvent> ring) {
        return new UdpReceiver(socket, slab, pool, ring, control, counters, BATCH);
    }

    @Test
    void shouldCountEveryCoalescedDatagramDroppedOnAFullRing() {
        // Nothing consumes: the ring takes 16 entries and then is full.
        final RingBuffer<InboundEvent> ring = RingBuffer.createMultiProducer(InboundEvent::new, 16);
        ring.addGatingSequences(new Sequence(-1));
        run(0, MessageType.TRANSPORT, TRANSPORT_BYTES, 40, 1000);
        coalesced.loaded(1);

        receiver(ring).run();

        // 40 datagrams in batches of 8: two batches fit, three are dropped whole.
        assertEquals(15, ring.getCursor(), "16 published");
        assertEquals(24, counters.dropped(DropReason.RING_FULL), "each dropped datagram counted, not the run");
        assertEquals(256 - 16, pool.available(), "dropped datagrams gave their slots back");
        for (int k = 0; k < 16; k++) {
            final InboundEvent event = ring.get(k);
            assertEquals(TRANSPORT_BYTES, event.datagramLengthBytes);
            assertEquals(k, slab.buffer().getInt(slab.slotOffset(event.slot) + 4), "datagram order");
            assertEquals(1000, SockAddr.port(event.endpoint, 0), "source recorded per datagram");
        }
    }

    @Test
    void shouldSendHandshakesOfARunToTheControlRingAndTransportToTheReceiveRing() {
        final RingBuffer<InboundEvent> ring = RingBuffer.createMultiProducer(InboundEvent::new, 64);
        run(0, MessageType.INITIATION, InitiationMessage.LENGTH, 3, 2000);
        run(1, MessageType.TRANSPORT, TRANSPORT_BYTES, 10, 3000);
        coalesced.loaded(2);

        receiver(ring).run();

        final List<Integer> ports = new ArrayList<>();
        final int drained = control.drain(
                (type, buffer, index, length) -> {
                    assertEquals(MessageType.INITIATION, type);
                    assertEquals(ControlRing.ENDPOINT_BYTES + InitiationMessage.LENGTH, length);
                    ports.add(SockAddr.port(buffer, index));
                },
                16);
        assertEquals(3, drained, "every initiation of the run");
        assertEquals(List.of(2000, 2000, 2000), ports);
        assertEquals(9, ring.getCursor(), "10 transport datagrams published");
        assertEquals(256 - 10, pool.available(), "handshake slots released after the copy");
        assertEquals(0, counters.dropped(DropReason.MALFORMED));
    }

    @Test
    void shouldCountATruncatedRunAsTooBigAndABadSegmentSizeAsMalformed() {
        final RingBuffer<InboundEvent> ring = RingBuffer.createMultiProducer(InboundEvent::new, 64);
        run(0, MessageType.TRANSPORT, TRANSPORT_BYTES, 5, 1);
        coalesced.messages().length(0, DatagramBatch.TRUNCATED);
        run(1, MessageType.TRANSPORT, TRANSPORT_BYTES, 5, 2);
        coalesced.segmentBytes(1, CoalescedMessages.BAD_SEGMENT);
        run(2, MessageType.TRANSPORT, TRANSPORT_BYTES, 2, 3);
        coalesced.loaded(3);

        receiver(ring).run();

        assertEquals(1, counters.dropped(DropReason.TOO_BIG));
        assertEquals(1, counters.dropped(DropReason.MALFORMED));
        assertEquals(1, ring.getCursor(), "the good run's 2 datagrams still pass");
        assertEquals(256 - 2, pool.available());
    }

    @Test
    void shouldKeepARunPendingWhileThePoolIsEmptyAndCountIt() {
        final RingBuffer<InboundEvent> ring = RingBuffer.createMultiProducer(InboundEvent::new, 64);
        // Leave 8 free slots: one batch, then the pool is empty while 12 datagrams wait.
        final int[] held = new int[248];
        for (int i = 0; i < held.length; i++) {
            held[i] = pool.claim();
        }
        run(0, MessageType.TRANSPORT, TRANSPORT_BYTES, 20, 1);
        coalesced.loaded(1);

        receiver(ring).run();

        assertEquals(7, ring.getCursor(), "the 8 that had slots were published");
        assertTrue(counters.dropped(DropReason.POOL_EMPTY) > 0, "the empty pool is counted");
        assertTrue(coalesced.pending(), "the other 12 wait in the socket, not lost");
        assertEquals(0, counters.dropped(DropReason.RING_FULL));
        assertFalse(pool.available() > 0);
    }
}
