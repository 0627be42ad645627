package io.ringguard.dataplane.offload;

import io.ringguard.buffers.ip.InternetChecksum;
import io.ringguard.buffers.ip.IpPacket;
import java.nio.ByteOrder;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Merges consecutive TCP segments, or UDP datagrams, of one flow into one super-packet for a TUN with {@code
 * IFF_VNET_HDR}, the userspace half of GRO: the kernel then runs its receive path once per super-packet instead
 * of once per packet, and the receiving application is woken once per super-packet. For UDP it sends the
 * super-packet as {@code GSO_UDP_L4}, which a TUN takes only with {@code TUN_F_USO4/6} (Linux 6.2+); the
 * kernel splits it again for a socket that did not ask for {@code UDP_GRO}, so applications see the datagrams
 * they would have seen.
 *
 * <p>Only a packet that directly follows the pending one in write order is merged, so the order of packets
 * across flows never changes. It is merged when, like the kernel's {@code tcp_gro_receive} / {@code
 * udp_gro_receive_segment} and wireguard-go's {@code tcpPacketsCanCoalesce} / {@code udpPacketsCanCoalesce}:
 * same addresses, protocol, ports, IPv4 TOS/TTL/DF or IPv6 first word and hop limit, no IPv4 options or IPv6
 * extension headers, its payload is at most {@code gso_size} (the first packet's payload; a shorter one ends
 * the merge) and its transport checksum verifies (a bad packet is written alone so that the kernel drops it,
 * never hidden inside a {@code CHECKSUM_PARTIAL} packet). TCP also needs the same ACK number, window and
 * options, only ACK (and PSH on the last) set, and a sequence number that continues the pending payload; UDP
 * needs a non-zero checksum on IPv4 (a datagram sent without one keeps it that way, alone).
 *
 * <p>The super-packet keeps the first packet's headers with the lengths (for UDP also the UDP length), the
 * IPv4 header checksum, PSH and, in the transport checksum field, the pseudo-header sum; its {@code
 * virtio_net_hdr} says {@code NEEDS_CSUM}, {@code GSO_TCPV4/6} or {@code GSO_UDP_L4} and {@code gso_size}. A
 * single packet goes out unchanged with an empty header.
 *
 * <p>Threading: one instance per TUN writer thread. Nothing allocated after construction.
 */
public final class GroCoalescer {
    /** Largest IP packet the kernel accepts from a TUN (IPv4 total length, IPv6 payload length are 16 bits). */
    public static final int MAX_PACKET_BYTES = 65_535;

    /** Packets per super-packet: the kernel's {@code UDP_MAX_SEGMENTS} is 64 on older kernels. */
    public static final int MAX_SEGMENTS = 64;

    private static final int TCP_ACK_NUMBER_OFFSET = 8;
    private static final int TCP_WINDOW_OFFSET = 14;
    private static final int TCP_ACK = 0x10;
    private static final int TCP_PSH = 0x08;

    private final boolean udp;
    private final UnsafeBuffer frame =
            new UnsafeBuffer(BufferUtil.allocateDirectAligned(VirtioNetHeader.BYTES + MAX_PACKET_BYTES + 6, 64));
    private int protocol;
    private int packetLength;
    private int headerBytes;
    private int ipHeaderBytes;
    private int gsoSize;
    private int segments;
    private int nextSequence;
    private boolean ipv6;
    private boolean closed;

    /** A coalescer for TCP only: the device took TSO but not USO. */
    public GroCoalescer() {
        this(false);
    }

    /** @param udp whether UDP datagrams are merged too (the device accepted {@code TUN_F_USO4/6}). */
    public GroCoalescer(boolean udp) {
        this.udp = udp;
    }

    /** The frame buffer: {@code virtio_net_hdr} at 0, the packet at {@link VirtioNetHeader#BYTES}. */
    public UnsafeBuffer frame() {
        return frame;
    }

    /** Whether a packet is waiting to be written. */
    public boolean pending() {
        return segments > 0;
    }

