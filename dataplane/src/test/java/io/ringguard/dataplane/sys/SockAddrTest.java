package io.ringguard.dataplane.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class SockAddrTest {
    private static final int OFFSET = 8;
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);

    @Test
    void shouldWriteIpv4InTheKernelsByteLayout() {
        assertEquals(16, SockAddr.writeIpv4(buffer, OFFSET, 0xC6120102, 51820));

        final byte[] bytes = new byte[16];
        buffer.getBytes(OFFSET, bytes);
        final byte[] family =
                ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? new byte[] {2, 0} : new byte[] {0, 2};
        // family (host order), port 51820 = 0xCA6C big-endian, 198.18.1.2, eight zero bytes.
        assertArrayEquals(
                new byte[] {family[0], family[1], (byte) 0xCA, 0x6C, (byte) 198, 18, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0},
                bytes);
        assertEquals(Posix.AF_INET, SockAddr.family(buffer, OFFSET));
        assertEquals(51820, SockAddr.port(buffer, OFFSET));
        assertEquals(0xC6120102, SockAddr.ipv4Address(buffer, OFFSET));
        assertEquals(16, SockAddr.lengthBytes(buffer, OFFSET));
    }

    @Test
    void shouldWriteIpv6InTheKernelsByteLayout() {
        assertEquals(28, SockAddr.writeIpv6(buffer, OFFSET, 0xfd00001800010000L, 0x0000000000000002L, 65535, 7));

        assertEquals(Posix.AF_INET6, SockAddr.family(buffer, OFFSET));
        assertEquals(65535, SockAddr.port(buffer, OFFSET));
        assertEquals((byte) 0xfd, buffer.getByte(OFFSET + SockAddr.IPV6_ADDRESS_OFFSET));
        assertEquals(2, buffer.getByte(OFFSET + SockAddr.IPV6_ADDRESS_OFFSET + 15));
        assertEquals(0, buffer.getInt(OFFSET + SockAddr.IPV6_FLOWINFO_OFFSET));
        assertEquals(0xfd00001800010000L, SockAddr.ipv6AddressHigh(buffer, OFFSET));
        assertEquals(2L, SockAddr.ipv6AddressLow(buffer, OFFSET));
        assertEquals(7, SockAddr.ipv6ScopeId(buffer, OFFSET));
        assertEquals(28, SockAddr.lengthBytes(buffer, OFFSET));
    }

    @Test
    void shouldRoundTripJavaNetAddressesOfBothFamilies() throws Exception {
        for (final String host : new String[] {"198.18.7.1", "0.0.0.0", "255.255.255.255", "fd00:18:7::2", "::1"}) {
            final InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(host), 1234);
            SockAddr.write(buffer, OFFSET, address);
            assertEquals(address, SockAddr.toInetSocketAddress(buffer, OFFSET), host);
        }
    }

    @Test
    void shouldFormatBothFamiliesForLogs() {
        SockAddr.writeIpv4(buffer, 0, 0x7F000001, 80);
        assertEquals("127.0.0.1:80", SockAddr.format(buffer, 0));
        SockAddr.writeIpv6(buffer, 0, 0L, 1L, 443, 0);
        assertEquals("[0:0:0:0:0:0:0:1]:443", SockAddr.format(buffer, 0));
        SockAddr.clear(buffer, 0);
        assertEquals("(none)", SockAddr.format(buffer, 0));
    }

    @Test
    void shouldTreatAClearedRecordAsNoEndpoint() {
        SockAddr.writeIpv4(buffer, OFFSET, 1, 2);
        SockAddr.clear(buffer, OFFSET);

        assertEquals(SockAddr.AF_UNSPEC, SockAddr.family(buffer, OFFSET));
        assertEquals(0, SockAddr.lengthBytes(buffer, OFFSET));
        assertNull(SockAddr.toInetSocketAddress(buffer, OFFSET));
    }

    @Test
    void shouldCompareEndpointsByFamilyAddressAndPortOnly() {
        final UnsafeBuffer other = new UnsafeBuffer(new byte[64]);
        SockAddr.writeIpv4(buffer, 0, 0x0A000001, 1000);
        SockAddr.writeIpv4(other, 4, 0x0A000001, 1000);
        assertTrue(SockAddr.sameEndpoint(buffer, 0, other, 4));

        SockAddr.writeIpv4(other, 4, 0x0A000001, 1001);
        assertFalse(SockAddr.sameEndpoint(buffer, 0, other, 4), "port differs: the peer roamed");
        SockAddr.writeIpv4(other, 4, 0x0A000002, 1000);
        assertFalse(SockAddr.sameEndpoint(buffer, 0, other, 4), "address differs");

        SockAddr.writeIpv6(buffer, 0, 5L, 6L, 1000, 0);
        SockAddr.writeIpv6(other, 4, 5L, 6L, 1000, 0);
        other.putInt(4 + SockAddr.IPV6_FLOWINFO_OFFSET, 0x12345);
        assertTrue(SockAddr.sameEndpoint(buffer, 0, other, 4), "flowinfo is not part of the endpoint");
        SockAddr.writeIpv6(other, 4, 5L, 7L, 1000, 0);
        assertFalse(SockAddr.sameEndpoint(buffer, 0, other, 4));
        SockAddr.writeIpv4(other, 4, 5, 1000);
        assertFalse(SockAddr.sameEndpoint(buffer, 0, other, 4), "families differ");

        SockAddr.clear(buffer, 0);
        SockAddr.clear(other, 4);
        assertFalse(SockAddr.sameEndpoint(buffer, 0, other, 4), "two empty records are not an endpoint");
    }

    @Test
    void shouldCopyOnlyTheFamilysLength() {
        final UnsafeBuffer other = new UnsafeBuffer(new byte[64]);
        other.setMemory(0, 64, (byte) 0x55);
        SockAddr.writeIpv4(buffer, 0, 0x01020304, 9);

        assertEquals(16, SockAddr.copy(buffer, 0, other, 0));
        assertTrue(SockAddr.sameEndpoint(buffer, 0, other, 0));
        assertEquals(0x55, other.getByte(16), "bytes past sockaddr_in untouched");
    }
}
