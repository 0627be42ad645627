package io.ringguard.handshake.index;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Receiver-index table: maps the random 32-bit indexes this side hands out in handshake messages
 * (the {@code sender} field) to the handshake or keypair that owns them, so a type 2 or type 4
 * message's {@code receiver} field finds its state in one lookup (kernel {@code index_hashtable},
 * wireguard-go {@code IndexTable}).
 *
 * <p>Threading: exactly one writer thread (the control thread) calls {@link #insert}, {@link
 * #replace}, {@link #remove}, {@link #size()}; any number of dataplane threads call {@link
 * #lookup(int)} concurrently, without locks and without allocating.
 *
 * <h2>Layout and memory ordering</h2>
 *
 * <p>Open addressing with linear probing over a {@code int[] keys} and an {@code Object[] values}
 * array of the same power-of-two length, at most half full of live entries. A slot's value is
 * {@code null} (never used), a live value, or {@link #TOMBSTONE} (removed). Within one pair of
 * arrays two rules hold:
 *
 * <ol>
 *   <li>A slot goes {@code null -> value} once, then only between values and the tombstone; it
 *       never returns to {@code null}. A probe chain, once connected, stays connected, so removing
 *       a key never hides another key from a reader.
 *   <li>A slot's key is written once, with a plain store, before the slot's first non-null value
 *       is published with a release store. A tombstoned slot is never reused for a different key.
 * </ol>
 *
 * <p>A reader loads each value with acquire. If it sees any non-null value it also sees the key
 * written before that value's release (release/acquire pairing), and by rule 2 no later store to
 * that key exists, so {@code (key, value)} cannot be torn. The value object's own fields written
 * before its publication are visible too. Tombstones are reclaimed by rebuilding into fresh arrays
 * (copy-on-write, allocation on the control thread only) published through a release store of the
 * {@link Table} reference; the writer never touches the old arrays again, so a reader still
 * probing them sees a consistent, slightly stale snapshot.
 *
 * <p>Consequence for callers: a {@code lookup} racing a {@code remove} may still return the
 * removed value, as with any concurrent map. The dataplane must treat what it finds as a candidate
 * (check the keypair's expiry and authenticate the packet) rather than as proof of liveness.
 *
 * <p>Trade-off: tombstones never get reused in place, so churn costs one rebuild (O(table length),
 * two array allocations) every quarter-table of inserts; in exchange lookups are two loads per
 * probe with no retry loop. A copy-on-write hash map would cost a full copy on every handshake.
 *
 * <p>Capacity: fixed at construction. Handshake initiations from the network create entries, so
 * growth is attacker-driven; {@link #insert} returns {@link #FULL} instead of growing.
 *
 * @param <T> the value type, usually a handshake or keypair; compared by identity
 */
public final class IndexTable<T> {
    /**
     * Returned by {@link #insert} when the table holds {@link #capacity()} entries. Every {@code int}
     * is a valid index, so the result is a {@code long}: an index in {@code [0, 2^32)} as an unsigned
     * value, or this sentinel. Cast a non-{@code FULL} result to {@code int} to get the index.
     */
    public static final long FULL = -1L;

    /** Upper bound on {@code capacity}: keeps the table length a positive {@code int}. */
    public static final int MAX_CAPACITY = 1 << 29;

    /**
     * Draws before {@link #insert} gives up on the generator. With at most 2^29 of 2^32 indexes
     * taken, a working generator collides with probability at most 1/8 per draw; reaching this
     * bound means it is broken, which is a bug, not a packet, so it throws.
     */
    static final int MAX_DRAWS = 1_000;

    private static final Object TOMBSTONE = new Object();
    private static final int MIN_LENGTH = 16;
    private static final int GOLDEN_RATIO_32 = 0x9E3779B9;

    private static final VarHandle TABLE;
    private static final VarHandle VALUES = MethodHandles.arrayElementVarHandle(Object[].class);

    static {
        try {
            TABLE = MethodHandles.lookup().findVarHandle(IndexTable.class, "table", Table.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int capacity;
    private final RandomGenerator random;

    /** Published arrays; read with acquire by readers, replaced with release by the writer. */
    private Table table;

    /** Writer-only: live entries. */
    private int size;

    /** Writer-only: non-null slots (live plus tombstones) in the current table. */
    private int usedSlots;

    /**
     * Creates a table whose indexes come from a {@link SecureRandom}, as the kernel
     * ({@code get_random_u32}) and wireguard-go ({@code crypto/rand}) do: indexes travel in the clear
     * and should not be predictable by an off-path sender.
     *
     * @param capacity most entries the table will hold, 1 to {@link #MAX_CAPACITY}
     */
    public IndexTable(final int capacity) {
        this(capacity, new SecureRandom());
    }

    /**
     * Creates a table drawing indexes from {@code random} (tests pass a scripted generator).
     *
     * @param capacity most entries the table will hold, 1 to {@link #MAX_CAPACITY}
     * @param random source of candidate indexes; used only on the writer thread
     */
    public IndexTable(final int capacity, final RandomGenerator random) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("index table capacity must be 1.." + MAX_CAPACITY + ", got " + capacity);
        }
        this.capacity = capacity;
        this.random = Objects.requireNonNull(random, "random");
        // A power of two at least twice the capacity keeps live entries at or below half the slots.
        final int length = Math.max(MIN_LENGTH, Integer.highestOneBit(2 * capacity - 1) << 1);
        TABLE.setRelease(this, new Table(length));
    }

    /** Returns the most entries this table holds. Any thread. */
    public int capacity() {
        return capacity;
    }

    /** Returns the number of live entries. Thread: the writer. */
    public int size() {
        return size;
    }

    /**
     * Allocates a fresh random index for {@code value}.
     *
     * <p>Thread: the writer.
     *
     * @param value non-null value to store
     * @return the new index as an unsigned value in {@code [0, 2^32)} (cast to {@code int} for the
     *     wire), or {@link #FULL} when the table holds {@link #capacity()} entries
     */
    public long insert(final T value) {
        Objects.requireNonNull(value, "value");
        if (size >= capacity) {
            return FULL;
        }
        if (usedSlots >= maxUsedSlots(table.length())) {
            rebuild();
        }
        final Table t = table;
        for (int draw = 0; draw < MAX_DRAWS; draw++) {
            final int index = random.nextInt();
            final int slot = freeSlotFor(t, index);
            if (slot >= 0) {
                t.keys[slot] = index;
                // Release: publishes the key above and the value's contents to acquiring readers.
                VALUES.setRelease(t.values, slot, value);
                size++;
                usedSlots++;
                return index & 0xFFFF_FFFFL;
            }
        }
        throw new IllegalStateException("index generator returned " + MAX_DRAWS + " taken indexes in a row");
    }

    /**
     * Finds the value stored under {@code index}.
     *
     * <p>Thread: any. Lock-free and allocation-free.
     *
     * @return the value, or null if the index is not in the table
     */
    public T lookup(final int index) {
        final Table t = (Table) TABLE.getAcquire(this);
        final int[] keys = t.keys;
        final Object[] values = t.values;
        final int mask = keys.length - 1;
        int slot = home(index, mask);
        for (int probe = 0; probe <= mask; probe++) {
            final Object value = VALUES.getAcquire(values, slot);
            if (value == null) {
                return null;
            }
            if (keys[slot] == index && value != TOMBSTONE) {
                return cast(value);
            }
            slot = (slot + 1) & mask;
        }
        return null;
    }

    /**
     * Replaces the value under {@code index} if it is currently {@code expected} (by identity), as
     * when a completed handshake hands its index to the new keypair.
     *
     * <p>Thread: the writer.
     *
     * @return true if replaced; false if the index is absent or maps to another value
     */
    public boolean replace(final int index, final T expected, final T newValue) {
        Objects.requireNonNull(newValue, "newValue");
        final Table t = table;
        final int slot = liveSlotOf(t, index, expected);
        if (slot < 0) {
            return false;
        }
        VALUES.setRelease(t.values, slot, newValue);
        return true;
    }

    /**
     * Removes {@code index} if it currently maps to {@code expected} (by identity), so a stale owner
     * cannot remove an index that was since handed to someone else.
     *
     * <p>Thread: the writer.
     *
     * @return true if removed; false if the index is absent or maps to another value
     */
    public boolean remove(final int index, final T expected) {
        final Table t = table;
        final int slot = liveSlotOf(t, index, expected);
        if (slot < 0) {
            return false;
        }
        VALUES.setRelease(t.values, slot, TOMBSTONE);
        size--;
        return true;
    }

    /** Writer: the slot to use for a new key, or -1 if the key is live already. */
    private static int freeSlotFor(final Table t, final int index) {
        final int mask = t.keys.length - 1;
        int slot = home(index, mask);
        // The load bound guarantees a null slot ends the chain.
        while (true) {
            final Object value = t.values[slot];
            if (value == null) {
                return slot;
            }
            if (value != TOMBSTONE && t.keys[slot] == index) {
                return -1;
            }
            slot = (slot + 1) & mask;
        }
    }

    /** Writer: the slot holding {@code index -> expected}, or -1. */
    private static int liveSlotOf(final Table t, final int index, final Object expected) {
        final int mask = t.keys.length - 1;
        int slot = home(index, mask);
        while (true) {
            final Object value = t.values[slot];
            if (value == null) {
                return -1;
            }
            if (value != TOMBSTONE && t.keys[slot] == index) {
                // Keys are unique among live entries, so there is no second candidate further on.
                return value == expected ? slot : -1;
            }
            slot = (slot + 1) & mask;
        }
    }

    /** Writer: copies live entries into fresh arrays, dropping tombstones, and publishes them. */
    private void rebuild() {
        final Table old = table;
        final Table fresh = new Table(old.length());
        final int mask = fresh.keys.length - 1;
        for (int i = 0; i < old.values.length; i++) {
            final Object value = old.values[i];
            if (value != null && value != TOMBSTONE) {
                int slot = home(old.keys[i], mask);
                while (fresh.values[slot] != null) {
                    slot = (slot + 1) & mask;
                }
                fresh.keys[slot] = old.keys[i];
                fresh.values[slot] = value;
            }
        }
        // Release: readers that acquire the new reference see fully built arrays.
        TABLE.setRelease(this, fresh);
        usedSlots = size;
    }

    /** Above three quarters full (live plus tombstones), probe chains grow; rebuild first. */
    private static int maxUsedSlots(final int length) {
        return length - (length >>> 2);
    }

    /** Fibonacci hashing: indexes are random already, but this keeps scripted ones spread too. */
    private static int home(final int index, final int mask) {
        final int mixed = index * GOLDEN_RATIO_32;
        return (mixed ^ (mixed >>> 16)) & mask;
    }

    @SuppressWarnings("unchecked") // only values of type T and TOMBSTONE are stored; TOMBSTONE is filtered
    private static <T> T cast(final Object value) {
        return (T) value;
    }

    /** One generation of the arrays; immutable in shape, replaced whole on rebuild. */
    private static final class Table {
        private final int[] keys;
        private final Object[] values;

        Table(final int length) {
            keys = new int[length];
            values = new Object[length];
        }

        int length() {
            return keys.length;
        }
    }
}
