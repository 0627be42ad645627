package io.ringguard.membership.nat;

import io.ringguard.membership.identity.Endpoint;

/**
 * Learns this node's observed (public) endpoint from what members report in their acks: the
 * endpoint most of the last {@value #WINDOW} reports name wins, and it changes only when another
 * endpoint has strictly more votes. Behind an endpoint-independent NAT every member reports the
 * same mapping; behind a symmetric NAT each reports a different port and the first one stays, so
 * the advertised endpoint (and our incarnation) does not flap. The engine's thread only.
 */
public final class ObservedEndpointVote {
    public static final int WINDOW = 8;

    private final Endpoint[] reports = new Endpoint[WINDOW];
    private int next;
    private Endpoint current = Endpoint.NONE;

    /** Records one report; returns true when the winner (the observed endpoint) changed. */
    public boolean report(Endpoint reported) {
        if (reported == null || reported.isNone()) {
            return false;
        }
        reports[next] = reported;
        next = (next + 1) % WINDOW;
        Endpoint best = current;
        int bestVotes = votes(current);
        for (Endpoint candidate : reports) {
            if (candidate != null) {
                int v = votes(candidate);
                if (v > bestVotes) {
                    best = candidate;
                    bestVotes = v;
                }
            }
        }
        if (!best.equals(current)) {
            current = best;
            return true;
        }
        return false;
    }

    private int votes(Endpoint e) {
        int v = 0;
        for (Endpoint r : reports) {
            if (r != null && r.equals(e)) {
                v++;
            }
        }
        return v;
    }

    public Endpoint current() {
        return current;
    }
}
