package io.ringguard.buffers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SlotPoolTest {
    private static final long STRESS_TIMEOUT_SECONDS = 120;

    @Test
    void shouldClaimEverySlotOnceThenReturnEmpty() {
        final SlotPool pool = new SlotPool(16);
        final BitSet seen = new BitSet();

        for (int i = 0; i < 16; i++) {
            final int slot = pool.claim();
            assertTrue(slot >= 0 && slot < 16, "slot " + slot);
            assertFalse(seen.get(slot), "slot handed out twice: " + slot);
            seen.set(slot);
            assertEquals(16 - i - 1, pool.available());
        }

        assertEquals(SlotPool.EMPTY, pool.claim());
        assertEquals(SlotPool.EMPTY, pool.claim());
        assertEquals(0, pool.available());
        assertEquals(16, pool.capacity());
    }

    @Test
    void shouldReclaimReleasedSlot() {
        final SlotPool pool = new SlotPool(4);
        for (int i = 0; i < 4; i++) {
            pool.claim();
        }

        assertTrue(pool.release(2));
        assertEquals(1, pool.available());
        assertEquals(2, pool.claim());
        assertEquals(SlotPool.EMPTY, pool.claim());

        for (int slot = 0; slot < 4; slot++) {
            assertTrue(pool.release(slot));
        }
        assertEquals(4, pool.available());
        assertEquals(0, pool.rejectedReleases());
    }

    @Test
    void shouldRejectDoubleRelease() {
        final SlotPool pool = new SlotPool(4);
        final int slot = pool.claim();

        assertTrue(pool.release(slot));
        assertFalse(pool.release(slot));

        assertEquals(1, pool.rejectedReleases());
        assertEquals(4, pool.available());
        // The rejected release must not have pushed the slot twice: four claims, four distinct slots.
        final BitSet seen = new BitSet();
        for (int i = 0; i < 4; i++) {
            final int claimed = pool.claim();
            assertNotEquals(SlotPool.EMPTY, claimed);
            assertFalse(seen.get(claimed), "slot handed out twice: " + claimed);
            seen.set(claimed);
        }
        assertEquals(SlotPool.EMPTY, pool.claim());
    }

    @Test
    void shouldRejectReleaseOfSlotNeverClaimedOrOutOfRange() {
        final SlotPool pool = new SlotPool(4);

        assertFalse(pool.release(3));
        assertFalse(pool.release(SlotPool.EMPTY));
        assertFalse(pool.release(4));
        assertFalse(pool.release(Integer.MAX_VALUE));

        assertEquals(4, pool.rejectedReleases());
        assertEquals(4, pool.available());
    }

    @Test
    void shouldRejectCapacityBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> new SlotPool(0));
    }

    @Test
    void shouldMatchNaiveReferenceUnderRandomOperations() {
        final int capacity = 37;
        final SlotPool pool = new SlotPool(capacity);
        final BitSet claimed = new BitSet(capacity);
        final SplittableRandom random = new SplittableRandom(0x5107_9001L);

        for (int op = 0; op < 100_000; op++) {
            final int choice = random.nextInt(10);
            if (choice < 5) {
                final int slot = pool.claim();
                if (claimed.cardinality() == capacity) {
                    assertEquals(SlotPool.EMPTY, slot, "op " + op);
                } else {
                    assertTrue(slot >= 0 && slot < capacity && !claimed.get(slot), "op " + op + " slot " + slot);
                    claimed.set(slot);
                }
            } else {
                // Mostly releases of held slots, sometimes a release of a free one, which must be refused.
                final int slot = random.nextInt(capacity);
                assertEquals(claimed.get(slot), pool.release(slot), "op " + op + " slot " + slot);
                claimed.clear(slot);
            }
            assertEquals(capacity - claimed.cardinality(), pool.available(), "op " + op);
        }
    }

    @Test
    void shouldNeverHandOneSlotToTwoOwnersWhenThreadsClaimAndReleaseTheirOwn() throws Exception {
        final int capacity = 64;
        final int threads = 4;
        final int opsPerThread = 125_000;
        final SlotPool pool = new SlotPool(capacity);
        final AtomicIntegerArray owner = new AtomicIntegerArray(capacity);
        final AtomicLong violations = new AtomicLong();

        final List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            final int id = t + 1;
            tasks.add(() -> {
                // Each thread may hold up to 24 slots, 96 in all against 64: the pool runs dry often.
                final int[] held = new int[24];
                int heldCount = 0;
                final SplittableRandom random = new SplittableRandom(id);
                for (int op = 0; op < opsPerThread; op++) {
                    if (heldCount == 0 || (heldCount < held.length && random.nextBoolean())) {
                        final int slot = pool.claim();
                        if (slot != SlotPool.EMPTY) {
                            if (!owner.compareAndSet(slot, 0, id)) {
                                violations.incrementAndGet();
                            }
                            held[heldCount++] = slot;
                        }
                    } else {
                        final int index = random.nextInt(heldCount);
                        final int slot = held[index];
                        held[index] = held[--heldCount];
                        releaseOwned(pool, owner, slot, id, violations);
                    }
                }
                while (heldCount > 0) {
                    releaseOwned(pool, owner, held[--heldCount], id, violations);
                }
                return null;
            });
        }
        runBounded(tasks);

        assertEquals(0, violations.get());
        assertEverySlotFreeExactlyOnce(pool);
    }

    @Test
    void shouldNeverHandOneSlotToTwoOwnersWhenReadersClaimAndWritersRelease() throws Exception {
        final int capacity = 32;
        final int claimsPerReader = 250_000;
        final SlotPool pool = new SlotPool(capacity);
        final AtomicIntegerArray owner = new AtomicIntegerArray(capacity);
        final AtomicLong violations = new AtomicLong();
        // Stands in for the dataplane ring between a reader and a writer thread.
        final ArrayBlockingQueue<Integer> handoff = new ArrayBlockingQueue<>(capacity);
        final AtomicLong released = new AtomicLong();

        final List<Callable<Void>> tasks = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            tasks.add(() -> {
                for (int claims = 0; claims < claimsPerReader; ) {
                    final int slot = pool.claim();
                    if (slot == SlotPool.EMPTY) {
                        // A lost slot would starve this loop; the timeout then interrupts it.
                        if (Thread.currentThread().isInterrupted()) {
                            throw new InterruptedException("reader starved of slots");
                        }
                        Thread.yield();
                        continue;
                    }
                    if (!owner.compareAndSet(slot, 0, 1)) {
                        violations.incrementAndGet();
                    }
                    handoff.put(slot);
                    claims++;
                }
                return null;
            });
        }
        for (int w = 0; w < 2; w++) {
            tasks.add(() -> {
                while (released.get() < 2L * claimsPerReader) {
                    final Integer slot = handoff.poll(10, TimeUnit.MILLISECONDS);
                    if (slot != null) {
                        releaseOwned(pool, owner, slot, 1, violations);
                        released.incrementAndGet();
                    }
                }
                return null;
            });
        }
        runBounded(tasks);

        assertEquals(0, violations.get());
        assertEquals(2L * claimsPerReader, released.get());
        assertEverySlotFreeExactlyOnce(pool);
    }

    private static void releaseOwned(
            final SlotPool pool,
            final AtomicIntegerArray owner,
            final int slot,
            final int id,
            final AtomicLong violations) {
        // Give up ownership before the release: once released, another thread may claim it at once.
        if (!owner.compareAndSet(slot, id, 0)) {
            violations.incrementAndGet();
        }
        if (!pool.release(slot)) {
            violations.incrementAndGet();
        }
    }

    private static void runBounded(final List<Callable<Void>> tasks) throws Exception {
        final ExecutorService executor = Executors.newFixedThreadPool(tasks.size());
        try {
            final List<Future<Void>> futures = new ArrayList<>();
            for (final Callable<Void> task : tasks) {
                futures.add(executor.submit(task));
            }
            for (final Future<Void> future : futures) {
                future.get(STRESS_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        } finally {
            executor.shutdownNow();
            assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS), "stress threads did not stop");
        }
    }

    private static void assertEverySlotFreeExactlyOnce(final SlotPool pool) {
        assertEquals(0, pool.rejectedReleases());
        assertEquals(pool.capacity(), pool.available());
        final BitSet seen = new BitSet();
        for (int i = 0; i < pool.capacity(); i++) {
            final int slot = pool.claim();
            assertNotEquals(SlotPool.EMPTY, slot, "pool lost a slot");
            assertFalse(seen.get(slot), "slot on the free stack twice: " + slot);
            seen.set(slot);
        }
        assertEquals(SlotPool.EMPTY, pool.claim());
    }
}
