package io.ringguard.handshake.cookie;

import io.ringguard.handshake.ProtocolConstants;
import io.ringguard.handshake.crypto.Blake2s;
import io.ringguard.handshake.crypto.ConstantTime;
import io.ringguard.handshake.crypto.XChaCha20Poly1305;
import io.ringguard.handshake.message.CookieReplyMessage;
import io.ringguard.handshake.message.MessageType;
import io.ringguard.handshake.noise.StaticIdentity;
import java.security.SecureRandom;
import java.util.Arrays;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The receiving side of WireGuard's DoS protection (whitepaper 5.4.4 and 5.4.7): verifies mac1 on
 * every handshake message, checks mac2 against the cookie for the message's source when under load,
 * and writes cookie replies.
 *
 * <p>The cookie is MAC(R, source address || source port) with a secret R that is replaced every
 * {@link ProtocolConstants#COOKIE_SECRET_MAX_AGE_NS}. Owned by the control thread.
 */
public final class CookieChecker {
    private static final int MAC = Blake2s.MAC_BYTES;

    private final StaticIdentity identity;
    private final SecureRandom random;
    private final XChaCha20Poly1305 xaead = new XChaCha20Poly1305();
    private final byte[] secret = new byte[ProtocolConstants.HASH_BYTES];
    private boolean secretSet;
    private long secretBornNs;
    private final byte[] message = new byte[256];
    private final byte[] computed = new byte[MAC];
    private final byte[] cookie = new byte[ProtocolConstants.COOKIE_BYTES];
    private final byte[] source = new byte[18];

    public CookieChecker(StaticIdentity identity, SecureRandom random) {
        this.identity = identity;
        this.random = random;
    }

    /**
     * Checks the MACs at the end of a handshake message of {@code lengthBytes} (148 or 92), sent from
     * {@code sourceAddress} (4 or 16 bytes, network order) and {@code sourcePort}. mac2 is only
     * checked when {@code checkCookie} (the gateway is under load).
     */
    public MacResult validate(
            DirectBuffer msg,
            int offset,
            int lengthBytes,
            byte[] sourceAddress,
            int sourcePort,
            boolean checkCookie,
            long nowNs) {
        if (!identity.present() || lengthBytes > message.length || lengthBytes < 2 * MAC + MessageType.HEADER_BYTES) {
            return MacResult.INVALID_MAC;
        }
        int mac1Offset = lengthBytes - 2 * MAC;
        msg.getBytes(offset, message, 0, lengthBytes);
        Blake2s.mac(identity.mac1Key(), message, 0, mac1Offset, computed, 0);
        if (!ConstantTime.equals(computed, 0, message, mac1Offset, MAC)) {
            return MacResult.INVALID_MAC;
        }
        if (!checkCookie) {
            return MacResult.VALID_MAC_NO_COOKIE;
        }
        makeCookie(sourceAddress, sourcePort, nowNs);
        Blake2s.mac(cookie, message, 0, mac1Offset + MAC, computed, 0);
        Arrays.fill(cookie, (byte) 0);
        return ConstantTime.equals(computed, 0, message, mac1Offset + MAC, MAC)
                ? MacResult.VALID_MAC_WITH_COOKIE
                : MacResult.VALID_MAC_NO_COOKIE;
    }

    /**
     * Writes a 64-byte cookie reply to {@code out} answering the handshake message in {@code msg}
     * (whose sender index is {@code receiverIndex}), encrypting the cookie for its source under our
     * cookie key with the message's mac1 as associated data.
     */
    public void createReply(
            DirectBuffer msg,
            int offset,
            int lengthBytes,
            int receiverIndex,
            byte[] sourceAddress,
            int sourcePort,
            long nowNs,
            MutableDirectBuffer out,
            int outOffset) {
        out.setMemory(outOffset, CookieReplyMessage.LENGTH, (byte) 0);
        MessageType.putType(out, outOffset, MessageType.COOKIE_REPLY);
        CookieReplyMessage.receiverIndex(out, outOffset, receiverIndex);
        byte[] nonce = new byte[CookieReplyMessage.NONCE_BYTES];
        random.nextBytes(nonce);
        out.putBytes(outOffset + CookieReplyMessage.NONCE_OFFSET, nonce);
        makeCookie(sourceAddress, sourcePort, nowNs);
        out.putBytes(outOffset + CookieReplyMessage.COOKIE_OFFSET, cookie);
        Arrays.fill(cookie, (byte) 0);
        int mac1Offset = offset + lengthBytes - 2 * MAC;
        xaead.seal(
                new UnsafeBuffer(identity.cookieKey()),
                0,
                out,
                outOffset + CookieReplyMessage.NONCE_OFFSET,
                out,
                outOffset + CookieReplyMessage.COOKIE_OFFSET,
                ProtocolConstants.COOKIE_BYTES,
                msg,
                mac1Offset,
                MAC);
    }

    private void makeCookie(byte[] sourceAddress, int sourcePort, long nowNs) {
        if (!secretSet || nowNs - secretBornNs >= ProtocolConstants.COOKIE_SECRET_MAX_AGE_NS) {
            random.nextBytes(secret);
            secretBornNs = nowNs;
            secretSet = true;
        }
        int n = sourceAddress.length;
        System.arraycopy(sourceAddress, 0, source, 0, n);
        source[n] = (byte) (sourcePort >>> 8);
        source[n + 1] = (byte) sourcePort;
        Blake2s.mac(secret, source, 0, n + 2, cookie, 0);
    }
}
