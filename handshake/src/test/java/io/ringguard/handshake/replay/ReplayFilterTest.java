package io.ringguard.handshake.replay;

import static io.ringguard.handshake.replay.ReplayFilter.COUNTER_WINDOW_SIZE;
import static io.ringguard.handshake.replay.ReplayFilter.REJECT_AFTER_MESSAGES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Port of the kernel's counter selftest ({@code drivers/net/wireguard/selftest/counter.c}) plus a
 * randomized comparison against a naive reference filter.
 */
class ReplayFilterTest {
    /** The kernel selftest's {@code T_LIM}: one past the window. */
    private static final long T_LIM = COUNTER_WINDOW_SIZE + 1;

    private static final long R = REJECT_AFTER_MESSAGES;

    /** One {@code T(n, v)} line of the kernel selftest, numbered as the kernel numbers it. */
    private record Case(int number, long counter, boolean expected) {}

    /** The 34 cases of the kernel selftest's first block, in order, all on one filter. */
    private static final List<Case> KERNEL_CASES = List.of(
            new Case(1, 0, true),
            new Case(2, 1, true),
            new Case(3, 1, false),
            new Case(4, 9, true),
            new Case(5, 8, true),
            new Case(6, 7, true),
            new Case(7, 7, false),
            new Case(8, T_LIM, true),
            new Case(9, T_LIM - 1, true),
            new Case(10, T_LIM - 1, false),
            new Case(11, T_LIM - 2, true),
            new Case(12, 2, true),
            new Case(13, 2, false),
            new Case(14, T_LIM + 16, true),
            new Case(15, 3, false),
            new Case(16, T_LIM + 16, false),
            new Case(17, T_LIM * 4, true),
            new Case(18, T_LIM * 4 - (T_LIM - 1), true),
            new Case(19, 10, false),
            new Case(20, T_LIM * 4 - T_LIM, false),
            new Case(21, T_LIM * 4 - (T_LIM + 1), false),
            new Case(22, T_LIM * 4 - (T_LIM - 2), true),
            new Case(23, T_LIM * 4 + 1 - T_LIM, false),
            new Case(24, 0, false),
            new Case(25, R, false),
            new Case(26, R - 1, true),
            new Case(27, R, false),
            new Case(28, R - 1, false),
            new Case(29, R - 2, true),
            new Case(30, R + 1, false),
            new Case(31, R + 2, false),
            new Case(32, R - 2, false),
            new Case(33, R - 3, true),
            new Case(34, 0, false));

    private final ReplayFilter filter = new ReplayFilter();

    @Test
    void shouldPassKernelSelftestTableInOrder() {
        assertEquals(34, KERNEL_CASES.size());
        for (Case c : KERNEL_CASES) {
            assertEquals(
                    c.expected(),
                    filter.validate(c.counter()),
                    () -> "kernel counter selftest " + c.number() + ": T(" + Long.toUnsignedString(c.counter()) + ", "
                            + c.expected() + ")");
        }
    }

    @Test
    void shouldAcceptWholeWindowAscendingThenZero() {
        for (long i = 1; i <= COUNTER_WINDOW_SIZE; i++) {
            check("ascending 1..W", i, true);
        }
        check("ascending 1..W", 0, true);
        check("ascending 1..W", 0, false);
    }

    @Test
    void shouldAcceptWindowAscendingFromTwoThenOneButNotZero() {
        for (long i = 2; i <= COUNTER_WINDOW_SIZE + 1; i++) {
            check("ascending 2..W+1", i, true);
        }
        check("ascending 2..W+1", 1, true);
        check("ascending 2..W+1", 0, false);
    }

    @Test
    void shouldAcceptWholeWindowDescendingToZero() {
        for (long i = COUNTER_WINDOW_SIZE; i >= 0; i--) {
            check("descending W..0", i, true);
        }
    }

    @Test
    void shouldRejectZeroAfterDescendingFromWindowPlusOne() {
        for (long i = COUNTER_WINDOW_SIZE + 1; i >= 1; i--) {
            check("descending W+1..1", i, true);
        }
        check("descending W+1..1", 0, false);
    }

    @Test
    void shouldRejectZeroAfterDescendingThenAdvancingByOne() {
        for (long i = COUNTER_WINDOW_SIZE; i >= 1; i--) {
            check("descending W..1", i, true);
        }
        check("descending W..1", COUNTER_WINDOW_SIZE + 1, true);
        check("descending W..1", 0, false);
    }

    @Test
    void shouldAcceptZeroBeforeAdvancingByOne() {
        for (long i = COUNTER_WINDOW_SIZE; i >= 1; i--) {
            check("descending W..1, 0", i, true);
        }
        check("descending W..1, 0", 0, true);
        check("descending W..1, 0", COUNTER_WINDOW_SIZE + 1, true);
    }

    @Test
    void shouldDefineRejectAfterMessagesAsWhitepaperValue() {
        final BigInteger expected =
                BigInteger.TWO.pow(64).subtract(BigInteger.TWO.pow(13)).subtract(BigInteger.ONE);
        assertEquals(expected, new BigInteger(Long.toUnsignedString(REJECT_AFTER_MESSAGES)));
        assertEquals(8128, COUNTER_WINDOW_SIZE);
    }

    @Test
    void shouldRejectCountersAtOrAboveRejectAfterMessagesWithoutMovingWindow() {
        assertTrue(filter.validate(5));
        assertFalse(filter.validate(-1L), "2^64-1 is above Reject-After-Messages");
        assertFalse(filter.validate(R), "Reject-After-Messages itself");
        assertTrue(filter.validate(4), "the rejected counters must not have moved the window");
    }

