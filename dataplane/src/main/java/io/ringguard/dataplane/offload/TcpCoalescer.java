package io.ringguard.dataplane.offload;

import io.ringguard.buffers.ip.InternetChecksum;
import io.ringguard.buffers.ip.IpPacket;
import java.nio.ByteOrder;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Merges consecutive TCP segments of one flow into one super-packet for a TUN with {@code IFF_VNET_HDR}, the
 * userspace half of GRO: the kernel then runs its TCP receive path once per super-packet instead of once per
 * segment.
 *
 * <p>Only a packet that directly follows the pending one in write order is merged, so the order of packets
 * across flows never changes. It is merged when, like the kernel's {@code tcp_gro_receive} and wireguard-go's
 * {@code tcpPacketsCanCoalesce}: same addresses, ports, IPv4 TOS/TTL/DF or IPv6 first word and hop limit, no
 * IPv4 options or IPv6 extension headers, the same ACK number, window and TCP options, only ACK (and PSH on
 * the last) set, its sequence number continues the pending payload, its payload is at most {@code gso_size}
 * (the first segment's payload; a shorter one ends the merge) and its TCP checksum verifies (a bad segment
 * is written alone so that the kernel drops it, never hidden inside a {@code CHECKSUM_PARTIAL} packet).
 *
 * <p>The super-packet keeps the first segment's headers with the lengths, the IPv4 header checksum, PSH and,
 * in the TCP checksum field, the pseudo-header sum; its {@code virtio_net_hdr} says {@code NEEDS_CSUM},
 * {@code GSO_TCPV4/6} and {@code gso_size}. A single segment goes out unchanged with an empty header.
 *
 * <p>Threading: one instance per TUN writer thread. Nothing allocated after construction.
 */
public final class TcpCoalescer {
    /** Largest IP packet the kernel accepts from a TUN (IPv4 total length, IPv6 payload length are 16 bits). */
    public static final int MAX_PACKET_BYTES = 65_535;

    /** Segments per super-packet; the kernel's default {@code gso_max_segs} is far higher. */
    public static final int MAX_SEGMENTS = 64;

    private static final int TCP_ACK_NUMBER_OFFSET = 8;
    private static final int TCP_WINDOW_OFFSET = 14;
    private static final int TCP_ACK = 0x10;
    private static final int TCP_PSH = 0x08;

    private final UnsafeBuffer frame =
            new UnsafeBuffer(BufferUtil.allocateDirectAligned(VirtioNetHeader.BYTES + MAX_PACKET_BYTES + 6, 64));
    private int packetLength;
    private int headerBytes;
    private int ipHeaderBytes;
    private int gsoSize;
    private int segments;
    private int nextSequence;
    private boolean ipv6;
    private boolean closed;

    /** The frame buffer: {@code virtio_net_hdr} at 0, the packet at {@link VirtioNetHeader#BYTES}. */
    public UnsafeBuffer frame() {
        return frame;
    }

    /** Whether a packet is waiting to be written. */
    public boolean pending() {
        return segments > 0;
    }