    /** Whether UDP datagrams are merged. */
    public boolean udp() {
        return udp;
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
        if (payload <= 0
                || payload > gsoSize
                || packetLength + payload > MAX_PACKET_BYTES
                || !sameIpHeader(buffer, offset, length)) {
            return false;
        }
        int l4 = offset + ipHeaderBytes;
        int firstL4 = VirtioNetHeader.BYTES + ipHeaderBytes;
        int flags = 0;
        if (protocol == IpPacket.PROTOCOL_UDP) {
            if (buffer.getInt(l4) != frame.getInt(firstL4)
                    || !udpHeaderUsable(buffer, offset, length, ipHeaderBytes, ipv6)) {
                return false;
            }
        } else {
            int tcpHeaderBytes = headerBytes - ipHeaderBytes;
            flags = buffer.getByte(l4 + GsoSegmenter.TCP_FLAGS_OFFSET) & 0xFF;
            if ((flags & ~TCP_PSH) != TCP_ACK
                    || (buffer.getByte(l4 + GsoSegmenter.TCP_DATA_OFFSET_OFFSET) & 0xF0) >>> 2 != tcpHeaderBytes
                    // Ports, then ACK number and window, then the options must be the same.
                    || buffer.getInt(l4) != frame.getInt(firstL4)
                    || buffer.getInt(l4 + TCP_ACK_NUMBER_OFFSET) != frame.getInt(firstL4 + TCP_ACK_NUMBER_OFFSET)
                    || buffer.getShort(l4 + TCP_WINDOW_OFFSET) != frame.getShort(firstL4 + TCP_WINDOW_OFFSET)
                    || !equal(
                            buffer,
                            l4 + GsoSegmenter.TCP_MIN_HEADER_BYTES,
                            firstL4 + GsoSegmenter.TCP_MIN_HEADER_BYTES,
                            tcpHeaderBytes - GsoSegmenter.TCP_MIN_HEADER_BYTES)
                    || buffer.getInt(l4 + GsoSegmenter.TCP_SEQUENCE_OFFSET, ByteOrder.BIG_ENDIAN) != nextSequence
                    || !GsoSegmenter.transportChecksumValid(
                            buffer, offset, length, ipHeaderBytes, IpPacket.PROTOCOL_TCP, ipv6)) {
                return false;
            }
        }
        frame.putBytes(VirtioNetHeader.BYTES + packetLength, buffer, offset + headerBytes, payload);
        packetLength += payload;
        nextSequence += payload;
        segments++;
        if ((flags & TCP_PSH) != 0) {
            int firstFlags = frame.getByte(firstL4 + GsoSegmenter.TCP_FLAGS_OFFSET);
            frame.putByte(firstL4 + GsoSegmenter.TCP_FLAGS_OFFSET, (byte) (firstFlags | TCP_PSH));
            closed = true;
        }
        if (payload < gsoSize) {
            closed = true;
        }
        return true;
    }

    /** IP version, validity, no options or fragments, same protocol and the header fields GRO compares. */
    private boolean sameIpHeader(DirectBuffer buffer, int offset, int length) {
        int first = VirtioNetHeader.BYTES;
        int version = IpPacket.version(buffer, offset, length);
        if (ipv6) {
            return version == IpPacket.IPV6_VERSION
                    && IpPacket.isValidIpv6(buffer, offset, length)
                    && IpPacket.ipv6NextHeader(buffer, offset) == protocol
                    && IpPacket.IPV6_HEADER_BYTES + IpPacket.ipv6PayloadLength(buffer, offset) == length
                    && buffer.getInt(offset) == frame.getInt(first)
                    && buffer.getByte(offset + IpPacket.IPV6_HOP_LIMIT_OFFSET)
                            == frame.getByte(first + IpPacket.IPV6_HOP_LIMIT_OFFSET)
                    && equal(buffer, offset + IpPacket.IPV6_SOURCE_OFFSET, first + IpPacket.IPV6_SOURCE_OFFSET, 32);
        }
        return version == IpPacket.IPV4_VERSION
                && IpPacket.isValidIpv4(buffer, offset, length)
                && IpPacket.ipv4HeaderLengthBytes(buffer, offset) == IpPacket.IPV4_MIN_HEADER_BYTES
                && IpPacket.ipv4TotalLength(buffer, offset) == length
                && !IpPacket.ipv4IsFragment(buffer, offset)
                && IpPacket.ipv4Protocol(buffer, offset) == protocol
                // TOS, then flags/fragment word (DF), then TTL must match; total length and id may differ.
                && buffer.getByte(offset + IpPacket.IPV4_TOS_OFFSET) == frame.getByte(first + IpPacket.IPV4_TOS_OFFSET)
                && buffer.getShort(offset + IpPacket.IPV4_FLAGS_FRAGMENT_OFFSET)
                        == frame.getShort(first + IpPacket.IPV4_FLAGS_FRAGMENT_OFFSET)
                && buffer.getByte(offset + IpPacket.IPV4_TTL_OFFSET) == frame.getByte(first + IpPacket.IPV4_TTL_OFFSET)
                && equal(buffer, offset + IpPacket.IPV4_SOURCE_OFFSET, first + IpPacket.IPV4_SOURCE_OFFSET, 8);
    }

