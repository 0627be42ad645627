package io.ringguard.membership.swim;

/**
 * Protocol parameters. {@link #lan()} mirrors hashicorp/memberlist's {@code DefaultLANConfig} where
 * memberlist has the same knob; the rest are RingGuard's (see the module README).
 *
 * @param probeIntervalMs time between failure-detector probes (memberlist ProbeInterval 1 s)
 * @param probeTimeoutMs wait for a direct ack before asking others (ProbeTimeout 500 ms)
 * @param indirectChecks members asked to probe indirectly (IndirectChecks 3)
 * @param suspicionMult suspicion timeout = mult * log10(max(N,1)) * probe interval (SuspicionMult 4)
 * @param suspicionMaxTimeoutMult upper bound, as a multiple of that (SuspicionMaxTimeoutMult 6)
 * @param retransmitMult each update is sent mult * ceil(log10(N+1)) times (RetransmitMult 4)
 * @param gossipIntervalMs time between gossip rounds (GossipInterval 200 ms)
 * @param gossipNodes members each gossip round sends to (GossipNodes 3)
 * @param pushPullIntervalMs time between anti-entropy exchanges (PushPullInterval 30 s)
 * @param maxMembers hard cap on the member table, self excluded
 * @param pushPullMaxRecords records sent per periodic push-pull exchange (bounded state size; the
 *     table is walked round-robin across exchanges, and the answer to a join sends it all)
 * @param punchIntervalMs time between punch packets during one attempt
 * @param punchTimeoutMs an attempt without an answer after this is stale and reaped
 * @param punchRetryMs a relayed member gets a new punch attempt after this (upgrade to direct)
 * @param maxPendingPunches bound on concurrent punch attempts
 * @param maxPendingIndirect bound on indirect probes served for others
 */
public record MembershipConfig(
        long probeIntervalMs,
        long probeTimeoutMs,
        int indirectChecks,
        int suspicionMult,
        int suspicionMaxTimeoutMult,
        int retransmitMult,
        long gossipIntervalMs,
        int gossipNodes,
        long pushPullIntervalMs,
        int maxMembers,
        int pushPullMaxRecords,
        long punchIntervalMs,
        long punchTimeoutMs,
        long punchRetryMs,
        int maxPendingPunches,
        int maxPendingIndirect) {

    public MembershipConfig {
        if (probeTimeoutMs >= probeIntervalMs || probeTimeoutMs <= 0) {
            throw new IllegalArgumentException("probe timeout must be positive and below the probe interval");
        }
        if (maxMembers < 1 || indirectChecks < 0 || gossipNodes < 1 || suspicionMult < 1) {
            throw new IllegalArgumentException("bad membership parameters");
        }
    }

    /** memberlist's LAN defaults plus RingGuard's own bounds. */
    public static MembershipConfig lan() {
        return new MembershipConfig(1000, 500, 3, 4, 6, 4, 200, 3, 30_000, 4096, 128, 200, 3000, 30_000, 64, 64);
    }

    public MembershipConfig withMaxMembers(int max) {
        return new MembershipConfig(
                probeIntervalMs,
                probeTimeoutMs,
                indirectChecks,
                suspicionMult,
                suspicionMaxTimeoutMult,
                retransmitMult,
                gossipIntervalMs,
                gossipNodes,
                pushPullIntervalMs,
                max,
                pushPullMaxRecords,
                punchIntervalMs,
                punchTimeoutMs,
                punchRetryMs,
                maxPendingPunches,
                maxPendingIndirect);
    }

    public MembershipConfig withPushPullIntervalMs(long intervalMs) {
        return new MembershipConfig(
                probeIntervalMs,
                probeTimeoutMs,
                indirectChecks,
                suspicionMult,
                suspicionMaxTimeoutMult,
                retransmitMult,
                gossipIntervalMs,
                gossipNodes,
                intervalMs,
                maxMembers,
                pushPullMaxRecords,
                punchIntervalMs,
                punchTimeoutMs,
                punchRetryMs,
                maxPendingPunches,
                maxPendingIndirect);
    }
}