    @Test
    void shouldCompareCountersUnsignedAcrossTwoToThe63() {
        assertTrue(filter.validate(Long.MIN_VALUE + 1), "2^63+1 is an ordinary counter");
        assertTrue(filter.validate(Long.MAX_VALUE), "2^63-1 is two behind, inside the window");
        assertTrue(filter.validate(Long.MIN_VALUE));
        assertFalse(filter.validate(Long.MIN_VALUE));
        assertTrue(filter.validate(Long.MAX_VALUE - (COUNTER_WINDOW_SIZE - 2)), "oldest counter in the window");
        assertFalse(filter.validate(Long.MAX_VALUE - (COUNTER_WINDOW_SIZE - 1)), "one older than the window");
        assertFalse(filter.validate(1), "signed comparison would call this newer");
    }

    @Test
    void shouldClearWholeRingOnJumpLargerThanRing() {
        for (long i = 0; i < 200; i++) {
            assertTrue(filter.validate(i));
        }
        final long jumped = 5L * ReplayFilter.COUNTER_BITS_TOTAL + 17;
        assertTrue(filter.validate(jumped));
        // Every counter aliasing an old one in the ring must read as unseen.
        for (long i = jumped - COUNTER_WINDOW_SIZE; i < jumped; i++) {
            assertTrue(filter.validate(i), "counter " + i);
        }
        assertFalse(filter.validate(jumped - COUNTER_WINDOW_SIZE - 1));
    }

    @Test
    void shouldForgetEverythingOnReset() {
        assertTrue(filter.validate(0));
        assertTrue(filter.validate(100_000));
        filter.reset();
        assertTrue(filter.validate(0));
        assertTrue(filter.validate(100_000));
        assertFalse(filter.validate(100_000));
    }

    @Test
    void shouldMatchNaiveReferenceOnRandomCountersFromZero() {
        compareWithReference(0L, 0x5eed_0001L);
    }

    @Test
    void shouldMatchNaiveReferenceOnRandomCountersAcrossRejectAfterMessages() {
        // Starts 2^21 below the limit; the walk advances ~17 per step, so it crosses the limit
        // partway through the 200k steps.
        compareWithReference(R - (1L << 21), 0x5eed_0002L);
    }

    private void check(final String sweep, final long counter, final boolean expected) {
        assertEquals(expected, filter.validate(counter), () -> sweep + ": T(" + counter + ", " + expected + ")");
    }

    private void compareWithReference(final long start, final long seed) {
        final int steps = 200_000;
        final Random random = new Random(seed);
        final NaiveReplayFilter reference = new NaiveReplayFilter();
        final long[] recent = new long[64];
        long top = start;
        final int[] outcomes = new int[Outcome.values().length];
        for (int step = 0; step < steps; step++) {
            final int kind = random.nextInt(1000);
            final long counter;
            if (kind < 250) {
                // Anywhere in the window, from just past its old edge to a little ahead of the top.
                counter = top + random.nextLong(-(COUNTER_WINDOW_SIZE + 128L), 64L);
            } else if (kind < 500) {
                // Close behind the top, where the window is dense and most counters are taken.
                counter = top + random.nextLong(-256L, 16L);
            } else if (kind < 700) {
                counter = recent[random.nextInt(recent.length)];
            } else if (kind < 999) {
                counter = top + random.nextLong(1L, 8L);
            } else {
                counter = top + random.nextLong(COUNTER_WINDOW_SIZE, 3L * ReplayFilter.COUNTER_BITS_TOTAL);
            }
            // The walk follows new tops but stays within 2^40 of its start, so counters that went
            // below zero (huge as unsigned) do not drag it to the end of the counter space.
            if (Long.compareUnsigned(counter, top) > 0 && Long.compareUnsigned(counter - start, 1L << 40) < 0) {
                top = counter;
            }
            recent[step & (recent.length - 1)] = counter;
            final Outcome outcome = reference.validate(counter);
            outcomes[outcome.ordinal()]++;
            final boolean expected = outcome == Outcome.ACCEPTED;
            final int currentStep = step;
            assertEquals(
                    expected,
                    filter.validate(counter),
                    () -> "step " + currentStep + " counter " + Long.toUnsignedString(counter));
        }
        // Guard against a generator that never reaches some branch: each outcome must occur often.
        for (Outcome outcome : Outcome.values()) {
            assertTrue(
                    outcomes[outcome.ordinal()] > 100,
                    () -> outcome + " occurred " + outcomes[outcome.ordinal()] + " times");
        }
    }

    private enum Outcome {
        ACCEPTED,
        TOO_LARGE,
        TOO_OLD,
        REPLAYED
    }

    /** The window rule stated directly: a set of seen counters and the greatest accepted one. */
    private static final class NaiveReplayFilter {
        private final Set<Long> seen = new HashSet<>();
        private boolean anyAccepted;
        private long greatest;

        Outcome validate(final long counter) {
            if (Long.compareUnsigned(counter, REJECT_AFTER_MESSAGES) >= 0) {
                return Outcome.TOO_LARGE;
            }
            if (anyAccepted && Long.compareUnsigned(counter + COUNTER_WINDOW_SIZE, greatest) < 0) {
                return Outcome.TOO_OLD;
            }
            if (!seen.add(counter)) {
                return Outcome.REPLAYED;
            }
            if (!anyAccepted || Long.compareUnsigned(counter, greatest) > 0) {
                greatest = counter;
                anyAccepted = true;
            }
            return Outcome.ACCEPTED;
        }
    }
}
