package io.ringguard.membership.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringguard.membership.swim.MemberState;
import io.ringguard.membership.swim.MembershipConfig;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** A partition splits the mesh; each side holds the other dead; after healing it merges again. */
class PartitionTest {
    @Test
    void shouldMergeAgainAfterAPartitionHeals() {
        int n = 20;
        Simulator sim = new Simulator(31, MembershipConfig.lan(), false);
        Simulator.Node seed = sim.addPublicNode();
        for (int i = 1; i < n; i++) {
            sim.join(sim.addPublicNode(), seed);
        }
        sim.runUntil(15_000);
        assertEquals(n, sim.convergedCount());
        for (int i = n / 2; i < n; i++) {
            sim.partition(sim.nodes.get(i), 1);
        }
        sim.runUntil(sim.nowMs + 60_000);
        for (Simulator.Node node : sim.nodes) {
            assertEquals(n / 2 - 1, node.engine.memberCount(MemberState.ALIVE), "own side alive");
            assertEquals(n / 2, node.engine.memberCount(MemberState.DEAD), "the other side dead");
        }
        for (Simulator.Node node : sim.nodes) {
            sim.partition(node, 0);
        }
        long healMs = sim.nowMs;
        while (sim.convergedCount() < n && sim.nowMs < healMs + 300_000) {
            sim.runUntil(sim.nowMs + 1_000);
        }
        System.out.printf(
                Locale.ROOT,
                "[sim] n=%d split in halves for 60 s: merged %.1f s after healing%n",
                n,
                (sim.nowMs - healMs) / 1000.0);
        assertEquals(n, sim.convergedCount(), "every node sees every other alive again");
    }
}
