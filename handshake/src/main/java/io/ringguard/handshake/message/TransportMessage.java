package io.ringguard.handshake.message;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Transport data, type 4, at least 32 bytes (an empty keepalive is header plus tag).
 *
 * <pre>
 *  offset  size  field
 *       0     4  type = 4, reserved = 0
 *       4     4  receiver index (LE)
 *       8     8  counter (LE), the AEAD nonce
 *      16     n  encrypted packet (padded to 16 bytes) + 16 tag
 * </pre>
 */
public final class TransportMessage {
    private TransportMessage() {}

    public static final int RECEIVER_OFFSET = 4;
    public static final int COUNTER_OFFSET = 8;
    public static final int DATA_OFFSET = 16;
    public static final int HEADER_BYTES = 16;
    public static final int MIN_LENGTH = HEADER_BYTES + 16;
    /** Plaintext is padded with zeros to a multiple of this (whitepaper 5.4.6). */
    public static final int PADDING_MULTIPLE = 16;

    public static boolean isValid(DirectBuffer buffer, int offset, int lengthBytes) {
        return MessageType.classify(buffer, offset, lengthBytes) == MessageType.TRANSPORT;
    }

    public static int receiverIndex(DirectBuffer buffer, int offset) {
        return buffer.getInt(offset + RECEIVER_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public static void receiverIndex(MutableDirectBuffer buffer, int offset, int index) {
        buffer.putInt(offset + RECEIVER_OFFSET, index, ByteOrder.LITTLE_ENDIAN);
    }

    public static long counter(DirectBuffer buffer, int offset) {
        return buffer.getLong(offset + COUNTER_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public static void counter(MutableDirectBuffer buffer, int offset, long counter) {
        buffer.putLong(offset + COUNTER_OFFSET, counter, ByteOrder.LITTLE_ENDIAN);
    }

    /** Plaintext length after padding to 16 bytes, capped at the MTU as the kernel does. */
    public static int paddedLength(int plaintextBytes, int mtu) {
        int padded = (plaintextBytes + PADDING_MULTIPLE - 1) & -PADDING_MULTIPLE;
        return plaintextBytes <= mtu && padded > mtu ? Math.max(plaintextBytes, mtu) : padded;
    }
}
