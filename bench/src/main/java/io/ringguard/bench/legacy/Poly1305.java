package io.ringguard.bench.legacy;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

// Verbatim copy of io.ringguard.handshake.crypto.Poly1305 as of commit 5969ad5 (the scalar AEAD before
// issue 4), kept only so AeadBenchmark can measure before and after in the same run.
/**
 * Poly1305 one-time authenticator (RFC 8439 section 2.5) over 26-bit limbs, so every product fits
 * in a signed {@code long}.
 *
 * <p>A reusable accumulator: {@link #init}, any number of {@link #updateBlocks}/{@link #update}
 * calls, then {@link #finish}. Not thread-safe; each thread owns its instance. Allocation-free.
 */
public final class Poly1305 {
    public static final int KEY_BYTES = 32;
    public static final int TAG_BYTES = 16;
    private static final long MASK26 = 0x3ff_ffffL;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private long r0, r1, r2, r3, r4;
    private long s1, s2, s3, s4;
    private long h0, h1, h2, h3, h4;
    private long pad0, pad1, pad2, pad3;
    private final byte[] partial = new byte[16];
    private final org.agrona.concurrent.UnsafeBuffer partialBuffer = new org.agrona.concurrent.UnsafeBuffer(partial);
    private int partialLength;

    /** Starts a MAC with the 32-byte one-time key at {@code key[offset]}. */
    public void init(DirectBuffer key, int offset) {
        long lo = key.getLong(offset, LE);
        long hi = key.getLong(offset + 8, LE);
        // r is clamped (RFC 8439 2.5.1) by the masks.
        r0 = lo & 0x3ff_ffffL;
        r1 = (lo >>> 26) & 0x3ff_ff03L;
        r2 = ((lo >>> 52) | (hi << 12)) & 0x3ff_c0ffL;
        r3 = (hi >>> 14) & 0x3f0_3fffL;
        r4 = (hi >>> 40) & 0x00f_ffffL;
        s1 = r1 * 5;
        s2 = r2 * 5;
        s3 = r3 * 5;
        s4 = r4 * 5;
        h0 = h1 = h2 = h3 = h4 = 0;
        pad0 = key.getInt(offset + 16, LE) & 0xFFFF_FFFFL;
        pad1 = key.getInt(offset + 20, LE) & 0xFFFF_FFFFL;
        pad2 = key.getInt(offset + 24, LE) & 0xFFFF_FFFFL;
        pad3 = key.getInt(offset + 28, LE) & 0xFFFF_FFFFL;
        partialLength = 0;
    }

    /**
     * Absorbs {@code lengthBytes} of message, then zero bytes up to the next 16-byte boundary: the
     * AEAD construction's "pad16" (RFC 8439 2.8). Must not be mixed with a pending {@link #update}.
     */
    public void updatePadded(DirectBuffer src, int offset, int lengthBytes) {
        int full = lengthBytes & ~15;
        updateBlocks(src, offset, full, 1L << 24);
        int tail = lengthBytes - full;
        if (tail > 0) {
            java.util.Arrays.fill(partial, (byte) 0);
            src.getBytes(offset + full, partial, 0, tail);
            updateBlocks(partialBuffer, 0, 16, 1L << 24);
        }
    }

