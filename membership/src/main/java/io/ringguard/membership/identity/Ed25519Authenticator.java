package io.ringguard.membership.identity;

import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Ed25519 (RFC 8032, BouncyCastle) signing with one private key. The private key never leaves this
 * object except through {@link #privateKeyCopy()} (for storing it in a file); {@link #destroy()}
 * zeroes it. One thread at a time (the engine's); verification is stateless.
 */
public final class Ed25519Authenticator implements Authenticator {
    private final byte[] privateKey;
    private final byte[] publicKeyBytes;
    private final NodeKey publicKey;
    private final byte[] verifyKey = new byte[NodeKey.BYTES];

    private Ed25519Authenticator(byte[] privateKey) {
        this.privateKey = privateKey;
        this.publicKeyBytes = new byte[Ed25519.PUBLIC_KEY_SIZE];
        Ed25519.generatePublicKey(privateKey, 0, publicKeyBytes, 0);
        this.publicKey = NodeKey.of(publicKeyBytes);
    }

    /** A fresh key from a {@link SecureRandom}. */
    public static Ed25519Authenticator generate() {
        Ed25519PrivateKeyParameters params = new Ed25519PrivateKeyParameters(new SecureRandom());
        return new Ed25519Authenticator(params.getEncoded());
    }

    /** Wraps a 32-byte private key; the array is copied so the caller can wipe its own. */
    public static Ed25519Authenticator fromPrivateKey(byte[] privateKey) {
        if (privateKey.length != Ed25519.SECRET_KEY_SIZE) {
            throw new IllegalArgumentException("an Ed25519 private key is 32 bytes");
        }
        return new Ed25519Authenticator(privateKey.clone());
    }

    @Override
    public NodeKey publicKey() {
        return publicKey;
    }

    /** A copy of the private key for storage; the caller wipes it. */
    public byte[] privateKeyCopy() {
        return privateKey.clone();
    }

    @Override
    public void sign(byte[] message, int offset, int length, byte[] signature, int signatureOffset) {
        Ed25519.sign(privateKey, 0, publicKeyBytes, 0, message, offset, length, signature, signatureOffset);
    }

    @Override
    public boolean verify(
            NodeKey signer, byte[] message, int offset, int length, byte[] signature, int signatureOffset) {
        signer.write(new org.agrona.concurrent.UnsafeBuffer(verifyKey), 0);
        try {
            return Ed25519.verify(signature, signatureOffset, verifyKey, 0, message, offset, length);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // BouncyCastle rejects some malformed points by throwing; for us that is just "invalid".
            return false;
        }
    }

    /** Zeroes the private key; the object must not be used afterwards. */
    public void destroy() {
        Arrays.fill(privateKey, (byte) 0);
    }
}
