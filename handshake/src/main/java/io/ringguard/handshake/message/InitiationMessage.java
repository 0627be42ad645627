package io.ringguard.handshake.message;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Handshake initiation, type 1, 148 bytes.
 *
 * <pre>
 *  offset  size  field
 *       0     4  type = 1, reserved = 0
 *       4     4  sender index (LE)
 *       8    32  unencrypted ephemeral
 *      40    48  encrypted static (32 + 16 tag)
 *      88    28  encrypted timestamp (12 + 16 tag)
 *     116    16  mac1
 *     132    16  mac2
 * </pre>
 */
public final class InitiationMessage {
    private InitiationMessage() {}

    public static final int SENDER_OFFSET = 4;
    public static final int EPHEMERAL_OFFSET = 8;
    public static final int STATIC_OFFSET = 40;
    public static final int STATIC_BYTES = 32 + 16;
    public static final int TIMESTAMP_OFFSET = 88;
    public static final int TIMESTAMP_BYTES = 12 + 16;
    public static final int MAC1_OFFSET = 116;
    public static final int MAC2_OFFSET = 132;
    public static final int LENGTH = 148;

    public static boolean isValid(DirectBuffer buffer, int offset, int lengthBytes) {
        return MessageType.classify(buffer, offset, lengthBytes) == MessageType.INITIATION;
    }

    public static int senderIndex(DirectBuffer buffer, int offset) {
        return buffer.getInt(offset + SENDER_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public static void senderIndex(MutableDirectBuffer buffer, int offset, int index) {
        buffer.putInt(offset + SENDER_OFFSET, index, ByteOrder.LITTLE_ENDIAN);
    }
}
