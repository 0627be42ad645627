package io.ringguard.dataplane.config;

import io.ringguard.handshake.keys.Keys;
import java.util.Arrays;

/**
 * A peer's Curve25519 public key, compared by content so it can key a map. Not a secret: it prints
 * as base64, as {@code wg show} does. Immutable; any thread.
 */
public final class PublicKey {
    private final byte[] key;

    private PublicKey(byte[] key) {
        this.key = key;
    }

    /** A copy of 32 bytes; throws {@link IllegalArgumentException} for any other length. */
    public static PublicKey of(byte[] key) {
        if (key.length != Keys.KEY_BYTES) {
            throw new IllegalArgumentException("public key must be 32 bytes, not " + key.length);
        }
        return new PublicKey(key.clone());
    }

    /** From 64 hex digits (the UAPI form); throws {@link IllegalArgumentException} with the reason. */
    public static PublicKey fromHex(CharSequence hex) {
        return new PublicKey(Keys.fromHex(hex));
    }

    /** From 44 base64 characters (the config and CLI form); throws {@link IllegalArgumentException}. */
    public static PublicKey fromBase64(CharSequence base64) {
        return new PublicKey(Keys.fromBase64(base64));
    }

    /** A copy of the 32 key bytes. */
    public byte[] bytes() {
        return key.clone();
    }

    /** True if the key equals {@code other} (32 bytes), without copying. */
    public boolean contentEquals(byte[] other) {
        return Arrays.equals(key, other);
    }

    public char[] toHex() {
        return Keys.toHex(key);
    }

    public char[] toBase64() {
        return Keys.toBase64(key);
    }

    @Override
    public String toString() {
        return new String(Keys.toBase64(key));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PublicKey other && Arrays.equals(key, other.key);
    }

    @Override
    public int hashCode() {
        // Public keys are uniformly random: four of their bytes are as good a hash as all 32.
        return (key[0] & 0xFF) | (key[1] & 0xFF) << 8 | (key[2] & 0xFF) << 16 | key[3] << 24;
    }
}
