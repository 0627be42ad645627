package io.ringguard.membership.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.membership.identity.Authenticator;
import io.ringguard.membership.identity.Ed25519Authenticator;
import io.ringguard.membership.identity.Endpoint;
import io.ringguard.membership.org.OrgMessage;
import io.ringguard.membership.org.OrgRegistry;
import io.ringguard.membership.swim.DropReason;
import io.ringguard.membership.swim.MemberState;
import io.ringguard.membership.swim.MembershipConfig;
import io.ringguard.membership.wire.MemberRecord;
import io.ringguard.membership.wire.MessageType;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Attacks on the protocol, with real Ed25519 everywhere. Each test names the hardening it pins. */
class AttackTest {
    private static Simulator cluster(int n, MembershipConfig config) {
        Simulator sim = new Simulator(11, config, true);
        Simulator.Node seed = sim.addPublicNode();
        for (int i = 1; i < n; i++) {
            sim.join(sim.addPublicNode(), seed);
        }
        sim.runUntil(8_000);
        assertEquals(n, sim.convergedCount(), "cluster formed");
        return sim;
    }

    private static byte[] gossip(Authenticator signer, Simulator.Node claimed, long epoch, long seq, Forge.Item item) {
        return Forge.frame(signer, claimed.key(), epoch, seq, MessageType.GOSSIP, new byte[0], List.of(item));
    }

    @Test
    void shouldDropForgedFrames() {
        Simulator sim = cluster(4, MembershipConfig.lan());
        Simulator.Node a = sim.nodes.get(0);
        Simulator.Node b = sim.nodes.get(1);
        Simulator.Node victim = sim.nodes.get(2);
        long before = a.engine.drops(DropReason.BAD_SIGNATURE);
        Authenticator attacker = Ed25519Authenticator.generate();
        byte[] forged =
                gossip(attacker, b, 9, 1_000_000, Forge.claim(victim.key(), MemberRecord.STATE_DEAD, Long.MAX_VALUE));
        sim.inject(b.endpoint, a.endpoint, forged);
        sim.runUntil(sim.nowMs + 100);
        assertEquals(before + 1, a.engine.drops(DropReason.BAD_SIGNATURE));
        assertEquals(MemberState.ALIVE, a.engine.member(victim.key()).state());
    }

    @Test
    void shouldDropUnsignedFrames() {
        Simulator sim = cluster(4, MembershipConfig.lan());
        Simulator.Node a = sim.nodes.get(0);
        Simulator.Node b = sim.nodes.get(1);
        long before = a.engine.drops(DropReason.BAD_SIGNATURE);
        byte[] unsigned =
                gossip(null, b, 9, 1_000_000, Forge.claim(sim.nodes.get(2).key(), MemberRecord.STATE_DEAD, 1));
        sim.inject(b.endpoint, a.endpoint, unsigned);
        sim.runUntil(sim.nowMs + 100);
        assertEquals(before + 1, a.engine.drops(DropReason.BAD_SIGNATURE));
        assertEquals(MemberState.ALIVE, a.engine.member(sim.nodes.get(2).key()).state());
    }

    @Test
    void shouldDropReplayedFrames() {
        Simulator sim = cluster(4, MembershipConfig.lan());
        Simulator.Node a = sim.nodes.get(0);
        Simulator.Node b = sim.nodes.get(1);
        sim.captureFrom = b;
        sim.runUntil(sim.nowMs + 5_000);
        sim.captureFrom = null;
        List<byte[]> toA = new ArrayList<>();
        for (int i = 0; i < sim.captured.size(); i++) {
            if (sim.capturedTo.get(i).equals(a.endpoint)) {
                toA.add(sim.captured.get(i));
            }
        }
        assertFalse(toA.isEmpty(), "b talked to a");
        long before = a.engine.drops(DropReason.REPLAY);
        for (byte[] frame : toA) {
            sim.inject(b.endpoint, a.endpoint, frame);
        }
        sim.runUntil(sim.nowMs + 100);
        assertEquals(before + toA.size(), a.engine.drops(DropReason.REPLAY));
    }