    /**
     * Appends the packet to the pending super-packet if it continues it.
     *
     * @return true when merged (nothing else to do for it), false when it must follow a flush instead.
     */
    public boolean append(DirectBuffer buffer, int offset, int length) {
        if (segments == 0 || closed || segments >= MAX_SEGMENTS) {
            return false;
        }
        int payload = length - headerBytes;
        if (payload <= 0 || payload > gsoSize || packetLength + payload > MAX_PACKET_BYTES) {
            return false;
        }
        int first = VirtioNetHeader.BYTES;
        int version = IpPacket.version(buffer, offset, length);
        if (ipv6) {
            if (version != IpPacket.IPV6_VERSION
                    || !IpPacket.isValidIpv6(buffer, offset, length)
                    || IpPacket.ipv6NextHeader(buffer, offset) != IpPacket.PROTOCOL_TCP
                    || buffer.getInt(offset) != frame.getInt(first)
                    || buffer.getByte(offset + IpPacket.IPV6_HOP_LIMIT_OFFSET)
                            != frame.getByte(first + IpPacket.IPV6_HOP_LIMIT_OFFSET)
                    || !equal(buffer, offset + IpPacket.IPV6_SOURCE_OFFSET, first + IpPacket.IPV6_SOURCE_OFFSET, 32)) {
                return false;
            }
        } else {
            if (version != IpPacket.IPV4_VERSION
                    || !IpPacket.isValidIpv4(buffer, offset, length)
                    || IpPacket.ipv4HeaderLengthBytes(buffer, offset) != IpPacket.IPV4_MIN_HEADER_BYTES
                    || IpPacket.ipv4TotalLength(buffer, offset) != length
                    || IpPacket.ipv4IsFragment(buffer, offset)
                    || IpPacket.ipv4Protocol(buffer, offset) != IpPacket.PROTOCOL_TCP
                    // TOS, then flags/fragment word (DF), then TTL must match; total length and id may differ.
                    || buffer.getByte(offset + IpPacket.IPV4_TOS_OFFSET)
                            != frame.getByte(first + IpPacket.IPV4_TOS_OFFSET)
                    || buffer.getShort(offset + IpPacket.IPV4_FLAGS_FRAGMENT_OFFSET)
                            != frame.getShort(first + IpPacket.IPV4_FLAGS_FRAGMENT_OFFSET)
                    || buffer.getByte(offset + IpPacket.IPV4_TTL_OFFSET)
                            != frame.getByte(first + IpPacket.IPV4_TTL_OFFSET)
                    || !equal(buffer, offset + IpPacket.IPV4_SOURCE_OFFSET, first + IpPacket.IPV4_SOURCE_OFFSET, 8)) {
                return false;
            }
        }
        int tcp = offset + ipHeaderBytes;
        int firstTcp = first + ipHeaderBytes;
        int tcpHeaderBytes = headerBytes - ipHeaderBytes;
        int flags = buffer.getByte(tcp + TcpSegmenter.TCP_FLAGS_OFFSET) & 0xFF;
        if ((flags & ~TCP_PSH) != TCP_ACK
                || (buffer.getByte(tcp + TcpSegmenter.TCP_DATA_OFFSET_OFFSET) & 0xF0) >>> 2 != tcpHeaderBytes
                // Ports, then ACK number and window, then the options must be the same.
                || buffer.getInt(tcp) != frame.getInt(firstTcp)
                || buffer.getInt(tcp + TCP_ACK_NUMBER_OFFSET) != frame.getInt(firstTcp + TCP_ACK_NUMBER_OFFSET)
                || buffer.getShort(tcp + TCP_WINDOW_OFFSET) != frame.getShort(firstTcp + TCP_WINDOW_OFFSET)
                || !equal(
                        buffer,
                        tcp + TcpSegmenter.TCP_MIN_HEADER_BYTES,
                        firstTcp + TcpSegmenter.TCP_MIN_HEADER_BYTES,
                        tcpHeaderBytes - TcpSegmenter.TCP_MIN_HEADER_BYTES)
                || buffer.getInt(tcp + TcpSegmenter.TCP_SEQUENCE_OFFSET, ByteOrder.BIG_ENDIAN) != nextSequence
                || !tcpChecksumValid(buffer, offset, length, ipHeaderBytes, ipv6)) {
            return false;
        }
        frame.putBytes(first + packetLength, buffer, offset + headerBytes, payload);
        packetLength += payload;
        nextSequence += payload;
        segments++;
        if ((flags & TCP_PSH) != 0) {
            int firstFlags = frame.getByte(firstTcp + TcpSegmenter.TCP_FLAGS_OFFSET);
            frame.putByte(firstTcp + TcpSegmenter.TCP_FLAGS_OFFSET, (byte) (firstFlags | TCP_PSH));
            closed = true;
        }
        if (payload < gsoSize) {
            closed = true;
        }
        return true;
    }

    /**
     * Starts a new pending super-packet with this packet if it can begin one (a TCP segment with payload, only
     * ACK set, a valid checksum). Call only when nothing is pending.
     *
     * @return true when it is now pending, false when it should be written alone.
     */
    public boolean start(DirectBuffer buffer, int offset, int length) {
        segments = 0;
        closed = false;
        if (length > MAX_PACKET_BYTES) {
            return false;
        }
        int version = IpPacket.version(buffer, offset, length);
        int ipHeader;
        if (version == IpPacket.IPV4_VERSION) {
            if (!IpPacket.isValidIpv4(buffer, offset, length)
                    || IpPacket.ipv4HeaderLengthBytes(buffer, offset) != IpPacket.IPV4_MIN_HEADER_BYTES
                    || IpPacket.ipv4TotalLength(buffer, offset) != length
                    || IpPacket.ipv4IsFragment(buffer, offset)
                    || IpPacket.ipv4Protocol(buffer, offset) != IpPacket.PROTOCOL_TCP) {
                return false;
            }
            ipHeader = IpPacket.IPV4_MIN_HEADER_BYTES;
        } else if (version == IpPacket.IPV6_VERSION) {
            if (!IpPacket.isValidIpv6(buffer, offset, length)
                    || IpPacket.ipv6NextHeader(buffer, offset) != IpPacket.PROTOCOL_TCP
                    || IpPacket.IPV6_HEADER_BYTES + IpPacket.ipv6PayloadLength(buffer, offset) != length) {
                return false;
            }
            ipHeader = IpPacket.IPV6_HEADER_BYTES;
        } else {
            return false;
        }
        if (ipHeader + TcpSegmenter.TCP_MIN_HEADER_BYTES > length) {
            return false;
        }
        int tcp = offset + ipHeader;
        int tcpHeaderBytes = (buffer.getByte(tcp + TcpSegmenter.TCP_DATA_OFFSET_OFFSET) & 0xF0) >>> 2;
        int flags = buffer.getByte(tcp + TcpSegmenter.TCP_FLAGS_OFFSET) & 0xFF;
        int payload = length - ipHeader - tcpHeaderBytes;
        if (tcpHeaderBytes < TcpSegmenter.TCP_MIN_HEADER_BYTES
                || payload <= 0
                || flags != TCP_ACK
                || !tcpChecksumValid(buffer, offset, length, ipHeader, version == IpPacket.IPV6_VERSION)) {
            return false;
        }
        frame.putBytes(VirtioNetHeader.BYTES, buffer, offset, length);
        ipv6 = version == IpPacket.IPV6_VERSION;
        ipHeaderBytes = ipHeader;
        headerBytes = ipHeader + tcpHeaderBytes;
        gsoSize = payload;
        packetLength = length;
        nextSequence = buffer.getInt(tcp + TcpSegmenter.TCP_SEQUENCE_OFFSET, ByteOrder.BIG_ENDIAN) + payload;
        segments = 1;
        return true;
    }

