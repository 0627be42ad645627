package io.ringguard.handshake.noise;

import io.ringguard.handshake.ProtocolConstants;
import io.ringguard.handshake.replay.ReplayFilter;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * One session's transport keys (whitepaper 5.4.5), made by {@link Noise#beginSession}.
 *
 * <p>Threads: created by the control thread and published to the dataplane (through {@link
 * Keypairs}). The send counter has one writer, the outbound nonce-assignment stage ({@link
 * #nextSendCounter}); the replay filter has one writer, the inbound in-order stage ({@link
 * #acceptCounter}). Keys are read by the crypto workers and wiped by the control thread only after
 * the keypair has been retired for longer than any packet can be in flight.
 */
public final class Keypair {
    private static final VarHandle SEND_COUNTER;
    private static final VarHandle VALID;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            SEND_COUNTER = lookup.findVarHandle(Keypair.class, "sendCounter", long.class);
            VALID = lookup.findVarHandle(Keypair.class, "valid", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int[] sendKey = new int[8];
    private final int[] receiveKey = new int[8];
    private final int localIndex;
    private final int remoteIndex;
    private final boolean initiator;
    private final long createdNs;
    private final ReplayFilter replayFilter = new ReplayFilter();

    @SuppressWarnings("unused") // accessed through SEND_COUNTER
    private long sendCounter;

    @SuppressWarnings("unused") // accessed through VALID
    private boolean valid = true;

    Keypair(int localIndex, int remoteIndex, boolean initiator, long createdNs) {
        this.localIndex = localIndex;
        this.remoteIndex = remoteIndex;
        this.initiator = initiator;
        this.createdNs = createdNs;
    }

    int[] sendKeyWords() {
        return sendKey;
    }

    int[] receiveKeyWords() {
        return receiveKey;
    }

    /** Key words for {@link io.ringguard.handshake.crypto.ChaCha20Poly1305#seal}; never copy or log. */
    public int[] sendKey() {
        return sendKey;
    }

    /** Key words for {@link io.ringguard.handshake.crypto.ChaCha20Poly1305#open}; never copy or log. */
    public int[] receiveKey() {
        return receiveKey;
    }

    /** Our index: the receiver index the peer puts on transport messages to us. */
    public int localIndex() {
        return localIndex;
    }

    /** The peer's index, which we put on transport messages to it. */
    public int remoteIndex() {
        return remoteIndex;
    }

    public boolean initiator() {
        return initiator;
    }

    public long createdNs() {
        return createdNs;
    }

    /**
     * Reserves the next send counter, or returns -1 when the keypair is invalid or used up
     * (REJECT_AFTER_MESSAGES). Thread: the single nonce-assignment stage.
     */
    public long nextSendCounter() {
        if (!valid()) {
            return -1;
        }
        long counter = (long) SEND_COUNTER.getAcquire(this);
        if (Long.compareUnsigned(counter, ProtocolConstants.REJECT_AFTER_MESSAGES) >= 0) {
            return -1;
        }
        SEND_COUNTER.setRelease(this, counter + 1);
        return counter;
    }

    /** Counters handed out so far; any thread (timers read it for REKEY_AFTER_MESSAGES). */
    public long sendCounter() {
        return (long) SEND_COUNTER.getAcquire(this);
    }

    /**
     * Records an authenticated counter in the replay window; false when it is a replay or out of the
     * window. Thread: the single in-order receive stage.
     */
    public boolean acceptCounter(long counter) {
        return replayFilter.validate(counter);
    }

    /** True until the keypair is retired; readers drop packets for a retired keypair. */
    public boolean valid() {
        return (boolean) VALID.getAcquire(this);
    }

    /** True once REJECT_AFTER_TIME has passed since the session began. */
    public boolean expired(long nowNs) {
        return nowNs - createdNs >= ProtocolConstants.REJECT_AFTER_TIME_NS;
    }

    /** Retires the keypair: no new packets are sealed or opened with it. Control thread. */
    public void invalidate() {
        VALID.setRelease(this, false);
    }

    /** Retires the keypair and wipes its keys. Control thread, once no packet can still use it. */
    public void destroy() {
        invalidate();
        Arrays.fill(sendKey, 0);
        Arrays.fill(receiveKey, 0);
    }
}
