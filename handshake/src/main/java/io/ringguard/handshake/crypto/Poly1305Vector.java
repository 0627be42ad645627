package io.ringguard.handshake.crypto;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Poly1305 over {@link #LANES} blocks at a time with the Vector API, for long messages: lane {@code
 * k} runs Horner's rule on blocks {@code k, k + LANES, k + 2 LANES, ...} with multiplier r^LANES,
 * and the last group is multiplied by r^LANES ... r^1 lane by lane, so the lanes add up to exactly
 * what the serial {@link Poly1305} would have computed. Limbs are 26 bits in 64-bit lanes, so a
 * product of two limbs (times 5 for the wrap-around) and a sum of five of them fit in a lane.
 *
 * <p>Works on the accumulator of a {@link Poly1305} that has been {@link Poly1305#init}ed; one
 * instance per {@link ChaCha20Poly1305}, so per thread. Only loaded when the vector module is
 * present (see {@link ChaCha20Poly1305}). Allocation-free.
 */
final class Poly1305Vector {
    /** Eight lanes on AVX-512, four on AVX2. */
    static final VectorSpecies<Long> SPECIES =
            LongVector.SPECIES_PREFERRED.vectorBitSize() >= 512 ? LongVector.SPECIES_512 : LongVector.SPECIES_256;

    static final int LANES = SPECIES.length();
    /** Fewer blocks than this go to the scalar code: the powers of r cost about LANES blocks. */
    static final int MIN_BLOCKS = 4 * LANES;

    private static final long M26 = 0x3ff_ffffL;
    private static final int LIMBS = 5;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Indexes into two loaded vectors of interleaved (low, high) block halves: the lows, then the highs. */
    private static final long[] LOW_INDEX = new long[LANES];

    private static final long[] HIGH_INDEX = new long[LANES];

    static {
        for (int k = 0; k < LANES; k++) {
            LOW_INDEX[k] = 2L * k;
            HIGH_INDEX[k] = 2L * k + 1;
        }
    }

    /** Limb {@code i} of r^(LANES - k) at {@code i * LANES + k}: the last group's multipliers. */
    private final long[] lanePowers = new long[LIMBS * LANES];
    /** r^LANES, then 5 r^LANES, limb by limb. */
    private final long[] stridePower = new long[2 * LIMBS];

    /** r^n at {@code n * LIMBS}, for n = 1 .. LANES. */
    private final long[] powers = new long[(LANES + 1) * LIMBS];

    /**
     * Absorbs {@code groups * LANES} full 16-byte blocks (with the 2^128 bit) at {@code
     * memory[offset]} into {@code poly}'s accumulator; {@code groups >= 1}.
     */
    void absorb(Poly1305 poly, MemorySegment memory, long offset, int groups) {
        preparePowers(poly.r0, poly.r1);
        final LongVector lowIndex = LongVector.fromArray(SPECIES, LOW_INDEX, 0);
        final LongVector highIndex = LongVector.fromArray(SPECIES, HIGH_INDEX, 0);

        // The accumulator so far enters lane 0, so it is multiplied by r^(number of blocks).
        long h0 = poly.h0, h1 = poly.h1;
        final LongVector zero = LongVector.zero(SPECIES);
        LongVector a0 = zero.withLane(0, h0 & M26);
        LongVector a1 = zero.withLane(0, (h0 >>> 26) & M26);
        LongVector a2 = zero.withLane(0, ((h0 >>> 52) | (h1 << 12)) & M26);
        LongVector a3 = zero.withLane(0, (h1 >>> 14) & M26);
        LongVector a4 = zero.withLane(0, (h1 >>> 40) | (poly.h2 << 24));

        LongVector b0 = LongVector.broadcast(SPECIES, stridePower[0]);
        LongVector b1 = LongVector.broadcast(SPECIES, stridePower[1]);
        LongVector b2 = LongVector.broadcast(SPECIES, stridePower[2]);
        LongVector b3 = LongVector.broadcast(SPECIES, stridePower[3]);
        LongVector b4 = LongVector.broadcast(SPECIES, stridePower[4]);
        LongVector t1 = LongVector.broadcast(SPECIES, stridePower[6]);
        LongVector t2 = LongVector.broadcast(SPECIES, stridePower[7]);
        LongVector t3 = LongVector.broadcast(SPECIES, stridePower[8]);
        LongVector t4 = LongVector.broadcast(SPECIES, stridePower[9]);

        long at = offset;
        for (int g = 0; g < groups; g++) {
            if (g == groups - 1) {
                // Last group: lane k times r^(LANES - k) instead of r^LANES.
                b0 = LongVector.fromArray(SPECIES, lanePowers, 0);
                b1 = LongVector.fromArray(SPECIES, lanePowers, LANES);
                b2 = LongVector.fromArray(SPECIES, lanePowers, 2 * LANES);
                b3 = LongVector.fromArray(SPECIES, lanePowers, 3 * LANES);
                b4 = LongVector.fromArray(SPECIES, lanePowers, 4 * LANES);
                t1 = b1.mul(5);
                t2 = b2.mul(5);
                t3 = b3.mul(5);
                t4 = b4.mul(5);
            }
            LongVector first = LongVector.fromMemorySegment(SPECIES, memory, at, LE);
            LongVector second = LongVector.fromMemorySegment(SPECIES, memory, at + 8L * LANES, LE);
            LongVector lo = lowIndex.selectFrom(first, second);
            LongVector hi = highIndex.selectFrom(first, second);
            at += 16L * LANES;

            a0 = a0.add(lo.and(M26));
            a1 = a1.add(lo.lanewise(VectorOperators.LSHR, 26).and(M26));
            a2 = a2.add(lo.lanewise(VectorOperators.LSHR, 52)
                    .or(hi.lanewise(VectorOperators.LSHL, 12))
                    .and(M26));
            a3 = a3.add(hi.lanewise(VectorOperators.LSHR, 14).and(M26));
            a4 = a4.add(hi.lanewise(VectorOperators.LSHR, 40).or(1L << 24));

            LongVector d0 =
                    a0.mul(b0).add(a1.mul(t4)).add(a2.mul(t3)).add(a3.mul(t2)).add(a4.mul(t1));
            LongVector d1 =
                    a0.mul(b1).add(a1.mul(b0)).add(a2.mul(t4)).add(a3.mul(t3)).add(a4.mul(t2));
            LongVector d2 =
                    a0.mul(b2).add(a1.mul(b1)).add(a2.mul(b0)).add(a3.mul(t4)).add(a4.mul(t3));
            LongVector d3 =
                    a0.mul(b3).add(a1.mul(b2)).add(a2.mul(b1)).add(a3.mul(b0)).add(a4.mul(t4));
            LongVector d4 =
                    a0.mul(b4).add(a1.mul(b3)).add(a2.mul(b2)).add(a3.mul(b1)).add(a4.mul(b0));

            // Partial carry: limbs back to about 26 bits, 2^130 folded back in times 5.
            LongVector c = d0.lanewise(VectorOperators.LSHR, 26);
            a0 = d0.and(M26);
            d1 = d1.add(c);
            c = d1.lanewise(VectorOperators.LSHR, 26);
            a1 = d1.and(M26);
            d2 = d2.add(c);
            c = d2.lanewise(VectorOperators.LSHR, 26);
            a2 = d2.and(M26);
            d3 = d3.add(c);
            c = d3.lanewise(VectorOperators.LSHR, 26);
            a3 = d3.and(M26);
            d4 = d4.add(c);
            c = d4.lanewise(VectorOperators.LSHR, 26);
            a4 = d4.and(M26);
            a0 = a0.add(c.mul(5));
            c = a0.lanewise(VectorOperators.LSHR, 26);
            a0 = a0.and(M26);
            a1 = a1.add(c);
        }

        // Sum the lanes (each limb below 2^27, so the sums cannot overflow), then carry serially.
        long l0 = a0.reduceLanes(VectorOperators.ADD);
        long l1 = a1.reduceLanes(VectorOperators.ADD);
        long l2 = a2.reduceLanes(VectorOperators.ADD);
        long l3 = a3.reduceLanes(VectorOperators.ADD);
        long l4 = a4.reduceLanes(VectorOperators.ADD);
        long c = l0 >>> 26;
        l0 &= M26;
        l1 += c;
        c = l1 >>> 26;
        l1 &= M26;
        l2 += c;
        c = l2 >>> 26;
        l2 &= M26;
        l3 += c;
        c = l3 >>> 26;
        l3 &= M26;
        l4 += c;
        c = l4 >>> 26;
        l4 &= M26;
        l0 += c * 5;
        c = l0 >>> 26;
        l0 &= M26;
        l1 += c;
        c = l1 >>> 26;
        l1 &= M26;
        l2 += c;
        c = l2 >>> 26;
        l2 &= M26;
        l3 += c;
        c = l3 >>> 26;
        l3 &= M26;
        l4 += c;
        // Limbs 0-3 now below 2^26 and limb 4 at most 2^26, so h2 (bits 128 and up) is at most 4.
        poly.h0 = l0 | (l1 << 26) | (l2 << 52);
        poly.h1 = (l2 >>> 12) | (l3 << 14) | (l4 << 40);
        poly.h2 = l4 >>> 24;
        // The powers are as secret as r; Poly1305.finish clears r, so clear them too.
        java.util.Arrays.fill(powers, 0);
        java.util.Arrays.fill(lanePowers, 0);
        java.util.Arrays.fill(stridePower, 0);
    }

    /**
     * r^1 ... r^LANES from the clamped key halves, into {@link #lanePowers} and {@link
     * #stridePower}. Squaring first keeps the chain of dependent multiplications short (r^8 is
     * three deep, not seven), so the CPU overlaps the independent ones.
     */
    private void preparePowers(long r0, long r1) {
        long[] p = powers;
        p[LIMBS] = r0 & M26;
        p[LIMBS + 1] = (r0 >>> 26) & M26;
        p[LIMBS + 2] = ((r0 >>> 52) | (r1 << 12)) & M26;
        p[LIMBS + 3] = (r1 >>> 14) & M26;
        p[LIMBS + 4] = r1 >>> 40;
        // powers[n * LIMBS ..] = r^n: r^2 = r r, r^3 = r^2 r, r^4 = r^2 r^2, r^(4 + i) = r^4 r^i.
        multiply(p, 1, 1, 2);
        multiply(p, 2, 1, 3);
        multiply(p, 2, 2, 4);
        for (int n = 5; n <= LANES; n++) {
            multiply(p, 4, n - 4, n);
        }
        for (int n = 1; n <= LANES; n++) {
            for (int i = 0; i < LIMBS; i++) {
                // Lane LANES - n multiplies its last block by r^n.
                lanePowers[i * LANES + LANES - n] = p[n * LIMBS + i];
            }
        }
        for (int i = 0; i < LIMBS; i++) {
            stridePower[i] = p[LANES * LIMBS + i];
            stridePower[LIMBS + i] = p[LANES * LIMBS + i] * 5;
        }
    }

    /** {@code r^to = r^a * r^b mod 2^130 - 5} in 26-bit limbs of {@code p}, fully carried. */
    private static void multiply(long[] p, int a, int b, int to) {
        int x = a * LIMBS, y = b * LIMBS;
        long a0 = p[x], a1 = p[x + 1], a2 = p[x + 2], a3 = p[x + 3], a4 = p[x + 4];
        long b0 = p[y], b1 = p[y + 1], b2 = p[y + 2], b3 = p[y + 3], b4 = p[y + 4];
        long s1 = b1 * 5, s2 = b2 * 5, s3 = b3 * 5, s4 = b4 * 5;
        long d0 = a0 * b0 + a1 * s4 + a2 * s3 + a3 * s2 + a4 * s1;
        long d1 = a0 * b1 + a1 * b0 + a2 * s4 + a3 * s3 + a4 * s2;
        long d2 = a0 * b2 + a1 * b1 + a2 * b0 + a3 * s4 + a4 * s3;
        long d3 = a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0 + a4 * s4;
        long d4 = a0 * b4 + a1 * b3 + a2 * b2 + a3 * b1 + a4 * b0;
        long c = d0 >>> 26;
        a0 = d0 & M26;
        d1 += c;
        c = d1 >>> 26;
        a1 = d1 & M26;
        d2 += c;
        c = d2 >>> 26;
        a2 = d2 & M26;
        d3 += c;
        c = d3 >>> 26;
        a3 = d3 & M26;
        d4 += c;
        c = d4 >>> 26;
        a4 = d4 & M26;
        a0 += c * 5;
        c = a0 >>> 26;
        a0 &= M26;
        a1 += c;
        int z = to * LIMBS;
        p[z] = a0;
        p[z + 1] = a1;
        p[z + 2] = a2;
        p[z + 3] = a3;
        p[z + 4] = a4;
    }
}
