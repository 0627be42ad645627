package io.ringguard.membership.swim;

import io.ringguard.membership.identity.Endpoint;
import io.ringguard.membership.identity.MeshPrefix;
import io.ringguard.membership.identity.NodeKey;
import java.util.List;

/**
 * One row of the member table with everything the engine tracks about a member: what it announced
 * (self-signed), how we reach it, the replay window for its frames and our suspicion of it.
 * Package-private; the engine's thread only.
 */
final class Member {
    static final int MAX_CONFIRMERS = 8;

    final NodeKey key;
    NodeKey wgKey;
    List<MeshPrefix> addresses = List.of();
    Endpoint gossipEndpoint = Endpoint.NONE;
    Endpoint observedEndpoint = Endpoint.NONE;
    long incarnation;
    MemberState state = MemberState.ALIVE;
    long stateChangeMs;
    /** The subject's latest self-signed record (alive or left), re-sent in push-pull. */
    byte[] signedRecord;

    int tableIndex = -1;
    boolean removed;

    // Replay window (64 frames) over (epoch, sequence); moved only by authenticated frames.
    boolean replayInit;
    long replayEpoch;
    long replayTop;
    long replayBitmap;

    // Reachability.
    Endpoint directEndpoint = Endpoint.NONE;
    long lastDirectRxMs = Long.MIN_VALUE;
    Path path = Path.NONE;
    Member relayVia;
    long nextPunchMs;
    long lastPushPullReplyMs = Long.MIN_VALUE / 2;
    boolean inRelayList;

    // Suspicion (Lifeguard): who else claimed it, whether our own detector failed on it.
    long suspectSinceMs;
    boolean ownFailure;
    int confirmations;
    final NodeKey[] confirmers = new NodeKey[MAX_CONFIRMERS];
    long lastOwnProbeMs = Long.MIN_VALUE;
    boolean inSuspectList;

    Member(NodeKey key) {
        this.key = key;
    }

    /** Accepts (epoch, sequence) once; an older epoch or a sequence seen or too old is a replay. */
    boolean acceptSequence(long epoch, long sequence) {
        if (!replayInit || epoch > replayEpoch) {
            replayInit = true;
            replayEpoch = epoch;
            replayTop = sequence;
            replayBitmap = 1;
            return true;
        }
        if (epoch < replayEpoch) {
            return false;
        }
        if (sequence > replayTop) {
            long shift = sequence - replayTop;
            replayBitmap = shift >= Long.SIZE ? 1 : (replayBitmap << shift) | 1;
            replayTop = sequence;
            return true;
        }
        long back = replayTop - sequence;
        if (back >= Long.SIZE) {
            return false;
        }
        long bit = 1L << back;
        if ((replayBitmap & bit) != 0) {
            return false;
        }
        replayBitmap |= bit;
        return true;
    }

    /** Where to send when the path is not a relay. */
    Endpoint sendEndpoint() {
        if (!directEndpoint.isNone()) {
            return directEndpoint;
        }
        return observedEndpoint.isNone() ? gossipEndpoint : observedEndpoint;
    }

    /** Counts a distinct third party that claimed this member suspect or dead. */
    void addConfirmer(NodeKey claimer) {
        for (int i = 0; i < confirmations; i++) {
            if (confirmers[i].equals(claimer)) {
                return;
            }
        }
        if (confirmations < MAX_CONFIRMERS) {
            confirmers[confirmations++] = claimer;
        }
    }

    void clearSuspicion() {
        ownFailure = false;
        for (int i = 0; i < confirmations; i++) {
            confirmers[i] = null;
        }
        confirmations = 0;
    }

    MemberView view() {
        return new MemberView(
                key,
                wgKey,
                addresses,
                gossipEndpoint,
                observedEndpoint,
                state.isUp() ? path : Path.NONE,
                state,
                incarnation,
                path == Path.RELAY && relayVia != null ? relayVia.key : null);
    }
}
