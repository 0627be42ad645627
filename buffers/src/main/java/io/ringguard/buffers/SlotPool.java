package io.ringguard.buffers;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A fixed set of slot indices {@code 0..capacity-1} handed out and taken back without locks, blocking or
 * allocation. When every slot is out, {@link #claim()} returns {@link #EMPTY} and the caller drops the packet
 * and counts it: a full pool is back-pressure, not a reason to wait.
 *
 * <p>Shape: a Treiber stack of free indices. The head word packs a 32-bit version tag above the 32-bit index
 * of the top slot; every successful push or pop bumps the tag, so a thread that read an old head cannot win
 * its CAS after the same index was popped and pushed back meanwhile (the ABA problem). {@code next[i]} links
 * free slots. A stack rather than a FIFO ring because the slot released last is the one most likely still in
 * cache, and a packet gateway touches every byte of the slot it claims.
 *
 * <p>Misuse detection: {@code state[i]} is CLAIMED while a slot is out. {@link #release(int)} moves it back
 * to FREE with a CAS, so releasing a slot that is already free (a double release) or an index out of range
 * returns false and is counted in {@link #rejectedReleases()} instead of corrupting the stack. It cannot catch
 * a stale release that arrives after the slot was claimed again by someone else; that needs generation-tagged
 * handles, which would make every slot reference wider than an int.
 *
 * <p>Threading: every method may be called from any number of threads at once (claims happen on reader
 * threads, releases on writer threads). The release of a slot happens-before the claim that returns it, so
 * writes made by the releasing thread are visible to the next owner.
 */
public final class SlotPool {
    /** Returned by {@link #claim()} when no slot is free. */
    public static final int EMPTY = -1;

    private static final int FREE = 0;
    private static final int CLAIMED = 1;

    // The head sits alone in the middle of a 16-long array so that 64 bytes on either side separate it from
    // other objects: every claim and release CASes it, and a neighbour on the same line would pay for that.
    private static final int HEAD_PADDED_LENGTH = 16;
    private static final int HEAD_INDEX = 8;

    private static final long INDEX_MASK = 0xFFFF_FFFFL;
    private static final long TAG_INCREMENT = 1L << 32;

    private final int capacity;
    private final AtomicLongArray head = new AtomicLongArray(HEAD_PADDED_LENGTH);

    // next[] and depth[] are written only by the thread pushing that slot, before the CAS that publishes it.
    // A popper may read them racily from a head that has since moved on; its CAS then fails on the tag and
    // the value it read is discarded, so plain ints are enough.
    private final int[] next;
    private final int[] depth;
    private final AtomicIntegerArray state;
    private final AtomicLong rejectedReleases = new AtomicLong();

    /**
     * Creates a pool with every slot free. Call once at start-up, from any thread.
     *
     * @param capacity number of slots, at least 1; match it to {@link PacketSlab#slotCount()}.
     * @throws IllegalArgumentException if capacity is below 1.
     */
    public SlotPool(final int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("slot pool capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.next = new int[capacity];
        this.depth = new int[capacity];
        this.state = new AtomicIntegerArray(capacity);

        // Stack 0 on top, so a fresh pool hands out 0, 1, 2, ... and fills the slab from its start.
        for (int slot = 0; slot < capacity; slot++) {
            next[slot] = slot + 1 < capacity ? slot + 1 : EMPTY;
            depth[slot] = capacity - slot;
        }
        head.set(HEAD_INDEX, 0L);
    }

    /**
     * Takes a free slot. Never blocks; retries only while other threads win the CAS. Any thread.
     *
     * @return a slot index in {@code 0..capacity()-1} now owned by the caller, or {@link #EMPTY} if none is
     *     free (the caller drops the packet and counts the drop).
     */
    public int claim() {
        while (true) {
            final long current = head.get(HEAD_INDEX);
            final int top = (int) current;
            if (top == EMPTY) {
                return EMPTY;
            }
            final long replacement = nextHead(current, next[top]);
            if (head.compareAndSet(HEAD_INDEX, current, replacement)) {
                // Nobody else can hold this slot now, so a release-store is enough; a concurrent double
                // release of it still sees FREE until here and is rejected.
                state.setRelease(top, CLAIMED);
                return top;
            }
            Thread.onSpinWait();
        }
    }

    /**
     * Gives a slot back. Any thread, but only with a slot it holds.
     *
     * @param slot index returned by {@link #claim()}.
     * @return true if the slot went back to the pool; false if it was out of range or not claimed (a double
     *     release), in which case nothing changed except {@link #rejectedReleases()}.
     */
    public boolean release(final int slot) {
        if (slot < 0 || slot >= capacity || !state.compareAndSet(slot, CLAIMED, FREE)) {
            rejectedReleases.incrementAndGet();
            return false;
        }
        while (true) {
            final long current = head.get(HEAD_INDEX);
            final int top = (int) current;
            next[slot] = top;
            depth[slot] = top == EMPTY ? 1 : depth[top] + 1;
            if (head.compareAndSet(HEAD_INDEX, current, nextHead(current, slot))) {
                return true;
            }
            Thread.onSpinWait();
        }
    }

    /**
     * Free slots, exact when no claim or release is in flight and approximate otherwise. For sampled
     * metrics, never for a decision: a claim can fail right after this returned a positive number. Any
     * thread.
     *
     * @return number of free slots, {@code 0..capacity()}.
     */
    public int available() {
        final int top = (int) head.get(HEAD_INDEX);
        return top == EMPTY ? 0 : depth[top];
    }

    /**
     * Number of slots in the pool. Any thread.
     *
     * @return the capacity given at construction.
     */
    public int capacity() {
        return capacity;
    }

    /**
     * Releases refused because the slot was not claimed or out of range; each one is a bug in the caller.
     * Any thread.
     *
     * @return count since construction.
     */
    public long rejectedReleases() {
        return rejectedReleases.get();
    }

    private static long nextHead(final long current, final int newTop) {
        return ((current & ~INDEX_MASK) + TAG_INCREMENT) | (newTop & INDEX_MASK);
    }
}
