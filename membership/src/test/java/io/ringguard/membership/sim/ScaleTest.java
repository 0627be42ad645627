package io.ringguard.membership.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.membership.swim.MembershipConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Fleet-scale runs on the simulator with the cheap stand-in authenticator (see the README: the
 * protocol is the same, only the signature math is skipped). Each test prints its measurements
 * with a {@code [sim]} prefix so that the README's numbers can be reproduced.
 */
class ScaleTest {
    static final long JOIN_SPACING_MS = 20;

    /** Builds {@code n} public nodes joining node 0 every 20 ms and runs until all converge. */
    static Simulator converged(int n, long seed, long limitMs) {
        Simulator sim = new Simulator(seed, MembershipConfig.lan(), false);
        Simulator.Node first = sim.addPublicNode();
        for (int i = 1; i < n; i++) {
            sim.runUntil(sim.nowMs + JOIN_SPACING_MS);
            sim.join(sim.addPublicNode(), first);
        }
        long joinsDoneMs = sim.nowMs;
        while (sim.convergedCount() < n && sim.nowMs < joinsDoneMs + limitMs) {
            sim.runUntil(sim.nowMs + 1000);
        }
        System.out.printf(
                Locale.ROOT,
                "[sim] n=%d joins over %.1f s, converged %.1f s after the last join (%d/%d nodes see all alive)%n",
                n,
                joinsDoneMs / 1000.0,
                (sim.nowMs - joinsDoneMs) / 1000.0,
                sim.convergedCount(),
                n);
        return sim;
    }

    @Test
    void shouldConvergeThousandNodesAndDeclareACrashedNodeDeadEverywhereWithinTheBound() {
        int n = 1000;
        Simulator sim = converged(n, 7, 120_000);
        assertEquals(n, sim.convergedCount(), "every node sees every other alive");

        Simulator.Node victim = sim.nodes.get(n / 2);
        long crashMs = sim.nowMs;
        sim.crash(victim);
        long boundMs = crashBoundMs(n, MembershipConfig.lan());
        List<Long> detection = new ArrayList<>();
        while (sim.nowMs < crashMs + boundMs + 30_000) {
            sim.runUntil(sim.nowMs + 1000);
            detection.clear();
            for (Simulator.Verdict v : sim.deadVerdicts) {
                if (v.subject().equals(victim.key())) {
                    detection.add(v.atMs() - crashMs);
                }
            }
            if (detection.size() == n - 1) {
                break;
            }
        }
        Collections.sort(detection);
        assertEquals(n - 1, detection.size(), "every live member declared the crashed node dead");
        long falseDead = sim.deadVerdicts.stream()
                .filter(v -> !v.subject().equals(victim.key()))
                .count();
        System.out.printf(
                Locale.ROOT,
                "[sim] n=%d crash: first dead verdict %.1f s, median %.1f s, last %.1f s (bound %.1f s), false dead %d%n",
                n,
                detection.get(0) / 1000.0,
                detection.get(detection.size() / 2) / 1000.0,
                detection.get(detection.size() - 1) / 1000.0,
                boundMs / 1000.0,
                falseDead);
        assertTrue(detection.get(detection.size() - 1) <= boundMs, "last verdict within the stated bound");
        assertEquals(0, falseDead);
    }

    /**
     * The bound we state: the crash is noticed by some member within ~2 probe intervals, the
     * suspicion reaches everyone in O(log N) gossip rounds, each member probes it itself at once,
     * and the Lifeguard timeout is at most SuspicionMaxTimeoutMult * SuspicionMult * log10(N) *
     * ProbeInterval; confirmations from several members usually bring it down to the minimum.
     */
    static long crashBoundMs(int n, MembershipConfig c) {
        long min = (long) (c.suspicionMult() * Math.log10(n) * c.probeIntervalMs());
        return 2 * c.probeIntervalMs() + 2 * min;
    }
}