    /** A compromised member keeps saying "dead" about a live node: only suspicion, never dead. */
    @Test
    void shouldOnlySuspectWhenAThirdPartyRelaysDeadAboutALiveNode() {
        Simulator sim = cluster(5, MembershipConfig.lan());
        Simulator.Node a = sim.nodes.get(0);
        Simulator.Node victim = sim.nodes.get(2);
        Simulator.Node liar = sim.nodes.get(4);
        sim.crash(liar);
        long seq = 1;
        boolean sawSuspect = false;
        for (int round = 0; round < 30; round++) {
            for (Simulator.Node target : sim.nodes) {
                if (target != liar && target != victim) {
                    byte[] f = gossip(
                            liar.auth,
                            liar,
                            2,
                            seq++,
                            Forge.claim(victim.key(), MemberRecord.STATE_DEAD, victim.engine.incarnation()));
                    sim.inject(liar.endpoint, target.endpoint, f);
                }
            }
            sim.runUntil(sim.nowMs + 20);
            sawSuspect |= a.engine.member(victim.key()).state() == MemberState.SUSPECT;
            sim.runUntil(sim.nowMs + 980);
        }
        sim.runUntil(sim.nowMs + 10_000);
        assertTrue(sawSuspect, "the claim made the victim suspect locally");
        assertTrue(sim.deadVerdicts.stream().noneMatch(v -> v.subject().equals(victim.key())), "never dead");
        for (Simulator.Node n : sim.nodes) {
            if (n != liar && n != victim) {
                assertEquals(MemberState.ALIVE, n.engine.member(victim.key()).state());
            }
        }
    }

    /** Our own failed probe raised the suspicion; a refutation by gossip must not clear it. */
    @Test
    void shouldNotLetGossipClearOurOwnSuspicion() {
        Harness h = new Harness(MembershipConfig.lan());
        Harness.Peer b = h.introduce(h.newPeer());
        Harness.Peer c = h.introduce(h.newPeer());
        for (int i = 0; i < 100 && h.engine.member(b.key()).state() != MemberState.SUSPECT; i++) {
            h.advance(1_000);
        }
        assertEquals(MemberState.SUSPECT, h.engine.member(b.key()).state(), "no acks: our detector suspects b");
        b.incarnation++;
        h.deliver(c, MessageType.GOSSIP, new byte[0], List.of(Forge.alive(b.auth, b.incarnation, b.endpoint, b.vouch)));
        assertEquals(b.incarnation, h.engine.member(b.key()).incarnation(), "the refutation was accepted");
        assertEquals(MemberState.SUSPECT, h.engine.member(b.key()).state(), "but gossip did not clear our suspicion");
        // Only our own probe reaching b clears it; suspects are probed again first.
        h.sent.clear();
        for (int i = 0; i < 70 && h.lastPingSeqTo(b) < 0; i++) {
            h.advance(50);
        }
        assertEquals(MemberState.SUSPECT, h.engine.member(b.key()).state());
        int seq = h.lastPingSeqTo(b);
        assertTrue(seq > 0, "we probe the suspect ourselves");
        h.deliver(b, MessageType.ACK, Harness.ackBody(seq), List.of());
        assertEquals(MemberState.ALIVE, h.engine.member(b.key()).state());
    }

    @Test
    void shouldNeverResurrectARevokedNode() {
        Harness h = new Harness(MembershipConfig.lan());
        Harness.Peer b = h.introduce(h.newPeer());
        Harness.Peer c = h.introduce(h.newPeer());
        assertNotNull(h.engine.member(b.key()));
        assertEquals(
                OrgRegistry.Result.APPLIED, h.engine.submitOrgMessage(OrgMessage.revoke(h.org, b.key(), 2), h.nowMs));
        assertNull(h.engine.member(b.key()), "revocation removes the member");
        long revokedDrops = h.engine.drops(DropReason.REVOKED);
        h.deliver(c, MessageType.GOSSIP, new byte[0], List.of(Forge.alive(b.auth, 1_000, b.endpoint, b.vouch)));
        h.deliver(b, MessageType.GOSSIP, new byte[0], List.of(Forge.alive(b.auth, 2_000, b.endpoint, b.vouch)));
        assertTrue(h.engine.drops(DropReason.REVOKED) >= revokedDrops + 2);
        OrgMessage newerVouch = OrgMessage.vouch(h.org, b.key(), 9_999);
        assertEquals(OrgRegistry.Result.REVOKED, h.engine.submitOrgMessage(newerVouch, h.nowMs));
        h.deliver(c, MessageType.GOSSIP, new byte[0], List.of(Forge.alive(b.auth, 3_000, b.endpoint, newerVouch)));
        assertNull(h.engine.member(b.key()), "neither gossip nor a newer vouch brings it back");
    }

