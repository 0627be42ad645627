package io.ringguard.membership.org;

import io.ringguard.membership.identity.Authenticator;
import io.ringguard.membership.identity.Ed25519Authenticator;
import io.ringguard.membership.identity.NodeKey;

/**
 * The org's Ed25519 key pair: the private half signs {@link OrgMessage}s (on an operator's machine,
 * through {@code ringguard org ...}); gateways hold only {@link #publicKey()} ({@code
 * OrgPublicKey}). One thread at a time.
 */
public final class OrgKeys {
    private final Ed25519Authenticator signer;

    private OrgKeys(Ed25519Authenticator signer) {
        this.signer = signer;
    }

    /** A fresh org key pair ({@code ringguard org keygen}). */
    public static OrgKeys generate() {
        return new OrgKeys(Ed25519Authenticator.generate());
    }

    /** Loads a stored 32-byte private key; the array is copied and may be wiped by the caller. */
    public static OrgKeys fromPrivateKey(byte[] privateKey) {
        return new OrgKeys(Ed25519Authenticator.fromPrivateKey(privateKey));
    }

    public NodeKey publicKey() {
        return signer.publicKey();
    }

    /** A copy of the private key for writing to the org key file; the caller wipes it. */
    public byte[] privateKeyCopy() {
        return signer.privateKeyCopy();
    }

    /** The signer {@link OrgMessage#vouch} and friends use. */
    public Authenticator signer() {
        return signer;
    }

    /** Zeroes the private key. */
    public void destroy() {
        signer.destroy();
    }
}
