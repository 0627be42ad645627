package io.ringguard.membership.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringguard.membership.swim.MembershipConfig;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void shouldConvergeFiveNodesWithEd25519() {
        Simulator sim = new Simulator(1, MembershipConfig.lan(), true);
        Simulator.Node seed = sim.addPublicNode();
        for (int i = 0; i < 4; i++) {
            sim.join(sim.addPublicNode(), seed);
        }
        for (int t = 0; t < 20; t++) {
            sim.runUntil(1000L * (t + 1));
            StringBuilder line = new StringBuilder("t=" + t + " ");
            for (Simulator.Node n : sim.nodes) {
                line.append(n.id)
                        .append(":")
                        .append(n.engine.incarnation())
                        .append("/q")
                        .append(n.engine.pendingBroadcasts())
                        .append("[");
                for (var v : n.engine.members()) {
                    line.append(sim.node(v.nodeKey()).id)
                            .append("@")
                            .append(v.incarnation())
                            .append(' ');
                }
                line.append("] ");
            }
            System.out.println(line);
        }
        for (Simulator.Node n : sim.nodes) {
            StringBuilder d = new StringBuilder();
            for (io.ringguard.membership.swim.DropReason r : io.ringguard.membership.swim.DropReason.values()) {
                if (n.engine.drops(r) > 0) {
                    d.append(r).append('=').append(n.engine.drops(r)).append(' ');
                }
            }
            StringBuilder incs = new StringBuilder();
            for (var v : n.engine.members()) {
                incs.append(v.incarnation()).append(',');
            }
            System.out.println(n.id + " inc " + n.engine.incarnation() + " sees " + incs + " frames " + n.framesOut
                    + " drops " + d);
        }
        assertEquals(5, sim.convergedCount());
    }
}