    @Test
    void shouldCapTheTableAndReclaimNonAliveEntriesFirst() {
        Harness h = new Harness(MembershipConfig.lan().withMaxMembers(4));
        List<Harness.Peer> live = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            live.add(h.introduce(h.newPeer()));
        }
        long fullDrops = h.engine.drops(DropReason.TABLE_FULL);
        for (int i = 0; i < 20; i++) {
            h.introduce(h.newPeer());
        }
        assertEquals(fullDrops + 20, h.engine.drops(DropReason.TABLE_FULL), "alive members are never evicted");
        assertEquals(4, h.engine.memberCount());
        for (Harness.Peer p : live) {
            assertEquals(MemberState.ALIVE, h.engine.member(p.key()).state());
        }
        // One member leaves (self-signed): its slot is the one a newcomer may take.
        Harness.Peer leaver = live.get(0);
        UnsafeBuffer rec = new UnsafeBuffer(new byte[MemberRecord.LEFT_LENGTH]);
        MemberRecord.writeLeft(rec, 0, leaver.auth, leaver.incarnation);
        h.deliver(leaver, MessageType.GOSSIP, new byte[0], List.of(new Forge.Item(1, rec.byteArray())));
        assertEquals(MemberState.LEFT, h.engine.member(leaver.key()).state());
        Harness.Peer newcomer = h.introduce(h.newPeer());
        assertNotNull(h.engine.member(newcomer.key()));
        assertNull(h.engine.member(leaver.key()));
        for (int i = 1; i < 4; i++) {
            assertEquals(MemberState.ALIVE, h.engine.member(live.get(i).key()).state());
        }
        assertEquals(4, h.engine.memberCount());
    }

    /** Claims at the maximum incarnation neither exhaust the victim's incarnations nor evict it. */
    @Test
    void shouldSurviveMaximumIncarnationClaims() {
        MembershipConfig config = MembershipConfig.lan();
        Simulator sim = new Simulator(12, config, true);
        Simulator.Node seed = sim.addPublicNode();
        sim.nextInitialIncarnation = Long.MAX_VALUE - 1;
        Simulator.Node atMax = sim.addPublicNode();
        sim.nextInitialIncarnation = 1;
        Simulator.Node victim = sim.addPublicNode();
        Simulator.Node other = sim.addPublicNode();
        Simulator.Node liar = sim.addPublicNode();
        for (Simulator.Node n : List.of(atMax, victim, other, liar)) {
            sim.join(n, seed);
        }
        sim.runUntil(8_000);
        assertEquals(5, sim.convergedCount());
        sim.crash(liar);
        long victimStart = victim.engine.incarnation();
        long seq = 1;
        for (int round = 0; round < 40; round++) {
            for (Simulator.Node target : List.of(seed, atMax, victim, other)) {
                for (Simulator.Node subject : List.of(atMax, victim)) {
                    byte[] f = gossip(
                            liar.auth,
                            liar,
                            2,
                            seq++,
                            Forge.claim(subject.key(), MemberRecord.STATE_SUSPECT, Long.MAX_VALUE));
                    sim.inject(liar.endpoint, target.endpoint, f);
                }
            }
            sim.runUntil(sim.nowMs + 500);
        }
        sim.runUntil(sim.nowMs + 15_000);
        assertTrue(
                victim.engine.incarnation() - victimStart <= 200,
                "one refutation per claim at most, not a jump to max");
        assertTrue(victim.engine.incarnation() < Long.MAX_VALUE);
        assertEquals(Long.MAX_VALUE, atMax.engine.incarnation(), "saturates instead of wrapping");
        for (Simulator.Verdict v : sim.deadVerdicts) {
            assertFalse(v.subject().equals(victim.key()) || v.subject().equals(atMax.key()), "no eviction: " + v);
        }
        for (Simulator.Node n : List.of(seed, other)) {
            assertEquals(MemberState.ALIVE, n.engine.member(victim.key()).state());
            assertEquals(MemberState.ALIVE, n.engine.member(atMax.key()).state());
        }
    }

    /** A push-pull header claiming 65,535 members (16 MB of records) in a short frame. */
    @Test
    void shouldNotAllocateForAHugeClaimedPushPullSize() {
        Harness h = new Harness(MembershipConfig.lan());
        Harness.Peer b = h.introduce(h.newPeer());
        byte[] fixed = new byte[MessageType.fixedLength(MessageType.PUSH_PULL) + 1 + 10];
        UnsafeBuffer f = new UnsafeBuffer(fixed);
        f.putShort(MessageType.PUSH_PULL_TOTAL_OFFSET, (short) 0xFFFF, java.nio.ByteOrder.BIG_ENDIAN);
        fixed[MessageType.fixedLength(MessageType.PUSH_PULL)] = (byte) 32;
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long malformed = h.engine.drops(DropReason.MALFORMED);
        int rounds = 200;
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            frames.add(Forge.frame(b.auth, b.key(), 1, ++b.sequence, MessageType.PUSH_PULL, fixed, null));
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (byte[] frame : frames) {
            h.deliverRaw(b.endpoint, frame);
        }
        long allocatedPerFrame = (threads.getCurrentThreadAllocatedBytes() - before) / rounds;
        System.out.printf(
                "[sim] huge claimed push-pull: %d bytes allocated per frame (claimed %d)%n",
                allocatedPerFrame, 0xFFFF * MemberRecord.aliveLength(1));
        assertEquals(malformed + rounds, h.engine.drops(DropReason.MALFORMED));
        assertTrue(allocatedPerFrame < 1024, "no allocation for the claimed size: " + allocatedPerFrame);
        assertEquals(MemberState.ALIVE, h.engine.member(b.key()).state());
    }

    @Test
    void shouldKeepProcessingAfterAMalformedDatagram() {
        Harness h = new Harness(MembershipConfig.lan());
        Harness.Peer b = h.introduce(h.newPeer());
        Harness.Peer c = h.newPeer();
        byte[] good = Forge.frame(
                b.auth,
                b.key(),
                1,
                ++b.sequence,
                MessageType.GOSSIP,
                new byte[0],
                List.of(Forge.alive(c.auth, 1, c.endpoint, c.vouch)));
        long malformed = h.engine.drops(DropReason.MALFORMED);
        h.deliverRaw(b.endpoint, java.util.Arrays.copyOf(good, good.length - 1));
        h.deliverRaw(b.endpoint, java.util.Arrays.copyOf(good, good.length + 7));
        assertEquals(malformed + 2, h.engine.drops(DropReason.MALFORMED));
        assertNull(h.engine.member(c.key()));
        h.deliverRaw(b.endpoint, good);
        assertNotNull(h.engine.member(c.key()), "the next well-formed frame is processed normally");
    }

    /** A member floods 1,000 made-up identities: none admitted, table bounded, no live node lost. */
    @Test
    void shouldBoundMemoryUnderAFloodOfFakeMembers() {
        Simulator sim = cluster(4, MembershipConfig.lan().withMaxMembers(16));
        Simulator.Node liar = sim.nodes.get(3);
        sim.crash(liar);
        Simulator.Node a = sim.nodes.get(0);
        long notVouched = a.engine.drops(DropReason.NOT_VOUCHED);
        byte[] bogusVouch = new byte[64];
        long seq = 1;
        for (int frame = 0; frame < 250; frame++) {
            List<Forge.Item> fakes = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Authenticator fake = Ed25519Authenticator.generate();
                fakes.add(Forge.alive(fake, 1, Endpoint.ipv4(0xC6130000 + frame * 4 + i, 51821), 1, bogusVouch));
            }
            sim.inject(
                    liar.endpoint,
                    a.endpoint,
                    Forge.frame(liar.auth, liar.key(), 2, seq++, MessageType.GOSSIP, new byte[0], fakes));
            sim.runUntil(sim.nowMs + 50);
        }
        sim.runUntil(sim.nowMs + 5_000);
        assertEquals(notVouched + 1000, a.engine.drops(DropReason.NOT_VOUCHED));
        assertTrue(a.engine.memberCount() <= 16);
        for (int i = 1; i < 3; i++) {
            assertEquals(
                    MemberState.ALIVE, a.engine.member(sim.nodes.get(i).key()).state());
        }
    }
}
