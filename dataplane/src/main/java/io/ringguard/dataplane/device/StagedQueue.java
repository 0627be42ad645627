package io.ringguard.dataplane.device;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Packets waiting for a peer's session: a bounded single-producer single-consumer queue of slot
 * indices (the kernel keeps at most 128 per peer, and so do we by default).
 *
 * <p>Staged packets hold slots of the device's one packet pool, so a per-peer cap alone would let
 * enough peers that never answer (or that have no endpoint yet) take every slot and stop all traffic.
 * Every queue of a device therefore also draws on a shared budget (a quarter of the pool): past it,
 * staging fails and the caller drops the packet as {@code no_session}. Staged slots come back when the
 * session starts, when the handshake gives up (REKEY_ATTEMPT_TIME) or when the peer is removed.
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
    private final int capacity;
    private final AtomicInteger budget;

    /** A queue of at most {@code capacity} packets with a budget of its own. */
    public StagedQueue(int capacity) {
        this(capacity, new AtomicInteger(capacity));
    }

    /**
     * A queue of at most {@code capacity} packets that also takes one unit of {@code budget} (shared by
     * all the device's queues) per staged packet and gives it back when the packet leaves.
     */
    public StagedQueue(int capacity, AtomicInteger budget) {
        if (capacity < 1) {
            throw new IllegalArgumentException("staging capacity must be at least 1, got " + capacity);
        }
        int size = Integer.highestOneBit(Math.max(2, capacity - 1) << 1);
        this.slots = new int[size];
        this.mask = size - 1;
        this.capacity = capacity;
        this.budget = budget;
    }

    /** Producer: queues {@code slot}; false when this queue or the shared budget is full (drop and count it). */
    public boolean offer(int slot) {
        long t = tail.get();
        if (t - head.get() >= capacity) {
            return false;
        }
        if (budget.decrementAndGet() < 0) {
            budget.incrementAndGet();
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
        budget.incrementAndGet();
        return slot;
    }

    /** Approximate number of staged packets; any thread. */
    public int size() {
        return (int) Math.max(0, tail.get() - head.get());
    }
}
