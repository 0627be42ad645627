package io.ringguard.handshake.noise;

import io.ringguard.handshake.ProtocolConstants;
import io.ringguard.handshake.crypto.Blake2s;
import io.ringguard.handshake.crypto.ChaCha20;
import io.ringguard.handshake.crypto.ChaCha20Poly1305;
import io.ringguard.handshake.crypto.X25519;
import io.ringguard.handshake.message.InitiationMessage;
import io.ringguard.handshake.message.MessageType;
import io.ringguard.handshake.message.ResponseMessage;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s as WireGuard specifies it (whitepaper 5.4): the four steps
 * {@link #createInitiation}, {@link #consumeInitiation}, {@link #createResponse}, {@link
 * #consumeResponse}, and {@link #beginSession} which derives the transport keys.
 *
 * <p>Messages are written without MACs; the cookie layer ({@code CookieMaker}) adds mac1/mac2 after
 * creation and ({@code CookieChecker}) verifies them before consumption.
 *
 * <p>Owned by the control thread: one instance, not thread-safe (it keeps scratch buffers). A refused
 * message returns false/null and leaves the reason in {@link #lastRejection()}; it never throws.
 */
public final class Noise {
    private static final int K = ProtocolConstants.KEY_BYTES;
    private static final byte[] INITIAL_CHAINING_KEY = new byte[ProtocolConstants.HASH_BYTES];
    private static final byte[] INITIAL_HASH = new byte[ProtocolConstants.HASH_BYTES];

    static {
        Blake2s.hash(INITIAL_CHAINING_KEY, ProtocolConstants.CONSTRUCTION.getBytes(StandardCharsets.US_ASCII));
        Blake2s.hash(
                INITIAL_HASH, INITIAL_CHAINING_KEY, ProtocolConstants.IDENTIFIER.getBytes(StandardCharsets.US_ASCII));
    }

    /** Looks a peer's handshake up by its static public key; null when the key is not configured. */
    @FunctionalInterface
    public interface PeerLookup {
        Handshake find(byte[] remoteStaticPublicKey);
    }

    private final SecureRandom random;
    private final ChaCha20Poly1305 aead = new ChaCha20Poly1305();
    private final int[] keyWords = new int[8];
    private final byte[] key = new byte[K];
    private final byte[] dh = new byte[K];
    private final byte[] hash = new byte[ProtocolConstants.HASH_BYTES];
    private final byte[] chainingKey = new byte[ProtocolConstants.HASH_BYTES];
    private final byte[] ephemeral = new byte[K];
    private final byte[] staticKey = new byte[K];
    private final byte[] timestamp = new byte[ProtocolConstants.TIMESTAMP_BYTES];
    private final byte[] tau = new byte[ProtocolConstants.HASH_BYTES];
    private final byte[] field = new byte[InitiationMessage.STATIC_BYTES];
    private final UnsafeBuffer fieldBuffer = new UnsafeBuffer(field);
    private final UnsafeBuffer hashBuffer = new UnsafeBuffer(hash);
    private Rejection lastRejection = Rejection.NONE;

    public Noise() {
        this(new SecureRandom());
    }

    public Noise(SecureRandom random) {
        this.random = random;
    }

    /** Why the last create/consume call refused its input. */
    public Rejection lastRejection() {
        return lastRejection;
    }

    /**
     * Writes an initiation (without MACs) to {@code out[offset..offset+148)} and moves the handshake
     * to CREATED_INITIATION. {@code wallClockNanos} feeds the TAI64N timestamp.
     */
    public boolean createInitiation(
            StaticIdentity identity,
            Handshake hs,
            int localIndex,
            long wallClockNanos,
            MutableDirectBuffer out,
            int offset) {
        if (!identity.present() || !hs.staticStaticValid) {
            return reject(identity.present() ? Rejection.LOW_ORDER_KEY : Rejection.NO_IDENTITY);
        }
        out.setMemory(offset, InitiationMessage.LENGTH, (byte) 0);
        MessageType.putType(out, offset, MessageType.INITIATION);
        InitiationMessage.senderIndex(out, offset, localIndex);
        initTranscript(hs.chainingKey, hs.hash, hs.remoteStatic);

        /* e */
        X25519.generatePrivateKey(random, hs.ephemeralPrivate);
        X25519.publicKey(hs.ephemeralPrivate, ephemeral);
        out.putBytes(offset + InitiationMessage.EPHEMERAL_OFFSET, ephemeral);
        mixEphemeral(hs.chainingKey, hs.hash, ephemeral);

        /* es */
        if (!mixDh(hs.chainingKey, key, hs.ephemeralPrivate, hs.remoteStatic)) {
            return reject(Rejection.LOW_ORDER_KEY);
        }

        /* s */
        encryptAndHash(identity.publicKey(), K, hs.hash, out, offset + InitiationMessage.STATIC_OFFSET);

        /* ss */
        Blake2s.kdf(hs.chainingKey, key, null, hs.chainingKey, hs.precomputedStaticStatic, 0, K);

        /* {t} */
        Tai64n.encode(wallClockNanos, timestamp, 0);
        encryptAndHash(
                timestamp,
                ProtocolConstants.TIMESTAMP_BYTES,
                hs.hash,
                out,
                offset + InitiationMessage.TIMESTAMP_OFFSET);

        hs.localIndex = localIndex;
        hs.state = HandshakeState.CREATED_INITIATION;
        wipeScratch();
        return accept();
    }

    /**
     * Consumes an initiation whose MAC1 the caller has already verified. Returns the sending peer's
     * handshake, now CONSUMED_INITIATION, or null with {@link #lastRejection()} set. Nothing about the
     * peer changes unless the whole message authenticates and its timestamp is new.
     */
    public Handshake consumeInitiation(
            StaticIdentity identity, DirectBuffer msg, int offset, PeerLookup peers, long nowNs) {
        if (!identity.present()) {
            return rejectNull(Rejection.NO_IDENTITY);
        }
        initTranscript(chainingKey, hash, identity.publicKey());

        /* e */
        msg.getBytes(offset + InitiationMessage.EPHEMERAL_OFFSET, ephemeral);
        mixEphemeral(chainingKey, hash, ephemeral);

        /* es */
        if (!mixDh(chainingKey, key, identity.privateKey(), ephemeral)) {
            return rejectNull(Rejection.LOW_ORDER_KEY);
        }

        /* s */
        if (!decryptAndHash(msg, offset + InitiationMessage.STATIC_OFFSET, InitiationMessage.STATIC_BYTES, hash)) {
            return rejectNull(Rejection.BAD_STATIC);
        }
        System.arraycopy(field, 0, staticKey, 0, K);
        Handshake hs = peers.find(staticKey);
        if (hs == null) {
            return rejectNull(Rejection.UNKNOWN_PEER);
        }

        /* ss */
        if (!hs.staticStaticValid) {
            return rejectNull(Rejection.LOW_ORDER_KEY);
        }
        Blake2s.kdf(chainingKey, key, null, chainingKey, hs.precomputedStaticStatic, 0, K);

        /* {t} */
        if (!decryptAndHash(
                msg, offset + InitiationMessage.TIMESTAMP_OFFSET, InitiationMessage.TIMESTAMP_BYTES, hash)) {
            return rejectNull(Rejection.BAD_TIMESTAMP);
        }
        System.arraycopy(field, 0, timestamp, 0, ProtocolConstants.TIMESTAMP_BYTES);
        if (Tai64n.compare(timestamp, hs.latestTimestamp) <= 0) {
            return rejectNull(Rejection.REPLAYED_TIMESTAMP);
        }
        if (hs.consumedAnyInitiation
                && nowNs - hs.lastInitiationConsumedNs < ProtocolConstants.MIN_INITIATION_INTERVAL_NS) {
            return rejectNull(Rejection.INITIATION_FLOOD);
        }

        // Authenticated and fresh: only now does the peer's state change.
        System.arraycopy(ephemeral, 0, hs.remoteEphemeral, 0, K);
        System.arraycopy(timestamp, 0, hs.latestTimestamp, 0, ProtocolConstants.TIMESTAMP_BYTES);
        System.arraycopy(hash, 0, hs.hash, 0, hash.length);
        System.arraycopy(chainingKey, 0, hs.chainingKey, 0, chainingKey.length);
        hs.remoteIndex = InitiationMessage.senderIndex(msg, offset);
        hs.lastInitiationConsumedNs = nowNs;
        hs.consumedAnyInitiation = true;
        hs.state = HandshakeState.CONSUMED_INITIATION;
        wipeScratch();
        accept();
        return hs;
    }

    /** Writes a response (without MACs) to {@code out[offset..offset+92)}; needs CONSUMED_INITIATION. */
    public boolean createResponse(Handshake hs, int localIndex, MutableDirectBuffer out, int offset) {
        if (hs.state != HandshakeState.CONSUMED_INITIATION) {
            return reject(Rejection.WRONG_STATE);
        }
        out.setMemory(offset, ResponseMessage.LENGTH, (byte) 0);
        MessageType.putType(out, offset, MessageType.RESPONSE);
        ResponseMessage.senderIndex(out, offset, localIndex);
        ResponseMessage.receiverIndex(out, offset, hs.remoteIndex);

        /* e */
        X25519.generatePrivateKey(random, hs.ephemeralPrivate);
        X25519.publicKey(hs.ephemeralPrivate, ephemeral);
        out.putBytes(offset + ResponseMessage.EPHEMERAL_OFFSET, ephemeral);
        mixEphemeral(hs.chainingKey, hs.hash, ephemeral);

        /* ee */
        if (!mixDh(hs.chainingKey, null, hs.ephemeralPrivate, hs.remoteEphemeral)) {
            return reject(Rejection.LOW_ORDER_KEY);
        }

        /* se */
        if (!mixDh(hs.chainingKey, null, hs.ephemeralPrivate, hs.remoteStatic)) {
            return reject(Rejection.LOW_ORDER_KEY);
        }

        /* psk */
        mixPsk(hs.chainingKey, hs.hash, key, hs.presharedKey);

        /* {} */
        encryptAndHash(field, 0, hs.hash, out, offset + ResponseMessage.EMPTY_OFFSET);

        hs.localIndex = localIndex;
        hs.state = HandshakeState.CREATED_RESPONSE;
        wipeScratch();
        return accept();
    }

    /**
     * Consumes a response, whose MAC1 the caller verified, for the handshake its receiver index named.
     * On success the handshake is CONSUMED_RESPONSE; on failure it is unchanged.
     */
    public boolean consumeResponse(StaticIdentity identity, Handshake hs, DirectBuffer msg, int offset) {
        if (!identity.present()) {
            return reject(Rejection.NO_IDENTITY);
        }
        if (hs.state != HandshakeState.CREATED_INITIATION) {
            return reject(Rejection.WRONG_STATE);
        }
        System.arraycopy(hs.hash, 0, hash, 0, hash.length);
        System.arraycopy(hs.chainingKey, 0, chainingKey, 0, chainingKey.length);

        /* e */
        msg.getBytes(offset + ResponseMessage.EPHEMERAL_OFFSET, ephemeral);
        mixEphemeral(chainingKey, hash, ephemeral);

        /* ee */
        if (!mixDh(chainingKey, null, hs.ephemeralPrivate, ephemeral)) {
            return reject(Rejection.LOW_ORDER_KEY);
        }

        /* se */
        if (!mixDh(chainingKey, null, identity.privateKey(), ephemeral)) {
            return reject(Rejection.LOW_ORDER_KEY);
        }

        /* psk */
        mixPsk(chainingKey, hash, key, hs.presharedKey);

        /* {} */
        if (!decryptAndHash(msg, offset + ResponseMessage.EMPTY_OFFSET, ResponseMessage.EMPTY_BYTES, hash)) {
            return reject(Rejection.BAD_RESPONSE);
        }

        System.arraycopy(ephemeral, 0, hs.remoteEphemeral, 0, K);
        System.arraycopy(hash, 0, hs.hash, 0, hash.length);
        System.arraycopy(chainingKey, 0, hs.chainingKey, 0, chainingKey.length);
        hs.remoteIndex = ResponseMessage.senderIndex(msg, offset);
        hs.state = HandshakeState.CONSUMED_RESPONSE;
        wipeScratch();
        return accept();
    }

    /**
     * Derives the transport keys from a finished handshake (CREATED_RESPONSE on the responder,
     * CONSUMED_RESPONSE on the initiator), clears the handshake, and returns the keypair, whose local
     * index is the handshake's. Null when the handshake is in neither state.
     */
    public Keypair beginSession(Handshake hs, long nowNs) {
        if (hs.state != HandshakeState.CREATED_RESPONSE && hs.state != HandshakeState.CONSUMED_RESPONSE) {
            return rejectNull(Rejection.WRONG_STATE);
        }
        boolean initiator = hs.state == HandshakeState.CONSUMED_RESPONSE;
        Keypair keypair = new Keypair(hs.localIndex, hs.remoteIndex, initiator, nowNs);
        byte[] first = new byte[K];
        byte[] second = new byte[K];
        Blake2s.kdf(first, second, null, hs.chainingKey, field, 0, 0);
        UnsafeBuffer f = new UnsafeBuffer(first);
        UnsafeBuffer s = new UnsafeBuffer(second);
        if (initiator) {
            ChaCha20.loadKey(f, 0, keypair.sendKeyWords());
            ChaCha20.loadKey(s, 0, keypair.receiveKeyWords());
        } else {
            ChaCha20.loadKey(s, 0, keypair.sendKeyWords());
            ChaCha20.loadKey(f, 0, keypair.receiveKeyWords());
        }
        Arrays.fill(first, (byte) 0);
        Arrays.fill(second, (byte) 0);
        hs.clear();
        accept();
        return keypair;
    }

    // ---- the symmetric state, named as in the kernel's noise.c

    private static void initTranscript(byte[] ck, byte[] h, byte[] responderStatic) {
        System.arraycopy(INITIAL_CHAINING_KEY, 0, ck, 0, ck.length);
        Blake2s.hash(h, INITIAL_HASH, responderStatic);
    }

    private static void mixHash(byte[] h, byte[] data, int offset, int length) {
        Blake2s.hash(h, h, data, offset, length);
    }

    private static void mixEphemeral(byte[] ck, byte[] h, byte[] ephemeralPublic) {
        mixHash(h, ephemeralPublic, 0, K);
        Blake2s.kdf(ck, null, null, ck, ephemeralPublic, 0, K);
    }

    /** (ck, k) = KDF2(ck, DH(priv, pub)); k may be null. False for an all-zero DH result. */
    private boolean mixDh(byte[] ck, byte[] k, byte[] privateKey, byte[] publicKey) {
        boolean ok = X25519.dh(dh, privateKey, publicKey);
        if (ok) {
            Blake2s.kdf(ck, k, null, ck, dh, 0, K);
        }
        Arrays.fill(dh, (byte) 0);
        return ok;
    }

    private void mixPsk(byte[] ck, byte[] h, byte[] k, byte[] psk) {
        Blake2s.kdf(ck, tau, k, ck, psk, 0, K);
        mixHash(h, tau, 0, tau.length);
        Arrays.fill(tau, (byte) 0);
    }

    /** Seals {@code plaintext[0..length)} with (key, counter 0, AAD = h) into out, then h = HASH(h || c). */
    private void encryptAndHash(byte[] plaintext, int length, byte[] h, MutableDirectBuffer out, int outOffset) {
        System.arraycopy(plaintext, 0, field, 0, length);
        ChaCha20.loadKey(new UnsafeBuffer(key), 0, keyWords);
        System.arraycopy(h, 0, hash, 0, hash.length);
        aead.seal(keyWords, 0, fieldBuffer, 0, length, hashBuffer, 0, hash.length);
        out.putBytes(outOffset, field, 0, length + ProtocolConstants.AEAD_TAG_BYTES);
        mixHash(h, field, 0, length + ProtocolConstants.AEAD_TAG_BYTES);
    }

    /** Opens {@code msg[offset..offset+length)} into {@code field} with AAD = h; on success h = HASH(h || c). */
    private boolean decryptAndHash(DirectBuffer msg, int offset, int length, byte[] h) {
        msg.getBytes(offset, field, 0, length);
        byte[] ciphertext = Arrays.copyOf(field, length);
        ChaCha20.loadKey(new UnsafeBuffer(key), 0, keyWords);
        boolean ok = aead.open(keyWords, 0, fieldBuffer, 0, length, new UnsafeBuffer(h), 0, h.length);
        if (ok) {
            mixHash(h, ciphertext, 0, length);
        }
        return ok;
    }

    private void wipeScratch() {
        Arrays.fill(key, (byte) 0);
        Arrays.fill(keyWords, 0);
        Arrays.fill(ephemeral, (byte) 0);
        Arrays.fill(chainingKey, (byte) 0);
    }

    private boolean reject(Rejection reason) {
        lastRejection = reason;
        wipeScratch();
        return false;
    }

    private <T> T rejectNull(Rejection reason) {
        reject(reason);
        return null;
    }

    private boolean accept() {
        lastRejection = Rejection.NONE;
        return true;
    }
}
