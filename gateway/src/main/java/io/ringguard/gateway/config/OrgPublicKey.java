package io.ringguard.gateway.config;

import io.ringguard.handshake.keys.Keys;
import java.util.Arrays;

/**
 * The organisation's Ed25519 public key ({@code OrgPublicKey}), which signs vouches and control
 * messages for the gateway mesh (CONTRACTS.md section 6). 32 bytes, written as 44 base64
 * characters like a WireGuard key. Not a secret. Immutable; any thread.
 */
public final class OrgPublicKey {
    private final byte[] key;

    private OrgPublicKey(byte[] key) {
        this.key = key;
    }

    /** A copy of 32 bytes; throws {@link IllegalArgumentException} for another length. */
    public static OrgPublicKey of(byte[] key) {
        if (key.length != Keys.KEY_BYTES) {
            throw new IllegalArgumentException("Ed25519 public key must be 32 bytes, not " + key.length);
        }
        return new OrgPublicKey(key.clone());
    }

    /** From 44 base64 characters; throws {@link IllegalArgumentException} with the reason. */
    public static OrgPublicKey fromBase64(CharSequence base64) {
        return new OrgPublicKey(Keys.fromBase64(base64));
    }

    public byte[] bytes() {
        return key.clone();
    }

    @Override
    public String toString() {
        return new String(Keys.toBase64(key));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OrgPublicKey other && Arrays.equals(key, other.key);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key);
    }
}
