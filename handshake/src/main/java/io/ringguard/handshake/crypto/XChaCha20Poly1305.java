package io.ringguard.handshake.crypto;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha): HChaCha20 over the first 16 nonce bytes gives a
 * subkey, then ChaCha20-Poly1305 with the nonce {0, 0, 0, 0, nonce[16..24)}. WireGuard uses it only
 * for cookie replies.
 *
 * <p>One instance per thread; not thread-safe.
 */
public final class XChaCha20Poly1305 {
    public static final int NONCE_BYTES = 24;

    private final ChaCha20Poly1305 aead = new ChaCha20Poly1305();
    private final int[] keyWords = new int[8];
    private final int[] subKey = new int[8];

    public void seal(
            DirectBuffer key,
            int keyOffset,
            DirectBuffer nonce,
            int nonceOffset,
            MutableDirectBuffer buffer,
            int offset,
            int lengthBytes,
            DirectBuffer aad,
            int aadOffset,
            int aadLengthBytes) {
        deriveSubKey(key, keyOffset, nonce, nonceOffset);
        aead.sealWithNonce(
                subKey,
                0,
                nonce.getInt(nonceOffset + 16, java.nio.ByteOrder.LITTLE_ENDIAN),
                nonce.getInt(nonceOffset + 20, java.nio.ByteOrder.LITTLE_ENDIAN),
                buffer,
                offset,
                lengthBytes,
                aad,
                aadOffset,
                aadLengthBytes);
        wipe();
    }

    public boolean open(
            DirectBuffer key,
            int keyOffset,
            DirectBuffer nonce,
            int nonceOffset,
            MutableDirectBuffer buffer,
            int offset,
            int lengthWithTagBytes,
            DirectBuffer aad,
            int aadOffset,
            int aadLengthBytes) {
        deriveSubKey(key, keyOffset, nonce, nonceOffset);
        boolean ok = aead.openWithNonce(
                subKey,
                0,
                nonce.getInt(nonceOffset + 16, java.nio.ByteOrder.LITTLE_ENDIAN),
                nonce.getInt(nonceOffset + 20, java.nio.ByteOrder.LITTLE_ENDIAN),
                buffer,
                offset,
                lengthWithTagBytes,
                aad,
                aadOffset,
                aadLengthBytes);
        wipe();
        return ok;
    }

    private void deriveSubKey(DirectBuffer key, int keyOffset, DirectBuffer nonce, int nonceOffset) {
        ChaCha20.loadKey(key, keyOffset, keyWords);
        ChaCha20.hchacha20(keyWords, nonce, nonceOffset, subKey);
    }

    private void wipe() {
        java.util.Arrays.fill(keyWords, 0);
        java.util.Arrays.fill(subKey, 0);
    }
}
