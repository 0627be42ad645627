package io.ringguard.dataplane.allowedips;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

final class AllowedIpsTest {
    private final AllowedIps<TestPeer> table = new AllowedIps<>();
    private final TestPeer alice = new TestPeer("alice");
    private final TestPeer bob = new TestPeer("bob");
    private final TestPeer carol = new TestPeer("carol");

    @Test
    void shouldMaskHostBitsOnInsertAndList() {
        table.insert(IpPrefix.parse("198.18.1.7/24"), alice);
        table.insertV6(0xFD00_0000_0000_0001L, 0x1234L, 48, alice);
        assertEquals(
                List.of("198.18.1.0/24", "fd00::/48"),
                table.entriesOf(alice).stream().map(IpPrefix::toString).toList());
        assertSame(alice, table.lookupV4(ip("198.18.1.200")));
        assertNull(table.lookupV4(ip("198.18.2.7")));
        assertTrue(table.removeV4(ip("198.18.1.99"), 24, alice), "host bits are ignored on remove too");
        assertEquals(
                List.of("fd00::/48"),
                table.entriesOf(alice).stream().map(IpPrefix::toString).toList());
    }

    @Test
    void shouldReassignExistingPrefixToNewPeer() {
        assertNull(table.insert(IpPrefix.parse("198.18.4.0/24"), alice));
        table.insert(IpPrefix.parse("198.18.5.0/24"), alice);
        assertSame(alice, table.insert(IpPrefix.parse("198.18.4.0/24"), bob));
        assertSame(bob, table.lookupV4(ip("198.18.4.1")));
        assertEquals(List.of(IpPrefix.parse("198.18.5.0/24")), table.entriesOf(alice));
        assertEquals(List.of(IpPrefix.parse("198.18.4.0/24")), table.entriesOf(bob));
        assertEquals(2, table.size());
        assertSame(bob, table.insert(IpPrefix.parse("198.18.4.0/24"), bob), "same owner again is a no-op");
        assertEquals(2, table.size());
        assertFalse(table.remove(IpPrefix.parse("198.18.4.0/24"), alice), "alice no longer owns it");
        assertEquals(2, table.verifyStructure());
    }

    @Test
    void shouldRemoveOnlyTheNamedPrefix() {
        table.insert(IpPrefix.parse("198.18.0.0/16"), alice);
        table.insert(IpPrefix.parse("198.18.1.0/24"), alice);
        table.insert(IpPrefix.parse("198.18.1.128/25"), bob);
        table.insert(IpPrefix.parse("198.18.2.0/24"), bob);
        table.insert(IpPrefix.parse("fd00::/8"), alice);

        assertFalse(table.remove(IpPrefix.parse("198.18.1.0/24"), bob), "owned by alice");
        assertFalse(table.remove(IpPrefix.parse("198.18.1.0/25"), alice), "not in the table");
        assertFalse(table.remove(IpPrefix.parse("198.18.0.0/8"), alice), "not in the table");
        assertEquals(5, table.size());

        assertTrue(table.remove(IpPrefix.parse("198.18.1.0/24"), alice));
        assertFalse(table.remove(IpPrefix.parse("198.18.1.0/24"), alice), "already gone");
        assertEquals(4, table.size());
        assertEquals(4, table.verifyStructure());
        assertSame(alice, table.lookupV4(ip("198.18.1.5")), "falls back to the /16");
        assertSame(bob, table.lookupV4(ip("198.18.1.200")));
        assertSame(bob, table.lookupV4(ip("198.18.2.1")));
        assertSame(alice, table.lookupV6(0xFD12_0000_0000_0000L, 1));
        assertEquals(List.of(IpPrefix.parse("198.18.0.0/16"), IpPrefix.parse("fd00::/8")), table.entriesOf(alice));
    }