    /**
     * Starts a new pending super-packet with this packet if it can begin one (a TCP segment with payload, only
     * ACK set, or a UDP datagram with payload when UDP is merged; a valid checksum either way). Call only when
     * nothing is pending.
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
        int l4Protocol;
        if (version == IpPacket.IPV4_VERSION) {
            if (!IpPacket.isValidIpv4(buffer, offset, length)
                    || IpPacket.ipv4HeaderLengthBytes(buffer, offset) != IpPacket.IPV4_MIN_HEADER_BYTES
                    || IpPacket.ipv4TotalLength(buffer, offset) != length
                    || IpPacket.ipv4IsFragment(buffer, offset)) {
                return false;
            }
            ipHeader = IpPacket.IPV4_MIN_HEADER_BYTES;
            l4Protocol = IpPacket.ipv4Protocol(buffer, offset);
        } else if (version == IpPacket.IPV6_VERSION) {
            if (!IpPacket.isValidIpv6(buffer, offset, length)
                    || IpPacket.IPV6_HEADER_BYTES + IpPacket.ipv6PayloadLength(buffer, offset) != length) {
                return false;
            }
            ipHeader = IpPacket.IPV6_HEADER_BYTES;
            l4Protocol = IpPacket.ipv6NextHeader(buffer, offset);
        } else {
            return false;
        }
        boolean v6 = version == IpPacket.IPV6_VERSION;
        int l4HeaderBytes;
        int l4 = offset + ipHeader;
        if (l4Protocol == IpPacket.PROTOCOL_TCP) {
            if (ipHeader + GsoSegmenter.TCP_MIN_HEADER_BYTES > length) {
                return false;
            }
            l4HeaderBytes = (buffer.getByte(l4 + GsoSegmenter.TCP_DATA_OFFSET_OFFSET) & 0xF0) >>> 2;
            int flags = buffer.getByte(l4 + GsoSegmenter.TCP_FLAGS_OFFSET) & 0xFF;
            if (l4HeaderBytes < GsoSegmenter.TCP_MIN_HEADER_BYTES
                    || length - ipHeader - l4HeaderBytes <= 0
                    || flags != TCP_ACK
                    || !GsoSegmenter.transportChecksumValid(
                            buffer, offset, length, ipHeader, IpPacket.PROTOCOL_TCP, v6)) {
                return false;
            }
            nextSequence = buffer.getInt(l4 + GsoSegmenter.TCP_SEQUENCE_OFFSET, ByteOrder.BIG_ENDIAN)
                    + (length - ipHeader - l4HeaderBytes);
        } else if (l4Protocol == IpPacket.PROTOCOL_UDP && udp) {
            l4HeaderBytes = GsoSegmenter.UDP_HEADER_BYTES;
            if (length - ipHeader - l4HeaderBytes <= 0 || !udpHeaderUsable(buffer, offset, length, ipHeader, v6)) {
                return false;
            }
        } else {
            return false;
        }
        frame.putBytes(VirtioNetHeader.BYTES, buffer, offset, length);
        ipv6 = v6;
        protocol = l4Protocol;
        ipHeaderBytes = ipHeader;
        headerBytes = ipHeader + l4HeaderBytes;
        gsoSize = length - headerBytes;
        packetLength = length;
        segments = 1;
        return true;
    }

    /** UDP length matches the IP length, IPv4 checksum present (not 0), checksum verifies. */
    private static boolean udpHeaderUsable(DirectBuffer buffer, int offset, int length, int ipHeader, boolean v6) {
        int l4 = offset + ipHeader;
        return (buffer.getShort(l4 + GsoSegmenter.UDP_LENGTH_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF)
                        == length - ipHeader
                && buffer.getShort(l4 + GsoSegmenter.UDP_CHECKSUM_OFFSET) != 0
                && GsoSegmenter.transportChecksumValid(buffer, offset, length, ipHeader, IpPacket.PROTOCOL_UDP, v6);
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
            int l4Length = packetLength - ipHeaderBytes;
            boolean isUdp = protocol == IpPacket.PROTOCOL_UDP;
            int checksumOffset = isUdp ? GsoSegmenter.UDP_CHECKSUM_OFFSET : GsoSegmenter.TCP_CHECKSUM_OFFSET;
            if (isUdp) {
                // The kernel's UDP segmentation swaps this total length for each segment's in the checksum.
                frame.putShort(
                        first + ipHeaderBytes + GsoSegmenter.UDP_LENGTH_OFFSET, (short) l4Length, ByteOrder.BIG_ENDIAN);
            }
            // CHECKSUM_PARTIAL: the field holds the folded pseudo-header sum; the kernel (or the segmentation
            // when the packet is forwarded) adds the transport header and payload.
            long pseudo = GsoSegmenter.pseudoHeaderSum(frame, first, protocol, l4Length, ipv6);
            frame.putShort(
                    first + ipHeaderBytes + checksumOffset,
                    (short) InternetChecksum.fold(pseudo),
                    ByteOrder.BIG_ENDIAN);
            int gsoType =
                    isUdp ? VirtioNetHeader.GSO_UDP_L4 : ipv6 ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4;
            VirtioNetHeader.put(
                    frame,
                    0,
                    VirtioNetHeader.F_NEEDS_CSUM,
                    gsoType,
                    headerBytes,
                    gsoSize,
                    ipHeaderBytes,
                    checksumOffset);
        }
        int frameLength = VirtioNetHeader.BYTES + packetLength;
        segments = 0;
        closed = false;
        return frameLength;
    }

    /** Packets in the pending super-packet (0: none). */
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
}
