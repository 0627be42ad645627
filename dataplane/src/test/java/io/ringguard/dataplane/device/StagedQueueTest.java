package io.ringguard.dataplane.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Staging is capped per peer and across the device, and gives its budget back as packets leave. */
class StagedQueueTest {
    @Test
    void shouldRefuseThePacketPastThePerPeerCap() {
        StagedQueue q = new StagedQueue(3);
        assertTrue(q.offer(10));
        assertTrue(q.offer(11));
        assertTrue(q.offer(12));
        assertFalse(q.offer(13), "a fourth packet for a peer capped at three");
        assertEquals(3, q.size());
        assertEquals(10, q.poll());
        assertTrue(q.offer(13), "room again after one left");
        assertEquals(11, q.poll());
        assertEquals(12, q.poll());
        assertEquals(13, q.poll());
        assertEquals(-1, q.poll());
    }

    @Test
    void shouldRefuseWhenSilentPeersSpentTheDeviceBudgetAndAcceptOnceItComesBack() {
        // Two peers that never answer may not hold more than the device's budget between them, so the
        // packet pool behind them can never be drained by staging.
        AtomicInteger budget = new AtomicInteger(4);
        StagedQueue a = new StagedQueue(128, budget);
        StagedQueue b = new StagedQueue(128, budget);
        assertTrue(a.offer(1));
        assertTrue(a.offer(2));
        assertTrue(a.offer(3));
        assertTrue(b.offer(4));
        assertFalse(b.offer(5), "the device budget is spent");
        assertFalse(a.offer(6));
        assertEquals(0, budget.get(), "a refusal takes nothing");

        assertEquals(1, a.poll());
        assertEquals(1, budget.get());
        assertTrue(b.offer(5));
        assertEquals(2, b.size());
    }

    @Test
    void shouldHonourACapThatIsNotAPowerOfTwo() {
        StagedQueue q = new StagedQueue(100);
        for (int i = 0; i < 100; i++) {
            assertTrue(q.offer(i));
        }
        assertFalse(q.offer(100));
    }
}
