package io.ringguard.dataplane.allowedips;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The trie against a naive reference (a list of prefixes, longest match by linear scan), with random
 * prefixes and "mutated" neighbours that share a random number of leading bits, as the kernel's
 * randomized self-test builds them. Rerun a failure with {@code -Dringguard.test.seed=<seed>}.
 */
final class AllowedIpsRandomizedTest {
    private static final int PEERS = 64;
    private static final int BASE_ROUTES = 600;
    private static final int MUTATED_ROUTES = 5;
    private static final int LOOKUPS = 3000;
    private static final int LOOKUPS_PER_REMOVAL = 300;

    @Test
    void shouldMatchNaiveReferenceThroughInsertsRemovalsAndPeerRemoval() {
        final long seed = Long.getLong("ringguard.test.seed", System.nanoTime());
        try {
            run(new Random(seed));
        } catch (final AssertionError | RuntimeException ex) {
            throw new AssertionError(
                    "randomized allowed-IPs test failed with seed " + seed + " (rerun with -Dringguard.test.seed="
                            + seed + ")",
                    ex);
        }
    }

    private static void run(final Random random) {
        final TestPeer[] peers = new TestPeer[PEERS];
        for (int i = 0; i < PEERS; i++) {
            peers[i] = new TestPeer(Integer.toString(i));
        }
        final AllowedIps<TestPeer> table = new AllowedIps<>();
        final NaiveTable reference = new NaiveTable();

        for (int family = 0; family < 2; family++) {
            final int bits = family == 0 ? 32 : 128;
            for (int i = 0; i < BASE_ROUTES; i++) {
                final long[] base = {random.nextLong(), random.nextLong()};
                insertBoth(table, reference, base, 1 + random.nextInt(bits), bits, peers[random.nextInt(PEERS)]);
                for (int j = 0; j < MUTATED_ROUTES; j++) {
                    final long[] mutated = mutate(base, random.nextInt(bits), random);
                    insertBoth(table, reference, mutated, random.nextInt(bits + 1), bits, peers[random.nextInt(PEERS)]);
                }
            }
        }
        assertEquals(reference.size(), table.size());
        assertEquals(reference.size(), table.verifyStructure());

        // Addresses to probe: half near inserted prefixes (random host bits), half anywhere.
        final long[][] probes = new long[2 * LOOKUPS][];
        final List<Prefix> inserted = new ArrayList<>(reference.entries.keySet());
        for (int i = 0; i < probes.length; i++) {
            final boolean v4 = i % 2 == 0;
            final long[] address = {random.nextLong(), random.nextLong()};
            if (i % 4 < 2) {
                Prefix near;
                do {
                    near = inserted.get(random.nextInt(inserted.size()));
                } while (near.bits != (v4 ? 32 : 128));
                final long[] inside = mutate(new long[] {near.high, near.low}, near.cidr, random);
                address[0] = inside[0];
                address[1] = inside[1];
            }
            probes[i] = v4 ? new long[] {address[0] >>> 32} : address;
        }
        compareLookups(table, reference, probes, probes.length, random);

        for (final TestPeer peer : peers) {
            assertEquals(reference.entriesOf(peer), new HashSet<>(table.entriesOf(peer)), "entries of " + peer);
        }

        // Remove single prefixes: first as a peer that does not own them, then as the owner.
        for (int i = 0; i < 300; i++) {
            final Prefix victim = inserted.get(random.nextInt(inserted.size()));
            final TestPeer owner = reference.entries.get(victim);
            final TestPeer other = peers[random.nextInt(PEERS)];
            if (other != owner) {
                assertFalse(remove(table, victim, other), "removed " + victim + " as non-owner " + other);
            }
            assertEquals(owner != null, remove(table, victim, owner == null ? other : owner), "remove " + victim);
            reference.entries.remove(victim);
        }
        assertEquals(reference.size(), table.verifyStructure());
        compareLookups(table, reference, probes, probes.length, random);

        // Remove peers one at a time, comparing after each.
        for (final TestPeer peer : peers) {
            final int expected = reference.entriesOf(peer).size();
            assertEquals(expected, table.removeByPeer(peer), "prefixes removed for " + peer);
            reference.entries.values().removeIf(owner -> owner == peer);
            assertEquals(reference.size(), table.size());
            assertEquals(reference.size(), table.verifyStructure());
            compareLookups(table, reference, probes, LOOKUPS_PER_REMOVAL, random);
        }
        assertEquals(0, table.size());
        for (final long[] probe : probes) {
            assertNull(probe.length == 1 ? table.lookupV4((int) probe[0]) : table.lookupV6(probe[0], probe[1]));
        }
    }

    private static void insertBoth(
            final AllowedIps<TestPeer> table,
            final NaiveTable reference,
            final long[] address,
            final int cidr,
            final int bits,
            final TestPeer peer) {
        final Prefix prefix = Prefix.of(address, cidr, bits);
        final TestPeer previous = reference.entries.put(prefix, peer);
        final TestPeer returned = bits == 32
                ? table.insertV4((int) (address[0] >>> 32), cidr, peer)
                : table.insertV6(address[0], address[1], cidr, peer);
        assertSame(previous, returned, "previous owner of " + prefix);
    }

