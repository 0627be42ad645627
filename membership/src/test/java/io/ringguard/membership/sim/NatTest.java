package io.ringguard.membership.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.membership.swim.MemberState;
import io.ringguard.membership.swim.MemberView;
import io.ringguard.membership.swim.MembershipConfig;
import io.ringguard.membership.swim.Path;
import java.util.Locale;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** NAT traversal on the simulator with real Ed25519: a public seed and two NATed gateways. */
class NatTest {
    private static Simulator sim;

    private static Simulator.Node[] mesh(boolean aSymmetric, boolean bSymmetric) {
        sim = new Simulator(21, MembershipConfig.lan(), true);
        Simulator.Node seed = sim.addPublicNode();
        Simulator.Node a = sim.addNatNode(aSymmetric);
        Simulator.Node b = sim.addNatNode(bSymmetric);
        sim.join(a, seed);
        sim.join(b, seed);
        return new Simulator.Node[] {seed, a, b};
    }

    private static long runUntilPath(Simulator.Node from, Simulator.Node to, Path path, long limitMs) {
        long start = sim.nowMs;
        while (sim.nowMs - start < limitMs) {
            sim.runUntil(sim.nowMs + 100);
            MemberView v = from.engine.member(to.key());
            if (v != null && v.path() == path && v.state() == MemberState.ALIVE) {
                return sim.nowMs - start;
            }
        }
        return -1;
    }

    @Test
    void shouldPunchADirectPathBetweenEndpointIndependentNats() {
        Simulator.Node[] n = mesh(false, false);
        Simulator.Node a = n[1];
        Simulator.Node b = n[2];
        long tookMs = runUntilPath(a, b, Path.DIRECT, 30_000);
        long backMs = runUntilPath(b, a, Path.DIRECT, 5_000);
        System.out.printf(Locale.ROOT, "[sim] EIM NAT <-> EIM NAT: direct after %.1f s%n", tookMs / 1000.0);
        assertTrue(tookMs >= 0 && backMs >= 0, "both sides direct");
        assertEquals(a.nat.publicIp, (int) a.engine.observedEndpoint().lo(), "a learned its public mapping");
        assertEquals(a.engine.observedEndpoint(), b.engine.member(a.key()).observedEndpoint(), "and gossiped it");
        sim.runUntil(sim.nowMs + 20_000);
        assertEquals(Path.DIRECT, a.engine.member(b.key()).path(), "stays direct");
        assertTrue(sim.deadVerdicts.isEmpty());
    }

    @Test
    void shouldFallBackToARelayBehindASymmetricNatAndUpgradeWhenALaterPunchSucceeds() {
        Simulator.Node[] n = mesh(true, false);
        Simulator.Node seed = n[0];
        Simulator.Node a = n[1];
        Simulator.Node b = n[2];
        long relayMs = runUntilPath(a, b, Path.RELAY, 30_000);
        sim.runUntil(sim.nowMs + 10_000);
        MemberView ab = a.engine.member(b.key());
        MemberView ba = b.engine.member(a.key());
        System.out.printf(Locale.ROOT, "[sim] symmetric NAT <-> EIM NAT: relay after %.1f s%n", relayMs / 1000.0);
        assertEquals(Path.RELAY, ab.path(), "punching cannot work through a symmetric NAT");
        assertEquals(seed.key(), ab.relayVia());
        assertEquals(Path.RELAY, ba.path());
        assertEquals(MemberState.ALIVE, ab.state(), "relayed probes keep it alive");
        byte[] payload = "wireguard packet".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertTrue(a.engine.sendRelayedData(b.key(), new UnsafeBuffer(payload), 0, payload.length));
        sim.runUntil(sim.nowMs + 200);
        assertEquals(1, b.relayedData.size());
        assertEquals(
                new String(payload, java.nio.charset.StandardCharsets.US_ASCII),
                new String(b.relayedData.get(0), java.nio.charset.StandardCharsets.US_ASCII));

        // The NAT is replaced by an endpoint-independent one: a later punch round upgrades the path.
        a.nat.reconfigure(false);
        long upgradeMs = runUntilPath(a, b, Path.DIRECT, 90_000);
        long backMs = runUntilPath(b, a, Path.DIRECT, 10_000);
        System.out.printf(Locale.ROOT, "[sim] after the NAT became EIM: direct after %.1f s%n", upgradeMs / 1000.0);
        assertTrue(upgradeMs >= 0 && backMs >= 0, "upgraded to direct both ways");
        assertTrue(sim.deadVerdicts.isEmpty(), "no false dead verdicts: " + sim.deadVerdicts);
    }
}
