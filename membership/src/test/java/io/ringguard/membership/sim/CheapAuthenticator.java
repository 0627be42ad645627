package io.ringguard.membership.sim;

import io.ringguard.membership.identity.Authenticator;
import io.ringguard.membership.identity.NodeKey;
import java.util.SplittableRandom;

/**
 * A test-only stand-in for Ed25519 in the 1,000-node runs: the "signature" is a keyed 64-bit hash
 * of the message under the signer's public key, repeated to 64 bytes. Anyone can forge it; it
 * exists so that the simulator measures the protocol, not 100 us of Ed25519 per frame. Attack and
 * small-scale tests use {@link io.ringguard.membership.identity.Ed25519Authenticator}.
 */
public final class CheapAuthenticator implements Authenticator {
    private final NodeKey publicKey;

    public CheapAuthenticator(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        this.publicKey = new NodeKey(r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong());
    }

    @Override
    public NodeKey publicKey() {
        return publicKey;
    }

    @Override
    public void sign(byte[] message, int offset, int length, byte[] signature, int signatureOffset) {
        fill(publicKey, message, offset, length, signature, signatureOffset);
    }

    @Override
    public boolean verify(
            NodeKey signer, byte[] message, int offset, int length, byte[] signature, int signatureOffset) {
        long h = hash(signer, message, offset, length);
        for (int i = 0; i < SIGNATURE_BYTES; i++) {
            if (signature[signatureOffset + i] != (byte) (h >>> ((i & 7) * 8))) {
                return false;
            }
        }
        return true;
    }

    private static void fill(NodeKey key, byte[] message, int offset, int length, byte[] signature, int at) {
        long h = hash(key, message, offset, length);
        for (int i = 0; i < SIGNATURE_BYTES; i++) {
            signature[at + i] = (byte) (h >>> ((i & 7) * 8));
        }
    }

    private static long hash(NodeKey key, byte[] m, int offset, int length) {
        long h = key.mix() ^ 0xcbf29ce484222325L;
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES) {
            h = Long.rotateLeft(h ^ (long) LONGS.get(m, offset + i), 31) * 0x9E3779B97F4A7C15L;
        }
        for (; i < length; i++) {
            h = (h ^ m[offset + i]) * 0x100000001b3L;
        }
        return h ^ (h >>> 29);
    }

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
}
