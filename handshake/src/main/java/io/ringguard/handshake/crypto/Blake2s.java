package io.ringguard.handshake.crypto;

import java.util.Arrays;
import org.bouncycastle.crypto.digests.Blake2sDigest;

/**
 * BLAKE2s-256 as WireGuard uses it: HASH, keyed MAC (16-byte output), HMAC and the HKDF built on it
 * (whitepaper section 5.4).
 *
 * <p>Handshake path only (not per data packet). Stateless apart from a temporary digest per call;
 * safe from any thread.
 */
public final class Blake2s {
    public static final int HASH_BYTES = 32;
    public static final int MAC_BYTES = 16;
    private static final int BLOCK_BYTES = 64;

    private Blake2s() {}

    /** HASH(a || b || ...) into {@code out[0..32)}. */
    public static void hash(byte[] out, byte[]... parts) {
        Blake2sDigest d = new Blake2sDigest(256);
        for (byte[] p : parts) {
            d.update(p, 0, p.length);
        }
        d.doFinal(out, 0);
    }

    /** HASH over a byte range. */
    public static void hash(byte[] out, byte[] a, byte[] b, int bOffset, int bLength) {
        Blake2sDigest d = new Blake2sDigest(256);
        d.update(a, 0, a.length);
        d.update(b, bOffset, bLength);
        d.doFinal(out, 0);
    }

    /** MAC(key, input): keyed BLAKE2s with a 16-byte output, written to {@code out[outOffset]}. */
    public static void mac(byte[] key, byte[] input, int offset, int length, byte[] out, int outOffset) {
        Blake2sDigest d = new Blake2sDigest(key, MAC_BYTES, null, null);
        d.update(input, offset, length);
        d.doFinal(out, outOffset);
    }

    /** HMAC-BLAKE2s(key, input) into {@code out[0..32)} (RFC 2104 with a 64-byte block). */
    public static void hmac(byte[] out, byte[] key, byte[] input, int offset, int length) {
        byte[] block = new byte[BLOCK_BYTES];
        byte[] inner = new byte[HASH_BYTES];
        System.arraycopy(key, 0, block, 0, key.length);
        for (int i = 0; i < BLOCK_BYTES; i++) {
            block[i] ^= 0x36;
        }
        Blake2sDigest d = new Blake2sDigest(256);
        d.update(block, 0, BLOCK_BYTES);
        d.update(input, offset, length);
        d.doFinal(inner, 0);
        for (int i = 0; i < BLOCK_BYTES; i++) {
            block[i] ^= 0x36 ^ 0x5c;
        }
        d.reset();
        d.update(block, 0, BLOCK_BYTES);
        d.update(inner, 0, HASH_BYTES);
        d.doFinal(out, 0);
        Arrays.fill(block, (byte) 0);
        Arrays.fill(inner, (byte) 0);
    }

    /**
     * KDF_n(key, input) from the whitepaper: up to three 32-byte outputs. Pass null for outputs not
     * needed; {@code out1} may alias {@code key} (the chaining key is usually replaced in place).
     */
    public static void kdf(byte[] out1, byte[] out2, byte[] out3, byte[] key, byte[] input, int offset, int length) {
        byte[] prk = new byte[HASH_BYTES];
        byte[] t = new byte[HASH_BYTES + 1];
        hmac(prk, key, input, offset, length);
        t[0] = 1;
        hmac(t, prk, t, 0, 1);
        if (out2 != null) {
            byte[] t2 = new byte[HASH_BYTES + 1];
            System.arraycopy(t, 0, t2, 0, HASH_BYTES);
            t2[HASH_BYTES] = 2;
            hmac(t2, prk, t2, 0, HASH_BYTES + 1);
            if (out3 != null) {
                byte[] t3 = new byte[HASH_BYTES + 1];
                System.arraycopy(t2, 0, t3, 0, HASH_BYTES);
                t3[HASH_BYTES] = 3;
                hmac(t3, prk, t3, 0, HASH_BYTES + 1);
                System.arraycopy(t3, 0, out3, 0, HASH_BYTES);
                Arrays.fill(t3, (byte) 0);
            }
            System.arraycopy(t2, 0, out2, 0, HASH_BYTES);
            Arrays.fill(t2, (byte) 0);
        }
        if (out1 != null) {
            System.arraycopy(t, 0, out1, 0, HASH_BYTES);
        }
        Arrays.fill(t, (byte) 0);
        Arrays.fill(prk, (byte) 0);
    }
}