    /**
     * Completes the pending super-packet (header fields, {@code virtio_net_hdr}) and forgets it.
     *
     * @return the frame's length in {@link #frame()} from offset 0, or 0 when nothing was pending.
     */
    public int finish() {
        if (segments == 0) {
            return 0;
        }
        int first = VirtioNetHeader.BYTES;
        if (segments == 1) {
            // Unchanged and already verified: no offload needed.
            VirtioNetHeader.putNone(frame, 0);
        } else {
            if (ipv6) {
                frame.putShort(
                        first + IpPacket.IPV6_PAYLOAD_LENGTH_OFFSET,
                        (short) (packetLength - IpPacket.IPV6_HEADER_BYTES),
                        ByteOrder.BIG_ENDIAN);
            } else {
                frame.putShort(first + IpPacket.IPV4_TOTAL_LENGTH_OFFSET, (short) packetLength, ByteOrder.BIG_ENDIAN);
                InternetChecksum.writeIpv4HeaderChecksum(frame, first);
            }
            // CHECKSUM_PARTIAL: the field holds the folded pseudo-header sum; the kernel (or the segmentation
            // when the packet is forwarded) adds the TCP header and payload.
            long pseudo = TcpSegmenter.pseudoHeaderSum(frame, first, packetLength - ipHeaderBytes, ipv6);
            frame.putShort(
                    first + ipHeaderBytes + TcpSegmenter.TCP_CHECKSUM_OFFSET,
                    (short) InternetChecksum.fold(pseudo),
                    ByteOrder.BIG_ENDIAN);
            VirtioNetHeader.put(
                    frame,
                    0,
                    VirtioNetHeader.F_NEEDS_CSUM,
                    ipv6 ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4,
                    headerBytes,
                    gsoSize,
                    ipHeaderBytes,
                    TcpSegmenter.TCP_CHECKSUM_OFFSET);
        }
        int frameLength = VirtioNetHeader.BYTES + packetLength;
        segments = 0;
        closed = false;
        return frameLength;
    }

    /** Segments in the pending super-packet (0: none). */
    public int segments() {
        return segments;
    }

    private boolean equal(DirectBuffer buffer, int offset, int frameOffset, int length) {
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            if (buffer.getLong(offset + i) != frame.getLong(frameOffset + i)) {
                return false;
            }
        }
        for (; i < length; i++) {
            if (buffer.getByte(offset + i) != frame.getByte(frameOffset + i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean tcpChecksumValid(DirectBuffer buffer, int offset, int length, int ipHeader, boolean v6) {
        int tcpLength = length - ipHeader;
        long sum = v6
                ? InternetChecksum.ipv6PseudoHeaderSum(buffer, offset, IpPacket.PROTOCOL_TCP, tcpLength)
                : InternetChecksum.ipv4PseudoHeaderSum(
                        IpPacket.ipv4SourceAddress(buffer, offset),
                        IpPacket.ipv4DestinationAddress(buffer, offset),
                        IpPacket.PROTOCOL_TCP,
                        tcpLength);
        sum = InternetChecksum.sum(buffer, offset + ipHeader, tcpLength, sum);
        return InternetChecksum.fold(sum) == InternetChecksum.VALID_FOLDED_SUM;
    }
}
