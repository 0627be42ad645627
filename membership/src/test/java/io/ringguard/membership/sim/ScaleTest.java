package io.ringguard.membership.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.membership.swim.MemberState;
import io.ringguard.membership.swim.MembershipConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Fleet-scale runs on the simulator with the cheap stand-in authenticator (the protocol is the
 * same; only the signature arithmetic is skipped, see the README). Each test prints what it
 * measured with a {@code [sim]} prefix so that the README's numbers can be reproduced.
 */
class ScaleTest {
    static final long JOIN_SPACING_MS = 20;
    static final long LOAD_WINDOW_MS = 30_000;
    static final long DRAIN_LIMIT_MS = 150_000;

    static long pending(Simulator sim) {
        long p = 0;
        for (Simulator.Node node : sim.nodes) {
            p += node.engine.pendingBroadcasts();
        }
        return p;
    }

    /** A converged cluster and the per-node load measured on it before anything else happened. */
    record Cluster(Simulator sim, double framesPerNodePerSecond, double bytesPerNodePerSecond) {}

    private static Cluster thousand;

    static synchronized Cluster thousand() {
        if (thousand == null) {
            thousand = converged(1000, 7, 240_000);
        }
        return thousand;
    }

    /**
     * {@code n} public nodes join node 0, one every 20 ms; runs until every node sees every other
     * alive, then measures frames and bytes sent per node per second over 30 s.
     */
    static Cluster converged(int n, long seed, long limitMs) {
        Simulator sim = new Simulator(seed, MembershipConfig.lan(), false);
        Simulator.Node first = sim.addPublicNode();
        for (int i = 1; i < n; i++) {
            sim.runUntil(sim.nowMs + JOIN_SPACING_MS);
            sim.join(sim.addPublicNode(), first);
        }
        long joinsDoneMs = sim.nowMs;
        long halfMs = -1;
        while (sim.convergedCount() < n && sim.nowMs < joinsDoneMs + limitMs) {
            sim.runUntil(sim.nowMs + 1000);
            if (halfMs < 0 && sim.convergedCount() >= n / 2) {
                halfMs = sim.nowMs - joinsDoneMs;
            }
        }
        assertEquals(n, sim.convergedCount(), "every node sees every other alive");
        long convergedMs = sim.nowMs - joinsDoneMs;
        // Steady state: the join wave's updates have used up their retransmissions.
        while (pending(sim) > 0 && sim.nowMs < joinsDoneMs + convergedMs + DRAIN_LIMIT_MS) {
            sim.runUntil(sim.nowMs + 1000);
        }
        long drainedMs = sim.nowMs - joinsDoneMs;
        long stillPending = pending(sim);
        long frames = 0;
        long bytes = 0;
        for (Simulator.Node node : sim.nodes) {
            frames -= node.framesOut;
            bytes -= node.bytesOut;
        }
        sim.runUntil(sim.nowMs + LOAD_WINDOW_MS);
        for (Simulator.Node node : sim.nodes) {
            frames += node.framesOut;
            bytes += node.bytesOut;
        }
        double seconds = LOAD_WINDOW_MS / 1000.0;
        Cluster c = new Cluster(sim, frames / (double) n / seconds, bytes / (double) n / seconds);
        System.out.printf(
                Locale.ROOT,
                "[sim] n=%d: joins over %.1f s; half converged %.1f s and all %.1f s after the last join;"
                        + " queues drained at %.1f s (%d left); then %.1f frames and %.0f bytes sent per node per"
                        + " second%n",
                n,
                joinsDoneMs / 1000.0,
                Math.max(halfMs, 0) / 1000.0,
                convergedMs / 1000.0,
                drainedMs / 1000.0,
                stillPending,
                c.framesPerNodePerSecond(),
                c.bytesPerNodePerSecond());
        assertEquals(0, sim.deadVerdicts.size(), "no dead verdicts while forming");
        return c;
    }

