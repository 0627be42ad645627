package io.ringguard.handshake.noise;

import io.ringguard.handshake.ProtocolConstants;
import io.ringguard.handshake.crypto.X25519;
import java.util.Arrays;

/**
 * One peer's handshake state: the remote static key, the preshared key, the precomputed static-static
 * DH, and the transcript (hash, chaining key, ephemerals, indices) of the handshake in progress.
 *
 * <p>Owned by the control thread; no other thread reads or writes it.
 */
public final class Handshake {
    private static final int K = ProtocolConstants.KEY_BYTES;

    final byte[] remoteStatic = new byte[K];
    final byte[] presharedKey = new byte[K];
    final byte[] precomputedStaticStatic = new byte[K];
    boolean staticStaticValid;

    final byte[] hash = new byte[ProtocolConstants.HASH_BYTES];
    final byte[] chainingKey = new byte[ProtocolConstants.HASH_BYTES];
    final byte[] ephemeralPrivate = new byte[K];
    final byte[] remoteEphemeral = new byte[K];
    final byte[] latestTimestamp = new byte[ProtocolConstants.TIMESTAMP_BYTES];
    HandshakeState state = HandshakeState.ZEROED;
    int localIndex;
    int remoteIndex;
    boolean consumedAnyInitiation;
    long lastInitiationConsumedNs;
    private Object attachment;

    public Handshake(StaticIdentity identity, byte[] remoteStatic, byte[] presharedKeyOrNull) {
        System.arraycopy(remoteStatic, 0, this.remoteStatic, 0, K);
        presharedKey(presharedKeyOrNull);
        precompute(identity);
    }

    /**
     * Recomputes DH(S_priv, S_pub_remote) after our private key changed. A low-order remote key leaves
     * the handshake unusable (every create/consume is then refused), as in the kernel.
     */
    public void precompute(StaticIdentity identity) {
        staticStaticValid =
                identity.present() && X25519.dh(precomputedStaticStatic, identity.privateKey(), remoteStatic);
        if (!staticStaticValid) {
            Arrays.fill(precomputedStaticStatic, (byte) 0);
        }
    }

    /** Replaces the preshared key; null or all zeros means none. Sessions in place are unaffected. */
    public void presharedKey(byte[] keyOrNull) {
        if (keyOrNull == null) {
            Arrays.fill(presharedKey, (byte) 0);
        } else {
            System.arraycopy(keyOrNull, 0, presharedKey, 0, K);
        }
    }

    public byte[] remoteStatic() {
        return remoteStatic;
    }

    public HandshakeState state() {
        return state;
    }

    public int localIndex() {
        return localIndex;
    }

    public int remoteIndex() {
        return remoteIndex;
    }

    /** True when the remote key is usable with our identity (not low order, identity present). */
    public boolean usable() {
        return staticStaticValid;
    }

    /** Whatever the owner (the dataplane's peer) wants to find from a handshake. */
    public Object attachment() {
        return attachment;
    }

    public void attachment(Object value) {
        attachment = value;
    }

    /** Forgets the transcript and ephemeral secrets; keeps identity-level state and replay guards. */
    public void clear() {
        Arrays.fill(hash, (byte) 0);
        Arrays.fill(chainingKey, (byte) 0);
        Arrays.fill(ephemeralPrivate, (byte) 0);
        Arrays.fill(remoteEphemeral, (byte) 0);
        localIndex = 0;
        remoteIndex = 0;
        state = HandshakeState.ZEROED;
    }

    /** Wipes every secret this object holds (peer removal). */
    public void destroy() {
        clear();
        Arrays.fill(presharedKey, (byte) 0);
        Arrays.fill(precomputedStaticStatic, (byte) 0);
        staticStaticValid = false;
    }
}
