package io.ringguard.dataplane.allowedips;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fixed cases of the Linux kernel's {@code drivers/net/wireguard/selftest/allowedips.c}, as tables
 * of inserts and expected lookups. The addresses are the kernel's; they stay inside this table.
 */
final class AllowedIpsSelftestTest {
    private final TestPeer a = new TestPeer("a");
    private final TestPeer b = new TestPeer("b");
    private final TestPeer c = new TestPeer("c");
    private final TestPeer d = new TestPeer("d");
    private final TestPeer e = new TestPeer("e");
    private final TestPeer f = new TestPeer("f");
    private final TestPeer g = new TestPeer("g");
    private final TestPeer h = new TestPeer("h");

    private AllowedIps<TestPeer> table;

    @BeforeEach
    void setUp() {
        table = new AllowedIps<>();
    }

    @Test
    void shouldMatchKernelSelftestLookups() {
        insert4(a, 192, 168, 4, 0, 24);
        insert4(b, 192, 168, 4, 4, 32);
        insert4(c, 192, 168, 0, 0, 16);
        insert4(d, 192, 95, 5, 64, 27);
        // replaces the previous entry, and host bits must be masked
        insert4(c, 192, 95, 5, 65, 27);
        insert6(d, 0x26075300, 0x60006b00, 0, 0xc05f0543, 128);
        insert6(c, 0x26075300, 0x60006b00, 0, 0, 64);
        insert4(e, 0, 0, 0, 0, 0);
        insert6(e, 0, 0, 0, 0, 0);
        // replaces the previous entry
        insert6(f, 0, 0, 0, 0, 0);
        insert6(g, 0x24046800, 0, 0, 0, 32);
        // host bits must be masked
        insert6(h, 0x24046800, 0x40040800, 0xdeadbeef, 0xdeadbeef, 64);
        insert6(a, 0x24046800, 0x40040800, 0xdeadbeef, 0xdeadbeef, 128);
        insert6(c, 0x24446800, 0x40e40800, 0xdeaebeef, 0xdefbeef, 128);
        insert6(b, 0x24446800, 0xf0e40800, 0xeeaebeef, 0, 98);
        insert4(g, 64, 15, 112, 0, 20);
        // host bits must be masked
        insert4(h, 64, 15, 123, 211, 25);
        insert4(a, 10, 0, 0, 0, 25);
        insert4(b, 10, 0, 0, 128, 25);
        insert4(a, 10, 1, 0, 0, 30);
        insert4(b, 10, 1, 0, 4, 30);
        insert4(c, 10, 1, 0, 8, 29);
        insert4(d, 10, 1, 0, 16, 29);
        table.verifyStructure();

        expect4(a, 192, 168, 4, 20);
        expect4(a, 192, 168, 4, 0);
        expect4(b, 192, 168, 4, 4);
        expect4(c, 192, 168, 200, 182);
        expect4(c, 192, 95, 5, 68);
        expect4(e, 192, 95, 5, 96);
        expect6(d, 0x26075300, 0x60006b00, 0, 0xc05f0543);
        expect6(c, 0x26075300, 0x60006b00, 0, 0xc02e01ee);
        expect6(f, 0x26075300, 0x60006b01, 0, 0);
        expect6(g, 0x24046800, 0x40040806, 0, 0x1006);
        expect6(g, 0x24046800, 0x40040806, 0x1234, 0x5678);
        expect6(f, 0x240467ff, 0x40040806, 0x1234, 0x5678);
        expect6(f, 0x24046801, 0x40040806, 0x1234, 0x5678);
        expect6(h, 0x24046800, 0x40040800, 0x1234, 0x5678);
        expect6(h, 0x24046800, 0x40040800, 0, 0);
        expect6(h, 0x24046800, 0x40040800, 0x10101010, 0x10101010);
        expect6(a, 0x24046800, 0x40040800, 0xdeadbeef, 0xdeadbeef);
        expect4(g, 64, 15, 116, 26);
        expect4(g, 64, 15, 127, 3);
        expect4(g, 64, 15, 123, 1);
        expect4(h, 64, 15, 123, 128);
        expect4(h, 64, 15, 123, 129);
        expect4(a, 10, 0, 0, 52);
        expect4(b, 10, 0, 0, 220);
        expect4(a, 10, 1, 0, 2);
        expect4(b, 10, 1, 0, 6);
        expect4(c, 10, 1, 0, 10);
        expect4(d, 10, 1, 0, 20);
        // 23 inserts, 21 prefixes: the /27 and ::/0 were each assigned twice.
        assertEquals(21, table.size());
    }

    @Test
    void shouldForgetEveryPrefixOfRemovedPeer() {
        insert4(a, 1, 0, 0, 0, 32);
        insert4(a, 64, 0, 0, 0, 32);
        insert4(a, 128, 0, 0, 0, 32);
        insert4(a, 192, 0, 0, 0, 32);
        insert4(a, 255, 0, 0, 0, 32);
        assertEquals(5, table.removeByPeer(a));
        expectNot4(a, 1, 0, 0, 0);
        expectNot4(a, 64, 0, 0, 0);
        expectNot4(a, 128, 0, 0, 0);
        expectNot4(a, 192, 0, 0, 0);
        expectNot4(a, 255, 0, 0, 0);
        assertEquals(0, table.size());
        assertEquals(0, table.verifyStructure());
    }

