package io.ringguard.handshake.crypto;

import org.agrona.DirectBuffer;

/** Comparisons whose running time does not depend on the data, for MACs, tags and keys. */
public final class ConstantTime {
    private ConstantTime() {}

    /** True when the two ranges hold the same bytes; always reads all {@code lengthBytes}. */
    public static boolean equals(DirectBuffer a, int aOffset, DirectBuffer b, int bOffset, int lengthBytes) {
        int diff = 0;
        for (int i = 0; i < lengthBytes; i++) {
            diff |= a.getByte(aOffset + i) ^ b.getByte(bOffset + i);
        }
        return diff == 0;
    }

    public static boolean equals(byte[] a, int aOffset, byte[] b, int bOffset, int lengthBytes) {
        int diff = 0;
        for (int i = 0; i < lengthBytes; i++) {
            diff |= a[aOffset + i] ^ b[bOffset + i];
        }
        return diff == 0;
    }

    /** True when every byte in the range is zero (e.g. an X25519 result from a low-order point). */
    public static boolean isZero(byte[] a, int offset, int lengthBytes) {
        int acc = 0;
        for (int i = 0; i < lengthBytes; i++) {
            acc |= a[offset + i];
        }
        return acc == 0;
    }
}
