package io.ringguard.dataplane.pipeline;

import com.lmax.disruptor.RingBuffer;
import io.ringguard.buffers.PacketSlab;
import io.ringguard.buffers.SlotPool;
import io.ringguard.buffers.ip.IpPacket;
import io.ringguard.dataplane.counters.DataplaneCounters;
import io.ringguard.dataplane.counters.DropReason;
import io.ringguard.dataplane.sys.IoStatus;
import io.ringguard.dataplane.sys.TunDevice;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * Outbound stage 0, the producer of the send ring.
 *
 * <ol>
 *   <li>Wait (bounded) until the TUN has packets.
 *   <li>Claim up to a batch of slots and read packets into their payload areas; a packet larger than a
 *       slot (the link MTU was raised behind the dataplane's back) is dropped as {@code too_big}.
 *   <li>Publish them to the send ring in one range; a full ring drops them as {@code ring_full}.
 * </ol>
 *
 * Runs on its own thread; stops when {@link #stop()} is called or the interface disappears.
 */
public final class TunReader implements Runnable {
    private static final int AWAIT_TIMEOUT_MS = 100;

    private final TunDevice tun;
    private final PacketSlab slab;
    private final SlotPool pool;
    private final RingBuffer<OutboundEvent> ring;
    private final DataplaneCounters counters;
    private final Runnable onDeviceGone;
    private final int[] slots;
    private final int[] offsets;
    private final int[] lengths;
    private volatile boolean running = true;
    private IntConsumer afterPublish = count -> {};

    public TunReader(
            TunDevice tun,
            PacketSlab slab,
            SlotPool pool,
            RingBuffer<OutboundEvent> ring,
            DataplaneCounters counters,
            int batchSize,
            Runnable onDeviceGone) {
        this.tun = tun;
        this.slab = slab;
        this.pool = pool;
        this.ring = ring;
        this.counters = counters;
        this.onDeviceGone = onDeviceGone;
        this.slots = new int[batchSize];
        this.offsets = new int[batchSize];
        this.lengths = new int[batchSize];
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
            int ready = tun.awaitReadable(AWAIT_TIMEOUT_MS);
            if (ready == IoStatus.DEVICE_GONE || ready == IoStatus.CLOSED) {
                if (running) {
                    onDeviceGone.run();
                }
                return;
            }
            if (ready > 0) {
                drain();
            }
        }
    }

    /** Reads batches until the TUN queue is empty. */
    private void drain() {
        while (running) {
            int claimed = 0;
            while (claimed < slots.length) {
                int slot = pool.claim();
                if (slot == SlotPool.EMPTY) {
                    break;
                }
                slots[claimed] = slot;
                offsets[claimed] = slab.payloadOffset(slot);
                claimed++;
            }
            if (claimed == 0) {
                // Every slot is in flight: leave packets in the TUN queue a moment (back-pressure).
                counters.drop(DropReason.POOL_EMPTY);
                LockSupport.parkNanos(50_000);
                return;
            }
            int n = tun.readBatch(slab.buffer(), offsets, slab.maxPayloadBytes(), lengths, claimed);
            for (int i = Math.max(n, 0); i < claimed; i++) {
                pool.release(slots[i]);
            }
            if (n <= 0) {
                if (n == IoStatus.DEVICE_GONE && running) {
                    running = false;
                    onDeviceGone.run();
                }
                return;
            }
            publish(dropOversized(n));
            if (n < claimed) {
                return;
            }
        }
    }

    /**
     * Drops packets the kernel cut to the slot's size and keeps the rest in order; returns how many are
     * left. The TUN's read(2) copies at most the buffer and returns the copied length (older kernels
     * return the packet's full length), so a read that filled the slot and whose IP header claims
     * more than was read lost its tail: sealing it would send a corrupt packet to the peer.
     */
    private int dropOversized(int n) {
        int capacity = slab.maxPayloadBytes();
        int kept = 0;
        for (int i = 0; i < n; i++) {
            int length = lengths[i];
            if (length > capacity
                    || (length == capacity
                            && IpPacket.version(slab.buffer(), offsets[i], length) == IpPacket.INVALID_VERSION)) {
                counters.drop(DropReason.TOO_BIG);
                pool.release(slots[i]);
                continue;
            }
            slots[kept] = slots[i];
            offsets[kept] = offsets[i];
            lengths[kept] = length;
            kept++;
        }
        return kept;
    }

    private void publish(int n) {
        if (n == 0) {
            return;
        }
        if (!RingSpace.await(ring, n)) {
            counters.drops(DropReason.RING_FULL, n);
            for (int i = 0; i < n; i++) {
                pool.release(slots[i]);
            }
            return;
        }
        long hi = ring.next(n);
        long lo = hi - n + 1;
        long nowNs = System.nanoTime(); // one clock read per batch: the latency sample's start
        for (int i = 0; i < n; i++) {
            OutboundEvent event = ring.get(lo + i);
            event.set(OutboundEvent.KIND_DATA, slots[i], lengths[i], null, null);
            event.ingressNs = nowNs;
        }
        ring.publish(lo, hi);
        afterPublish.accept(n);
    }
}
