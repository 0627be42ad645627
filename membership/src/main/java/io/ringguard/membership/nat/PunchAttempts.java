package io.ringguard.membership.nat;

import io.ringguard.membership.identity.Endpoint;
import io.ringguard.membership.identity.NodeKey;
import java.util.ArrayList;
import java.util.List;

/**
 * Pending coordinated hole-punch attempts, at most one per target and at most {@code capacity} in
 * all: a second dial to the same target joins the first (deduplication), a full table refuses new
 * ones, and {@link #reapStale} removes attempts older than the timeout. The engine's thread only.
 */
public final class PunchAttempts {
    /** One attempt to open a direct path to {@code target}. */
    public static final class Attempt {
        public final NodeKey target;
        public final long roundId;
        public final long startMs;
        public NodeKey via;
        public Endpoint endpoint;
        public long lastSendMs = Long.MIN_VALUE;
        public int sent;

        Attempt(NodeKey target, long roundId, long startMs, NodeKey via, Endpoint endpoint) {
            this.target = target;
            this.roundId = roundId;
            this.startMs = startMs;
            this.via = via;
            this.endpoint = endpoint;
        }
    }

    private final int capacity;
    private final List<Attempt> attempts = new ArrayList<>();
    private long deduplicated;
    private long refused;

    public PunchAttempts(int capacity) {
        this.capacity = capacity;
    }

    /**
     * The deterministic id of a punch round between two nodes: both sides compute the same value in
     * the same time slot, so crossing dials name one round.
     */
    public static long roundId(NodeKey a, NodeKey b, long slot) {
        NodeKey lo = a.compareTo(b) <= 0 ? a : b;
        NodeKey hi = lo == a ? b : a;
        long h = lo.mix() * 31 + hi.mix();
        h ^= slot * 0x9E3779B97F4A7C15L;
        h *= 0xBF58476D1CE4E5B9L;
        return h ^ (h >>> 29);
    }

    public Attempt get(NodeKey target) {
        for (int i = 0, n = attempts.size(); i < n; i++) {
            Attempt a = attempts.get(i);
            if (a.target.equals(target)) {
                return a;
            }
        }
        return null;
    }

    /** Starts an attempt, or returns the one already pending for the target; null when full. */
    public Attempt start(NodeKey target, long roundId, long nowMs, NodeKey via, Endpoint endpoint) {
        Attempt existing = get(target);
        if (existing != null) {
            deduplicated++;
            if (endpoint != null && !endpoint.isNone()) {
                existing.endpoint = endpoint;
            }
            return existing;
        }
        if (attempts.size() >= capacity) {
            refused++;
            return null;
        }
        Attempt a = new Attempt(target, roundId, nowMs, via, endpoint);
        attempts.add(a);
        return a;
    }

    public void complete(NodeKey target) {
        attempts.removeIf(a -> a.target.equals(target));
    }

    /** Moves attempts started before {@code nowMs - timeoutMs} into {@code out} and forgets them. */
    public void reapStale(long nowMs, long timeoutMs, List<Attempt> out) {
        for (int i = attempts.size() - 1; i >= 0; i--) {
            Attempt a = attempts.get(i);
            if (nowMs - a.startMs >= timeoutMs) {
                out.add(a);
                attempts.remove(i);
            }
        }
    }

    public int size() {
        return attempts.size();
    }

    public Attempt at(int index) {
        return attempts.get(index);
    }

    public long deduplicated() {
        return deduplicated;
    }

    public long refused() {
        return refused;
    }
}
