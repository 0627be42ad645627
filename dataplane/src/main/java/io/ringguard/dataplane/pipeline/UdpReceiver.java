package io.ringguard.dataplane.pipeline;

import com.lmax.disruptor.RingBuffer;
import io.ringguard.buffers.PacketSlab;
import io.ringguard.buffers.SlotPool;
import io.ringguard.dataplane.counters.DataplaneCounters;
import io.ringguard.dataplane.counters.DropReason;
import io.ringguard.dataplane.sys.DatagramBatch;
import io.ringguard.dataplane.sys.IoStatus;
import io.ringguard.dataplane.sys.UdpSocket;
import io.ringguard.handshake.message.MessageType;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Inbound stage 0, one per socket (IPv4, IPv6), a producer of the receive ring.
 *
 * <ol>
 *   <li>Claim a batch of slots and {@code recvmmsg} into them (transport header lands in the head room).
 *   <li>Classify each datagram by type and exact length: transport data goes to the receive ring,
 *       handshake messages are copied to the bounded control ring, anything else is dropped
 *       ({@code malformed}, or {@code too_big} for a datagram the kernel cut to the slot's size).
 *   <li>Publish the transport datagrams in one range; a full ring drops them as {@code ring_full}.
 * </ol>
 */
public final class UdpReceiver implements Runnable {
    private static final int AWAIT_TIMEOUT_MS = 100;

    private final UdpSocket socket;
    private final PacketSlab slab;
    private final SlotPool pool;
    private final RingBuffer<InboundEvent> ring;
    private final ControlRing control;
    private final DataplaneCounters counters;
    private final DatagramBatch batch;
    private final int[] slots;
    private final int[] transport;
    private final UnsafeBuffer endpoints;
    private volatile boolean running = true;
    private IntConsumer afterPublish = count -> {};

    public UdpReceiver(
            UdpSocket socket,
            PacketSlab slab,
            SlotPool pool,
            RingBuffer<InboundEvent> ring,
            ControlRing control,
            DataplaneCounters counters,
            int batchSize) {
        this.socket = socket;
        this.slab = slab;
        this.pool = pool;
        this.ring = ring;
        this.control = control;
        this.counters = counters;
        this.batch = new DatagramBatch(batchSize, slab.buffer());
        this.slots = new int[batchSize];
        this.transport = new int[batchSize];
        this.endpoints = batch.endpoints();
    }

    /**
     * What to run after each published batch, with its size, on this thread ({@link InlineStages#published}
     * when the stages may run inline). Set before the thread starts.
     */
    public void afterPublish(IntConsumer action) {
        this.afterPublish = action;
    }

    public void stop() {
        running = false;
    }

    @Override
    public void run() {
        while (running) {
            int ready = socket.awaitReadable(AWAIT_TIMEOUT_MS);
            if (ready == IoStatus.CLOSED) {
                return;
            }
            if (ready > 0) {
                drain();
            }
        }
    }

    private void drain() {
        while (running) {
            int claimed = 0;
            while (claimed < slots.length) {
                int slot = pool.claim();
                if (slot == SlotPool.EMPTY) {
                    break;
                }
                slots[claimed] = slot;
                batch.payload(claimed, slab.slotOffset(slot), slotCapacity());
                claimed++;
            }
            if (claimed == 0) {
                counters.drop(DropReason.POOL_EMPTY);
                LockSupport.parkNanos(50_000);
                return;
            }
            int n = socket.receive(batch, claimed);
            if (n <= 0) {
                release(0, claimed);
                return;
            }
            release(n, claimed);
            dispatch(n);
            if (n < claimed) {
                return;
            }
        }
    }

    private int slotCapacity() {
        return PacketSlab.HEADROOM_BYTES + slab.payloadCapacityBytes() + PacketSlab.TAILROOM_BYTES;
    }

    private void dispatch(int n) {
        int transportCount = 0;
        for (int i = 0; i < n; i++) {
            int length = batch.length(i);
            int offset = batch.payloadOffset(i);
            int type = length < 0 ? MessageType.INVALID : MessageType.classify(slab.buffer(), offset, length);
            if (type == MessageType.TRANSPORT) {
                transport[transportCount++] = i;
                continue;
            }
            if (length == DatagramBatch.TRUNCATED) {
                // Larger than a slot, so larger than any message we could have sent or could carry.
                counters.drop(DropReason.TOO_BIG);
            } else if (type == MessageType.INVALID) {
                counters.drop(DropReason.MALFORMED);
            } else if (!control.offer(
                    type, endpoints, i * DatagramBatch.ENDPOINT_RECORD_BYTES, slab.buffer(), offset, length)) {
                counters.drop(DropReason.CONTROL_RING_FULL);
            }
            pool.release(slots[i]);
        }
        if (transportCount == 0) {
            return;
        }
        if (!RingSpace.await(ring, transportCount)) {
            counters.drops(DropReason.RING_FULL, transportCount);
            for (int k = 0; k < transportCount; k++) {
                pool.release(slots[transport[k]]);
            }
            return;
        }
        long hi = ring.next(transportCount);
        long lo = hi - transportCount + 1;
        long nowNs = System.nanoTime(); // one clock read per batch: the latency sample's start
        for (int k = 0; k < transportCount; k++) {
            int i = transport[k];
            InboundEvent event = ring.get(lo + k);
            event.slot = slots[i];
            event.datagramLengthBytes = batch.length(i);
            event.endpoint.putBytes(
                    0, endpoints, i * DatagramBatch.ENDPOINT_RECORD_BYTES, DatagramBatch.ENDPOINT_RECORD_BYTES);
            event.accepted = false;
            event.keypair = null;
            event.peer = null;
            event.ingressNs = nowNs;
        }
        ring.publish(lo, hi);
        afterPublish.accept(transportCount);
    }

    private void release(int from, int to) {
        for (int i = from; i < to; i++) {
            pool.release(slots[i]);
        }
    }
}
