package io.ringguard.handshake.crypto;

import java.security.SecureRandom;

/**
 * Curve25519 Diffie-Hellman (RFC 7748) with WireGuard's rules: private keys are clamped, and a
 * shared secret of all zeros (a low-order public key) is a failed handshake, not a key.
 *
 * <p>Stateless; safe from any thread.
 */
public final class X25519 {
    public static final int KEY_BYTES = 32;

    private X25519() {}

    /** Clamps a private key in place (RFC 7748 section 5). */
    public static void clamp(byte[] privateKey) {
        privateKey[0] &= (byte) 0xF8;
        privateKey[31] &= 0x7F;
        privateKey[31] |= 0x40;
    }

    /** Fills {@code privateKey} with a fresh clamped private key. */
    public static void generatePrivateKey(SecureRandom random, byte[] privateKey) {
        random.nextBytes(privateKey);
        clamp(privateKey);
    }

    /** Derives the public key of {@code privateKey} (clamping a copy, as the spec requires). */
    public static void publicKey(byte[] privateKey, byte[] publicKey) {
        org.bouncycastle.math.ec.rfc7748.X25519.scalarMultBase(privateKey, 0, publicKey, 0);
    }

    /**
     * DH(privateKey, publicKey) into {@code shared}. Returns false, with {@code shared} zeroed, when
     * the result is all zeros.
     */
    public static boolean dh(byte[] shared, byte[] privateKey, byte[] publicKey) {
        org.bouncycastle.math.ec.rfc7748.X25519.scalarMult(privateKey, 0, publicKey, 0, shared, 0);
        return !ConstantTime.isZero(shared, 0, KEY_BYTES);
    }
}
