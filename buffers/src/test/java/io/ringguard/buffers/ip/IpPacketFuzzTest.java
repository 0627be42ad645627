package io.ringguard.buffers.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Fuzz target for the IPv4/IPv6 header validators and readers (Jazzer, coverage-guided). The input's first
 * byte picks where the packet sits in the buffer and how much of it is "captured"; the rest is the packet.
 *
 * <p>Invariants: {@link IpPacket#version} never throws for any offset and length (inside or outside the
 * buffer), agrees with a naive reference written from RFC 791 / RFC 8200 over a {@code byte[]}, and when it
 * says valid, every field reader stays inside {@code [offset, offset + totalLength)} and returns what the
 * reference reads. The buffer ends exactly at the captured range, so a read past it fails Agrona's bounds
 * check; bytes before the offset are a 0xA5 fill, so a read before it shows up as a mismatch.
 *
 * <p>Regression inputs (seeds and every crash ever found) live in {@code IpPacketFuzzTestInputs/fuzzIpHeader}
 * under test resources; {@code mvn verify} replays them and then fuzzes for {@code ringguard.fuzz.seconds}.
 */
class IpPacketFuzzTest {

    private static final int FILL = 0xA5;

    @FuzzTest
    void fuzzIpHeader(final byte[] input) {
        if (input.length == 0) {
            return;
        }
        final int control = input[0] & 0xFF;
        final int leading = control & 0x0F;
        final byte[] packet = Arrays.copyOfRange(input, 1, input.length);
        // Bit 4 cuts the captured length short by up to 15 bytes, to exercise truncation at every field.
        final int cut = (control & 0x10) != 0 ? Math.min(packet.length, leading) : 0;
        final int length = packet.length - cut;

        final byte[] backing = new byte[leading + length];
        Arrays.fill(backing, 0, leading, (byte) FILL);
        System.arraycopy(packet, 0, backing, leading, length);
        final UnsafeBuffer buffer = new UnsafeBuffer(backing);
        final byte[] captured = Arrays.copyOf(packet, length);

        final int version = IpPacket.version(buffer, leading, length);
        assertEquals(referenceVersion(captured), version, "version");
        assertEquals(version == IpPacket.IPV4_VERSION, IpPacket.isValidIpv4(buffer, leading, length));
        assertEquals(version == IpPacket.IPV6_VERSION, IpPacket.isValidIpv6(buffer, leading, length));

        // Ranges outside the buffer, including ones whose end overflows an int, are rejected, not read.
        assertEquals(IpPacket.INVALID_VERSION, IpPacket.version(buffer, leading, length + 1));
        assertEquals(IpPacket.INVALID_VERSION, IpPacket.version(buffer, -1 - control, length));
        assertEquals(IpPacket.INVALID_VERSION, IpPacket.version(buffer, leading, Integer.MAX_VALUE - control));
        assertFalse(IpPacket.isValidIpv4(buffer, Integer.MAX_VALUE - control, length));
        assertFalse(IpPacket.isValidIpv6(buffer, leading + 1, length));

        if (version == IpPacket.INVALID_VERSION) {
            return;
        }
        // A valid header is read through a buffer that ends at the packet's own total length: the readers
        // must not need the padding after it.
        final int totalLength = IpPacket.totalLengthBytes(buffer, leading);
        assertTrue(totalLength <= length, "total length within capture");
        final UnsafeBuffer exact = new UnsafeBuffer(Arrays.copyOf(backing, leading + totalLength));
        final byte[] address = new byte[IpPacket.IPV6_ADDRESS_BYTES];
        if (version == IpPacket.IPV4_VERSION) {
            assertEquals(be16(captured, 2), totalLength);
            assertEquals((captured[0] & 0x0F) * 4, IpPacket.ipv4HeaderLengthBytes(exact, leading));
            assertEquals(captured[9] & 0xFF, IpPacket.ipv4Protocol(exact, leading));
            assertEquals((be16(captured, 6) & 0x3FFF) != 0, IpPacket.ipv4IsFragment(exact, leading));
            assertEquals(be32(captured, 12), IpPacket.ipv4SourceAddress(exact, leading));
            assertEquals(be32(captured, 16), IpPacket.ipv4DestinationAddress(exact, leading));
            assertEquals(4, IpPacket.sourceAddress(exact, leading, address));
            assertEquals(be32(captured, 12), be32(address, 0));
            assertEquals(4, IpPacket.destinationAddress(exact, leading, address));
            assertEquals(be32(captured, 16), be32(address, 0));
            // The checksum check reads only the header, whatever its bytes say.
            final boolean checksumValid = InternetChecksum.isIpv4HeaderValid(exact, leading, totalLength);
            assertEquals(referenceIpv4ChecksumValid(captured), checksumValid, "ipv4 header checksum");
        } else {
            assertEquals(40 + be16(captured, 4), totalLength);
            assertEquals(captured[6] & 0xFF, IpPacket.ipv6NextHeader(exact, leading));
            assertEquals(be64(captured, 8), IpPacket.ipv6SourceAddressHigh(exact, leading));
            assertEquals(be64(captured, 16), IpPacket.ipv6SourceAddressLow(exact, leading));
            assertEquals(be64(captured, 24), IpPacket.ipv6DestinationAddressHigh(exact, leading));
            assertEquals(be64(captured, 32), IpPacket.ipv6DestinationAddressLow(exact, leading));
            assertEquals(16, IpPacket.sourceAddress(exact, leading, address));
            assertEquals(be64(captured, 8), be64(address, 0));
            assertEquals(16, IpPacket.destinationAddress(exact, leading, address));
            assertEquals(be64(captured, 32), be64(address, 8));
        }
    }

    /** RFC 791 / RFC 8200 as the Javadoc of {@link IpPacket#version} states it, on a plain array. */
    private static int referenceVersion(final byte[] p) {
        if (p.length == 0) {
            return IpPacket.INVALID_VERSION;
        }
        final int nibble = (p[0] & 0xFF) >>> 4;
        if (nibble == 4 && p.length >= 20) {
            final int headerBytes = (p[0] & 0x0F) * 4;
            final int total = be16(p, 2);
            return headerBytes >= 20 && headerBytes <= total && total <= p.length
                    ? IpPacket.IPV4_VERSION
                    : IpPacket.INVALID_VERSION;
        }
        if (nibble == 6 && p.length >= 40) {
            return 40 + be16(p, 4) <= p.length ? IpPacket.IPV6_VERSION : IpPacket.INVALID_VERSION;
        }
        return IpPacket.INVALID_VERSION;
    }

    /** RFC 1071: the one's complement sum of the header's 16-bit words is 0xFFFF. */
    private static boolean referenceIpv4ChecksumValid(final byte[] p) {
        final int headerBytes = (p[0] & 0x0F) * 4;
        long sum = 0;
        for (int i = 0; i < headerBytes; i += 2) {
            sum += be16(p, i);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return sum == 0xFFFF;
    }

    private static int be16(final byte[] p, final int i) {
        return ((p[i] & 0xFF) << 8) | (p[i + 1] & 0xFF);
    }

    private static int be32(final byte[] p, final int i) {
        return (be16(p, i) << 16) | be16(p, i + 2);
    }

    private static long be64(final byte[] p, final int i) {
        return ((long) be32(p, i) << 32) | (be32(p, i + 4) & 0xFFFFFFFFL);
    }
}
