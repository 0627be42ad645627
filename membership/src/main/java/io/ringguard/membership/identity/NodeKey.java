package io.ringguard.membership.identity;

import java.util.Base64;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A 32-byte public key (an Ed25519 node or org key, or a WireGuard key) held as four big-endian
 * longs so that it can be a hash-map key without keeping a {@code byte[]} alive. Immutable; any
 * thread.
 */
public record NodeKey(long w0, long w1, long w2, long w3) implements Comparable<NodeKey> {
    public static final int BYTES = 32;

    /** Reads 32 bytes at {@code offset}; allocates only the record itself. */
    public static NodeKey read(DirectBuffer buffer, int offset) {
        return new NodeKey(
                buffer.getLong(offset, java.nio.ByteOrder.BIG_ENDIAN),
                buffer.getLong(offset + 8, java.nio.ByteOrder.BIG_ENDIAN),
                buffer.getLong(offset + 16, java.nio.ByteOrder.BIG_ENDIAN),
                buffer.getLong(offset + 24, java.nio.ByteOrder.BIG_ENDIAN));
    }

    public static NodeKey of(byte[] key) {
        if (key.length != BYTES) {
            throw new IllegalArgumentException("a key is 32 bytes, got " + key.length);
        }
        return read(new UnsafeBuffer(key), 0);
    }

    /** Parses standard base64 (44 characters), as {@code wg} and the org CLI print keys. */
    public static NodeKey fromBase64(CharSequence text) {
        byte[] bytes = Base64.getDecoder().decode(text.toString().trim());
        return of(bytes);
    }

    /** True when the 32 bytes at {@code offset} equal this key; no allocation. */
    public boolean matches(DirectBuffer buffer, int offset) {
        return buffer.getLong(offset, java.nio.ByteOrder.BIG_ENDIAN) == w0
                && buffer.getLong(offset + 8, java.nio.ByteOrder.BIG_ENDIAN) == w1
                && buffer.getLong(offset + 16, java.nio.ByteOrder.BIG_ENDIAN) == w2
                && buffer.getLong(offset + 24, java.nio.ByteOrder.BIG_ENDIAN) == w3;
    }

    public void write(MutableDirectBuffer buffer, int offset) {
        buffer.putLong(offset, w0, java.nio.ByteOrder.BIG_ENDIAN);
        buffer.putLong(offset + 8, w1, java.nio.ByteOrder.BIG_ENDIAN);
        buffer.putLong(offset + 16, w2, java.nio.ByteOrder.BIG_ENDIAN);
        buffer.putLong(offset + 24, w3, java.nio.ByteOrder.BIG_ENDIAN);
    }

    public byte[] toBytes() {
        byte[] out = new byte[BYTES];
        write(new UnsafeBuffer(out), 0);
        return out;
    }

    public String toBase64() {
        return Base64.getEncoder().encodeToString(toBytes());
    }

    /** A well-mixed 64-bit digest, for deterministic ids and hashing. */
    public long mix() {
        long h = w0 * 0x9E3779B97F4A7C15L;
        h = Long.rotateLeft(h ^ w1, 29) * 0xBF58476D1CE4E5B9L;
        h = Long.rotateLeft(h ^ w2, 31) * 0x94D049BB133111EBL;
        h = Long.rotateLeft(h ^ w3, 27) * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 31);
    }

    @Override
    public int compareTo(NodeKey other) {
        int c = Long.compareUnsigned(w0, other.w0);
        if (c == 0) {
            c = Long.compareUnsigned(w1, other.w1);
        }
        if (c == 0) {
            c = Long.compareUnsigned(w2, other.w2);
        }
        if (c == 0) {
            c = Long.compareUnsigned(w3, other.w3);
        }
        return c;
    }

    /** Public keys are not secret; the short form keeps logs readable. */
    @Override
    public String toString() {
        return toBase64().substring(0, 8) + "…";
    }
}
