package io.ringguard.handshake.crypto;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Poly1305 one-time authenticator (RFC 8439 section 2.5) in radix 2^64: the accumulator is two
 * 64-bit limbs plus a few bits, and each 16-byte block costs four 64x64->128-bit products ({@link
 * Math#unsignedMultiplyHigh}, one {@code mul} on x86-64) and two small ones, where 26-bit limbs
 * needed 25. This is the layout of OpenSSL's and the kernel's scalar 64-bit code.
 *
 * <p>A reusable accumulator: {@link #init}, any number of {@link #updateBlocks}/{@link #update}
 * calls, then {@link #finish}. Not thread-safe; each thread owns its instance. Allocation-free.
 */
public final class Poly1305 {
    public static final int KEY_BYTES = 32;
    public static final int TAG_BYTES = 16;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** Clamped r (RFC 8439 2.5.1); r1 is a multiple of 4, so s1 = r1 + r1/4 = 5 * r1 / 4 exactly. */
    long r0, r1;

    private long s1;
    /** Accumulator h = h2 * 2^128 + h1 * 2^64 + h0, h2 small (below 8 between blocks). */
    long h0, h1, h2;

    private long pad0, pad1;
    private final byte[] partial = new byte[16];
    private final org.agrona.concurrent.UnsafeBuffer partialBuffer = new org.agrona.concurrent.UnsafeBuffer(partial);
    private int partialLength;

    /** Starts a MAC with the 32-byte one-time key at {@code key[offset]}. */
    public void init(DirectBuffer key, int offset) {
        init(
                key.getLong(offset, LE),
                key.getLong(offset + 8, LE),
                key.getLong(offset + 16, LE),
                key.getLong(offset + 24, LE));
    }

    /** {@link #init(DirectBuffer, int)} with the key given as four little-endian 64-bit words. */
    void init(long key0, long key1, long key2, long key3) {
        r0 = key0 & 0x0FFF_FFFC_0FFF_FFFFL;
        r1 = key1 & 0x0FFF_FFFC_0FFF_FFFCL;
        s1 = r1 + (r1 >>> 2);
        h0 = h1 = h2 = 0;
        pad0 = key2;
        pad1 = key3;
        partialLength = 0;
    }

    /**
     * Absorbs {@code lengthBytes} of message, then zero bytes up to the next 16-byte boundary: the
     * AEAD construction's "pad16" (RFC 8439 2.8). Must not be mixed with a pending {@link #update}.
     */
    public void updatePadded(DirectBuffer src, int offset, int lengthBytes) {
        int full = lengthBytes & ~15;
        updateBlocks(src, offset, full, 1);
        int tail = lengthBytes - full;
        if (tail > 0) {
            java.util.Arrays.fill(partial, (byte) 0);
            src.getBytes(offset + full, partial, 0, tail);
            updateBlocks(partialBuffer, 0, 16, 1);
        }
    }

    /** Absorbs one 16-byte block holding two little-endian 64-bit values (the AEAD length block). */
    public void updateLengths(long aadLengthBytes, long messageLengthBytes) {
        block(aadLengthBytes, messageLengthBytes, 1);
    }

    /** Absorbs arbitrary bytes (general Poly1305, not padded); used by the RFC test vectors. */
    public void update(DirectBuffer src, int offset, int lengthBytes) {
        int position = offset;
        int remaining = lengthBytes;
        if (partialLength > 0) {
            int take = Math.min(16 - partialLength, remaining);
            src.getBytes(position, partial, partialLength, take);
            partialLength += take;
            position += take;
            remaining -= take;
            if (partialLength < 16) {
                return;
            }
            updateBlocks(partialBuffer, 0, 16, 1);
            partialLength = 0;
        }
        int full = remaining & ~15;
        updateBlocks(src, position, full, 1);
        position += full;
        remaining -= full;
        if (remaining > 0) {
            src.getBytes(position, partial, 0, remaining);
            partialLength = remaining;
        }
    }

    /** Carry out of {@code a + b (+ a carry in) = sum}, computed without a branch. */
    private static long carry(long a, long b, long sum) {
        return ((a & b) | ((a | b) & ~sum)) >>> 63;
    }

    private void updateBlocks(DirectBuffer src, int offset, int lengthBytes, long hibit) {
        if (lengthBytes <= 0) {
            return;
        }
        // One bounds check for the whole run instead of two per block.
        src.boundsCheck(offset, lengthBytes);
        for (int i = offset, end = offset + lengthBytes; i < end; i += 16) {
            block(src.getLong(i, LE), src.getLong(i + 8, LE), hibit);
        }
    }

    /** h = (h + m + hibit * 2^128) * r mod 2^130 - 5, partially reduced (h2 stays small). */
    private void block(long m0, long m1, long hibit) {
        final long b0 = r0, b1 = r1, t1 = s1;
        long a0 = h0 + m0;
        long c = Long.compareUnsigned(a0, m0) < 0 ? 1 : 0;
        long a1 = h1 + m1;
        long c1 = Long.compareUnsigned(a1, m1) < 0 ? 1 : 0;
        a1 += c;
        // a1 + c wraps only when a1 was all ones, which needs c1 = 0: the two carries never add to 2.
        c1 |= c & (a1 == 0 ? 1 : 0);
        long a2 = h2 + c1 + hibit;

        // d0 = a0*r0 + a1*s1, d1 = a0*r1 + a1*r0 + a2*s1 (128-bit), d2 = a2*r0 (64-bit).
        long lo0 = a0 * b0;
        long lo1 = a1 * t1;
        long d0lo = lo0 + lo1;
        long d0hi = Math.unsignedMultiplyHigh(a0, b0)
                + Math.unsignedMultiplyHigh(a1, t1)
                + (Long.compareUnsigned(d0lo, lo1) < 0 ? 1 : 0);

        long lo2 = a0 * b1;
        long lo3 = a1 * b0;
        long lo4 = a2 * t1;
        long d1lo = lo2 + lo3;
        long d1hi = Math.unsignedMultiplyHigh(a0, b1)
                + Math.unsignedMultiplyHigh(a1, b0)
                + (Long.compareUnsigned(d1lo, lo3) < 0 ? 1 : 0);
        d1lo += lo4;
        d1hi += Long.compareUnsigned(d1lo, lo4) < 0 ? 1 : 0;

        // Fold d0's high half into d1, then everything at or above 2^130 back in times 5.
        d1lo += d0hi;
        d1hi += Long.compareUnsigned(d1lo, d0hi) < 0 ? 1 : 0;
        a2 = a2 * b0 + d1hi;
        c = (a2 >>> 2) + (a2 & ~3L);
        a0 = d0lo + c;
        c = Long.compareUnsigned(a0, c) < 0 ? 1 : 0;
        a1 = d1lo + c;
        h0 = a0;
        h1 = a1;
        h2 = (a2 & 3) + (c & (a1 == 0 ? 1 : 0));
    }

    /** Completes the MAC and writes the 16-byte tag to {@code dst[offset]}. */
    public void finish(MutableDirectBuffer dst, int offset) {
        if (partialLength > 0) {
            partial[partialLength] = 1;
            java.util.Arrays.fill(partial, partialLength + 1, 16, (byte) 0);
            updateBlocks(partialBuffer, 0, 16, 0);
            partialLength = 0;
        }
        long a0 = h0, a1 = h1, a2 = h2;
        // g = h + 5; h < 2p here, so h mod p is g - 2^130 when g reaches 2^130, else h. Constant time.
        long g0 = a0 + 5;
        long c = carry(a0, 5, g0);
        long g1 = a1 + c;
        c = carry(a1, c, g1);
        long g2 = a2 + c;
        long selectG = -(g2 >>> 2);
        a0 = (a0 & ~selectG) | (g0 & selectG);
        a1 = (a1 & ~selectG) | (g1 & selectG);

        long f0 = a0 + pad0;
        c = carry(a0, pad0, f0);
        long f1 = a1 + pad1 + c;
        dst.putLong(offset, f0, LE);
        dst.putLong(offset + 8, f1, LE);
        h0 = h1 = h2 = 0;
        r0 = r1 = s1 = 0;
        pad0 = pad1 = 0;
    }
}
