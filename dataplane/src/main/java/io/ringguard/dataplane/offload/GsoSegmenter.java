package io.ringguard.dataplane.offload;

import io.ringguard.buffers.ip.InternetChecksum;
import io.ringguard.buffers.ip.IpPacket;
import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Splits what a TUN with {@code IFF_VNET_HDR} and {@code TUN_F_CSUM|TUN_F_TSO4|TUN_F_TSO6} (and, when the kernel
 * has them, {@code TUN_F_USO4|TUN_F_USO6}) hands over into the packets the wire would have carried, the
 * userspace half of TSO/USO (the kernel's {@code tcp_gso_segment} and {@code __udp_gso_segment}):
 *
 * <ol>
 *   <li>{@link #start} reads the {@code virtio_net_hdr}: no GSO, TCP over IPv4/IPv6, or UDP ({@code
 *       GSO_UDP_L4}, from an application that sends with {@code UDP_SEGMENT}) with {@code gso_size};
 *   <li>{@link #next} copies the IP and transport headers plus the next {@code gso_size} bytes of payload into
 *       the caller's slot, then fixes IPv4 total length, identification (+1 per segment) and header checksum or
 *       the IPv6 payload length; for TCP the sequence number, FIN/PSH (last segment only) and CWR (first only),
 *       for UDP the UDP length;
 *   <li>the transport checksum is computed in full for every segment: the kernel left only a pseudo-header
 *       seed.
 * </ol>
 *
 * A packet without GSO but with {@code NEEDS_CSUM} (the kernel skipped the checksum because we offered
 * {@code TUN_F_CSUM}) gets its checksum completed at {@code csum_start + csum_offset}.
 *
 * <p>Nothing is allocated; a malformed frame makes {@link #start} return {@link #MALFORMED} (a counted drop,
 * never an exception). Threading: one instance per reader thread.
 */
public final class GsoSegmenter {
    /** {@link #start} result for a frame that cannot be split; the caller drops it. */
    public static final int MALFORMED = -1;

    static final int TCP_SEQUENCE_OFFSET = 4;
    static final int TCP_DATA_OFFSET_OFFSET = 12;
    static final int TCP_FLAGS_OFFSET = 13;
    static final int TCP_CHECKSUM_OFFSET = 16;
    static final int TCP_MIN_HEADER_BYTES = 20;
    static final int TCP_FIN = 0x01;
    static final int TCP_PSH = 0x08;
    static final int TCP_CWR = 0x80;
    static final int UDP_LENGTH_OFFSET = 4;
    static final int UDP_CHECKSUM_OFFSET = 6;
    static final int UDP_HEADER_BYTES = 8;

    private MutableDirectBuffer source;
    private int packetOffset;
    private int packetLength;
    private int ipHeaderBytes;
    private int headerBytes;
    private int gsoSize;
    private int segments;
    private int nextSegment;
    private boolean ipv6;
    private boolean udp;

    /**
     * Takes a frame ({@code virtio_net_hdr} then one packet) for splitting. The frame's bytes may be changed
     * (a partial checksum is completed in place) and must stay untouched until every segment was taken.
     *
     * @return the number of packets {@link #next} will produce ({@code >= 1}), or {@link #MALFORMED}.
     */
    public int start(MutableDirectBuffer frame, int offset, int frameLengthBytes) {
        segments = 0;
        nextSegment = 0;
        if (frameLengthBytes <= VirtioNetHeader.BYTES) {
            return MALFORMED;
        }
        source = frame;
        packetOffset = offset + VirtioNetHeader.BYTES;
        packetLength = frameLengthBytes - VirtioNetHeader.BYTES;
        int gsoType = VirtioNetHeader.gsoType(frame, offset);
        int flags = VirtioNetHeader.flags(frame, offset);
        int csumStart = VirtioNetHeader.csumStart(frame, offset);
        int csumOffset = VirtioNetHeader.csumOffset(frame, offset);
        if (gsoType == VirtioNetHeader.GSO_NONE) {
            if ((flags & VirtioNetHeader.F_NEEDS_CSUM) != 0 && !completeChecksum(csumStart, csumOffset)) {
                return MALFORMED;
            }
            gsoSize = 0;
            headerBytes = packetLength;
            segments = 1;
            return 1;
        }
        int version = IpPacket.version(frame, packetOffset, packetLength);
        if (gsoType == VirtioNetHeader.GSO_UDP_L4) {
            return startUdp(frame, offset, version, csumStart);
        }
        udp = false;
        if (gsoType == VirtioNetHeader.GSO_TCPV4 && version == IpPacket.IPV4_VERSION) {
            if (!IpPacket.isValidIpv4(frame, packetOffset, packetLength)
                    || IpPacket.ipv4Protocol(frame, packetOffset) != IpPacket.PROTOCOL_TCP
                    || csumStart != IpPacket.ipv4HeaderLengthBytes(frame, packetOffset)) {
                return MALFORMED;
            }
            ipv6 = false;
        } else if (gsoType == VirtioNetHeader.GSO_TCPV6 && version == IpPacket.IPV6_VERSION) {
            if (!IpPacket.isValidIpv6(frame, packetOffset, packetLength) || csumStart < IpPacket.IPV6_HEADER_BYTES) {
                return MALFORMED;
            }
            ipv6 = true;
        } else {
            // UDP fragmentation offload, ECN-marked TSO or a family mismatch: never offered, so never valid.
            return MALFORMED;
        }
        if (csumStart + TCP_MIN_HEADER_BYTES > packetLength) {
            return MALFORMED;
        }
        int tcpHeaderBytes = (frame.getByte(packetOffset + csumStart + TCP_DATA_OFFSET_OFFSET) & 0xF0) >>> 2;
        gsoSize = VirtioNetHeader.gsoSize(frame, offset);
        ipHeaderBytes = csumStart;
        headerBytes = csumStart + tcpHeaderBytes;
        if (tcpHeaderBytes < TCP_MIN_HEADER_BYTES || headerBytes > packetLength || gsoSize == 0) {
            return MALFORMED;
        }
        int payload = packetLength - headerBytes;
        segments = payload == 0 ? 1 : (payload + gsoSize - 1) / gsoSize;
        return segments;
    }

    /**
     * A {@code GSO_UDP_L4} super-packet: the UDP header must follow the IP header (IPv4 options are fine; IPv6
     * extension headers are refused, the kernel's UDP GSO does not put any there for a TUN reader).
     */
    private int startUdp(MutableDirectBuffer frame, int offset, int version, int csumStart) {
        if (version == IpPacket.IPV4_VERSION) {
            if (!IpPacket.isValidIpv4(frame, packetOffset, packetLength)
                    || IpPacket.ipv4Protocol(frame, packetOffset) != IpPacket.PROTOCOL_UDP
                    || IpPacket.ipv4IsFragment(frame, packetOffset)
                    || csumStart != IpPacket.ipv4HeaderLengthBytes(frame, packetOffset)) {
                return MALFORMED;
            }
            ipv6 = false;
        } else if (version == IpPacket.IPV6_VERSION) {
            if (!IpPacket.isValidIpv6(frame, packetOffset, packetLength)
                    || IpPacket.ipv6NextHeader(frame, packetOffset) != IpPacket.PROTOCOL_UDP
                    || csumStart != IpPacket.IPV6_HEADER_BYTES) {
                return MALFORMED;
            }
            ipv6 = true;
        } else {
            return MALFORMED;
        }
        gsoSize = VirtioNetHeader.gsoSize(frame, offset);
        ipHeaderBytes = csumStart;
        headerBytes = csumStart + UDP_HEADER_BYTES;
        if (headerBytes >= packetLength || gsoSize == 0) {
            return MALFORMED;
        }
        udp = true;
        int payload = packetLength - headerBytes;
        segments = (payload + gsoSize - 1) / gsoSize;
        return segments;
    }

    /** Whether {@link #next} has another packet of the current frame. */
    public boolean hasNext() {
        return nextSegment < segments;
    }

    /**
     * Writes the next packet into {@code destination[offset, offset + capacityBytes)}.
     *
     * @return its length; for a plain (non-GSO) packet larger than {@code capacityBytes}, its full length
     *     with nothing copied (the caller drops it as too big, as a plain TUN read reports it); or {@link
     *     #MALFORMED} when a GSO segment does not fit (the rest of the frame is then dropped)
     */
    public int next(MutableDirectBuffer destination, int offset, int capacityBytes) {
        int i = nextSegment++;
        if (gsoSize == 0) {
            if (packetLength > capacityBytes) {
                return packetLength;
            }
            destination.putBytes(offset, source, packetOffset, packetLength);
            return packetLength;
        }
        int payloadStart = headerBytes + i * gsoSize;
        int chunk = Math.min(gsoSize, packetLength - payloadStart);
        int length = headerBytes + chunk;
        if (length > capacityBytes) {
            segments = nextSegment;
            return MALFORMED;
        }
        destination.putBytes(offset, source, packetOffset, headerBytes);
        destination.putBytes(offset + headerBytes, source, packetOffset + payloadStart, chunk);
        if (ipv6) {
            destination.putShort(
                    offset + IpPacket.IPV6_PAYLOAD_LENGTH_OFFSET,
                    (short) (length - IpPacket.IPV6_HEADER_BYTES),
                    ByteOrder.BIG_ENDIAN);
        } else {
            destination.putShort(offset + IpPacket.IPV4_TOTAL_LENGTH_OFFSET, (short) length, ByteOrder.BIG_ENDIAN);
            int id = destination.getShort(offset + IpPacket.IPV4_IDENTIFICATION_OFFSET, ByteOrder.BIG_ENDIAN);
            destination.putShort(offset + IpPacket.IPV4_IDENTIFICATION_OFFSET, (short) (id + i), ByteOrder.BIG_ENDIAN);
            InternetChecksum.writeIpv4HeaderChecksum(destination, offset);
        }
        if (udp) {
            destination.putShort(
                    offset + ipHeaderBytes + UDP_LENGTH_OFFSET, (short) (length - ipHeaderBytes), ByteOrder.BIG_ENDIAN);
            writeUdpChecksum(destination, offset, ipHeaderBytes, length, ipv6);
            return length;
        }
        int tcp = offset + ipHeaderBytes;
        int sequence = destination.getInt(tcp + TCP_SEQUENCE_OFFSET, ByteOrder.BIG_ENDIAN);
        destination.putInt(tcp + TCP_SEQUENCE_OFFSET, sequence + i * gsoSize, ByteOrder.BIG_ENDIAN);
        int tcpFlags = destination.getByte(tcp + TCP_FLAGS_OFFSET) & 0xFF;
        if (i + 1 < segments) {
            tcpFlags &= ~(TCP_FIN | TCP_PSH);
        }
        if (i > 0) {
            tcpFlags &= ~TCP_CWR;
        }
        destination.putByte(tcp + TCP_FLAGS_OFFSET, (byte) tcpFlags);
        writeTcpChecksum(destination, offset, ipHeaderBytes, length, ipv6);
        return length;
    }

    /** Computes and stores the full TCP checksum of the packet at {@code offset}; any thread. */
    static void writeTcpChecksum(MutableDirectBuffer buffer, int offset, int ipHeaderBytes, int length, boolean v6) {
        int tcp = offset + ipHeaderBytes;
        int tcpLength = length - ipHeaderBytes;
        buffer.putShort(tcp + TCP_CHECKSUM_OFFSET, (short) 0);
        long sum = pseudoHeaderSum(buffer, offset, IpPacket.PROTOCOL_TCP, tcpLength, v6);
        sum = InternetChecksum.sum(buffer, tcp, tcpLength, sum);
        buffer.putShort(tcp + TCP_CHECKSUM_OFFSET, (short) InternetChecksum.finish(sum), ByteOrder.BIG_ENDIAN);
    }

    /** Computes and stores the full UDP checksum (0 goes out as 0xFFFF, RFC 768); any thread. */
    static void writeUdpChecksum(MutableDirectBuffer buffer, int offset, int ipHeaderBytes, int length, boolean v6) {
        int udpStart = offset + ipHeaderBytes;
        int udpLength = length - ipHeaderBytes;
        buffer.putShort(udpStart + UDP_CHECKSUM_OFFSET, (short) 0);
        long sum = pseudoHeaderSum(buffer, offset, IpPacket.PROTOCOL_UDP, udpLength, v6);
        sum = InternetChecksum.sum(buffer, udpStart, udpLength, sum);
        int checksum = InternetChecksum.finish(sum);
        buffer.putShort(
                udpStart + UDP_CHECKSUM_OFFSET, (short) (checksum == 0 ? 0xFFFF : checksum), ByteOrder.BIG_ENDIAN);
    }

    /**
     * The unfolded pseudo-header sum (addresses, protocol, {@code l4Length}) of the IP packet at {@code offset}.
     */
    static long pseudoHeaderSum(DirectBuffer buffer, int offset, int protocol, int l4Length, boolean v6) {
        return v6
                ? InternetChecksum.ipv6PseudoHeaderSum(buffer, offset, protocol, l4Length)
                : InternetChecksum.ipv4PseudoHeaderSum(
                        IpPacket.ipv4SourceAddress(buffer, offset),
                        IpPacket.ipv4DestinationAddress(buffer, offset),
                        protocol,
                        l4Length);
    }

    /** Whether the TCP or UDP checksum of the packet at {@code offset} verifies (a zero UDP checksum does not). */
    static boolean transportChecksumValid(
            DirectBuffer buffer, int offset, int length, int ipHeaderBytes, int protocol, boolean v6) {
        int l4Length = length - ipHeaderBytes;
        long sum = pseudoHeaderSum(buffer, offset, protocol, l4Length, v6);
        sum = InternetChecksum.sum(buffer, offset + ipHeaderBytes, l4Length, sum);
        return InternetChecksum.fold(sum) == InternetChecksum.VALID_FOLDED_SUM;
    }

    private boolean completeChecksum(int csumStart, int csumOffset) {
        int field = csumStart + csumOffset;
        if (field + 2 > packetLength || csumStart >= packetLength) {
            return false;
        }
        // The field holds the pseudo-header sum the kernel seeded; summing over it completes the checksum.
        long sum = InternetChecksum.sum(source, packetOffset + csumStart, packetLength - csumStart, 0);
        int checksum = InternetChecksum.finish(sum);
        if (checksum == 0 && csumOffset == UDP_CHECKSUM_OFFSET) {
            // UDP: 0 means "no checksum", so a computed 0 goes out as 0xFFFF (RFC 768).
            checksum = 0xFFFF;
        }
        source.putShort(packetOffset + field, (short) checksum, ByteOrder.BIG_ENDIAN);
        return true;
    }
}