    @Test
    void shouldKeepRemovedPrefixAsBranchWhileItHasTwoChildren() {
        table.insert(IpPrefix.parse("198.18.0.0/16"), alice);
        table.insert(IpPrefix.parse("198.18.1.0/24"), bob);
        table.insert(IpPrefix.parse("198.18.200.0/24"), carol);
        assertTrue(table.remove(IpPrefix.parse("198.18.0.0/16"), alice));
        assertEquals(2, table.verifyStructure());
        assertNull(table.lookupV4(ip("198.18.2.1")));
        assertSame(bob, table.lookupV4(ip("198.18.1.1")));
        assertSame(carol, table.lookupV4(ip("198.18.200.1")));

        // Removing one child leaves a peerless node with one child, which must go.
        assertTrue(table.remove(IpPrefix.parse("198.18.1.0/24"), bob));
        assertEquals(1, table.verifyStructure());
        assertSame(carol, table.lookupV4(ip("198.18.200.1")));

        // Re-inserting the old prefix puts an owned node back above the survivor.
        assertNull(table.insert(IpPrefix.parse("198.18.0.0/16"), alice));
        assertEquals(2, table.verifyStructure());
        assertSame(alice, table.lookupV4(ip("198.18.1.1")));
        assertSame(carol, table.lookupV4(ip("198.18.200.1")));
    }

    @Test
    void shouldGiveBranchNodeAnOwnerWhenItsExactPrefixIsInserted() {
        table.insert(IpPrefix.parse("198.18.0.0/24"), alice);
        table.insert(IpPrefix.parse("198.18.1.0/24"), bob);
        // 198.18.0.0/23 now exists as a peerless branch node; inserting it must make it an entry.
        assertNull(table.insert(IpPrefix.parse("198.18.0.0/23"), carol));
        assertEquals(3, table.size());
        assertEquals(3, table.verifyStructure());
        assertEquals(List.of(IpPrefix.parse("198.18.0.0/23")), table.entriesOf(carol));
        assertSame(alice, table.lookupV4(ip("198.18.0.1")));
        assertEquals(1, table.removeByPeer(bob));
        assertSame(carol, table.lookupV4(ip("198.18.1.1")));
        assertEquals(2, table.verifyStructure());
    }

    @Test
    void shouldKeepFamiliesApartForDefaultRoutes() {
        table.insertV4(0, 0, alice);
        table.insertV6(0, 0, 0, bob);
        assertSame(alice, table.lookupV4(ip("198.18.9.9")));
        assertSame(alice, table.lookupV4(0));
        assertSame(alice, table.lookupV4(-1));
        assertSame(bob, table.lookupV6(0xFD00_0000_0000_0000L, 0));
        assertSame(bob, table.lookupV6(-1L, -1L));
        assertTrue(table.removeV4(0, 0, alice));
        assertNull(table.lookupV4(ip("198.18.9.9")));
        assertSame(bob, table.lookupV6(0, 0));
        assertEquals(1, table.verifyStructure());
    }

    @Test
    void shouldLookUpAddressesInPacketBuffer() {
        table.insert(IpPrefix.parse("198.18.7.0/24"), alice);
        table.insert(IpPrefix.parse("fd00:7::/32"), bob);
        final UnsafeBuffer packet = new UnsafeBuffer(new byte[64]);
        packet.putInt(16, ip("198.18.7.42"), ByteOrder.BIG_ENDIAN); // IPv4 destination
        packet.putLong(24, 0xFD00_0007_0000_0000L, ByteOrder.BIG_ENDIAN); // IPv6 destination
        packet.putLong(32, 0x42L, ByteOrder.BIG_ENDIAN);
        assertSame(alice, table.lookupV4(packet, 16));
        assertSame(bob, table.lookupV6(packet, 24));
        assertNull(table.lookupV6(packet, 0));
    }

    @Test
    void shouldInsertAndRemoveByByteArrayAddress() {
        final byte[] v4 = {(byte) 198, 18, 3, 4};
        final byte[] v6 = new byte[16];
        v6[0] = (byte) 0xFD;
        v6[1] = 3;
        table.insert(v4, 30, alice);
        table.insert(v6, 16, alice);
        assertSame(alice, table.lookupV4(ip("198.18.3.7")));
        assertSame(alice, table.lookupV6(0xFD03_FFFF_0000_0000L, 0));
        assertTrue(table.remove(v4, 30, alice));
        assertTrue(table.remove(v6, 16, alice));
        assertEquals(0, table.size());
        assertThrows(IllegalArgumentException.class, () -> table.insert(new byte[5], 8, alice));
    }

