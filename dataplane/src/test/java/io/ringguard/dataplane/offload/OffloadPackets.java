package io.ringguard.dataplane.offload;

import io.ringguard.buffers.ip.InternetChecksum;
import io.ringguard.buffers.ip.IpPacket;
import java.nio.ByteOrder;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/** Builds TCP/IP and UDP/IP packets for the offload tests; addresses in 198.18.0.0/15 and fd00::/8. */
final class OffloadPackets {
    static final int SOURCE_V4 = 0xC6120001; // 198.18.0.1
    static final int DESTINATION_V4 = 0xC6130002; // 198.19.0.2
    static final int TCP_HEADER_BYTES = 32; // 20 + timestamps option (12)
    static final int ACK = 0x10;
    static final int PSH = 0x08;

    private OffloadPackets() {}

    static UnsafeBuffer direct(int bytes) {
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(bytes, 64));
    }

    /** Writes a TCP packet with a valid checksum at {@code offset}; returns its length. */
    static int write(
            MutableDirectBuffer b, int offset, boolean v6, int sequence, int flags, int payloadBytes, int seed) {
        int ip = v6 ? IpPacket.IPV6_HEADER_BYTES : IpPacket.IPV4_MIN_HEADER_BYTES;
        int length = ip + TCP_HEADER_BYTES + payloadBytes;
        b.setMemory(offset, ip + TCP_HEADER_BYTES, (byte) 0);
        if (v6) {
            b.putInt(offset, 0x60000000, ByteOrder.BIG_ENDIAN);
            b.putShort(offset + 4, (short) (length - ip), ByteOrder.BIG_ENDIAN);
            b.putByte(offset + 6, (byte) IpPacket.PROTOCOL_TCP);
            b.putByte(offset + 7, (byte) 64);
            b.putLong(offset + 8, 0xfd00_0000_0000_0000L, ByteOrder.BIG_ENDIAN);
            b.putLong(offset + 16, 1L, ByteOrder.BIG_ENDIAN);
            b.putLong(offset + 24, 0xfd00_0000_0000_0000L, ByteOrder.BIG_ENDIAN);
            b.putLong(offset + 32, 2L, ByteOrder.BIG_ENDIAN);
        } else {
            b.putByte(offset, (byte) 0x45);
            b.putShort(offset + 2, (short) length, ByteOrder.BIG_ENDIAN);
            b.putShort(offset + 4, (short) 0x1234, ByteOrder.BIG_ENDIAN);
            b.putShort(offset + 6, (short) 0x4000, ByteOrder.BIG_ENDIAN); // DF
            b.putByte(offset + 8, (byte) 64);
            b.putByte(offset + 9, (byte) IpPacket.PROTOCOL_TCP);
            b.putInt(offset + 12, SOURCE_V4, ByteOrder.BIG_ENDIAN);
            b.putInt(offset + 16, DESTINATION_V4, ByteOrder.BIG_ENDIAN);
            InternetChecksum.writeIpv4HeaderChecksum(b, offset);
        }
        int tcp = offset + ip;
        b.putShort(tcp, (short) 40000, ByteOrder.BIG_ENDIAN);
        b.putShort(tcp + 2, (short) 5201, ByteOrder.BIG_ENDIAN);
        b.putInt(tcp + 4, sequence, ByteOrder.BIG_ENDIAN);
        b.putInt(tcp + 8, 0x01020304, ByteOrder.BIG_ENDIAN);
        b.putByte(tcp + 12, (byte) ((TCP_HEADER_BYTES / 4) << 4));
        b.putByte(tcp + 13, (byte) flags);
        b.putShort(tcp + 14, (short) 512, ByteOrder.BIG_ENDIAN);
        // NOP NOP timestamps(10): kind 8, length 10, TSval, TSecr.
        b.putInt(tcp + 20, 0x0101080A, ByteOrder.BIG_ENDIAN);
        b.putInt(tcp + 24, 0x11111111, ByteOrder.BIG_ENDIAN);
        b.putInt(tcp + 28, 0x22222222, ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < payloadBytes; i++) {
            b.putByte(tcp + TCP_HEADER_BYTES + i, (byte) (seed + sequence + i));
        }
        GsoSegmenter.writeTcpChecksum(b, offset, ip, length, v6);
        return length;
    }

    /** Whether the TCP checksum of the packet at {@code offset} verifies. */
    static boolean tcpChecksumValid(MutableDirectBuffer b, int offset, int length, boolean v6) {
        int ip = v6 ? IpPacket.IPV6_HEADER_BYTES : IpPacket.IPV4_MIN_HEADER_BYTES;
        long sum = GsoSegmenter.pseudoHeaderSum(b, offset, IpPacket.PROTOCOL_TCP, length - ip, v6);
        sum = InternetChecksum.sum(b, offset + ip, length - ip, sum);
        return InternetChecksum.fold(sum) == InternetChecksum.VALID_FOLDED_SUM;
    }

    static int sequence(MutableDirectBuffer b, int offset, boolean v6) {
        return b.getInt(offset + (v6 ? 40 : 20) + 4, ByteOrder.BIG_ENDIAN);
    }

    static int flags(MutableDirectBuffer b, int offset, boolean v6) {
        return b.getByte(offset + (v6 ? 40 : 20) + 13) & 0xFF;
    }

    /** Writes a UDP datagram (destination port 5201) with a valid checksum at {@code offset}; returns its length. */
    static int writeUdp(MutableDirectBuffer b, int offset, boolean v6, int sourcePort, int payloadBytes, int seed) {
        int ip = v6 ? IpPacket.IPV6_HEADER_BYTES : IpPacket.IPV4_MIN_HEADER_BYTES;
        int length = ip + 8 + payloadBytes;
        b.setMemory(offset, ip + 8, (byte) 0);
        if (v6) {
            b.putInt(offset, 0x60000000, ByteOrder.BIG_ENDIAN);
            b.putShort(offset + 4, (short) (length - ip), ByteOrder.BIG_ENDIAN);
            b.putByte(offset + 6, (byte) IpPacket.PROTOCOL_UDP);
            b.putByte(offset + 7, (byte) 64);
            b.putLong(offset + 8, 0xfd00_0000_0000_0000L, ByteOrder.BIG_ENDIAN);
            b.putLong(offset + 16, 1L, ByteOrder.BIG_ENDIAN);
            b.putLong(offset + 24, 0xfd00_0000_0000_0000L, ByteOrder.BIG_ENDIAN);
            b.putLong(offset + 32, 2L, ByteOrder.BIG_ENDIAN);
        } else {
            b.putByte(offset, (byte) 0x45);
            b.putShort(offset + 2, (short) length, ByteOrder.BIG_ENDIAN);
            b.putShort(offset + 4, (short) 0x4321, ByteOrder.BIG_ENDIAN);
            b.putShort(offset + 6, (short) 0x4000, ByteOrder.BIG_ENDIAN); // DF
            b.putByte(offset + 8, (byte) 64);
            b.putByte(offset + 9, (byte) IpPacket.PROTOCOL_UDP);
            b.putInt(offset + 12, SOURCE_V4, ByteOrder.BIG_ENDIAN);
            b.putInt(offset + 16, DESTINATION_V4, ByteOrder.BIG_ENDIAN);
            InternetChecksum.writeIpv4HeaderChecksum(b, offset);
        }
        int udp = offset + ip;
        b.putShort(udp, (short) sourcePort, ByteOrder.BIG_ENDIAN);
        b.putShort(udp + 2, (short) 5201, ByteOrder.BIG_ENDIAN);
        b.putShort(udp + 4, (short) (8 + payloadBytes), ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < payloadBytes; i++) {
            b.putByte(udp + 8 + i, (byte) (seed + i * 7));
        }
        GsoSegmenter.writeUdpChecksum(b, offset, ip, length, v6);
        return length;
    }

    /** Whether the UDP checksum of the datagram at {@code offset} verifies (and is not the "none" value 0). */
    static boolean udpChecksumValid(MutableDirectBuffer b, int offset, int length, boolean v6) {
        int ip = v6 ? IpPacket.IPV6_HEADER_BYTES : IpPacket.IPV4_MIN_HEADER_BYTES;
        return b.getShort(offset + ip + 6) != 0
                && GsoSegmenter.transportChecksumValid(b, offset, length, ip, IpPacket.PROTOCOL_UDP, v6);
    }
}
