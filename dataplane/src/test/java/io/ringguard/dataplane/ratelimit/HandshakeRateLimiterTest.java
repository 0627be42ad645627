package io.ringguard.dataplane.ratelimit;

import static io.ringguard.dataplane.ratelimit.HandshakeRateLimiter.IDLE_TIMEOUT_NS;
import static io.ringguard.dataplane.ratelimit.HandshakeRateLimiter.PACKETS_BURSTABLE;
import static io.ringguard.dataplane.ratelimit.HandshakeRateLimiter.PACKETS_PER_SECOND;
import static io.ringguard.dataplane.ratelimit.HandshakeRateLimiter.PACKET_COST_NS;
import static io.ringguard.dataplane.ratelimit.HandshakeRateLimiter.SWEEP_SLOTS_PER_CALL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringguard.dataplane.sys.SockAddr;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class HandshakeRateLimiterTest {
    private static final long MS = 1_000_000L;
    private static final long T0 = 5_000 * MS;

    /** Large enough that the global budget never decides: only the per-source buckets and the table do. */
    private static final int UNLIMITED_RATE = 1_000_000_000;

    private static final int UNLIMITED_BURST = 1_000_000;

    /** One row of the kernel's selftest table: wait, then expect this answer. */
    private record Step(long sleepNs, boolean allowed, String why) {}

    // drivers/net/wireguard/selftest/ratelimiter.c expected_results[], with wireguard-go's row names.
    private static final Step[] KERNEL_SCHEDULE = {
        new Step(0, true, "initial burst 1"),
        new Step(0, true, "initial burst 2"),
        new Step(0, true, "initial burst 3"),
        new Step(0, true, "initial burst 4"),
        new Step(0, true, "initial burst 5"),
        new Step(0, false, "after burst"),
        new Step(PACKET_COST_NS, true, "+50 ms refills one packet"),
        new Step(0, false, "not refilled enough"),
        new Step(2 * PACKET_COST_NS, true, "+100 ms refills two packets"),
        new Step(0, true, "second packet of the two"),
        new Step(0, false, "packet after the two"),
    };

    private static HandshakeRateLimiter limiter(final int capacity, final int globalRate, final int globalBurst) {
        return new HandshakeRateLimiter(capacity, globalRate, globalBurst, RandomGenerator.of("L64X128MixRandom"));
    }

    private static HandshakeRateLimiter defaults() {
        return limiter(
                HandshakeRateLimiter.DEFAULT_CAPACITY_ENTRIES,
                HandshakeRateLimiter.DEFAULT_GLOBAL_PACKETS_PER_SECOND,
                HandshakeRateLimiter.DEFAULT_GLOBAL_BURST_PACKETS);
    }

    @Test
    void shouldFollowTheKernelScheduleForIpv4AndIpv6WhileOtherSourcesAreUnaffected() {
        final HandshakeRateLimiter subject = defaults();
        final int ipv4 = 8182;
        final long ipv6High = (1212L << 32) | 289188L;
        long nowNs = T0;
        for (int i = 0; i < KERNEL_SCHEDULE.length; i++) {
            final Step step = KERNEL_SCHEDULE[i];
            nowNs += step.sleepNs();
            final String row = "row " + i + " (" + step.why() + ")";
            assertEquals(step.allowed(), subject.allowIpv4(ipv4, nowNs), "IPv4 " + row);
            assertTrue(subject.allowIpv4(ipv4 + i + 1, nowNs), "another IPv4 source, " + row);
            // The kernel varies the low 64 bits every row: the same /64 must share one bucket.
            final long ipv6Low = ((long) i << 32) | i;
            assertEquals(step.allowed(), subject.allowIpv6(ipv6High, ipv6Low, nowNs), "IPv6 " + row);
            assertTrue(subject.allowIpv6(ipv6High + ((long) (i + 1) << 32), ipv6Low, nowNs), "another /64, " + row);
        }
        assertEquals(6, subject.deniedSourceCount(), "three denials each for the IPv4 and the IPv6 source");
        assertEquals(4L * KERNEL_SCHEDULE.length - 6, subject.allowedCount());
    }

    @Test
    void shouldRefillOnePacketExactlyOneCostLater() {
        final HandshakeRateLimiter subject = defaults();
        for (int i = 0; i < PACKETS_BURSTABLE; i++) {
            assertTrue(subject.allowIpv4(1, T0));
        }
        assertFalse(subject.allowIpv4(1, T0 + PACKET_COST_NS - 1), "1 ns short of a packet's cost");
        assertTrue(subject.allowIpv4(1, T0 + PACKET_COST_NS));
        assertFalse(subject.allowIpv4(1, T0 + PACKET_COST_NS));
    }

    @Test
    void shouldHoldTwentyPerSecondUnderASteadyOverload() {
        final HandshakeRateLimiter subject = defaults();
        int allowed = 0;
        // 1,000 packets per second from one source for 10 s (the bucket's clock moves even on denials).
        for (long nowNs = T0; nowNs < T0 + 10_000 * MS; nowNs += MS) {
            allowed += subject.allowIpv4(7, nowNs) ? 1 : 0;
        }
        assertEquals(PACKETS_BURSTABLE + 10 * PACKETS_PER_SECOND - 1, allowed, "burst, then 20/s");
    }

    @Test
    void shouldGroupIpv6ByTheTop64Bits() {
        final HandshakeRateLimiter subject = defaults();
        final long net = 0xfd00_0000_0000_0001L;
        for (int i = 0; i < PACKETS_BURSTABLE; i++) {
            assertTrue(subject.allowIpv6(net, 0x1000 + i, T0), "host " + i + " of the /64");
        }
        assertFalse(subject.allowIpv6(net, 0xFFFF_FFFF_FFFF_FFFFL, T0), "yet another host of the same /64");
        assertTrue(subject.allowIpv6(net + 1, 0x1000, T0), "the neighbouring /64 has its own bucket");
        assertTrue(subject.allowIpv6(net ^ Long.MIN_VALUE, 0x1000, T0), "a /64 differing in the top bit");
        assertEquals(3, subject.sizeEntries(), "three /64s, three entries");
    }

    @Test
    void shouldNeverShareABucketBetweenIpv4AndIpv6() {
        final HandshakeRateLimiter subject = defaults();
        final int ipv4 = 0xC612_0001; // 198.18.0.1
        for (int i = 0; i < PACKETS_BURSTABLE; i++) {
            assertTrue(subject.allowIpv4(ipv4, T0));
        }
        assertFalse(subject.allowIpv4(ipv4, T0));
        // The same 64-bit key value under the other family: a separate, full bucket.
        for (int i = 0; i < PACKETS_BURSTABLE; i++) {
            assertTrue(subject.allowIpv6(ipv4 & 0xFFFF_FFFFL, i, T0), "IPv6 /64 with the IPv4 key's value, " + i);
        }
        assertFalse(subject.allowIpv6(ipv4 & 0xFFFF_FFFFL, 0, T0));
        assertEquals(2, subject.sizeEntries());
    }

    @Test
    void shouldLimitIpv4MappedIpv6AsItsIpv4AddressNotAsOneSharedSlash64() {
        final HandshakeRateLimiter subject = defaults();
        final int ipv4 = 0xC612_0002;
        final long mappedLow = 0x0000_FFFF_0000_0000L | (ipv4 & 0xFFFF_FFFFL);
        for (int i = 0; i < PACKETS_BURSTABLE; i++) {
            assertTrue(subject.allowIpv4(ipv4, T0));
        }
        assertFalse(subject.allowIpv6(0, mappedLow, T0), "::ffff:198.18.0.2 is 198.18.0.2");
        assertTrue(subject.allowIpv6(0, mappedLow + 1, T0), "::ffff:198.18.0.3 is another source");
        assertEquals(2, subject.sizeEntries());
    }

    @Test
    void shouldReadTheSourceFromASockaddrAndIgnoreThePort() {
        final HandshakeRateLimiter subject = defaults();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4 * SockAddr.MAX_LENGTH_BYTES]);
        SockAddr.writeIpv4(buffer, 0, 0xC612_0003, 51820);
        SockAddr.writeIpv4(buffer, 28, 0xC612_0003, 40000);
        SockAddr.writeIpv6(buffer, 56, 0xfd00_0000_0000_0002L, 1, 51820, 0);
        for (int i = 0; i < PACKETS_BURSTABLE; i++) {
            assertTrue(subject.allow(buffer, i % 2 == 0 ? 0 : 28, T0), "packet " + i);
        }
        assertFalse(subject.allow(buffer, 28, T0), "another port of the same address");
        assertTrue(subject.allow(buffer, 56, T0), "the IPv6 source");
        assertFalse(subject.allow(buffer, 84, T0), "AF_UNSPEC: neither family");
        assertEquals(1, subject.deniedUnknownFamilyCount());
        assertEquals(2, subject.sizeEntries());
    }

    @Test
    void shouldFillToTheCapThenFailClosedForNewSourcesButNotForKnownOnes() {
        final int capacity = 4096;
        final HandshakeRateLimiter subject = limiter(capacity, UNLIMITED_RATE, UNLIMITED_BURST);
        // The kernel's capacity_test: every source up to the cap is allowed, the next one is not.
        for (int i = 0; i <= capacity; i++) {
            assertEquals(i != capacity, subject.allowIpv4(i, T0), "source " + i);
        }
        assertEquals(capacity, subject.sizeEntries());
        assertEquals(1, subject.deniedTableFullCount());
        assertTrue(subject.allowIpv4(17, T0 + MS), "a known source keeps its bucket");
        assertFalse(subject.allowIpv6(0xfd00L << 48, 0, T0 + MS), "a new IPv6 source is refused too");
        assertFalse(subject.allowIpv4(capacity + 1, T0 + IDLE_TIMEOUT_NS), "1 s idle is not yet forgotten");
        assertEquals(3, subject.deniedTableFullCount());
        assertEquals(capacity, subject.sizeEntries());
    }

    @Test
    void shouldForgetSourcesIdleForMoreThanOneSecondAndAdmitNewOnes() {
        final int capacity = 4096;
        final HandshakeRateLimiter subject = limiter(capacity, UNLIMITED_RATE, UNLIMITED_BURST);
        for (int i = 0; i < capacity; i++) {
            assertTrue(subject.allowIpv4(i, T0));
        }
        final long laterNs = T0 + IDLE_TIMEOUT_NS + 1;
        assertTrue(subject.allowIpv4(capacity, laterNs), "the first new source after the idle timeout");
        int allowed = 1;
        int offered = 1;
        // Every old source is idle, so each new one either lands or makes the sweep reclaim more; the last
        // stragglers may be refused once while the sweep goes round (fail closed), never for long.
        while (allowed < capacity && offered < 2 * capacity) {
            allowed += subject.allowIpv4(capacity + offered, laterNs) ? 1 : 0;
            offered++;
        }
        assertEquals(capacity, allowed, "a whole table of new sources, after " + offered + " offers");
        assertTrue(offered < capacity + capacity / 8, offered + " offers for " + capacity + " places");
        assertEquals(capacity, subject.sizeEntries());
        assertTrue(subject.allowIpv4(capacity, laterNs), "a new source kept its bucket");
        assertFalse(subject.allowIpv4(0, laterNs), "the old sources are gone, the table is full of live ones");
    }

    @Test
    void shouldSweepTheWholeTableIncrementallyWithBoundedWorkPerCall() {
        final int capacity = 64; // 128 slots
        final HandshakeRateLimiter subject = limiter(capacity, UNLIMITED_RATE, UNLIMITED_BURST);
        for (int i = 0; i < capacity; i++) {
            assertTrue(subject.allowIpv4(i, T0));
        }
        final long laterNs = T0 + IDLE_TIMEOUT_NS + 1;
        // A known source refreshes its own entry; the other 63 go idle and are swept a few slots per call.
        subject.allowIpv4(5, laterNs);
        assertTrue(subject.sizeEntries() >= capacity - SWEEP_SLOTS_PER_CALL, "one call sweeps only a few slots");
        // One pass: every slot once, plus one revisit per deleted entry (its slot is looked at again).
        final int passCalls = (2 * capacity + capacity) / SWEEP_SLOTS_PER_CALL;
        for (int call = 1; call < passCalls; call++) {
            subject.allowIpv4(5, laterNs);
        }
        assertEquals(1, subject.sizeEntries(), "only the source that kept sending is left");
    }

    @Test
    void shouldCapAllSourcesTogetherUnderASpreadFlood() {
        final HandshakeRateLimiter subject = defaults();
        // 20,000 sources, one packet each, one every 50 us for 1 s: each is far under its own limit.
        final int sources = 20_000;
        for (int i = 0; i < sources; i++) {
            subject.allowIpv4(0xC612_0000 + i, T0 + i * 50_000L);
        }
        // Full burst (100) plus 1,000/s over 999.95 ms of refill (999 whole packets): 1,099.
        assertEquals(1_099, subject.allowedCount());
        assertEquals(sources - 1_099, subject.deniedGlobalCount());
        assertEquals(0, subject.deniedSourceCount());
        assertEquals(1_099, subject.sizeEntries(), "refused sources are not even tracked");
    }

    @Test
    void shouldNotSpendTheGlobalBudgetOnPacketsTheSourceMayNotSend() {
        final HandshakeRateLimiter subject = limiter(1024, 1_000, 10);
        for (int i = 0; i < 100; i++) {
            subject.allowIpv4(1, T0);
        }
        assertEquals(5, subject.allowedCount());
        assertEquals(95, subject.deniedSourceCount());
        for (int i = 0; i < 5; i++) {
            assertTrue(subject.allowIpv4(100 + i, T0), "the global budget still has room for source " + i);
        }
        assertFalse(subject.allowIpv4(200, T0), "the eleventh message overall");
        assertEquals(1, subject.deniedGlobalCount());
    }

    @Test
    void shouldNotSpendTheGlobalBudgetOnSourcesRefusedForAFullTable() {
        final HandshakeRateLimiter subject = limiter(4, 1_000, 5);
        for (int i = 0; i < 4; i++) {
            assertTrue(subject.allowIpv4(i, T0));
        }
        for (int i = 0; i < 10; i++) {
            assertFalse(subject.allowIpv4(100 + i, T0));
        }
        assertEquals(10, subject.deniedTableFullCount());
        assertTrue(subject.allowIpv4(0, T0), "the fifth global token is still there");
        assertFalse(subject.allowIpv4(1, T0));
        assertEquals(1, subject.deniedGlobalCount());
    }

    @Test
    void shouldNotChargeASourceForMessagesTheGlobalBudgetRefused() {
        final HandshakeRateLimiter subject = limiter(1024, 1_000, 10);
        assertTrue(subject.allowIpv4(1, T0), "source 1 now holds four packets of credit");
        for (int i = 0; i < 9; i++) {
            assertTrue(subject.allowIpv4(100 + i, T0));
        }
        for (int i = 0; i < 3; i++) {
            assertFalse(subject.allowIpv4(1, T0), "global budget spent");
        }
        assertEquals(3, subject.deniedGlobalCount());
        final long laterNs = T0 + 4 * MS; // four global tokens back; source 1 gains only 4 ms of credit
        for (int i = 0; i < 4; i++) {
            assertTrue(subject.allowIpv4(1, laterNs), "source 1 still has its four packets, " + i);
        }
        assertFalse(subject.allowIpv4(1, laterNs));
        assertEquals(1, subject.deniedSourceCount(), "refused by its own bucket, not the global one");
        assertEquals(3, subject.deniedGlobalCount());
    }

    @Test
    void shouldReportSaturationWhileTheTableIsNearlyFullOrTheGlobalBudgetRefused() {
        final HandshakeRateLimiter table = limiter(64, UNLIMITED_RATE, UNLIMITED_BURST);
        for (int i = 0; i < 55; i++) {
            table.allowIpv4(i, T0);
        }
        assertFalse(table.saturated(T0), "55 of 64");
        table.allowIpv4(55, T0);
        assertTrue(table.saturated(T0), "56 of 64 is 7/8");

        final HandshakeRateLimiter global = limiter(1024, 1_000, 2);
        global.allowIpv4(1, T0);
        global.allowIpv4(2, T0);
        assertFalse(global.saturated(T0), "budget spent but nothing refused yet");
        assertFalse(global.allowIpv4(3, T0));
        assertTrue(global.saturated(T0 + IDLE_TIMEOUT_NS));
        assertFalse(global.saturated(T0 + IDLE_TIMEOUT_NS + 1), "a second without refusals");
    }

    @Test
    void shouldAgreeWithANaiveBucketPerKeyWhileEntriesComeAndGo() {
        // Four hot sources over their limit and 36 cold ones; an idle gap now and then makes every entry
        // idle, so entries are swept and re-inserted all the time and backward-shift deletion runs
        // constantly. The table never fills (40 keys, cap 64), and forgetting an idle source changes no
        // decision, so a map of buckets that never forgets must agree every time.
        final HandshakeRateLimiter subject = limiter(64, UNLIMITED_RATE, UNLIMITED_BURST);
        final RandomGenerator random = RandomGenerator.of("L64X128MixRandom");
        final long[] stepsNs = {0, 0, 0, 0, 0, MS, 5 * MS};
        final Map<Long, long[]> reference = new HashMap<>();
        long nowNs = T0;
        for (int i = 0; i < 200_000; i++) {
            nowNs += random.nextInt(500) == 0 ? 1_200 * MS : stepsNs[random.nextInt(stepsNs.length)];
            final int source = random.nextInt(random.nextBoolean() ? 4 : 40);
            final boolean ipv6 = source >= 20;
            final long referenceKey = ipv6 ? (1L << 40) | source : source;
            final boolean actual = ipv6
                    ? subject.allowIpv6(0x2001_0db8_0000_0000L | source, random.nextLong(), nowNs)
                    : subject.allowIpv4(0xC612_0000 | source, nowNs);
            assertEquals(naiveAllow(reference, referenceKey, nowNs), actual, "call " + i + " source " + source);
            assertTrue(subject.sizeEntries() <= reference.size());
        }
        assertEquals(200_000, subject.allowedCount() + subject.deniedSourceCount());
        assertTrue(subject.deniedSourceCount() > 10_000, "the schedule exercises denials too");
    }

    /** The kernel's algorithm with a plain map and no table, no cap, no forgetting. */
    private static boolean naiveAllow(final Map<Long, long[]> buckets, final long key, final long nowNs) {
        final long tokenMaxNs = PACKET_COST_NS * PACKETS_BURSTABLE;
        final long[] bucket = buckets.get(key);
        if (bucket == null) {
            buckets.put(key, new long[] {tokenMaxNs - PACKET_COST_NS, nowNs});
            return true;
        }
        final long tokens = Math.min(tokenMaxNs, bucket[0] + nowNs - bucket[1]);
        bucket[1] = nowNs;
        final boolean allowed = tokens >= PACKET_COST_NS;
        bucket[0] = allowed ? tokens - PACKET_COST_NS : tokens;
        return allowed;
    }

    @Test
    void shouldRejectBadConfiguration() {
        final RandomGenerator random = RandomGenerator.of("L64X128MixRandom");
        assertThrows(IllegalArgumentException.class, () -> new HandshakeRateLimiter(0, 1_000, 100, random));
        assertThrows(IllegalArgumentException.class, () -> new HandshakeRateLimiter(1 << 29, 1_000, 100, random));
        assertThrows(IllegalArgumentException.class, () -> new HandshakeRateLimiter(16, 0, 100, random));
        assertThrows(IllegalArgumentException.class, () -> new HandshakeRateLimiter(16, 1_000, 0, random));
        assertEquals(1, new HandshakeRateLimiter(1, 1, 1, random).capacityEntries());
    }

    @Test
    void shouldNotAllocatePerCall() {
        final java.lang.management.ThreadMXBean generic = ManagementFactory.getThreadMXBean();
        assumeTrue(
                generic instanceof com.sun.management.ThreadMXBean bean && bean.isThreadAllocatedMemorySupported(),
                "this JVM cannot count per-thread allocation");
        final com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) generic;
        final HandshakeRateLimiter subject = limiter(
                256,
                HandshakeRateLimiter.DEFAULT_GLOBAL_PACKETS_PER_SECOND,
                HandshakeRateLimiter.DEFAULT_GLOBAL_BURST_PACKETS);
        final int sources = 5_000;
        final UnsafeBuffer addresses = new UnsafeBuffer(new byte[(sources + 1) * SockAddr.MAX_LENGTH_BYTES]);
        for (int i = 0; i <= sources; i++) {
            final int offset = i * SockAddr.MAX_LENGTH_BYTES;
            if (i % 2 == 0) {
                SockAddr.writeIpv4(addresses, offset, 0xC612_0000 + i, 51820);
            } else {
                SockAddr.writeIpv6(addresses, offset, 0xfd00_0000_0000_0000L + i, i, 51820, 0);
            }
        }
        final int hot = sources * SockAddr.MAX_LENGTH_BYTES;
        final int calls = 200_000;
        final long before = bean.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < calls; i++) {
            // A hot source every third call (denied by its bucket), the rest a spread flood (global budget,
            // full table, sweeps) over 4 s.
            final int offset = i % 3 == 0 ? hot : (i % sources) * SockAddr.MAX_LENGTH_BYTES;
            subject.allow(addresses, offset, T0 + i * 20_000L);
        }
        final long allocatedBytes = bean.getCurrentThreadAllocatedBytes() - before;
        // Any allocation per call would be >= 16 B x 200k = 3.2 MB; the slack absorbs one-off JVM
        // allocations on this thread (class initialisation, a deoptimisation) on a loaded machine.
        assertTrue(allocatedBytes < 64 * 1024, allocatedBytes + " bytes allocated during " + calls + " calls");
        assertEquals(
                calls,
                subject.allowedCount()
                        + subject.deniedSourceCount()
                        + subject.deniedGlobalCount()
                        + subject.deniedTableFullCount());
        assertTrue(subject.deniedSourceCount() > 0, "the hot source was limited");
        assertTrue(subject.deniedGlobalCount() > 0, "the global budget refused some");
        assertTrue(subject.deniedTableFullCount() > 0, "the table filled");
    }
}