    /** Absorbs one 16-byte block holding two little-endian 64-bit values (the AEAD length block). */
    public void updateLengths(long aadLengthBytes, long messageLengthBytes) {
        partialBuffer.putLong(0, aadLengthBytes, LE);
        partialBuffer.putLong(8, messageLengthBytes, LE);
        updateBlocks(partialBuffer, 0, 16, 1L << 24);
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
            updateBlocks(partialBuffer, 0, 16, 1L << 24);
            partialLength = 0;
        }
        int full = remaining & ~15;
        updateBlocks(src, position, full, 1L << 24);
        position += full;
        remaining -= full;
        if (remaining > 0) {
            src.getBytes(position, partial, 0, remaining);
            partialLength = remaining;
        }
    }

    private void updateBlocks(DirectBuffer src, int offset, int lengthBytes, long hibit) {
        long a0 = h0, a1 = h1, a2 = h2, a3 = h3, a4 = h4;
        final long b0 = r0, b1 = r1, b2 = r2, b3 = r3, b4 = r4;
        final long t1 = s1, t2 = s2, t3 = s3, t4 = s4;
        for (int i = offset, end = offset + lengthBytes; i < end; i += 16) {
            long lo = src.getLong(i, LE);
            long hi = src.getLong(i + 8, LE);
            a0 += lo & MASK26;
            a1 += (lo >>> 26) & MASK26;
            a2 += ((lo >>> 52) | (hi << 12)) & MASK26;
            a3 += (hi >>> 14) & MASK26;
            a4 += (hi >>> 40) | hibit;

            long d0 = a0 * b0 + a1 * t4 + a2 * t3 + a3 * t2 + a4 * t1;
            long d1 = a0 * b1 + a1 * b0 + a2 * t4 + a3 * t3 + a4 * t2;
            long d2 = a0 * b2 + a1 * b1 + a2 * b0 + a3 * t4 + a4 * t3;
            long d3 = a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0 + a4 * t4;
            long d4 = a0 * b4 + a1 * b3 + a2 * b2 + a3 * b1 + a4 * b0;

            long c = d0 >>> 26;
            a0 = d0 & MASK26;
            d1 += c;
            c = d1 >>> 26;
            a1 = d1 & MASK26;
            d2 += c;
            c = d2 >>> 26;
            a2 = d2 & MASK26;
            d3 += c;
            c = d3 >>> 26;
            a3 = d3 & MASK26;
            d4 += c;
            c = d4 >>> 26;
            a4 = d4 & MASK26;
            a0 += c * 5;
            c = a0 >>> 26;
            a0 &= MASK26;
            a1 += c;
        }
        h0 = a0;
        h1 = a1;
        h2 = a2;
        h3 = a3;
        h4 = a4;
    }

    /** Completes the MAC and writes the 16-byte tag to {@code dst[offset]}. */
    public void finish(MutableDirectBuffer dst, int offset) {
        if (partialLength > 0) {
            partial[partialLength] = 1;
            java.util.Arrays.fill(partial, partialLength + 1, 16, (byte) 0);
            updateBlocks(partialBuffer, 0, 16, 0);
            partialLength = 0;
        }
        long a0 = h0, a1 = h1, a2 = h2, a3 = h3, a4 = h4;
        long c = a1 >>> 26;
        a1 &= MASK26;
        a2 += c;
        c = a2 >>> 26;
        a2 &= MASK26;
        a3 += c;
        c = a3 >>> 26;
        a3 &= MASK26;
        a4 += c;
        c = a4 >>> 26;
        a4 &= MASK26;
        a0 += c * 5;
        c = a0 >>> 26;
        a0 &= MASK26;
        a1 += c;

        // g = h + 5 - 2^130; select g when it did not go negative (h >= p), constant time.
        long g0 = a0 + 5;
        c = g0 >>> 26;
        g0 &= MASK26;
        long g1 = a1 + c;
        c = g1 >>> 26;
        g1 &= MASK26;
        long g2 = a2 + c;
        c = g2 >>> 26;
        g2 &= MASK26;
        long g3 = a3 + c;
        c = g3 >>> 26;
        g3 &= MASK26;
        long g4 = a4 + c - (1L << 26);
        long selectG = ~(g4 >> 63);
        a0 = (a0 & ~selectG) | (g0 & selectG);
        a1 = (a1 & ~selectG) | (g1 & selectG);
        a2 = (a2 & ~selectG) | (g2 & selectG);
        a3 = (a3 & ~selectG) | (g3 & selectG);
        a4 = (a4 & ~selectG) | (g4 & selectG);

        long w0 = (a0 | (a1 << 26)) & 0xFFFF_FFFFL;
        long w1 = ((a1 >>> 6) | (a2 << 20)) & 0xFFFF_FFFFL;
        long w2 = ((a2 >>> 12) | (a3 << 14)) & 0xFFFF_FFFFL;
        long w3 = ((a3 >>> 18) | (a4 << 8)) & 0xFFFF_FFFFL;

        long f = w0 + pad0;
        dst.putInt(offset, (int) f, LE);
        f = w1 + pad1 + (f >>> 32);
        dst.putInt(offset + 4, (int) f, LE);
        f = w2 + pad2 + (f >>> 32);
        dst.putInt(offset + 8, (int) f, LE);
        f = w3 + pad3 + (f >>> 32);
        dst.putInt(offset + 12, (int) f, LE);
        h0 = h1 = h2 = h3 = h4 = 0;
        r0 = r1 = r2 = r3 = r4 = s1 = s2 = s3 = s4 = 0;
        pad0 = pad1 = pad2 = pad3 = 0;
    }
}
