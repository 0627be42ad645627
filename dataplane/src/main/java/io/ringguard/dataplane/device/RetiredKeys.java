package io.ringguard.dataplane.device;

import io.ringguard.handshake.noise.Keypair;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Keypairs that left a peer's previous/current/next slots, or whose peer was removed, re-keyed to a new
 * private key or hit the zero-key timer, waiting to have their keys wiped.
 *
 * <p>A retired keypair is invalid at once (no new packet is sealed or opened with it), but a packet the
 * classifier stamped with it a moment earlier may still be in an encrypt worker, and a decrypt worker may
 * still be opening one. Wiping the keys under them would seal a packet with a zero key, so the wipe waits
 * {@link #GRACE_NS}, far longer than a packet spends in the rings, then zeroes the keys: the previous
 * session's keys do not linger on the heap until the peer is removed or the zero-key timer fires.
 *
 * <p>Bounded: at most three keypairs per peer are retired per handshake, handshakes are rate-limited
 * per peer, and every entry leaves after {@link #GRACE_NS}.
 *
 * <p>Control thread only.
 */
final class RetiredKeys {
    /** Longer than any packet stays between the classifier (or the receiver) and its crypto worker. */
    static final long GRACE_NS = TimeUnit.SECONDS.toNanos(1);

    private record Retired(Keypair keypair, long retiredNs) {}

    private final ArrayDeque<Retired> queue = new ArrayDeque<>();

    /** Queues {@code keypair}, which is no longer current, next or previous, for wiping. */
    void retire(Keypair keypair, long nowNs) {
        keypair.invalidate();
        queue.addLast(new Retired(keypair, nowNs));
    }

    /** Wipes every keypair retired at least {@link #GRACE_NS} ago; returns how many. */
    int wipeDue(long nowNs) {
        int wiped = 0;
        Retired head;
        while ((head = queue.peekFirst()) != null && nowNs - head.retiredNs() >= GRACE_NS) {
            queue.removeFirst().keypair().destroy();
            wiped++;
        }
        return wiped;
    }

    /** Wipes everything now (the device is closing). */
    void wipeAll() {
        Retired head;
        while ((head = queue.pollFirst()) != null) {
            head.keypair().destroy();
        }
    }

    int size() {
        return queue.size();
    }
}
