package io.ringguard.dataplane.device;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Packets waiting for a peer's session: a bounded single-producer single-consumer queue of slot
 * indices (the kernel keeps at most 128 per peer, and so do we by default).
 *
 * <p>Producer: the outbound classifier, which stages a packet it cannot send yet. Consumer: the
 * control thread, which republishes staged packets once a session exists, or releases them when
 * the handshake gives up. No allocation, no locks.
 */
public final class StagedQueue {
    public static final int DEFAULT_CAPACITY = 128;

    private final int[] slots;
    private final int mask;
    private final AtomicLong head = new AtomicLong(); // next to take; consumer writes
    private final AtomicLong tail = new AtomicLong(); // next to fill; producer writes

    public StagedQueue(int capacity) {
        int size = Integer.highestOneBit(Math.max(2, capacity - 1) << 1);
        slots = new int[size];
        mask = size - 1;
    }

    /** Producer: queues {@code slot}; false when full (the caller drops and counts it). */
    public boolean offer(int slot) {
        long t = tail.get();
        if (t - head.get() >= slots.length) {
            return false;
        }
        slots[(int) t & mask] = slot;
        tail.lazySet(t + 1);
        return true;
    }

    /** Consumer: the oldest staged slot, or -1 when empty. */
    public int poll() {
        long h = head.get();
        if (h == tail.get()) {
            return -1;
        }
        int slot = slots[(int) h & mask];
        head.lazySet(h + 1);
        return slot;
    }

    /** Approximate number of staged packets; any thread. */
    public int size() {
        return (int) Math.max(0, tail.get() - head.get());
    }
}
