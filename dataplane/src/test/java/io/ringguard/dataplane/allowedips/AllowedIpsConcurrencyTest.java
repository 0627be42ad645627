package io.ringguard.dataplane.allowedips;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Smoke test of the single-writer contract: one writer replays a fixed script of inserts, removals and
 * peer removals while two readers look up addresses. A reader may only ever see null or a peer that
 * owned, at some point of the script, a prefix covering the address; a stable /32 that no write touches
 * and nothing in the script overrides must be found every single time. Bounded by counts, not time.
 */
final class AllowedIpsConcurrencyTest {
    private static final int CHURN_PEERS = 8;
    private static final int STABLE_PEERS = 4;
    private static final int STABLE_HOSTS = 300;
    private static final int SCRIPT_OPS = 20_000;
    private static final int MAX_PASSES = 20;
    private static final long TARGET_LOOKUPS_PER_READER = 200_000;
    private static final long MAX_LOOKUPS_PER_READER = 50_000_000;
    private static final int READERS = 2;

    private static final class Peer {
        final int id;

        Peer(final int id) {
            this.id = id;
        }

        @Override
        public String toString() {
            return "peer " + id;
        }
    }

    /** An operation of the writer's script: insert or remove {@code prefix}, or remove all of a peer. */
    private record Op(int kind, IpPrefix prefix, Peer peer) {
        static final int INSERT = 0;
        static final int REMOVE = 1;
        static final int REMOVE_PEER = 2;
    }

    /** An address to look up; {@code stableOwner} is set if the answer must never vary. */
    private record Probe(IpPrefix host, long allowedPeers, Peer stableOwner) {}

    @Test
    void shouldOnlySeeCoveringOwnersWhileWriterChurns() throws InterruptedException {
        final Random random = new Random(20_240_601);
        final Peer[] churnPeers = new Peer[CHURN_PEERS];
        for (int i = 0; i < CHURN_PEERS; i++) {
            churnPeers[i] = new Peer(i);
        }
        final AllowedIps<Peer> table = new AllowedIps<>();

        // Churn prefixes live in 198.18.0.0/16 and fd00:18::/32, never full length, plus short prefixes
        // that cover everything. Stable hosts are full-length entries in the same ranges, so churn
        // nodes sit on their paths and restructure around them, yet nothing in the script can ever
        // beat or replace them.
        final List<IpPrefix> churn = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            churn.add(IpPrefix.ofV4(0xC612_0000 | random.nextInt(1 << 16), 16 + random.nextInt(16)));
            churn.add(IpPrefix.ofV6(
                    0xFD00_0018_0000_0000L | (random.nextLong() >>> 32), random.nextLong(), 32 + random.nextInt(96)));
        }
        churn.add(IpPrefix.parse("0.0.0.0/0"));
        churn.add(IpPrefix.parse("198.18.0.0/15"));
        churn.add(IpPrefix.parse("192.0.0.0/4"));
        churn.add(IpPrefix.parse("::/0"));
        churn.add(IpPrefix.parse("fd00::/16"));

        // Stable hosts are owned by peers the script never names.
        final List<Probe> probes = new ArrayList<>();
        final Set<IpPrefix> stableV4 = new HashSet<>();
        for (int i = 0; i < STABLE_HOSTS; i++) {
            final Peer owner = new Peer(CHURN_PEERS + i % STABLE_PEERS);
            IpPrefix v4;
            do {
                v4 = IpPrefix.ofV4(0xC612_0000 | random.nextInt(1 << 16), 32);
            } while (!stableV4.add(v4));
            final IpPrefix v6 =
                    IpPrefix.ofV6(0xFD00_0018_0000_0000L | (random.nextLong() >>> 32), random.nextLong(), 128);
            table.insert(v4, owner);
            table.insert(v6, owner);
            probes.add(new Probe(v4, 0, owner));
            probes.add(new Probe(v6, 0, owner));
        }

        final List<Op> script = new ArrayList<>();
        final long[] everOwners = new long[churn.size()];
        for (int i = 0; i < SCRIPT_OPS; i++) {
            final int which = random.nextInt(churn.size());
            final Peer peer = churnPeers[random.nextInt(CHURN_PEERS)];
            final int roll = random.nextInt(100);
            if (roll < 60) {
                script.add(new Op(Op.INSERT, churn.get(which), peer));
                everOwners[which] |= 1L << peer.id;
            } else if (roll < 98) {
                script.add(new Op(Op.REMOVE, churn.get(which), peer));
            } else {
                script.add(new Op(Op.REMOVE_PEER, null, peer));
            }
        }

        // Churn probes: hosts inside churn prefixes and a few elsewhere; allowed = every peer that was
        // ever given a prefix covering the host. (IPv6 hosts are 128 random-ish bits and never hit a
        // stable host.)
        for (int i = 0; i < 1000; i++) {
            final IpPrefix base = churn.get(random.nextInt(churn.size()));
            final IpPrefix host;
            if (base.isV4()) {
                final int inside = base.v4Address() | (int) (hostBits(random, base.cidr()) >>> 32);
                host = IpPrefix.ofV4(i % 10 == 0 ? random.nextInt() : inside, 32);
                if (stableV4.contains(host)) {
                    continue; // a stable host answers with its stable owner; it is probed as such
                }
            } else {
                host = IpPrefix.ofV6(
                        base.v6High() | hostBits(random, base.cidr()),
                        base.v6Low() | hostBits(random, Math.max(0, base.cidr() - 64)),
                        128);
            }
            long allowed = 0;
            for (int p = 0; p < churn.size(); p++) {
                if (covers(churn.get(p), host)) {
                    allowed |= everOwners[p];
                }
            }
            probes.add(new Probe(host, allowed, null));
        }

