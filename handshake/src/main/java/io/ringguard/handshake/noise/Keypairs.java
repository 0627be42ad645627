package io.ringguard.handshake.noise;

/**
 * A peer's previous, current and next keypairs (the kernel's {@code struct noise_keypairs}).
 *
 * <p>The initiator's new keypair becomes current at once. The responder's waits as "next" until the
 * initiator proves it has it by sending the first data packet ({@link #receivedWith}); only then
 * does it become current, so the responder never sends on keys the initiator may not have.
 *
 * <p>Threads: {@link #current()} and {@link #previous()} are read by dataplane threads without
 * locks (volatile fields). Changes take the object's monitor: they happen once per handshake, never
 * per packet. {@link #receivedWith} costs one volatile read unless it promotes.
 */
public final class Keypairs {
    private volatile Keypair previous;
    private volatile Keypair current;
    private volatile Keypair next;

    public Keypair previous() {
        return previous;
    }

    public Keypair current() {
        return current;
    }

    public Keypair next() {
        return next;
    }

    /** Installs a keypair from {@link Noise#beginSession}. Control thread. */
    public synchronized void add(Keypair keypair) {
        Keypair oldPrevious = previous;
        Keypair oldCurrent = current;
        Keypair oldNext = next;
        if (keypair.initiator()) {
            if (oldNext != null) {
                // A response we were waiting to confirm loses to our own newer session; keep it as previous
                // so packets the peer already sealed with it still open.
                next = null;
                previous = oldNext;
                retire(oldCurrent);
            } else {
                previous = oldCurrent;
            }
            retire(oldPrevious);
            current = keypair;
        } else {
            next = keypair;
            retire(oldNext);
            previous = null;
            retire(oldPrevious);
        }
    }

    /**
     * Called after a data packet authenticated with {@code keypair}. Returns true when that confirmed
     * the responder's "next" keypair, which is now current. Any thread of the in-order receive stage.
     */
    public boolean receivedWith(Keypair keypair) {
        if (keypair != next) {
            return false;
        }
        synchronized (this) {
            if (keypair != next) {
                return false;
            }
            retire(previous);
            previous = current;
            current = keypair;
            next = null;
            return true;
        }
    }

    /** Retires all keypairs (peer removed, or keys must not be used any more). Control thread. */
    public synchronized void clear() {
        retire(previous);
        retire(current);
        retire(next);
        previous = current = next = null;
    }

    /**
     * True when {@code keypair} is this peer's previous, current or next one. Taken under the monitor,
     * so a promotion racing the check (next becoming current on the receive stage) cannot make a live
     * keypair look gone between two field reads. Control thread (sweeps retired keypairs).
     */
    public synchronized boolean holds(Keypair keypair) {
        return keypair == previous || keypair == current || keypair == next;
    }

    /** The keypair that owns {@code localIndex}, or null; a slow path for tests and the control thread. */
    public Keypair find(int localIndex) {
        Keypair k = current;
        if (k != null && k.localIndex() == localIndex) {
            return k;
        }
        k = next;
        if (k != null && k.localIndex() == localIndex) {
            return k;
        }
        k = previous;
        return k != null && k.localIndex() == localIndex ? k : null;
    }

    private static void retire(Keypair keypair) {
        if (keypair != null) {
            keypair.invalidate();
        }
    }
}