    private static boolean remove(final AllowedIps<TestPeer> table, final Prefix prefix, final TestPeer peer) {
        return prefix.bits == 32
                ? table.removeV4((int) (prefix.high >>> 32), prefix.cidr, peer)
                : table.removeV6(prefix.high, prefix.low, prefix.cidr, peer);
    }

    private static void compareLookups(
            final AllowedIps<TestPeer> table,
            final NaiveTable reference,
            final long[][] probes,
            final int count,
            final Random random) {
        for (int i = 0; i < count; i++) {
            final long[] probe = probes[count == probes.length ? i : random.nextInt(probes.length)];
            if (probe.length == 1) {
                final int address = (int) probe[0];
                assertSame(
                        reference.lookup(((long) address) << 32, 0, 32),
                        table.lookupV4(address),
                        "lookup " + Integer.toHexString(address));
            } else {
                assertSame(
                        reference.lookup(probe[0], probe[1], 128),
                        table.lookupV6(probe[0], probe[1]),
                        "lookup " + Long.toHexString(probe[0]) + ":" + Long.toHexString(probe[1]));
            }
        }
    }

    /** Keeps the first {@code keepBits} of a 128-bit address and randomizes the rest. */
    private static long[] mutate(final long[] address, final int keepBits, final Random random) {
        final long[] result = {random.nextLong(), random.nextLong()};
        for (int bit = 0; bit < keepBits; bit++) {
            final int word = bit / 64;
            final long mask = 1L << (63 - bit % 64);
            result[word] = (result[word] & ~mask) | (address[word] & mask);
        }
        return result;
    }

    /** A prefix in the reference: 128-bit layout, IPv4 in the top 32 bits, host bits cleared bit by bit. */
    private record Prefix(int bits, long high, long low, int cidr) {
        static Prefix of(final long[] address, final int cidr, final int bits) {
            long high = 0;
            long low = 0;
            for (int bit = 0; bit < cidr; bit++) {
                final long mask = 1L << (63 - bit % 64);
                if (bit < 64) {
                    high |= address[0] & mask;
                } else {
                    low |= address[1] & mask;
                }
            }
            return new Prefix(bits, high, low, cidr);
        }

        boolean contains(final long addressHigh, final long addressLow) {
            return equals(of(new long[] {addressHigh, addressLow}, cidr, bits));
        }
    }

    /** The naive reference: every prefix in a list, longest match by linear scan. */
    private static final class NaiveTable {
        final Map<Prefix, TestPeer> entries = new LinkedHashMap<>();

        TestPeer lookup(final long high, final long low, final int bits) {
            TestPeer best = null;
            int bestCidr = -1;
            for (final Map.Entry<Prefix, TestPeer> entry : entries.entrySet()) {
                final Prefix prefix = entry.getKey();
                if (prefix.bits == bits && prefix.cidr > bestCidr && fastContains(prefix, high, low)) {
                    best = entry.getValue();
                    bestCidr = prefix.cidr;
                }
            }
            return best;
        }

        Set<IpPrefix> entriesOf(final TestPeer peer) {
            final Set<IpPrefix> result = new HashSet<>();
            entries.forEach((prefix, owner) -> {
                if (owner == peer) {
                    result.add(
                            prefix.bits == 32
                                    ? IpPrefix.ofV4((int) (prefix.high >>> 32), prefix.cidr)
                                    : IpPrefix.ofV6(prefix.high, prefix.low, prefix.cidr));
                }
            });
            return result;
        }

        int size() {
            return entries.size();
        }

        /** Same answer as {@link Prefix#contains}, by whole-word comparison so the scan stays quick. */
        private static boolean fastContains(final Prefix prefix, final long high, final long low) {
            final int cidr = prefix.cidr;
            if (cidr <= 64) {
                return cidr == 0 || (high >>> (64 - cidr)) == (prefix.high >>> (64 - cidr));
            }
            return high == prefix.high && (low >>> (128 - cidr)) == (prefix.low >>> (128 - cidr));
        }
    }

    @Test
    void shouldAgreeBetweenReferenceMatchers() {
        // The reference's quick matcher must agree with its bit-by-bit definition, or it proves nothing.
        final Random random = new Random(1);
        for (int i = 0; i < 20_000; i++) {
            final int bits = i % 2 == 0 ? 32 : 128;
            final long[] base = {random.nextLong(), random.nextLong()};
            if (bits == 32) {
                base[0] &= 0xFFFF_FFFF_0000_0000L;
                base[1] = 0;
            }
            final Prefix prefix = Prefix.of(base, random.nextInt(bits + 1), bits);
            final long[] probe = mutate(base, random.nextInt(bits + 1), random);
            if (bits == 32) {
                probe[0] &= 0xFFFF_FFFF_0000_0000L;
                probe[1] = 0;
            }
            assertEquals(
                    prefix.contains(probe[0], probe[1]),
                    NaiveTable.fastContains(prefix, probe[0], probe[1]),
                    prefix + " vs " + Long.toHexString(probe[0]) + ":" + Long.toHexString(probe[1]));
        }
        assertTrue(Prefix.of(new long[] {-1L, -1L}, 0, 128).contains(0, 0), "/0 contains everything");
    }
}
