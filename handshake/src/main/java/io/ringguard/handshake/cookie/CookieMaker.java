package io.ringguard.handshake.cookie;

import io.ringguard.handshake.ProtocolConstants;
import io.ringguard.handshake.crypto.Blake2s;
import io.ringguard.handshake.crypto.XChaCha20Poly1305;
import io.ringguard.handshake.message.CookieReplyMessage;
import io.ringguard.handshake.noise.StaticIdentity;
import java.util.Arrays;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The sending side of the MACs for one peer: puts mac1 (and mac2 while we hold a fresh cookie from
 * that peer) on every handshake message we send it, and takes cookie replies, but only one that
 * answers the last mac1 we sent (so an observer cannot feed us cookies).
 *
 * <p>Owned by the control thread.
 */
public final class CookieMaker {
    private static final int MAC = Blake2s.MAC_BYTES;

    private final byte[] mac1Key = new byte[ProtocolConstants.HASH_BYTES];
    private final byte[] cookieKey = new byte[ProtocolConstants.HASH_BYTES];
    private final byte[] lastMac1 = new byte[MAC];
    private boolean haveSentMac1;
    private final byte[] cookie = new byte[ProtocolConstants.COOKIE_BYTES];
    private boolean haveCookie;
    private long cookieBornNs;
    private final byte[] message = new byte[256];
    private final byte[] reply = new byte[CookieReplyMessage.LENGTH];
    private final XChaCha20Poly1305 xaead = new XChaCha20Poly1305();

    /** For messages to the peer with static public key {@code remoteStatic}. */
    public CookieMaker(byte[] remoteStatic) {
        StaticIdentity.macKeys(remoteStatic, mac1Key, cookieKey);
    }

    /** Writes mac1 and mac2 into the last 32 bytes of a handshake message of {@code lengthBytes}. */
    public void addMacs(MutableDirectBuffer msg, int offset, int lengthBytes, long nowNs) {
        int mac1Offset = lengthBytes - 2 * MAC;
        msg.getBytes(offset, message, 0, lengthBytes);
        Blake2s.mac(mac1Key, message, 0, mac1Offset, lastMac1, 0);
        haveSentMac1 = true;
        msg.putBytes(offset + mac1Offset, lastMac1);
        System.arraycopy(lastMac1, 0, message, mac1Offset, MAC);
        if (haveCookie
                && nowNs - cookieBornNs
                        < ProtocolConstants.COOKIE_SECRET_MAX_AGE_NS - ProtocolConstants.COOKIE_SECRET_LATENCY_NS) {
            byte[] mac2 = new byte[MAC];
            Blake2s.mac(cookie, message, 0, mac1Offset + MAC, mac2, 0);
            msg.putBytes(offset + mac1Offset + MAC, mac2);
        } else {
            msg.setMemory(offset + mac1Offset + MAC, MAC, (byte) 0);
        }
    }

    /**
     * Takes a cookie reply addressed to us (the caller matched its receiver index to this peer).
     * Returns false when we sent no mac1 it could answer or it does not authenticate; a reply is
     * accepted at most once per mac1 sent.
     */
    public boolean consumeReply(DirectBuffer msg, int offset, long nowNs) {
        if (!haveSentMac1) {
            return false;
        }
        msg.getBytes(offset, reply, 0, CookieReplyMessage.LENGTH);
        UnsafeBuffer r = new UnsafeBuffer(reply);
        boolean ok = xaead.open(
                new UnsafeBuffer(cookieKey),
                0,
                r,
                CookieReplyMessage.NONCE_OFFSET,
                r,
                CookieReplyMessage.COOKIE_OFFSET,
                CookieReplyMessage.COOKIE_BYTES,
                new UnsafeBuffer(lastMac1),
                0,
                MAC);
        if (!ok) {
            return false;
        }
        System.arraycopy(reply, CookieReplyMessage.COOKIE_OFFSET, cookie, 0, ProtocolConstants.COOKIE_BYTES);
        Arrays.fill(reply, (byte) 0);
        haveCookie = true;
        cookieBornNs = nowNs;
        haveSentMac1 = false;
        return true;
    }

    /** True while a received cookie is fresh enough to put in mac2. */
    public boolean hasFreshCookie(long nowNs) {
        return haveCookie
                && nowNs - cookieBornNs
                        < ProtocolConstants.COOKIE_SECRET_MAX_AGE_NS - ProtocolConstants.COOKIE_SECRET_LATENCY_NS;
    }
}
