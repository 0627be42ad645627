package io.ringguard.membership.wire;

import io.ringguard.membership.identity.Authenticator;
import io.ringguard.membership.identity.NodeKey;
import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The signed envelope of every gossip datagram. Big-endian, like the rest of the mesh protocol (it
 * is our own wire format, not WireGuard's).
 *
 * <pre>
 *  offset  size  field
 *       0     2  magic 0x5247 ("RG")
 *       2     1  version = 1
 *       3     1  message type ({@link MessageType})
 *       4     2  body length in bytes
 *       6     2  reserved = 0
 *       8    32  sender node key (Ed25519 public key)
 *      40     8  sender epoch (grows on every restart of the sender)
 *      48     8  sequence (per sender epoch, strictly increasing; replay window per sender)
 *      56     n  body: the type's fixed part, then for most types a piggy-back item section
 *    56+n    64  Ed25519 signature by the sender over bytes [0, 56+n)
 * </pre>
 *
 * A datagram is exactly one frame: {@link #validate} demands that the body length, the datagram
 * length and the type's minimum agree before any field is read, so a partial or padded datagram is
 * a counted drop and never shifts the next one. Stateless; any thread.
 */
public final class Frame {
    public static final int MAGIC = 0x5247;
    public static final int VERSION = 1;
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 2;
    public static final int TYPE_OFFSET = 3;
    public static final int BODY_LENGTH_OFFSET = 4;
    public static final int RESERVED_OFFSET = 6;
    public static final int SENDER_OFFSET = 8;
    public static final int EPOCH_OFFSET = 40;
    public static final int SEQUENCE_OFFSET = 48;
    public static final int HEADER_LENGTH = 56;
    public static final int BODY_OFFSET = HEADER_LENGTH;
    public static final int SIGNATURE_LENGTH = Authenticator.SIGNATURE_BYTES;
    /** Fits a 1420-byte tunnel MTU's underlay with room for IPv6 + UDP headers. */
    public static final int MAX_FRAME_BYTES = 1400;

    public static final int MAX_BODY_BYTES = MAX_FRAME_BYTES - HEADER_LENGTH - SIGNATURE_LENGTH;

    /** {@link #validate} results below zero. */
    public static final int INVALID_LENGTH = -1;

    public static final int INVALID_MAGIC = -2;
    public static final int INVALID_VERSION = -3;
    public static final int INVALID_TYPE = -4;

    private Frame() {}

    /**
     * Checks the envelope: returns the message type, or a negative {@code INVALID_*} code. Reads only
     * inside {@code [offset, offset + lengthBytes)}.
     */
    public static int validate(DirectBuffer buffer, int offset, int lengthBytes) {
        if (lengthBytes < HEADER_LENGTH + SIGNATURE_LENGTH || lengthBytes > MAX_FRAME_BYTES) {
            return INVALID_LENGTH;
        }
        if ((buffer.getShort(offset + MAGIC_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF) != MAGIC) {
            return INVALID_MAGIC;
        }
        if (buffer.getByte(offset + VERSION_OFFSET) != VERSION) {
            return INVALID_VERSION;
        }
        int bodyLength = bodyLength(buffer, offset);
        if (bodyLength != lengthBytes - HEADER_LENGTH - SIGNATURE_LENGTH) {
            return INVALID_LENGTH;
        }
        int type = type(buffer, offset);
        int fixed = MessageType.fixedLength(type);
        if (fixed < 0) {
            return INVALID_TYPE;
        }
        if (bodyLength < fixed + (MessageType.hasItems(type) ? 1 : 0)) {
            return INVALID_LENGTH;
        }
        return type;
    }

    public static int type(DirectBuffer buffer, int offset) {
        return buffer.getByte(offset + TYPE_OFFSET) & 0xFF;
    }

    public static int bodyLength(DirectBuffer buffer, int offset) {
        return buffer.getShort(offset + BODY_LENGTH_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    public static long epoch(DirectBuffer buffer, int offset) {
        return buffer.getLong(offset + EPOCH_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    public static long sequence(DirectBuffer buffer, int offset) {
        return buffer.getLong(offset + SEQUENCE_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /** Writes the header of a frame whose body the caller fills in next. */
    public static void writeHeader(
            MutableDirectBuffer buffer, int offset, int type, NodeKey sender, long epoch, long sequence) {
        buffer.putShort(offset + MAGIC_OFFSET, (short) MAGIC, ByteOrder.BIG_ENDIAN);
        buffer.putByte(offset + VERSION_OFFSET, (byte) VERSION);
        buffer.putByte(offset + TYPE_OFFSET, (byte) type);
        buffer.putShort(offset + BODY_LENGTH_OFFSET, (short) 0, ByteOrder.BIG_ENDIAN);
        buffer.putShort(offset + RESERVED_OFFSET, (short) 0, ByteOrder.BIG_ENDIAN);
        sender.write(buffer, offset + SENDER_OFFSET);
        buffer.putLong(offset + EPOCH_OFFSET, epoch, ByteOrder.BIG_ENDIAN);
        buffer.putLong(offset + SEQUENCE_OFFSET, sequence, ByteOrder.BIG_ENDIAN);
    }

    /**
     * Sets the body length and appends the signature; returns the frame length. The buffer must be
     * backed by a byte array (the engine's send buffer is).
     */
    public static int seal(MutableDirectBuffer buffer, int offset, int bodyLength, Authenticator signer) {
        buffer.putShort(offset + BODY_LENGTH_OFFSET, (short) bodyLength, ByteOrder.BIG_ENDIAN);
        int signed = HEADER_LENGTH + bodyLength;
        byte[] array = buffer.byteArray();
        int base = (int) (buffer.addressOffset() - org.agrona.BufferUtil.ARRAY_BASE_OFFSET) + offset;
        signer.sign(array, base, signed, array, base + signed);
        return signed + SIGNATURE_LENGTH;
    }

    /** Verifies the signature against the sender key in the header. Array-backed buffers only. */
    public static boolean verify(DirectBuffer buffer, int offset, int lengthBytes, NodeKey sender, Authenticator auth) {
        byte[] array = buffer.byteArray();
        if (array == null) {
            return false;
        }
        int base = (int) (buffer.addressOffset() - org.agrona.BufferUtil.ARRAY_BASE_OFFSET) + offset;
        int signed = lengthBytes - SIGNATURE_LENGTH;
        return auth.verify(sender, array, base, signed, array, base + signed);
    }
}