    @Test
    void shouldForgetNestedPrefixesOfRemovedPeer() {
        insert4(a, 192, 168, 0, 0, 16);
        insert4(a, 192, 168, 0, 0, 24);
        assertEquals(2, table.removeByPeer(a));
        expectNot4(a, 192, 168, 0, 1);
        assertEquals(0, table.verifyStructure());
    }

    @Test
    void shouldKeepTrieValidWithEveryOneBitClearedV6Host() {
        // The kernel's free_node() depth check: 128 /128 hosts, each all-ones but one bit.
        for (int i = 0; i < 128; i++) {
            final long part = ~(1L << (i % 64));
            // as in the kernel, bits 0..63 of the loop go to the second half, 64..127 to the first
            table.insertV6(i < 64 ? -1L : part, i < 64 ? part : -1L, 128, a);
        }
        assertEquals(128, table.verifyStructure());
        for (int i = 0; i < 128; i++) {
            final long part = ~(1L << (i % 64));
            assertSame(a, table.lookupV6(i < 64 ? -1L : part, i < 64 ? part : -1L), "host " + i);
        }
        assertNull(table.lookupV6(-1L, -1L), "all-ones was never inserted");
        assertEquals(128, table.removeByPeer(a));
        assertEquals(0, table.verifyStructure());
    }

    @Test
    void shouldListPeerEntriesMasked() {
        insert4(a, 192, 95, 5, 93, 27);
        insert6(a, 0x26075300, 0x60006b00, 0, 0xc05f0543, 128);
        insert4(a, 10, 1, 0, 20, 29);
        insert6(a, 0x26075300, 0x6d8a6bf8, 0xdab1f1df, 0xc05f1523, 83);
        insert6(a, 0x26075300, 0x6d8a6bf8, 0xdab1f1df, 0xc05f1523, 21);

        final List<IpPrefix> entries = table.entriesOf(a);
        assertEquals(5, entries.size());
        assertEquals(
                Set.of(
                        IpPrefix.ofV4(ip4(192, 95, 5, 64), 27),
                        IpPrefix.ofV6(hi(0x26075300, 0x60006b00), lo(0, 0xc05f0543), 128),
                        IpPrefix.ofV4(ip4(10, 1, 0, 16), 29),
                        IpPrefix.ofV6(hi(0x26075300, 0x6d8a6bf8), lo(0xdab1e000, 0), 83),
                        IpPrefix.ofV6(hi(0x26075000, 0), 0, 21)),
                Set.copyOf(entries));
        assertEquals(
                List.of(
                        "192.95.5.64/27",
                        "2607:5300:6000:6b00::c05f:543/128",
                        "10.1.0.16/29",
                        "2607:5300:6d8a:6bf8:dab1:e000::/83",
                        "2607:5000::/21"),
                entries.stream().map(IpPrefix::toString).toList(),
                "listed in insertion order, host bits cleared");
        assertEquals(List.of(), table.entriesOf(b));
    }

    private void insert4(final TestPeer peer, final int p0, final int p1, final int p2, final int p3, final int cidr) {
        table.insertV4(ip4(p0, p1, p2, p3), cidr, peer);
    }

    private void insert6(final TestPeer peer, final int w0, final int w1, final int w2, final int w3, final int cidr) {
        table.insertV6(hi(w0, w1), lo(w2, w3), cidr, peer);
    }

    private void expect4(final TestPeer peer, final int p0, final int p1, final int p2, final int p3) {
        assertSame(peer, table.lookupV4(ip4(p0, p1, p2, p3)), p0 + "." + p1 + "." + p2 + "." + p3);
    }

    private void expectNot4(final TestPeer peer, final int p0, final int p1, final int p2, final int p3) {
        assertNotSame(peer, table.lookupV4(ip4(p0, p1, p2, p3)), p0 + "." + p1 + "." + p2 + "." + p3);
    }

    private void expect6(final TestPeer peer, final int w0, final int w1, final int w2, final int w3) {
        assertSame(
                peer,
                table.lookupV6(hi(w0, w1), lo(w2, w3)),
                Integer.toHexString(w0) + ":" + Integer.toHexString(w1) + ":" + Integer.toHexString(w2) + ":"
                        + Integer.toHexString(w3));
    }

    static int ip4(final int p0, final int p1, final int p2, final int p3) {
        return p0 << 24 | p1 << 16 | p2 << 8 | p3;
    }

    static long hi(final int w0, final int w1) {
        return ((long) w0) << 32 | (w1 & 0xFFFF_FFFFL);
    }

    static long lo(final int w2, final int w3) {
        return hi(w2, w3);
    }
}
