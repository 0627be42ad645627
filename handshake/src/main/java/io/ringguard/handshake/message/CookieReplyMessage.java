package io.ringguard.handshake.message;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Cookie reply, type 3, 64 bytes.
 *
 * <pre>
 *  offset  size  field
 *       0     4  type = 3, reserved = 0
 *       4     4  receiver index (LE): the sender index of the message being answered
 *       8    24  nonce (random)
 *      32    32  encrypted cookie (16 + 16 tag), XChaCha20-Poly1305, AAD = that message's mac1
 * </pre>
 */
public final class CookieReplyMessage {
    private CookieReplyMessage() {}

    public static final int RECEIVER_OFFSET = 4;
    public static final int NONCE_OFFSET = 8;
    public static final int NONCE_BYTES = 24;
    public static final int COOKIE_OFFSET = 32;
    public static final int COOKIE_BYTES = 16 + 16;
    public static final int LENGTH = 64;

    public static boolean isValid(DirectBuffer buffer, int offset, int lengthBytes) {
        return MessageType.classify(buffer, offset, lengthBytes) == MessageType.COOKIE_REPLY;
    }

    public static int receiverIndex(DirectBuffer buffer, int offset) {
        return buffer.getInt(offset + RECEIVER_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public static void receiverIndex(MutableDirectBuffer buffer, int offset, int index) {
        buffer.putInt(offset + RECEIVER_OFFSET, index, ByteOrder.LITTLE_ENDIAN);
    }
}