    @Test
    void shouldConvergeThousandNodesAndDeclareACrashedNodeDeadEverywhereWithinTheBound() {
        Simulator sim = thousand().sim();
        int n = sim.nodes.size();
        Simulator.Node victim = sim.nodes.get(n / 2);
        long crashMs = sim.nowMs;
        long verdictsBefore = sim.deadVerdicts.size();
        sim.crash(victim);
        long boundMs = crashBoundMs(n, MembershipConfig.lan());
        List<Long> detection = new ArrayList<>();
        while (sim.nowMs < crashMs + boundMs + 30_000 && detection.size() < n - 1) {
            sim.runUntil(sim.nowMs + 1000);
            detection.clear();
            for (Simulator.Verdict v : sim.deadVerdicts) {
                if (v.subject().equals(victim.key())) {
                    detection.add(v.atMs() - crashMs);
                }
            }
        }
        Collections.sort(detection);
        assertEquals(n - 1, detection.size(), "every live member declared the crashed node dead");
        long falseDead = sim.deadVerdicts.size() - verdictsBefore - detection.size();
        System.out.printf(
                Locale.ROOT,
                "[sim] n=%d crash: first dead verdict %.1f s, median %.1f s, last %.1f s after the crash"
                        + " (stated bound %.1f s); other dead verdicts %d%n",
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
     * The bound we state: some member probes the crashed node within ~2 probe intervals; its
     * suspicion reaches everyone in O(log N) gossip rounds and each of them probes the node itself at
     * once (suspects first); Lifeguard's timeout then runs between SuspicionMult * log10(N) *
     * ProbeInterval and SuspicionMaxTimeoutMult times that, and confirmations from many members pull
     * it to the minimum. Stated bound: 2 probe intervals + 2 x the minimum timeout.
     */
    static long crashBoundMs(int n, MembershipConfig c) {
        long min = (long) (c.suspicionMult() * Math.log10(n) * c.probeIntervalMs());
        return 2 * c.probeIntervalMs() + 2 * min;
    }

    @Test
    void shouldKeepPerNodeMessageLoadLogarithmicInClusterSize() {
        Cluster c100 = converged(100, 5, 120_000);
        Cluster c300 = converged(300, 6, 120_000);
        Cluster c1000 = thousand();
        double perLog100 = c100.framesPerNodePerSecond() / Math.log10(100);
        double perLog300 = c300.framesPerNodePerSecond() / Math.log10(300);
        double perLog1000 = c1000.framesPerNodePerSecond() / Math.log10(1000);
        System.out.printf(
                Locale.ROOT,
                "[sim] frames per node per second / log10(N): n=100 %.2f, n=300 %.2f, n=1000 %.2f%n",
                perLog100,
                perLog300,
                perLog1000);
        // O(log N): the load divided by log10(N) must not grow with N (10% slack for noise).
        assertTrue(perLog300 <= perLog100 * 1.1, "300 vs 100");
        assertTrue(perLog1000 <= perLog100 * 1.1, "1000 vs 100");
    }

    @Test
    void shouldNeverDeclareALiveNodeDeadAtTenPercentLoss() {
        Simulator sim = converged(100, 9, 120_000).sim();
        sim.lossRate = 0.10;
        long suspicionsBefore = sim.suspicions;
        long runMs = 600_000;
        sim.runUntil(sim.nowMs + runMs);
        sim.lossRate = 0;
        sim.runUntil(sim.nowMs + 30_000);
        System.out.printf(
                Locale.ROOT,
                "[sim] n=100, 10%% loss for %d s: %d suspicions raised and refuted, %d dead verdicts%n",
                runMs / 1000,
                sim.suspicions - suspicionsBefore,
                sim.deadVerdicts.size());
        assertEquals(0, sim.deadVerdicts.size(), "zero false dead verdicts");
        assertEquals(100, sim.convergedCount());
    }

    /** The same at small scale with real Ed25519 signatures on every frame. */
    @Test
    void shouldNeverDeclareALiveNodeDeadAtTenPercentLossWithEd25519() {
        Simulator sim = new Simulator(10, MembershipConfig.lan(), true);
        Simulator.Node seed = sim.addPublicNode();
        for (int i = 1; i < 10; i++) {
            sim.join(sim.addPublicNode(), seed);
        }
        sim.runUntil(10_000);
        assertEquals(10, sim.convergedCount());
        sim.lossRate = 0.10;
        sim.runUntil(sim.nowMs + 180_000);
        sim.lossRate = 0;
        sim.runUntil(sim.nowMs + 20_000);
        System.out.printf(
                Locale.ROOT,
                "[sim] n=10 Ed25519, 10%% loss for 180 s: %d suspicions, %d dead verdicts%n",
                sim.suspicions,
                sim.deadVerdicts.size());
        assertEquals(0, sim.deadVerdicts.size());
        for (Simulator.Node node : sim.nodes) {
            assertEquals(9, node.engine.memberCount(MemberState.ALIVE));
        }
    }
}
