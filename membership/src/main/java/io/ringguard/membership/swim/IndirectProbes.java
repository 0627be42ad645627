package io.ringguard.membership.swim;

/**
 * Indirect probes this node runs for others (SWIM ping-req): a fixed array of slots, so a flood of
 * requests costs no memory beyond {@code capacity}; a full table refuses the request. The engine's
 * thread only.
 */
final class IndirectProbes {
    private final Member[] requester;
    private final Member[] target;
    private final int[] requesterSeq;
    private final int[] mySeq;
    private final long[] deadlineMs;

    IndirectProbes(int capacity) {
        requester = new Member[capacity];
        target = new Member[capacity];
        requesterSeq = new int[capacity];
        mySeq = new int[capacity];
        deadlineMs = new long[capacity];
    }

    int capacity() {
        return requester.length;
    }

    boolean add(Member from, int fromSeq, Member to, int seq, long deadline) {
        for (int i = 0; i < requester.length; i++) {
            if (requester[i] == null) {
                requester[i] = from;
                target[i] = to;
                requesterSeq[i] = fromSeq;
                mySeq[i] = seq;
                deadlineMs[i] = deadline;
                return true;
            }
        }
        return false;
    }

    int find(int seq, Member from) {
        for (int i = 0; i < requester.length; i++) {
            if (requester[i] != null && mySeq[i] == seq && target[i] == from) {
                return i;
            }
        }
        return -1;
    }

    boolean isExpired(int slot, long nowMs) {
        return requester[slot] != null && nowMs >= deadlineMs[slot];
    }

    Member requester(int slot) {
        return requester[slot];
    }

    int requesterSeq(int slot) {
        return requesterSeq[slot];
    }

    void clear(int slot) {
        requester[slot] = null;
        target[slot] = null;
    }

    long earliestDeadlineMs() {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < requester.length; i++) {
            if (requester[i] != null && deadlineMs[i] < min) {
                min = deadlineMs[i];
            }
        }
        return min;
    }
}
