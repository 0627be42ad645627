package io.ringguard.bench.legacy;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

// Verbatim copy of io.ringguard.handshake.crypto.ChaCha20 as of commit 5969ad5 (the scalar AEAD before
// issue 4), kept only so AeadBenchmark can measure before and after in the same run.
/**
 * The ChaCha20 stream cipher (RFC 8439 section 2.4) and HChaCha20 (draft-irtf-cfrg-xchacha section
 * 2.2), XORing the key stream straight into a buffer so packets are encrypted in place.
 *
 * <p>Stateless and allocation-free; safe to call from any thread.
 */
public final class ChaCha20 {
    /** "expand 32-byte k" as four little-endian words. */
    static final int SIGMA0 = 0x61707865;

    static final int SIGMA1 = 0x3320646e;
    static final int SIGMA2 = 0x79622d32;
    static final int SIGMA3 = 0x6b206574;

    public static final int KEY_BYTES = 32;
    public static final int BLOCK_BYTES = 64;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private ChaCha20() {}

    /** Loads a 32-byte key into the eight little-endian words the block function uses. */
    public static void loadKey(DirectBuffer src, int offset, int[] keyWords) {
        for (int i = 0; i < 8; i++) {
            keyWords[i] = src.getInt(offset + 4 * i, LE);
        }
    }

    /**
     * XORs {@code lengthBytes} of key stream into {@code buffer} at {@code offset}, starting at block
     * {@code counter}, with the 96-bit nonce {@code n0,n1,n2} (little-endian words).
     */
    public static void xor(
            int[] key, int counter, int n0, int n1, int n2, MutableDirectBuffer buffer, int offset, int lengthBytes) {
        final int k0 = key[0], k1 = key[1], k2 = key[2], k3 = key[3];
        final int k4 = key[4], k5 = key[5], k6 = key[6], k7 = key[7];
        int position = offset;
        int remaining = lengthBytes;
        int ctr = counter;
        while (remaining > 0) {
            int x0 = SIGMA0, x1 = SIGMA1, x2 = SIGMA2, x3 = SIGMA3;
            int x4 = k0, x5 = k1, x6 = k2, x7 = k3, x8 = k4, x9 = k5, x10 = k6, x11 = k7;
            int x12 = ctr, x13 = n0, x14 = n1, x15 = n2;
            for (int i = 0; i < 10; i++) {
                // column round
                x0 += x4;
                x12 = Integer.rotateLeft(x12 ^ x0, 16);
                x8 += x12;
                x4 = Integer.rotateLeft(x4 ^ x8, 12);
                x0 += x4;
                x12 = Integer.rotateLeft(x12 ^ x0, 8);
                x8 += x12;
                x4 = Integer.rotateLeft(x4 ^ x8, 7);
                x1 += x5;
                x13 = Integer.rotateLeft(x13 ^ x1, 16);
                x9 += x13;
                x5 = Integer.rotateLeft(x5 ^ x9, 12);
                x1 += x5;
                x13 = Integer.rotateLeft(x13 ^ x1, 8);
                x9 += x13;
                x5 = Integer.rotateLeft(x5 ^ x9, 7);
                x2 += x6;
                x14 = Integer.rotateLeft(x14 ^ x2, 16);
                x10 += x14;
                x6 = Integer.rotateLeft(x6 ^ x10, 12);
                x2 += x6;
                x14 = Integer.rotateLeft(x14 ^ x2, 8);
                x10 += x14;
                x6 = Integer.rotateLeft(x6 ^ x10, 7);
                x3 += x7;
                x15 = Integer.rotateLeft(x15 ^ x3, 16);
                x11 += x15;
                x7 = Integer.rotateLeft(x7 ^ x11, 12);
                x3 += x7;
                x15 = Integer.rotateLeft(x15 ^ x3, 8);
                x11 += x15;
                x7 = Integer.rotateLeft(x7 ^ x11, 7);
                // diagonal round
                x0 += x5;
                x15 = Integer.rotateLeft(x15 ^ x0, 16);
                x10 += x15;
                x5 = Integer.rotateLeft(x5 ^ x10, 12);
                x0 += x5;
                x15 = Integer.rotateLeft(x15 ^ x0, 8);
                x10 += x15;
                x5 = Integer.rotateLeft(x5 ^ x10, 7);
                x1 += x6;
                x12 = Integer.rotateLeft(x12 ^ x1, 16);
                x11 += x12;
                x6 = Integer.rotateLeft(x6 ^ x11, 12);
                x1 += x6;
                x12 = Integer.rotateLeft(x12 ^ x1, 8);
                x11 += x12;
                x6 = Integer.rotateLeft(x6 ^ x11, 7);
                x2 += x7;
                x13 = Integer.rotateLeft(x13 ^ x2, 16);
                x8 += x13;
                x7 = Integer.rotateLeft(x7 ^ x8, 12);
                x2 += x7;
                x13 = Integer.rotateLeft(x13 ^ x2, 8);
                x8 += x13;
                x7 = Integer.rotateLeft(x7 ^ x8, 7);
                x3 += x4;
                x14 = Integer.rotateLeft(x14 ^ x3, 16);
                x9 += x14;
                x4 = Integer.rotateLeft(x4 ^ x9, 12);
                x3 += x4;
                x14 = Integer.rotateLeft(x14 ^ x3, 8);
                x9 += x14;
                x4 = Integer.rotateLeft(x4 ^ x9, 7);
            }
            x0 += SIGMA0;
            x1 += SIGMA1;
            x2 += SIGMA2;
            x3 += SIGMA3;
            x4 += k0;
            x5 += k1;
            x6 += k2;
            x7 += k3;
            x8 += k4;
            x9 += k5;
            x10 += k6;
            x11 += k7;
            x12 += ctr;
            x13 += n0;
            x14 += n1;
            x15 += n2;
            if (remaining >= BLOCK_BYTES) {
                xorLong(buffer, position, x0, x1);
                xorLong(buffer, position + 8, x2, x3);
                xorLong(buffer, position + 16, x4, x5);
                xorLong(buffer, position + 24, x6, x7);
                xorLong(buffer, position + 32, x8, x9);
                xorLong(buffer, position + 40, x10, x11);
                xorLong(buffer, position + 48, x12, x13);
                xorLong(buffer, position + 56, x14, x15);
                position += BLOCK_BYTES;
                remaining -= BLOCK_BYTES;
                ctr++;
            } else {
                // Final partial block: word by word, then byte by byte; no scratch array.
                for (int w = 0; w < 16 && remaining > 0; w++) {
                    int word = switch (w) {
                        case 0 -> x0;
                        case 1 -> x1;
                        case 2 -> x2;
                        case 3 -> x3;
                        case 4 -> x4;
                        case 5 -> x5;
                        case 6 -> x6;
                        case 7 -> x7;
                        case 8 -> x8;
                        case 9 -> x9;
                        case 10 -> x10;
                        case 11 -> x11;
                        case 12 -> x12;
                        case 13 -> x13;
                        case 14 -> x14;
                        default -> x15;
                    };
                    for (int b = 0; b < 4 && remaining > 0; b++) {
                        buffer.putByte(position, (byte) (buffer.getByte(position) ^ (word >>> (8 * b))));
                        position++;
                        remaining--;
                    }
                }
            }
        }
    }

