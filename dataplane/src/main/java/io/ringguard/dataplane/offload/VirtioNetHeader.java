package io.ringguard.dataplane.offload;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Flyweight helpers for {@code struct virtio_net_hdr} (include/uapi/linux/virtio_net.h), the 10-byte header a
 * TUN opened with {@code IFF_VNET_HDR} puts before every packet it reads and expects before every packet written.
 * Fields are in the host's byte order (little-endian on the LP64 Linux targets; the legacy virtio layout).
 *
 * <pre>
 *  0        1          2          4          6            8             10
 *  +--------+----------+----------+----------+------------+-------------+
 *  | flags  | gso_type | hdr_len  | gso_size | csum_start | csum_offset |
 *  +--------+----------+----------+----------+------------+-------------+
 * </pre>
 *
 * <p>Threading: stateless; any thread, over bytes it owns.
 */
public final class VirtioNetHeader {
    public static final int FLAGS_OFFSET = 0;
    public static final int GSO_TYPE_OFFSET = 1;
    public static final int HDR_LEN_OFFSET = 2;
    public static final int GSO_SIZE_OFFSET = 4;
    public static final int CSUM_START_OFFSET = 6;
    public static final int CSUM_OFFSET_OFFSET = 8;
    public static final int BYTES = 10;

    /** The checksum from {@code csum_start} on is partial: a seeded pseudo-header sum sits in the field. */
    public static final int F_NEEDS_CSUM = 1;
    /** The checksum was already checked (receive side only); nothing to do. */
    public static final int F_DATA_VALID = 2;

    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    public static final int GSO_UDP_L4 = 5;
    /** Flag bit of {@code gso_type}: the packet has ECN CWR set (only with {@code TUN_F_TSO_ECN}). */
    public static final int GSO_ECN = 0x80;

    private static final ByteOrder HOST = ByteOrder.nativeOrder();

    private VirtioNetHeader() {}

    public static int flags(DirectBuffer buffer, int offset) {
        return buffer.getByte(offset + FLAGS_OFFSET) & 0xFF;
    }

    public static int gsoType(DirectBuffer buffer, int offset) {
        return buffer.getByte(offset + GSO_TYPE_OFFSET) & 0xFF;
    }

    public static int hdrLen(DirectBuffer buffer, int offset) {
        return buffer.getShort(offset + HDR_LEN_OFFSET, HOST) & 0xFFFF;
    }

    public static int gsoSize(DirectBuffer buffer, int offset) {
        return buffer.getShort(offset + GSO_SIZE_OFFSET, HOST) & 0xFFFF;
    }

    public static int csumStart(DirectBuffer buffer, int offset) {
        return buffer.getShort(offset + CSUM_START_OFFSET, HOST) & 0xFFFF;
    }

    public static int csumOffset(DirectBuffer buffer, int offset) {
        return buffer.getShort(offset + CSUM_OFFSET_OFFSET, HOST) & 0xFFFF;
    }

    /** Writes an all-zero header: a complete packet with a valid checksum, no segmentation. */
    public static void putNone(MutableDirectBuffer buffer, int offset) {
        buffer.putLong(offset, 0L);
        buffer.putShort(offset + CSUM_OFFSET_OFFSET, (short) 0);
    }

    /** Writes every field. */
    public static void put(
            MutableDirectBuffer buffer,
            int offset,
            int flags,
            int gsoType,
            int hdrLen,
            int gsoSize,
            int csumStart,
            int csumOffset) {
        buffer.putByte(offset + FLAGS_OFFSET, (byte) flags);
        buffer.putByte(offset + GSO_TYPE_OFFSET, (byte) gsoType);
        buffer.putShort(offset + HDR_LEN_OFFSET, (short) hdrLen, HOST);
        buffer.putShort(offset + GSO_SIZE_OFFSET, (short) gsoSize, HOST);
        buffer.putShort(offset + CSUM_START_OFFSET, (short) csumStart, HOST);
        buffer.putShort(offset + CSUM_OFFSET_OFFSET, (short) csumOffset, HOST);
    }
}
