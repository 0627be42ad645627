package io.ringguard.testkit.fuzz;

import java.util.Arrays;

/**
 * Reads a fuzzer's raw input front to back as small structured choices (a mode byte, a patch count, patch
 * positions) and then hands over the rest. Unlike Jazzer's {@code FuzzedDataProvider}, which takes integers
 * from the end of the input, this layout is easy to write by hand, so seed files stay readable: {@code 01 00}
 * is "mode 1, no patches". Running out of input is not an error: every read then returns 0.
 *
 * <p>Threading: one fuzz iteration on one thread.
 */
public final class FuzzBytes {
    private final byte[] input;
    private int position;

    public FuzzBytes(final byte[] input) {
        this.input = input;
    }

    /** The next byte, 0..255, or 0 when the input is used up. */
    public int u8() {
        return position < input.length ? input[position++] & 0xFF : 0;
    }

    /** The next two bytes, big-endian, 0..65535. */
    public int u16() {
        return (u8() << 8) | u8();
    }

    /** The next byte as a value in {@code [0, bound)}. */
    public int below(final int bound) {
        return bound <= 0 ? 0 : u8() % bound;
    }

    /** Bytes not read yet. */
    public int remaining() {
        return input.length - position;
    }

    /** Everything not read yet (possibly empty); the cursor moves to the end. */
    public byte[] rest() {
        final byte[] rest = Arrays.copyOfRange(input, Math.min(position, input.length), input.length);
        position = input.length;
        return rest;
    }

    /**
     * Applies up to {@code maxPatches} XOR patches to {@code target}: a count byte, then for each patch a
     * two-byte position (modulo the target's length) and a byte to XOR in. Lets the fuzzer reach deep into a
     * valid message while keeping most of it intact.
     *
     * @return how many patches changed a byte.
     */
    public int xorPatches(final byte[] target, final int maxPatches) {
        final int count = below(maxPatches + 1);
        int changed = 0;
        for (int i = 0; i < count && target.length > 0; i++) {
            final int at = u16() % target.length;
            final int xor = u8();
            target[at] ^= (byte) xor;
            if (xor != 0) {
                changed++;
            }
        }
        return changed;
    }
}
