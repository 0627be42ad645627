package io.ringguard.membership.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.membership.identity.Endpoint;
import io.ringguard.membership.identity.NodeKey;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PunchAttemptsTest {
    private static final NodeKey A = new NodeKey(1, 2, 3, 4);
    private static final NodeKey B = new NodeKey(5, 6, 7, 8);
    private static final NodeKey C = new NodeKey(9, 9, 9, 9);

    @Test
    void shouldDeriveTheSameRoundIdOnBothSides() {
        assertEquals(PunchAttempts.roundId(A, B, 7), PunchAttempts.roundId(B, A, 7));
        assertNotEquals(PunchAttempts.roundId(A, B, 7), PunchAttempts.roundId(A, B, 8));
        assertNotEquals(PunchAttempts.roundId(A, B, 7), PunchAttempts.roundId(A, C, 7));
    }

    @Test
    void shouldDeduplicateConcurrentDialsToOneTarget() {
        PunchAttempts p = new PunchAttempts(4);
        PunchAttempts.Attempt first = p.start(B, 1, 0, C, Endpoint.NONE);
        PunchAttempts.Attempt second = p.start(B, 2, 10, C, Endpoint.parse("198.18.0.9:1"));
        assertSame(first, second);
        assertEquals(1, p.size());
        assertEquals(1, p.deduplicated());
        assertEquals(Endpoint.parse("198.18.0.9:1"), first.endpoint, "the newer endpoint is kept");
    }

    @Test
    void shouldBoundPendingAttemptsAndReapStaleOnes() {
        PunchAttempts p = new PunchAttempts(2);
        p.start(A, 1, 0, C, Endpoint.NONE);
        p.start(B, 2, 1_000, C, Endpoint.NONE);
        assertNull(p.start(C, 3, 1_000, A, Endpoint.NONE), "full");
        assertEquals(1, p.refused());
        List<PunchAttempts.Attempt> reaped = new ArrayList<>();
        p.reapStale(3_000, 3_000, reaped);
        assertEquals(1, reaped.size());
        assertEquals(A, reaped.get(0).target);
        assertEquals(1, p.size());
        assertTrue(p.start(C, 3, 3_000, A, Endpoint.NONE) != null, "room again");
    }

    @Test
    void shouldNotFlapTheObservedEndpointBehindASymmetricNat() {
        ObservedEndpointVote vote = new ObservedEndpointVote();
        assertTrue(vote.report(Endpoint.parse("198.19.0.1:40000")));
        assertFalse(vote.report(Endpoint.parse("198.19.0.1:40001")), "one report each: a tie keeps the first");
        assertFalse(vote.report(Endpoint.parse("198.19.0.1:40002")));
        assertEquals(Endpoint.parse("198.19.0.1:40000"), vote.current());
        assertTrue(vote.report(Endpoint.parse("198.19.0.1:40001")), "two votes beat one: it moves");
        assertEquals(Endpoint.parse("198.19.0.1:40001"), vote.current());
    }
}
