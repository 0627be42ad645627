package io.ringguard.bench.legacy;

import io.ringguard.handshake.crypto.ChaCha20;
import io.ringguard.handshake.crypto.ConstantTime;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

// Verbatim copy of io.ringguard.handshake.crypto.ChaCha20Poly1305 as of commit 5969ad5 (the scalar AEAD before
// issue 4), kept only so AeadBenchmark can measure before and after in the same run.
/**
 * ChaCha20-Poly1305 AEAD (RFC 8439 section 2.8), in place over a buffer, with WireGuard's nonce:
 * 32 zero bits followed by a 64-bit little-endian counter.
 *
 * <p>One instance per thread (it keeps a Poly1305 accumulator and one block of scratch); no
 * allocation per call. Keys are passed as eight little-endian words, loaded once per keypair with
 * {@link ChaCha20#loadKey}.
 */
public final class ChaCha20Poly1305 {
    public static final int TAG_BYTES = 16;

    private final Poly1305 poly = new Poly1305();
    private final UnsafeBuffer block = new UnsafeBuffer(new byte[ChaCha20.BLOCK_BYTES]);
    private final UnsafeBuffer tag = new UnsafeBuffer(new byte[TAG_BYTES]);

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
        ChaCha20.xor(key, 1, n0, n1, n2, buffer, offset, lengthBytes);
        if (aadLengthBytes > 0) {
            poly.updatePadded(aad, aadOffset, aadLengthBytes);
        }
        poly.updatePadded(buffer, offset, lengthBytes);
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
        poly.updatePadded(buffer, offset, lengthBytes);
        poly.updateLengths(aadLengthBytes, lengthBytes);
        poly.finish(tag, 0);
        if (!ConstantTime.equals(tag, 0, buffer, offset + lengthBytes, TAG_BYTES)) {
            return false;
        }
        ChaCha20.xor(key, 1, n0, n1, n2, buffer, offset, lengthBytes);
        return true;
    }

    private void initPoly(int[] key, int n0, int n1, int n2) {
        // The Poly1305 key is the first half of key-stream block 0 (RFC 8439 2.6).
        block.setMemory(0, ChaCha20.BLOCK_BYTES, (byte) 0);
        ChaCha20.xor(key, 0, n0, n1, n2, block, 0, ChaCha20.BLOCK_BYTES);
        poly.init(block, 0);
        block.setMemory(0, ChaCha20.BLOCK_BYTES, (byte) 0);
    }
}
