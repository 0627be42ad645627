package io.ringguard.membership.identity;

/**
 * Signs with one private key and verifies signatures by any public key. The engine signs every frame
 * it sends and verifies every frame, vouch and self-signed member record it receives through this
 * interface, so that large simulations can plug in a cheap stand-in; production uses {@link
 * Ed25519Authenticator}. Implementations are used by one thread (the engine's).
 */
public interface Authenticator {
    int SIGNATURE_BYTES = 64;

    /** The public key that {@link #sign} signs for. */
    NodeKey publicKey();

    /** Writes a {@value #SIGNATURE_BYTES}-byte signature of {@code message[offset, offset+length)}. */
    void sign(byte[] message, int offset, int length, byte[] signature, int signatureOffset);

    /** True when {@code signature} is {@code signer}'s valid signature of the message. Never throws. */
    boolean verify(NodeKey signer, byte[] message, int offset, int length, byte[] signature, int signatureOffset);
}
