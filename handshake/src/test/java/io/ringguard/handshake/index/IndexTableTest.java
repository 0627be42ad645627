package io.ringguard.handshake.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class IndexTableTest {
    /** A value that remembers the index it was stored under, so a reader can spot a wrong match. */
    private record Owner(int index, int generation) {}

    /** Hands out the given ints in order, then fails loudly. */
    private static RandomGenerator scripted(final int... draws) {
        return new RandomGenerator() {
            private int next;

            @Override
            public int nextInt() {
                return draws[next++];
            }

            @Override
            public long nextLong() {
                throw new UnsupportedOperationException("IndexTable draws ints");
            }
        };
    }

    private static RandomGenerator seeded(final long seed) {
        final SplittableRandom random = new SplittableRandom(seed);
        return new RandomGenerator() {
            @Override
            public int nextInt() {
                return random.nextInt();
            }

            @Override
            public long nextLong() {
                return random.nextLong();
            }
        };
    }

    @Test
    void shouldLookUpInsertedValueUnderReturnedIndex() {
        final IndexTable<String> table = new IndexTable<>(8);
        final String value = "handshake";
        final long result = table.insert(value);
        assertNotEquals(IndexTable.FULL, result);
        assertTrue(result >= 0 && result <= 0xFFFF_FFFFL, "unsigned 32-bit index, got " + result);
        assertSame(value, table.lookup((int) result));
        assertEquals(1, table.size());
    }

    @Test
    void shouldReturnNullForUnknownIndex() {
        final IndexTable<String> table = new IndexTable<>(8, scripted(42));
        table.insert("a");
        assertNull(table.lookup(43));
        assertNull(new IndexTable<String>(8).lookup(0));
    }

    @Test
    void shouldUseWholeIntRangeIncludingNegativeAndZero() {
        final IndexTable<String> table = new IndexTable<>(8, scripted(-1, 0, Integer.MIN_VALUE, Integer.MAX_VALUE));
        assertEquals(0xFFFF_FFFFL, table.insert("minus one"));
        assertEquals(0L, table.insert("zero"));
        assertEquals(0x8000_0000L, table.insert("min"));
        assertEquals(0x7FFF_FFFFL, table.insert("max"));
        assertEquals("minus one", table.lookup(-1));
        assertEquals("zero", table.lookup(0));
        assertEquals("min", table.lookup(Integer.MIN_VALUE));
        assertEquals("max", table.lookup(Integer.MAX_VALUE));
    }

    @Test
    void shouldDrawAgainWhenIndexIsTaken() {
        final IndexTable<String> table = new IndexTable<>(8, scripted(7, 7, 7, 9));
        assertEquals(7L, table.insert("first"));
        assertEquals(9L, table.insert("second"));
        assertEquals("first", table.lookup(7));
        assertEquals("second", table.lookup(9));
    }

    @Test
    void shouldAllowRemovedIndexToBeDrawnAgain() {
        final IndexTable<String> table = new IndexTable<>(8, scripted(7, 7));
        final String first = "first";
        assertEquals(7L, table.insert(first));
        assertTrue(table.remove(7, first));
        assertEquals(7L, table.insert("again"));
        assertEquals("again", table.lookup(7));
    }

    @Test
    void shouldThrowWhenGeneratorOnlyRepeatsTakenIndex() {
        final IndexTable<String> table = new IndexTable<>(8, () -> 5L << 32);
        assertEquals(5L, table.insert("first"));
        assertThrows(IllegalStateException.class, () -> table.insert("second"));
        assertEquals(1, table.size());
    }

    @Test
    void shouldRemoveOnlyWhenExpectedValueMatches() {
        final IndexTable<String> table = new IndexTable<>(8, scripted(3));
        final String owner = new String("owner");
        table.insert(owner);
        assertFalse(table.remove(3, new String("owner")), "identity, not equals");
        assertFalse(table.remove(4, owner));
        assertSame(owner, table.lookup(3));
        assertTrue(table.remove(3, owner));
        assertNull(table.lookup(3));
        assertFalse(table.remove(3, owner), "already removed");
        assertEquals(0, table.size());
    }

    @Test
    void shouldReplaceOnlyWhenExpectedValueMatches() {
        final IndexTable<String> table = new IndexTable<>(8, scripted(3));
        final String handshake = "handshake";
        final String keypair = "keypair";
        table.insert(handshake);
        assertFalse(table.replace(3, keypair, "other"));
        assertFalse(table.replace(4, handshake, keypair));
        assertTrue(table.replace(3, handshake, keypair));
        assertSame(keypair, table.lookup(3));
        assertFalse(table.replace(3, handshake, "late"), "the old owner no longer holds the index");
        assertEquals(1, table.size());
        assertTrue(table.remove(3, keypair));
    }

    @Test
    void shouldKeepOtherKeysReachableAfterRemovalsInTheirProbeChain() {
        // A scripted generator whose draws all share one home slot forces a single probe chain.
        final int length = 16;
        final List<Integer> sameHome = new ArrayList<>();
        for (int candidate = 0; sameHome.size() < 6; candidate++) {
            if (homeOf(candidate, length - 1) == homeOf(0, length - 1)) {
                sameHome.add(candidate);
            }
        }
        final IndexTable<String> table = new IndexTable<>(
                8, scripted(sameHome.stream().mapToInt(Integer::intValue).toArray()));
        final List<String> values = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            values.add("v" + i);
            assertEquals(sameHome.get(i) & 0xFFFF_FFFFL, table.insert(values.get(i)));
        }
        assertTrue(table.remove(sameHome.get(0), values.get(0)));
        assertTrue(table.remove(sameHome.get(3), values.get(3)));
        for (int i : new int[] {1, 2, 4, 5}) {
            assertSame(values.get(i), table.lookup(sameHome.get(i)), "chain member " + i);
        }
    }

    @Test
    void shouldReturnFullAtCapacityAndAcceptAgainAfterRemove() {
        final IndexTable<Integer> table = new IndexTable<>(4, seeded(1));
        final List<Long> indexes = new ArrayList<>();
        final List<Integer> values = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            values.add(Integer.valueOf(1000 + i));
            indexes.add(table.insert(values.get(i)));
            assertNotEquals(IndexTable.FULL, indexes.get(i));
        }
        assertEquals(IndexTable.FULL, table.insert(Integer.valueOf(5000)));
        assertEquals(4, table.size());
        assertTrue(table.remove(indexes.get(2).intValue(), values.get(2)));
        assertNotEquals(IndexTable.FULL, table.insert(Integer.valueOf(6000)));
        assertEquals(IndexTable.FULL, table.insert(Integer.valueOf(7000)));
    }

    @Test
    void shouldRejectBadCapacity() {
        assertThrows(IllegalArgumentException.class, () -> new IndexTable<String>(0));
        assertThrows(IllegalArgumentException.class, () -> new IndexTable<String>(IndexTable.MAX_CAPACITY + 1));
    }

    @Test
    void shouldHandOutUniqueIndexesUpToCapacity() {
        final int capacity = 20_000;
        final IndexTable<Owner> table = new IndexTable<>(capacity);
        final Set<Integer> seen = new HashSet<>();
        final List<Owner> owners = new ArrayList<>();
        for (int i = 0; i < capacity; i++) {
            final long result = table.insert(new Owner(0, i));
            assertNotEquals(IndexTable.FULL, result);
            assertTrue(seen.add((int) result), "duplicate index " + result);
            owners.add(new Owner((int) result, i));
        }
        assertEquals(capacity, table.size());
        for (Owner owner : owners) {
            assertEquals(owner.generation(), table.lookup(owner.index()).generation());
        }
    }

    @Test
    void shouldStayUniqueWhenGeneratorDrawsFromSmallRange() {
        // Only 3000 possible indexes for 2000 entries: most draws collide and must be retried.
        final SplittableRandom random = new SplittableRandom(7);
        final IndexTable<Integer> table = new IndexTable<>(2_000, () -> (long) random.nextInt(3_000) << 32);
        final Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            final long result = table.insert(Integer.valueOf(i));
            assertTrue(result >= 0 && result < 3_000, "index " + result);
            assertTrue(seen.add(result), "duplicate index " + result);
        }
        assertEquals(IndexTable.FULL, table.insert(Integer.valueOf(-1)));
    }

    @Test
    void shouldMatchReferenceMapUnderChurnAcrossRebuilds() {
        // 200k operations on a capacity-64 table (128 slots) force many tombstone rebuilds.
        final IndexTable<Owner> table = new IndexTable<>(64, seeded(11));
        final Map<Integer, Owner> reference = new HashMap<>();
        final List<Integer> live = new ArrayList<>();
        final SplittableRandom random = new SplittableRandom(12);
        for (int op = 0; op < 200_000; op++) {
            final int choice = random.nextInt(10);
            if (choice < 4) {
                final Owner owner = new Owner(0, op);
                final long result = table.insert(owner);
                if (reference.size() == 64) {
                    assertEquals(IndexTable.FULL, result);
                } else {
                    assertNotEquals(IndexTable.FULL, result);
                    assertNull(reference.put((int) result, owner), "duplicate live index");
                    live.add((int) result);
                }
            } else if (choice < 8 && !live.isEmpty()) {
                final int index = live.remove(random.nextInt(live.size()));
                assertTrue(table.remove(index, reference.remove(index)));
            } else if (!live.isEmpty()) {
                final int index = live.get(random.nextInt(live.size()));
                final Owner next = new Owner(index, op);
                assertTrue(table.replace(index, reference.get(index), next));
                reference.put(index, next);
            }
            assertEquals(reference.size(), table.size());
            if ((op & 63) == 0) {
                for (Map.Entry<Integer, Owner> e : reference.entrySet()) {
                    assertSame(e.getValue(), table.lookup(e.getKey()));
                }
                assertNull(lookupMiss(table, reference, random));
            }
        }
    }

    /** Looks up an index known to be absent; returns what the table says (should be null). */
    private static Owner lookupMiss(
            final IndexTable<Owner> table, final Map<Integer, Owner> reference, final SplittableRandom random) {
        int index;
        do {
            index = random.nextInt();
        } while (reference.containsKey(index));
        return table.lookup(index);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldNeverReturnWrongValueToConcurrentReaders() throws InterruptedException {
        final int capacity = 256;
        final IndexTable<Owner> table = new IndexTable<>(capacity, seeded(21));
        // A twin of the table's generator predicts each index, so every value is built knowing its
        // index before it is inserted and a reader can tell a right match from a wrong one.
        final IndexPredictor predictor = new IndexPredictor(seeded(21));
        // Stable entries stay for the whole test: readers must always find them, whatever churn and
        // rebuilds happen around them.
        final int[] stable = new int[32];
        for (int i = 0; i < stable.length; i++) {
            stable[i] = predictor.next();
            assertEquals(stable[i] & 0xFFFF_FFFFL, table.insert(new Owner(stable[i], 0)));
        }
        final AtomicBoolean done = new AtomicBoolean();
        final AtomicReference<String> failure = new AtomicReference<>();
        final AtomicLong hits = new AtomicLong();
        final AtomicLong probes = new AtomicLong();
        // Recently inserted indexes for readers to probe; a stale one is still a valid probe.
        final AtomicIntegerArray churned = new AtomicIntegerArray(capacity);

        final Runnable reader = () -> {
            final SplittableRandom random =
                    new SplittableRandom(Thread.currentThread().threadId());
            long found = 0;
            long count = 0;
            while (!done.get() && failure.get() == null) {
                count++;
                final int s = stable[random.nextInt(stable.length)];
                final Owner owner = table.lookup(s);
                if (owner == null || owner.index() != s) {
                    failure.compareAndSet(null, "stable index " + s + " returned " + owner);
                }
                final int c = churned.getAcquire(random.nextInt(capacity));
                final Owner maybe = table.lookup(c);
                if (maybe != null) {
                    found++;
                    if (maybe.index() != c) {
                        failure.compareAndSet(null, "index " + c + " returned owner of " + maybe.index());
                    }
                }
            }
            hits.addAndGet(found);
            probes.addAndGet(count);
        };
        final Thread r1 = new Thread(reader, "index-reader-1");
        final Thread r2 = new Thread(reader, "index-reader-2");
        r1.start();
        r2.start();

        final SplittableRandom random = new SplittableRandom(22);
        final Map<Integer, Owner> live = new HashMap<>();
        final List<Integer> liveIndexes = new ArrayList<>();
        for (int op = 0; op < 300_000 && failure.get() == null; op++) {
            if (liveIndexes.size() < capacity - stable.length && random.nextBoolean()) {
                final int index = predictor.next();
                final Owner owner = new Owner(index, op);
                assertEquals(index & 0xFFFF_FFFFL, table.insert(owner));
                live.put(index, owner);
                liveIndexes.add(index);
                churned.setRelease(op % capacity, index);
            } else if (!liveIndexes.isEmpty()) {
                final int index = liveIndexes.remove(random.nextInt(liveIndexes.size()));
                assertTrue(table.remove(index, live.remove(index)));
                predictor.release(index);
            }
        }
        done.set(true);
        r1.join();
        r2.join();
        assertNull(failure.get());
        assertTrue(probes.get() > 0, "readers never ran");
        assertTrue(hits.get() > 0, "readers never found a churned entry, so the test checked nothing");
    }

    /** Replays the table's rule for drawing: skip draws that are live, as IndexTable does. */
    private static final class IndexPredictor {
        private final RandomGenerator random;
        private final Set<Integer> live = new HashSet<>();

        IndexPredictor(final RandomGenerator random) {
            this.random = random;
        }

        int next() {
            int index;
            do {
                index = random.nextInt();
            } while (live.contains(index));
            live.add(index);
            return index;
        }

        void release(final int index) {
            live.remove(index);
        }
    }

    /** Mirrors IndexTable's home slot, to build probe-chain collisions on purpose. */
    private static int homeOf(final int index, final int mask) {
        final int mixed = index * 0x9E3779B9;
        return (mixed ^ (mixed >>> 16)) & mask;
    }
}
