package io.ringguard.dataplane.pipeline;

import com.lmax.disruptor.RingBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits a bounded time for room in a ring. Producers that read from the kernel (TUN, UDP) prefer a
 * short wait to a drop: the kernel queue behind them buffers a burst, and TCP suffers less from a
 * delay than from a loss. After {@link #MAX_WAIT_NS} the caller drops and counts {@code ring_full}.
 */
final class RingSpace {
    static final long MAX_WAIT_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long PARK_NS = TimeUnit.MICROSECONDS.toNanos(20);

    private RingSpace() {}

    static boolean await(RingBuffer<?> ring, int n) {
        if (ring.hasAvailableCapacity(n)) {
            return true;
        }
        long deadline = System.nanoTime() + MAX_WAIT_NS;
        do {
            LockSupport.parkNanos(PARK_NS);
            if (ring.hasAvailableCapacity(n)) {
                return true;
            }
        } while (System.nanoTime() - deadline < 0);
        return false;
    }
}
