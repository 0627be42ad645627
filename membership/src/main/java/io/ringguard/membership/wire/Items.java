package io.ringguard.membership.wire;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The piggy-back section that ends most messages: member records and org messages.
 *
 * <pre>
 *  count (1, at most {@value #MAX_ITEMS}) | count x [ kind (1) | length (2, BE) | length bytes ]
 * </pre>
 *
 * {@link #validate} walks the whole section before anything acts on it, so a count that claims more
 * items than the bytes hold, an item running past the end, or trailing garbage rejects the frame; no
 * array is ever sized from a claimed count. Stateless; any thread.
 */
public final class Items {
    public static final int KIND_MEMBER = 1;
    public static final int KIND_ORG = 2;
    public static final int MAX_ITEMS = 32;
    public static final int ITEM_HEADER = 3;

    private Items() {}

    /** Returns the item count, or -1 when the section is malformed. */
    public static int validate(DirectBuffer buffer, int offset, int end) {
        if (offset >= end) {
            return -1;
        }
        int count = buffer.getByte(offset) & 0xFF;
        if (count > MAX_ITEMS) {
            return -1;
        }
        int p = offset + 1;
        for (int i = 0; i < count; i++) {
            if (p + ITEM_HEADER > end) {
                return -1;
            }
            int kind = buffer.getByte(p);
            int length = length(buffer, p);
            if ((kind != KIND_MEMBER && kind != KIND_ORG) || p + ITEM_HEADER + length > end) {
                return -1;
            }
            p += ITEM_HEADER + length;
        }
        return p == end ? count : -1;
    }

    public static int kind(DirectBuffer buffer, int itemOffset) {
        return buffer.getByte(itemOffset);
    }

    public static int length(DirectBuffer buffer, int itemOffset) {
        return buffer.getShort(itemOffset + 1, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    /** Writes one item header; returns the offset where its bytes go. */
    public static int putItemHeader(MutableDirectBuffer buffer, int itemOffset, int kind, int length) {
        buffer.putByte(itemOffset, (byte) kind);
        buffer.putShort(itemOffset + 1, (short) length, ByteOrder.BIG_ENDIAN);
        return itemOffset + ITEM_HEADER;
    }
}
