package io.ringguard.handshake.crypto;

import java.lang.foreign.MemorySegment;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * ChaCha20-Poly1305 AEAD (RFC 8439 section 2.8), in place over a buffer, with WireGuard's nonce:
 * 32 zero bits followed by a 64-bit little-endian counter.
 *
 * <p>One instance per thread (it keeps a Poly1305 accumulator and key-stream scratch); no
 * allocation per call. Keys are passed as eight little-endian words, loaded once per keypair with
 * {@link ChaCha20#loadKey}.
 *
 * <p>ChaCha20 and the bulk of Poly1305 run on the Vector API ({@link ChaCha20Vector}, 8 or 16
 * blocks per pass; {@link Poly1305Vector}, 4 or 8 lanes) when the JVM was started with {@code
 * --add-modules jdk.incubator.vector} and the CPU has 256-bit vectors, and on the scalar {@link
 * ChaCha20} and {@link Poly1305} otherwise or with {@code -Dringguard.crypto.scalar=true}; {@link
 * #isVectorized} says which. Both give the same bytes.
 */
public final class ChaCha20Poly1305 {
    public static final int TAG_BYTES = 16;

    /** Decided once: the vector classes must not even be loaded when the module is absent. */
    private static final boolean VECTOR_AVAILABLE =
            ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
                    && !Boolean.getBoolean("ringguard.crypto.scalar")
                    && ChaCha20Vector.isUsable();

    private final Poly1305 poly = new Poly1305();
    /** Both null on the scalar path. */
    private final ChaCha20Vector vector;

    private final Poly1305Vector polyVector;

    private final UnsafeBuffer block = new UnsafeBuffer(new byte[ChaCha20.BLOCK_BYTES]);
    private final UnsafeBuffer tag = new UnsafeBuffer(new byte[TAG_BYTES]);

    /** The vector path when this JVM and CPU support it (see the class comment), else scalar. */
    public ChaCha20Poly1305() {
        this(VECTOR_AVAILABLE);
    }

    /**
     * Chooses the path explicitly, so tests and benchmarks can compare both; {@code useVector}
     * needs {@link #isVectorAvailable}.
     */
    public ChaCha20Poly1305(boolean useVector) {
        if (useVector && !VECTOR_AVAILABLE) {
            throw new IllegalStateException("the Vector API is not available in this JVM");
        }
        this.vector = useVector ? new ChaCha20Vector() : null;
        this.polyVector = useVector ? new Poly1305Vector() : null;
    }

    /** Whether this JVM and CPU can run the vector path. */
    public static boolean isVectorAvailable() {
        return VECTOR_AVAILABLE;
    }

    /** Whether this instance runs ChaCha20 and Poly1305 on the Vector API. */
    public boolean isVectorized() {
        return vector != null;
    }

    /**
     * Encrypts {@code buffer[offset, offset + lengthBytes)} in place and writes the tag right after
     * it, at {@code offset + lengthBytes}. The buffer needs {@link #TAG_BYTES} of tail room.
     */
    public void seal(
            int[] key,
            long counter,
            MutableDirectBuffer buffer,
            int offset,
            int lengthBytes,
            DirectBuffer aad,
            int aadOffset,
            int aadLengthBytes) {
        sealWithNonce(
                key,
                0,
                (int) counter,
                (int) (counter >>> 32),
                buffer,
                offset,
                lengthBytes,
                aad,
                aadOffset,
                aadLengthBytes);
    }

    /**
     * Verifies and decrypts {@code buffer[offset, offset + lengthWithTagBytes)} in place. Returns false,
     * leaving the ciphertext untouched, when the input is shorter than a tag or the tag does not match.
     */
    public boolean open(
            int[] key,
            long counter,
            MutableDirectBuffer buffer,
            int offset,
            int lengthWithTagBytes,
            DirectBuffer aad,
            int aadOffset,
            int aadLengthBytes) {
        return openWithNonce(
                key,
                0,
                (int) counter,
                (int) (counter >>> 32),
                buffer,
                offset,
                lengthWithTagBytes,
                aad,
                aadOffset,
                aadLengthBytes);
    }

    /** {@link #seal} with an arbitrary 96-bit nonce given as three little-endian words. */
    public void sealWithNonce(
            int[] key,
            int n0,
            int n1,
            int n2,
            MutableDirectBuffer buffer,
            int offset,
            int lengthBytes,
            DirectBuffer aad,
            int aadOffset,
            int aadLengthBytes) {
        initPoly(key, n0, n1, n2);
        xorMessage(key, n0, n1, n2, buffer, offset, lengthBytes);
        if (aadLengthBytes > 0) {
            poly.updatePadded(aad, aadOffset, aadLengthBytes);
        }
        macMessage(buffer, offset, lengthBytes);
        poly.updateLengths(aadLengthBytes, lengthBytes);
        poly.finish(buffer, offset + lengthBytes);
    }

    /** {@link #open} with an arbitrary 96-bit nonce given as three little-endian words. */
    public boolean openWithNonce(
            int[] key,
            int n0,
            int n1,
            int n2,
            MutableDirectBuffer buffer,
            int offset,
            int lengthWithTagBytes,
            DirectBuffer aad,
            int aadOffset,
            int aadLengthBytes) {
        int lengthBytes = lengthWithTagBytes - TAG_BYTES;
        if (lengthBytes < 0) {
            return false;
        }
        initPoly(key, n0, n1, n2);
        if (aadLengthBytes > 0) {
            poly.updatePadded(aad, aadOffset, aadLengthBytes);
        }
        macMessage(buffer, offset, lengthBytes);
        poly.updateLengths(aadLengthBytes, lengthBytes);
        poly.finish(tag, 0);
        if (!ConstantTime.equals(tag, 0, buffer, offset + lengthBytes, TAG_BYTES)) {
            return false;
        }
        xorMessage(key, n0, n1, n2, buffer, offset, lengthBytes);
        return true;
    }

    /** Poly1305 over the ciphertext, padded: its long whole-group prefix on vectors when we can. */
    private void macMessage(DirectBuffer buffer, int offset, int lengthBytes) {
        int blocks = lengthBytes >>> 4;
        if (polyVector != null && blocks >= Poly1305Vector.MIN_BLOCKS) {
            MemorySegment memory = vector.segmentOf(buffer);
            if (memory != null) {
                int groups = blocks / Poly1305Vector.LANES;
                int vectorBytes = groups * Poly1305Vector.LANES * 16;
                buffer.boundsCheck(offset, vectorBytes);
                polyVector.absorb(poly, memory, (long) buffer.wrapAdjustment() + offset, groups);
                poly.updatePadded(buffer, offset + vectorBytes, lengthBytes - vectorBytes);
                return;
            }
        }
        poly.updatePadded(buffer, offset, lengthBytes);
    }

    private void xorMessage(
            int[] key, int n0, int n1, int n2, MutableDirectBuffer buffer, int offset, int lengthBytes) {
        if (vector != null) {
            vector.xorFromBlock1(key, n0, n1, n2, buffer, offset, lengthBytes);
        } else {
            ChaCha20.xor(key, 1, n0, n1, n2, buffer, offset, lengthBytes);
        }
    }

    private void initPoly(int[] key, int n0, int n1, int n2) {
        if (vector != null) {
            // Block 0 comes out of the same vector pass as the first message blocks.
            vector.begin(key, n0, n1, n2);
            poly.init(
                    vector.keyStreamLong(0), vector.keyStreamLong(1), vector.keyStreamLong(2), vector.keyStreamLong(3));
            vector.clearPolyKey();
            return;
        }
        // The Poly1305 key is the first half of key-stream block 0 (RFC 8439 2.6).
        block.setMemory(0, ChaCha20.BLOCK_BYTES, (byte) 0);
        ChaCha20.xor(key, 0, n0, n1, n2, block, 0, ChaCha20.BLOCK_BYTES);
        poly.init(block, 0);
        block.setMemory(0, ChaCha20.BLOCK_BYTES, (byte) 0);
    }
}
