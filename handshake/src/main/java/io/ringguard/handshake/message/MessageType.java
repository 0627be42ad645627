package io.ringguard.handshake.message;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;

/**
 * The four WireGuard messages and the classification every datagram goes through first.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     type      |            reserved (must be zero)            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * All multi-byte WireGuard fields are little-endian.
 */
public final class MessageType {
    private MessageType() {}

    public static final int INVALID = 0;
    public static final int INITIATION = 1;
    public static final int RESPONSE = 2;
    public static final int COOKIE_REPLY = 3;
    public static final int TRANSPORT = 4;

    public static final int TYPE_OFFSET = 0;
    public static final int HEADER_BYTES = 4;

    /**
     * Returns the message type when the datagram's first word is a known type with zero reserved
     * bytes and its length is exactly right for that type (at least 32 for transport), otherwise
     * {@link #INVALID}. Reads nothing past {@code offset + lengthBytes}.
     */
    public static int classify(DirectBuffer buffer, int offset, int lengthBytes) {
        if (lengthBytes < HEADER_BYTES) {
            return INVALID;
        }
        // Type and reserved bytes are checked as one word, as the kernel does.
        int word = buffer.getInt(offset + TYPE_OFFSET, ByteOrder.LITTLE_ENDIAN);
        return switch (word) {
            case INITIATION -> lengthBytes == InitiationMessage.LENGTH ? INITIATION : INVALID;
            case RESPONSE -> lengthBytes == ResponseMessage.LENGTH ? RESPONSE : INVALID;
            case COOKIE_REPLY -> lengthBytes == CookieReplyMessage.LENGTH ? COOKIE_REPLY : INVALID;
            case TRANSPORT -> lengthBytes >= TransportMessage.MIN_LENGTH ? TRANSPORT : INVALID;
            default -> INVALID;
        };
    }

    /** Writes the type word (type byte, three zero reserved bytes). */
    public static void putType(org.agrona.MutableDirectBuffer buffer, int offset, int type) {
        buffer.putInt(offset + TYPE_OFFSET, type, ByteOrder.LITTLE_ENDIAN);
    }
}
