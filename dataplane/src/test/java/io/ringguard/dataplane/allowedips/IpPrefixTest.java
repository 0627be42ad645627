package io.ringguard.dataplane.allowedips;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

final class IpPrefixTest {
    @ParameterizedTest
    @CsvSource({
        "198.18.1.7/24, 198.18.1.0/24",
        "198.18.0.1, 198.18.0.1/32",
        "198.19.255.255/15, 198.18.0.0/15",
        "0.0.0.0/0, 0.0.0.0/0",
        "255.255.255.255/1, 128.0.0.0/1",
        "fd00::1/8, fd00::/8",
        "fd00::1, fd00::1/128",
        "::/0, ::/0",
        "FD12:3456:789A:1::7/64, fd12:3456:789a:1::/64",
        "fd00:db8:0:0:1:0:0:1/128, fd00:db8::1:0:0:1/128",
        "fd00:0:0:1:0:0:0:1/128, fd00:0:0:1::1/128",
        "fd00:0:1:0:1:0:1:0/128, fd00:0:1:0:1:0:1:0/128",
        "fd00:1:2:3:4:5:6:0/128, fd00:1:2:3:4:5:6:0/128",
        "::ffff:198.18.0.1/128, ::ffff:198.18.0.1/128",
        "  198.18.0.9/31  , 198.18.0.8/31"
    })
    void shouldParseAndPrintLikeWg(final String input, final String printed) {
        final IpPrefix prefix = IpPrefix.parse(input);
        assertEquals(printed, prefix.toString());
        assertEquals(prefix, IpPrefix.parse(printed), "printing then parsing is lossless");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "198.18.0.1/33",
                "fd00::/129",
                "198.18.0/24",
                "198.18.0.01/32",
                "256.0.0.0/8",
                "198.18.0.1/-1",
                "fd00::/",
                "fd00::/ 8",
                "fe80::1%1/64",
                "[fd00::]/8",
                "example.invalid/24",
                "fd00:::1/64",
                ""
            })
    void shouldRejectMalformedPrefix(final String input) {
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse(input));
    }

    @Test
    void shouldRejectCidrOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.ofV4(0, 33));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.ofV4(0, -1));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.ofV6(0, 0, 129));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.ofV6(0, 0, -1));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.of(new byte[5], 8));
    }

    @Test
    void shouldClearHostBitsSoEqualPrefixesCompareEqual() {
        final IpPrefix a = IpPrefix.ofV4(0xC612_0107, 24);
        final IpPrefix b = IpPrefix.ofV4(0xC612_01FF, 24);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(0xC612_0100, a.v4Address());
        assertNotEquals(a, IpPrefix.ofV4(0xC612_0100, 25));
        assertNotEquals(IpPrefix.ofV4(0, 0), IpPrefix.ofV6(0, 0, 0), "families never compare equal");

        final IpPrefix v6 = IpPrefix.ofV6(0xFD00_0000_0000_0001L, 0xFFFF_FFFF_FFFF_FFFFL, 65);
        assertEquals(0xFD00_0000_0000_0001L, v6.v6High());
        assertEquals(0x8000_0000_0000_0000L, v6.v6Low());
        assertFalse(v6.isV4());
        assertTrue(a.isV4());
    }

    @Test
    void shouldRoundTripNetworkOrderBytes() {
        final byte[] v4 = {(byte) 198, 18, 1, 0};
        assertArrayEquals(v4, IpPrefix.of(v4, 24).toBytes());
        assertEquals(IpPrefix.parse("198.18.1.0/24"), IpPrefix.of(v4, 24));

        final byte[] v6 = new byte[16];
        v6[0] = (byte) 0xFD;
        v6[15] = 1;
        assertArrayEquals(v6, IpPrefix.of(v6, 128).toBytes());
        assertEquals(IpPrefix.parse("fd00::1/128"), IpPrefix.of(v6, 128));
    }
}
