package io.ringguard.handshake.message;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Handshake response, type 2, 92 bytes.
 *
 * <pre>
 *  offset  size  field
 *       0     4  type = 2, reserved = 0
 *       4     4  sender index (LE)
 *       8     4  receiver index (LE)
 *      12    32  unencrypted ephemeral
 *      44    16  encrypted nothing (tag only)
 *      60    16  mac1
 *      76    16  mac2
 * </pre>
 */
public final class ResponseMessage {
    private ResponseMessage() {}

    public static final int SENDER_OFFSET = 4;
    public static final int RECEIVER_OFFSET = 8;
    public static final int EPHEMERAL_OFFSET = 12;
    public static final int EMPTY_OFFSET = 44;
    public static final int EMPTY_BYTES = 16;
    public static final int MAC1_OFFSET = 60;
    public static final int MAC2_OFFSET = 76;
    public static final int LENGTH = 92;

    public static boolean isValid(DirectBuffer buffer, int offset, int lengthBytes) {
        return MessageType.classify(buffer, offset, lengthBytes) == MessageType.RESPONSE;
    }

    public static int senderIndex(DirectBuffer buffer, int offset) {
        return buffer.getInt(offset + SENDER_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public static void senderIndex(MutableDirectBuffer buffer, int offset, int index) {
        buffer.putInt(offset + SENDER_OFFSET, index, ByteOrder.LITTLE_ENDIAN);
    }

    public static int receiverIndex(DirectBuffer buffer, int offset) {
        return buffer.getInt(offset + RECEIVER_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public static void receiverIndex(MutableDirectBuffer buffer, int offset, int index) {
        buffer.putInt(offset + RECEIVER_OFFSET, index, ByteOrder.LITTLE_ENDIAN);
    }
}