    private static void xorLong(MutableDirectBuffer buffer, int index, int lo, int hi) {
        long keyStream = (lo & 0xFFFF_FFFFL) | ((long) hi << 32);
        buffer.putLong(index, buffer.getLong(index, LE) ^ keyStream, LE);
    }

    /**
     * HChaCha20: derives a 256-bit subkey from {@code key} and the first 16 bytes of an XChaCha20
     * nonce. Writes eight words to {@code subKey}.
     */
    public static void hchacha20(int[] key, DirectBuffer nonce, int nonceOffset, int[] subKey) {
        int x0 = SIGMA0, x1 = SIGMA1, x2 = SIGMA2, x3 = SIGMA3;
        int x4 = key[0], x5 = key[1], x6 = key[2], x7 = key[3];
        int x8 = key[4], x9 = key[5], x10 = key[6], x11 = key[7];
        int x12 = nonce.getInt(nonceOffset, LE), x13 = nonce.getInt(nonceOffset + 4, LE);
        int x14 = nonce.getInt(nonceOffset + 8, LE), x15 = nonce.getInt(nonceOffset + 12, LE);
        int[] s = {x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15};
        for (int i = 0; i < 10; i++) {
            quarterRound(s, 0, 4, 8, 12);
            quarterRound(s, 1, 5, 9, 13);
            quarterRound(s, 2, 6, 10, 14);
            quarterRound(s, 3, 7, 11, 15);
            quarterRound(s, 0, 5, 10, 15);
            quarterRound(s, 1, 6, 11, 12);
            quarterRound(s, 2, 7, 8, 13);
            quarterRound(s, 3, 4, 9, 14);
        }
        subKey[0] = s[0];
        subKey[1] = s[1];
        subKey[2] = s[2];
        subKey[3] = s[3];
        subKey[4] = s[12];
        subKey[5] = s[13];
        subKey[6] = s[14];
        subKey[7] = s[15];
    }

    private static void quarterRound(int[] s, int a, int b, int c, int d) {
        s[a] += s[b];
        s[d] = Integer.rotateLeft(s[d] ^ s[a], 16);
        s[c] += s[d];
        s[b] = Integer.rotateLeft(s[b] ^ s[c], 12);
        s[a] += s[b];
        s[d] = Integer.rotateLeft(s[d] ^ s[a], 8);
        s[c] += s[d];
        s[b] = Integer.rotateLeft(s[b] ^ s[c], 7);
    }
}