    @Test
    void shouldRejectCidrOutOfRangeAndNullPeer() {
        assertThrows(IllegalArgumentException.class, () -> table.insertV4(0, 33, alice));
        assertThrows(IllegalArgumentException.class, () -> table.insertV4(0, -1, alice));
        assertThrows(IllegalArgumentException.class, () -> table.insertV6(0, 0, 129, alice));
        assertThrows(IllegalArgumentException.class, () -> table.insertV6(0, 0, -1, alice));
        assertThrows(IllegalArgumentException.class, () -> table.removeV4(0, 33, alice));
        assertThrows(IllegalArgumentException.class, () -> table.removeV6(0, 0, 129, alice));
        assertThrows(NullPointerException.class, () -> table.insertV4(0, 8, null));
        assertEquals(0, table.size());
        assertEquals(0, table.verifyStructure());
    }

    @Test
    void shouldForgetPeerAfterRemoveByPeerAndClear() {
        table.insert(IpPrefix.parse("198.18.0.0/24"), alice);
        table.insert(IpPrefix.parse("fd00::/64"), alice);
        table.insert(IpPrefix.parse("198.18.1.0/24"), bob);
        assertEquals(2, table.removeByPeer(alice));
        assertEquals(0, table.removeByPeer(alice));
        assertEquals(List.of(), table.entriesOf(alice));
        assertEquals(1, table.size());
        table.clear();
        assertEquals(0, table.size());
        assertNull(table.lookupV4(ip("198.18.1.1")));
        assertEquals(List.of(), table.entriesOf(bob));
        assertEquals(0, table.verifyStructure());
    }

    @Test
    void shouldNotAllocateOnLookup() {
        final java.lang.management.ThreadMXBean generic = ManagementFactory.getThreadMXBean();
        assumeTrue(
                generic instanceof com.sun.management.ThreadMXBean bean && bean.isThreadAllocatedMemorySupported(),
                "this JVM cannot count per-thread allocation");
        final com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) generic;
        final Random random = new Random(7);
        for (int i = 0; i < 1000; i++) {
            table.insertV4(random.nextInt(), 8 + random.nextInt(25), i % 2 == 0 ? alice : bob);
            table.insertV6(random.nextLong(), random.nextLong(), 16 + random.nextInt(113), carol);
        }
        final int lookups = 200_000;
        int hits = 0;
        final long before = bean.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < lookups; i++) {
            hits += table.lookupV4(i * 0x9E37_79B9) != null ? 1 : 0;
            hits += table.lookupV6(i * 0x9E37_79B9_7F4A_7C15L, i) != null ? 1 : 0;
        }
        final long allocatedBytes = bean.getCurrentThreadAllocatedBytes() - before;
        // One allocation per lookup would be megabytes; allow for a little unrelated JVM bookkeeping.
        // Slack for one-off JVM allocations on this thread; any per-lookup allocation would be megabytes.
        assertTrue(allocatedBytes < 64 * 1024, allocatedBytes + " bytes allocated during " + lookups + " lookups");
        assertTrue(hits > 0, "lookups should hit something");
    }

    @Test
    void shouldInsertOneHundredThousandPrefixesQuickly() {
        final TestPeer[] peers = new TestPeer[256];
        for (int i = 0; i < peers.length; i++) {
            peers[i] = new TestPeer(Integer.toString(i));
        }
        final int count = 100_000;
        final int[] hosts = new int[count];
        final Random random = new Random(42);
        for (int i = 0; i < count; i++) {
            hosts[i] = random.nextInt();
        }
        // Generous bound: the brief is "well under a few seconds"; this machine is shared.
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (int i = 0; i < count; i++) {
                table.insertV4(hosts[i], 32, peers[i & 255]);
                table.insertV6(0xFD00_0000_0000_0000L | i, (long) hosts[i] << 16, 64 + (i & 63), peers[i & 255]);
            }
        });
        // Some random hosts repeat; a repeat reassigns, so the last writer owns the /32.
        for (int i = count - 1; i >= count - 1000; i--) {
            assertSame(peers[lastIndexOf(hosts, hosts[i]) & 255], table.lookupV4(hosts[i]));
            assertSame(peers[i & 255], table.lookupV6(0xFD00_0000_0000_0000L | i, (long) hosts[i] << 16));
        }
        assertEquals(table.size(), table.verifyStructure());
        assertTrue(table.size() > 199_000, "size " + table.size());
    }

    private static int lastIndexOf(final int[] values, final int value) {
        for (int i = values.length - 1; i >= 0; i--) {
            if (values[i] == value) {
                return i;
            }
        }
        return -1;
    }

    static int ip(final String text) {
        return IpPrefix.parse(text).v4Address();
    }
}
