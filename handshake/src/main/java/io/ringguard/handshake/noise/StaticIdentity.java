package io.ringguard.handshake.noise;

import io.ringguard.handshake.ProtocolConstants;
import io.ringguard.handshake.crypto.Blake2s;
import io.ringguard.handshake.keys.Keys;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * This interface's own Curve25519 key pair, plus the two keys every handshake message needs that
 * depend only on it: the MAC1 key {@code HASH(LABEL_MAC1 || S_pub)} and the cookie encryption key
 * {@code HASH(LABEL_COOKIE || S_pub)}.
 *
 * <p>Written only by the control thread ({@link #privateKey(byte[])}); immutable between writes.
 */
public final class StaticIdentity {
    private final byte[] privateKey = new byte[ProtocolConstants.KEY_BYTES];
    private final byte[] publicKey = new byte[ProtocolConstants.KEY_BYTES];
    private final byte[] mac1Key = new byte[ProtocolConstants.HASH_BYTES];
    private final byte[] cookieKey = new byte[ProtocolConstants.HASH_BYTES];
    private boolean present;

    /** An interface with no private key yet (wireguard-go starts like this until {@code wg set}). */
    public StaticIdentity() {}

    public StaticIdentity(byte[] privateKey) {
        privateKey(privateKey);
    }

    /** Sets (or, with an all-zero key, clears) the private key and derives everything else from it. */
    public void privateKey(byte[] key) {
        if (key == null || Keys.isZero(key)) {
            Arrays.fill(privateKey, (byte) 0);
            Arrays.fill(publicKey, (byte) 0);
            Arrays.fill(mac1Key, (byte) 0);
            Arrays.fill(cookieKey, (byte) 0);
            present = false;
            return;
        }
        System.arraycopy(key, 0, privateKey, 0, ProtocolConstants.KEY_BYTES);
        io.ringguard.handshake.crypto.X25519.clamp(privateKey);
        io.ringguard.handshake.crypto.X25519.publicKey(privateKey, publicKey);
        macKeys(publicKey, mac1Key, cookieKey);
        present = true;
    }

    /** Derives the MAC1 and cookie keys that belong to public key {@code pub}. */
    public static void macKeys(byte[] pub, byte[] mac1KeyOut, byte[] cookieKeyOut) {
        Blake2s.hash(mac1KeyOut, ProtocolConstants.LABEL_MAC1.getBytes(StandardCharsets.US_ASCII), pub);
        Blake2s.hash(cookieKeyOut, ProtocolConstants.LABEL_COOKIE.getBytes(StandardCharsets.US_ASCII), pub);
    }

    public boolean present() {
        return present;
    }

    /** The clamped private key; callers must not modify or retain it. */
    byte[] privateKey() {
        return privateKey;
    }

    public byte[] publicKey() {
        return publicKey;
    }

    public byte[] mac1Key() {
        return mac1Key;
    }

    public byte[] cookieKey() {
        return cookieKey;
    }

    /** Copies the private key out (for {@code get=1} in the UAPI); the caller wipes it. */
    public byte[] copyPrivateKey() {
        return privateKey.clone();
    }
}
