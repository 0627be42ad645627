package io.ringguard.handshake.replay;

import java.util.Arrays;

/**
 * Sliding-window replay filter for transport-data counters (RFC 6479 bitmap, WireGuard whitepaper
 * section 5.4.6), with the semantics of the Linux kernel's {@code counter_validate} in
 * {@code drivers/net/wireguard/receive.c}.
 *
 * <p>The bitmap is a ring of {@value #COUNTER_BITS_TOTAL} bits held in {@code long} words. Moving
 * the window forward clears whole words instead of shifting bits, so an update touches at most
 * {@code COUNTER_BITS_TOTAL / 64} words and usually none. One word ({@value
 * #COUNTER_REDUNDANT_BITS} bits) is redundant: it is the word being recycled while the window
 * advances, so the usable window is {@value #COUNTER_WINDOW_SIZE} counters behind the greatest
 * counter seen.
 *
 * <p>Counters are unsigned 64-bit values carried in a {@code long}; every comparison is unsigned.
 *
 * <p>Threading: single writer. {@link #validate(long)} and {@link #reset()} may be called only from
 * the one in-order receive stage that owns the keypair this filter belongs to (after decryption,
 * as in the kernel, so that unauthenticated packets cannot move the window). Because there is one
 * writer and no reader on another thread, the filter needs no lock and no memory fences; the
 * kernel's spinlock exists only because its receive path can run on several CPUs.
 *
 * <p>No method allocates or throws.
 */
public final class ReplayFilter {
    /** Size of the bitmap ring in bits (kernel {@code COUNTER_BITS_TOTAL}). */
    public static final int COUNTER_BITS_TOTAL = 8192;

    /** Bits of the word being recycled as the window moves (kernel {@code COUNTER_REDUNDANT_BITS}). */
    public static final int COUNTER_REDUNDANT_BITS = Long.SIZE;

    /** How far behind the greatest accepted counter a counter may be and still be accepted. */
    public static final int COUNTER_WINDOW_SIZE = COUNTER_BITS_TOTAL - COUNTER_REDUNDANT_BITS;

    /**
     * {@code Reject-After-Messages} = 2^64 - 2^13 - 1, as an unsigned value: counters at or above it
     * are never accepted. This is the whitepaper's and wireguard-go's value; the kernel uses {@code
     * U64_MAX - COUNTER_WINDOW_SIZE - 1}, which is 63 higher, so this filter
     * stops accepting 63 counters earlier. Either bound keeps {@code counter + 1 +
     * COUNTER_WINDOW_SIZE} from wrapping.
     */
    public static final long REJECT_AFTER_MESSAGES = -(1L << 13) - 1L;

    private static final int WORD_COUNT = COUNTER_BITS_TOTAL / Long.SIZE;
    private static final int WORD_INDEX_MASK = WORD_COUNT - 1;
    private static final int BITS_PER_WORD_SHIFT = 6;

    private final long[] bitmap = new long[WORD_COUNT];

    /**
     * Greatest accepted counter plus one, or 0 when nothing was accepted yet. Shifting by one (as the
     * kernel does) lets a zeroed filter accept counter 0 without a separate "empty" flag.
     */
    private long greatestPlusOne;

    /**
     * Checks a received counter and, when it is new, marks it as seen.
     *
     * <p>Thread: the in-order receive stage only.
     *
     * @param counter the packet's counter, an unsigned 64-bit value
     * @return true if the counter was not seen before, is inside the window and is below {@link
     *     #REJECT_AFTER_MESSAGES}; false if it is a replay, too old or too large
     */
    public boolean validate(final long counter) {
        // Past Reject-After-Messages a keypair must not be used at all, so nothing is accepted.
        if (Long.compareUnsigned(counter, REJECT_AFTER_MESSAGES) >= 0) {
            return false;
        }
        // Cannot wrap: counter < 2^64 - 2^13 - 1, so shifted + COUNTER_WINDOW_SIZE < 2^64 too.
        final long shifted = counter + 1;
        // Older than the window: its bit may already belong to a newer counter.
        if (Long.compareUnsigned(shifted + COUNTER_WINDOW_SIZE, greatestPlusOne) < 0) {
            return false;
        }
        final long wordIndex = shifted >>> BITS_PER_WORD_SHIFT;
        if (Long.compareUnsigned(shifted, greatestPlusOne) > 0) {
            // The window moves forward: clear the words between the old top word and the new one,
            // at most the whole ring. Both word indexes are below 2^58, so the difference is exact.
            final long currentWordIndex = greatestPlusOne >>> BITS_PER_WORD_SHIFT;
            final int wordsToClear = (int) Math.min(wordIndex - currentWordIndex, WORD_COUNT);
            for (int i = 1; i <= wordsToClear; i++) {
                bitmap[(int) ((currentWordIndex + i) & WORD_INDEX_MASK)] = 0L;
            }
            greatestPlusOne = shifted;
        }
        final int slot = (int) (wordIndex & WORD_INDEX_MASK);
        final long bit = 1L << (shifted & (Long.SIZE - 1));
        final long word = bitmap[slot];
        if ((word & bit) != 0L) {
            return false;
        }
        bitmap[slot] = word | bit;
        return true;
    }

    /**
     * Forgets every counter, as for a fresh keypair.
     *
     * <p>Thread: the in-order receive stage only, or the owner before the filter is published.
     */
    public void reset() {
        Arrays.fill(bitmap, 0L);
        greatestPlusOne = 0L;
    }
}