        final AtomicReference<String> failure = new AtomicReference<>();
        final AtomicLongArray lookups = new AtomicLongArray(READERS);
        final CountDownLatch readersReady = new CountDownLatch(READERS);
        final Probe[] probeArray = probes.toArray(new Probe[0]);
        final Thread[] readers = new Thread[READERS];
        final VolatileFlag done = new VolatileFlag();
        for (int r = 0; r < READERS; r++) {
            final int reader = r;
            readers[r] = new Thread(
                    () -> {
                        readersReady.countDown();
                        long count = 0;
                        int index = reader * 7;
                        while (!done.get() && count < MAX_LOOKUPS_PER_READER && failure.get() == null) {
                            final Probe probe = probeArray[index];
                            index = index + 1 == probeArray.length ? 0 : index + 1;
                            final IpPrefix host = probe.host();
                            final Peer seen = host.isV4()
                                    ? table.lookupV4(host.v4Address())
                                    : table.lookupV6(host.v6High(), host.v6Low());
                            if (probe.stableOwner() != null ? seen != probe.stableOwner() : !allowed(probe, seen)) {
                                failure.compareAndSet(
                                        null,
                                        host + " -> " + seen + " (expected "
                                                + (probe.stableOwner() != null
                                                        ? probe.stableOwner()
                                                        : "an owner of a covering prefix or null")
                                                + ")");
                            }
                            count++;
                            if ((count & 1023) == 0) {
                                lookups.set(reader, count);
                            }
                        }
                        lookups.set(reader, count);
                    },
                    "allowedips-reader-" + r);
            readers[r].start();
        }

        assertTrue(readersReady.await(30, TimeUnit.SECONDS), "readers did not start");
        int passes = 0;
        while (passes < MAX_PASSES && failure.get() == null) {
            replay(table, script);
            passes++;
            if (passes >= 2 && minimum(lookups) >= TARGET_LOOKUPS_PER_READER) {
                break;
            }
        }
        done.set();
        for (final Thread reader : readers) {
            reader.join(TimeUnit.SECONDS.toMillis(60));
            assertFalse(reader.isAlive(), reader.getName() + " did not stop");
        }
        assertNull(failure.get(), "reader saw a peer it must not see");
        assertTrue(minimum(lookups) > 0, "every reader looked something up");

        // Quiescent now: the final table must equal the script replayed on a plain model.
        final AllowedIps<Peer> model = new AllowedIps<>();
        for (final Probe probe : probes) {
            if (probe.stableOwner() != null) {
                model.insert(probe.host(), probe.stableOwner());
            }
        }
        for (int i = 0; i < passes; i++) {
            replay(model, script);
        }
        assertEquals(model.size(), table.size());
        assertEquals(table.size(), table.verifyStructure());
        for (final Peer peer : churnPeers) {
            assertEquals(Set.copyOf(model.entriesOf(peer)), Set.copyOf(table.entriesOf(peer)), "entries of " + peer);
        }
        for (final Probe probe : probes) {
            final IpPrefix host = probe.host();
            assertSame(
                    host.isV4() ? model.lookupV4(host.v4Address()) : model.lookupV6(host.v6High(), host.v6Low()),
                    host.isV4() ? table.lookupV4(host.v4Address()) : table.lookupV6(host.v6High(), host.v6Low()),
                    "final lookup of " + host);
        }
    }

    private static void replay(final AllowedIps<Peer> table, final List<Op> script) {
        for (final Op op : script) {
            switch (op.kind()) {
                case Op.INSERT -> table.insert(op.prefix(), op.peer());
                case Op.REMOVE -> table.remove(op.prefix(), op.peer());
                case Op.REMOVE_PEER -> table.removeByPeer(op.peer());
                default -> throw new IllegalStateException("unknown op " + op.kind());
            }
        }
    }

    private static boolean allowed(final Probe probe, final Peer seen) {
        return seen == null || (seen.id < CHURN_PEERS && (probe.allowedPeers() & (1L << seen.id)) != 0);
    }

    private static boolean covers(final IpPrefix prefix, final IpPrefix host) {
        if (prefix.isV4() != host.isV4()) {
            return false;
        }
        return prefix.equals(
                host.isV4()
                        ? IpPrefix.ofV4(host.v4Address(), prefix.cidr())
                        : IpPrefix.ofV6(host.v6High(), host.v6Low(), prefix.cidr()));
    }

    /** A random long whose first {@code prefixBits} bits are zero. */
    private static long hostBits(final Random random, final int prefixBits) {
        return prefixBits >= 64 ? 0 : random.nextLong() >>> prefixBits;
    }

    private static long minimum(final AtomicLongArray values) {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < values.length(); i++) {
            min = Math.min(min, values.get(i));
        }
        return min;
    }

    /** A stop flag the writer raises once; readers poll it. */
    private static final class VolatileFlag {
        private volatile boolean raised;

        boolean get() {
            return raised;
        }

        void set() {
            raised = true;
        }
    }
}
