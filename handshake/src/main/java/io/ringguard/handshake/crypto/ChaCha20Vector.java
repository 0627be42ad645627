package io.ringguard.handshake.crypto;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * ChaCha20 key stream for {@link #LANES} blocks at once with the Vector API: lane {@code i} of
 * vector {@code x[j]} is word {@code j} of block {@code counter + i}, so one vector instruction does
 * the same step of the block function for every block and the rounds need no shuffles. The key
 * stream lands word-major in {@link #keyStream}; XORing it into the message gathers one block's
 * sixteen words back into a vector.
 *
 * <p>Used by {@link ChaCha20Poly1305}, one instance per AEAD instance (so per thread); only loaded
 * when the {@code jdk.incubator.vector} module is present and {@link #isUsable} says the CPU has
 * 256-bit or wider vectors (see {@link ChaCha20Poly1305}). Allocation-free per call, except the
 * first time it sees a new backing array or {@link ByteBuffer} (see {@link #segmentOf}).
 */
final class ChaCha20Vector {
    /** 512-bit vectors (16 blocks per pass) where the CPU has them, else 256-bit (8 blocks). */
    static final VectorSpecies<Integer> SPECIES =
            IntVector.SPECIES_PREFERRED.vectorBitSize() >= 512 ? IntVector.SPECIES_512 : IntVector.SPECIES_256;

    static final int LANES = SPECIES.length();
    private static final int BLOCK_WORDS = 16;
    /** Species for XORing: up to one 64-byte block per vector. */
    private static final VectorSpecies<Integer> OUT = SPECIES;

    private static final int LANES_OUT = OUT.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int[] LANE_INDEX = new int[LANES];
    /** Where word {@code j} of block 0 sits in {@link #keyStream}; add the block index for others. */
    private static final int[] WORD_INDEX = new int[BLOCK_WORDS];

    static {
        for (int i = 0; i < LANES; i++) {
            LANE_INDEX[i] = i;
        }
        for (int j = 0; j < BLOCK_WORDS; j++) {
            WORD_INDEX[j] = j * LANES;
        }
    }

    /** Key stream of blocks {@code keyStreamCounter ..+ LANES}: word {@code j} of block {@code i} at {@code j * LANES + i}. */
    private final int[] keyStream = new int[BLOCK_WORDS * LANES];

    private int keyStreamCounter;
    /** The array or ByteBuffer {@link #segment} covers, so a buffer seen before costs no allocation. */
    private Object segmentBase;

    private MemorySegment segment;

    /**
     * True when the vector path is worth taking: the C2 compiler maps 256-bit or wider vectors to
     * registers (otherwise the Vector API runs as slow, allocating Java) and the byte order is
     * little-endian, which the lane layout assumes.
     */
    static boolean isUsable() {
        return IntVector.SPECIES_PREFERRED.vectorBitSize() >= 256 && ByteOrder.nativeOrder() == LE;
    }

    /**
     * Generates blocks {@code 0 ..+ LANES} for a nonce; block 0's first 32 bytes are then the
     * Poly1305 one-time key, read with {@link #keyStreamLong}.
     */
    void begin(int[] key, int n0, int n1, int n2) {
        generate(key, 0, n0, n1, n2);
    }

    /** Little-endian 64-bit word {@code index} (0..7) of key-stream block 0 after {@link #begin}. */
    long keyStreamLong(int index) {
        return (keyStream[2 * index * LANES] & 0xFFFF_FFFFL) | ((long) keyStream[(2 * index + 1) * LANES] << 32);
    }

    /** Zeroes the Poly1305 key in block 0 once it has been read: it must not outlive its message. */
    void clearPolyKey() {
        for (int word = 0; word < 8; word++) {
            keyStream[word * LANES] = 0;
        }
    }

    /**
     * XORs the key stream from block 1 on (RFC 8439 2.8: block 0 keys Poly1305) into {@code
     * buffer[offset, offset + lengthBytes)}; {@link #begin} must have run for the same key and nonce.
     */
    void xorFromBlock1(int[] key, int n0, int n1, int n2, MutableDirectBuffer buffer, int offset, int lengthBytes) {
        if (lengthBytes <= 0) {
            return;
        }
        // One Agrona bounds check for the whole message; the segment checks every vector access too.
        buffer.boundsCheck(offset, lengthBytes);
        final MemorySegment memory = segmentOf(buffer);
        final long memoryOffset = memory == null ? 0 : (long) buffer.wrapAdjustment() + offset;
        int done = 0;
        int block = 1;
        while (done < lengthBytes) {
            if (block == LANES) {
                generate(key, keyStreamCounter + LANES, n0, n1, n2);
                block = 0;
            }
            int remaining = lengthBytes - done;
            if (remaining >= ChaCha20.BLOCK_BYTES && memory != null) {
                xorBlock(block, memory, memoryOffset + done);
                done += ChaCha20.BLOCK_BYTES;
            } else {
                done += xorScalar(block, buffer, offset + done, Math.min(remaining, ChaCha20.BLOCK_BYTES));
            }
            block++;
        }
    }

    private void xorBlock(int block, MemorySegment memory, long memoryOffset) {
        for (int word = 0; word < BLOCK_WORDS; word += LANES_OUT) {
            IntVector stream = IntVector.fromArray(OUT, keyStream, block, WORD_INDEX, word);
            long at = memoryOffset + 4L * word;
            IntVector.fromMemorySegment(OUT, memory, at, LE)
                    .lanewise(VectorOperators.XOR, stream)
                    .intoMemorySegment(memory, at, LE);
        }
    }

    /** Block {@code block} of the key stream into up to 64 bytes, through Agrona: no segment, or the tail. */
    private int xorScalar(int block, MutableDirectBuffer buffer, int position, int lengthBytes) {
        int word = 0;
        int done = 0;
        for (; done + 8 <= lengthBytes; done += 8, word += 2) {
            long stream = (keyStream[word * LANES + block] & 0xFFFF_FFFFL)
                    | ((long) keyStream[(word + 1) * LANES + block] << 32);
            buffer.putLong(position + done, buffer.getLong(position + done, LE) ^ stream, LE);
        }
        for (; done < lengthBytes; done++) {
            int stream = keyStream[(done >>> 2) * LANES + block] >>> (8 * (done & 3));
            buffer.putByte(position + done, (byte) (buffer.getByte(position + done) ^ stream));
        }
        return lengthBytes;
    }

    /**
     * A memory segment over the array or direct ByteBuffer behind {@code buffer}, whose offsets are
     * {@code buffer}'s indices plus {@link DirectBuffer#wrapAdjustment()}; null when there is
     * none (a raw address) and the caller falls back to Agrona's accessors. Cached, so the packet
     * slab, one direct ByteBuffer, costs one allocation for the life of the instance.
     */
    MemorySegment segmentOf(DirectBuffer buffer) {
        byte[] array = buffer.byteArray();
        Object base = array != null ? array : buffer.byteBuffer();
        if (base == null) {
            return null;
        }
        if (base != segmentBase) {
            if (array != null) {
                segment = MemorySegment.ofArray(array);
            } else {
                ByteBuffer byteBuffer = (ByteBuffer) base;
                if (!byteBuffer.isDirect() || byteBuffer.isReadOnly()) {
                    return null;
                }
                // Index 0 of the ByteBuffer, whatever its position and limit, as Agrona counts.
                segment = MemorySegment.ofBuffer(byteBuffer.duplicate().clear());
            }
            segmentBase = base;
        }
        return segment;
    }

    // No vector crosses this method's boundary: C2 does not inline a method this large, and a vector
    // passed or returned across a call would be boxed, an allocation per call.
    private void generate(int[] key, int ctr, int n0, int n1, int n2) {
        keyStreamCounter = ctr;
        final IntVector s0 = IntVector.broadcast(SPECIES, ChaCha20.SIGMA0);
        final IntVector s1 = IntVector.broadcast(SPECIES, ChaCha20.SIGMA1);
        final IntVector s2 = IntVector.broadcast(SPECIES, ChaCha20.SIGMA2);
        final IntVector s3 = IntVector.broadcast(SPECIES, ChaCha20.SIGMA3);
        final IntVector k0 = IntVector.broadcast(SPECIES, key[0]);
        final IntVector k1 = IntVector.broadcast(SPECIES, key[1]);
        final IntVector k2 = IntVector.broadcast(SPECIES, key[2]);
        final IntVector k3 = IntVector.broadcast(SPECIES, key[3]);
        final IntVector k4 = IntVector.broadcast(SPECIES, key[4]);
        final IntVector k5 = IntVector.broadcast(SPECIES, key[5]);
        final IntVector k6 = IntVector.broadcast(SPECIES, key[6]);
        final IntVector k7 = IntVector.broadcast(SPECIES, key[7]);
        final IntVector c = IntVector.fromArray(SPECIES, LANE_INDEX, 0).add(ctr);
        final IntVector m0 = IntVector.broadcast(SPECIES, n0);
        final IntVector m1 = IntVector.broadcast(SPECIES, n1);
        final IntVector m2 = IntVector.broadcast(SPECIES, n2);
        IntVector x0 = s0, x1 = s1, x2 = s2, x3 = s3;
        IntVector x4 = k0, x5 = k1, x6 = k2, x7 = k3, x8 = k4, x9 = k5, x10 = k6, x11 = k7;
        IntVector x12 = c, x13 = m0, x14 = m1, x15 = m2;
        for (int i = 0; i < 10; i++) {
            // column round
            x0 = x0.add(x4);
            x1 = x1.add(x5);
            x2 = x2.add(x6);
            x3 = x3.add(x7);
            x12 = x12.lanewise(VectorOperators.XOR, x0).lanewise(VectorOperators.ROL, 16);
            x13 = x13.lanewise(VectorOperators.XOR, x1).lanewise(VectorOperators.ROL, 16);
            x14 = x14.lanewise(VectorOperators.XOR, x2).lanewise(VectorOperators.ROL, 16);
            x15 = x15.lanewise(VectorOperators.XOR, x3).lanewise(VectorOperators.ROL, 16);
            x8 = x8.add(x12);
            x9 = x9.add(x13);
            x10 = x10.add(x14);
            x11 = x11.add(x15);
            x4 = x4.lanewise(VectorOperators.XOR, x8).lanewise(VectorOperators.ROL, 12);
            x5 = x5.lanewise(VectorOperators.XOR, x9).lanewise(VectorOperators.ROL, 12);
            x6 = x6.lanewise(VectorOperators.XOR, x10).lanewise(VectorOperators.ROL, 12);
            x7 = x7.lanewise(VectorOperators.XOR, x11).lanewise(VectorOperators.ROL, 12);
            x0 = x0.add(x4);
            x1 = x1.add(x5);
            x2 = x2.add(x6);
            x3 = x3.add(x7);
            x12 = x12.lanewise(VectorOperators.XOR, x0).lanewise(VectorOperators.ROL, 8);
            x13 = x13.lanewise(VectorOperators.XOR, x1).lanewise(VectorOperators.ROL, 8);
            x14 = x14.lanewise(VectorOperators.XOR, x2).lanewise(VectorOperators.ROL, 8);
            x15 = x15.lanewise(VectorOperators.XOR, x3).lanewise(VectorOperators.ROL, 8);
            x8 = x8.add(x12);
            x9 = x9.add(x13);
            x10 = x10.add(x14);
            x11 = x11.add(x15);
            x4 = x4.lanewise(VectorOperators.XOR, x8).lanewise(VectorOperators.ROL, 7);
            x5 = x5.lanewise(VectorOperators.XOR, x9).lanewise(VectorOperators.ROL, 7);
            x6 = x6.lanewise(VectorOperators.XOR, x10).lanewise(VectorOperators.ROL, 7);
            x7 = x7.lanewise(VectorOperators.XOR, x11).lanewise(VectorOperators.ROL, 7);
            // diagonal round
            x0 = x0.add(x5);
            x1 = x1.add(x6);
            x2 = x2.add(x7);
            x3 = x3.add(x4);
            x15 = x15.lanewise(VectorOperators.XOR, x0).lanewise(VectorOperators.ROL, 16);
            x12 = x12.lanewise(VectorOperators.XOR, x1).lanewise(VectorOperators.ROL, 16);
            x13 = x13.lanewise(VectorOperators.XOR, x2).lanewise(VectorOperators.ROL, 16);
            x14 = x14.lanewise(VectorOperators.XOR, x3).lanewise(VectorOperators.ROL, 16);
            x10 = x10.add(x15);
            x11 = x11.add(x12);
            x8 = x8.add(x13);
            x9 = x9.add(x14);
            x5 = x5.lanewise(VectorOperators.XOR, x10).lanewise(VectorOperators.ROL, 12);
            x6 = x6.lanewise(VectorOperators.XOR, x11).lanewise(VectorOperators.ROL, 12);
            x7 = x7.lanewise(VectorOperators.XOR, x8).lanewise(VectorOperators.ROL, 12);
            x4 = x4.lanewise(VectorOperators.XOR, x9).lanewise(VectorOperators.ROL, 12);
            x0 = x0.add(x5);
            x1 = x1.add(x6);
            x2 = x2.add(x7);
            x3 = x3.add(x4);
            x15 = x15.lanewise(VectorOperators.XOR, x0).lanewise(VectorOperators.ROL, 8);
            x12 = x12.lanewise(VectorOperators.XOR, x1).lanewise(VectorOperators.ROL, 8);
            x13 = x13.lanewise(VectorOperators.XOR, x2).lanewise(VectorOperators.ROL, 8);
            x14 = x14.lanewise(VectorOperators.XOR, x3).lanewise(VectorOperators.ROL, 8);
            x10 = x10.add(x15);
            x11 = x11.add(x12);
            x8 = x8.add(x13);
            x9 = x9.add(x14);
            x5 = x5.lanewise(VectorOperators.XOR, x10).lanewise(VectorOperators.ROL, 7);
            x6 = x6.lanewise(VectorOperators.XOR, x11).lanewise(VectorOperators.ROL, 7);
            x7 = x7.lanewise(VectorOperators.XOR, x8).lanewise(VectorOperators.ROL, 7);
            x4 = x4.lanewise(VectorOperators.XOR, x9).lanewise(VectorOperators.ROL, 7);
        }
        x0.add(s0).intoArray(keyStream, 0);
        x1.add(s1).intoArray(keyStream, LANES);
        x2.add(s2).intoArray(keyStream, 2 * LANES);
        x3.add(s3).intoArray(keyStream, 3 * LANES);
        x4.add(k0).intoArray(keyStream, 4 * LANES);
        x5.add(k1).intoArray(keyStream, 5 * LANES);
        x6.add(k2).intoArray(keyStream, 6 * LANES);
        x7.add(k3).intoArray(keyStream, 7 * LANES);
        x8.add(k4).intoArray(keyStream, 8 * LANES);
        x9.add(k5).intoArray(keyStream, 9 * LANES);
        x10.add(k6).intoArray(keyStream, 10 * LANES);
        x11.add(k7).intoArray(keyStream, 11 * LANES);
        x12.add(c).intoArray(keyStream, 12 * LANES);
        x13.add(m0).intoArray(keyStream, 13 * LANES);
        x14.add(m1).intoArray(keyStream, 14 * LANES);
        x15.add(m2).intoArray(keyStream, 15 * LANES);
    }
}
