package io.ringguard.dataplane.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "198.18.0.1/32, 198.18.0.1/32",
        "198.18.0.1/24, 198.18.0.0/24",
        "198.19.255.255/15, 198.18.0.0/15",
        "0.0.0.0/0, 0.0.0.0/0",
        "255.255.255.255/1, 128.0.0.0/1",
        "fd00::/8, fd00::/8",
        "fd12:3456::1/8, fd00::/8",
        "FD00::1/128, fd00::1/128",
        "::/0, ::/0",
        "::1/128, ::1/128",
        "2001:db8:0:0:1:0:0:1/128, 2001:db8::1:0:0:1/128",
        "2001:0db8:0000:0000:0000:0000:0002:0001/128, 2001:db8::2:1/128",
        "1:0:0:2:0:0:0:3/128, 1:0:0:2::3/128",
        "1:2:3:4:5:6:7:8/128, 1:2:3:4:5:6:7:8/128",
        "1:0:2:3:4:5:6:7/128, 1:0:2:3:4:5:6:7/128",
        "0:0:0:0:0:0:0:0/128, ::/128",
        "1::/16, 1::/16",
        "::ffff:198.18.0.1/128, ::ffff:198.18.0.1/128",
        "::198.18.0.1/128, ::c612:1/128",
        "fd00::198.18.0.1/120, fd00::c612:0/120",
        "fd00:ffff:ffff:ffff:ffff:ffff:ffff:ffff/65, fd00:ffff:ffff:ffff:8000::/65",
    })
    void shouldParseAndPrintCanonicalMaskedForm(String input, String canonical) {
        Cidr cidr = Cidr.parse(input);
        assertEquals(canonical, cidr.toString());
        assertEquals(cidr, Cidr.parse(canonical));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "198.18.0.1",
                "198.18.0.1/",
                "198.18.0.1/33",
                "198.18.0.1/-1",
                "198.18.0.1/+1",
                "198.18.0.1/08",
                "198.18.0.1/1000",
                "198.18.0/24",
                "198.18.0.0.1/24",
                "198.18.0.256/24",
                "198.18.0.01/24",
                "198.18..1/24",
                " 198.18.0.1/32",
                "198.18.0.1/32 ",
                "/32",
                "fd00::/129",
                "fd00:::/8",
                "fd00::1::/8",
                ":fd00::/8",
                "fd00:/8",
                "fd00::1:/8",
                "1:2:3:4:5:6:7/128",
                "1:2:3:4:5:6:7:8:9/128",
                "1:2:3:4:5:6:7::8/128",
                "12345::/16",
                "fg00::/8",
                "fe80::1%eth0/128",
                "::1.2.3.4:5/128",
                "1:2:3:4:5:6:7:1.2.3.4/128",
                "example.com/32",
            })
    void shouldRejectGarbageWithAReason(String input) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(input));
        assertTrue(e.getMessage().contains("'" + input + "'"), e.getMessage());
    }

    @Test
    void shouldMaskAndCopyInOf() {
        byte[] address = {(byte) 198, 18, 7, 9};
        Cidr cidr = Cidr.of(address, 16);
        assertArrayEquals(new byte[] {(byte) 198, 18, 7, 9}, address, "caller's array untouched");
        assertArrayEquals(new byte[] {(byte) 198, 18, 0, 0}, cidr.address());
        assertTrue(cidr.isIpv4());
        assertEquals(16, cidr.prefixLength());
        cidr.address()[0] = 1;
        assertEquals("198.18.0.0/16", cidr.toString());
        assertThrows(IllegalArgumentException.class, () -> Cidr.of(new byte[5], 8));
        assertThrows(IllegalArgumentException.class, () -> Cidr.of(new byte[4], 33));
        assertFalse(Cidr.of(new byte[16], 0).isIpv4());
    }

    @Test
    void shouldCompareByContentAndSortIpv4First() {
        assertEquals(Cidr.parse("198.18.0.7/24"), Cidr.parse("198.18.0.0/24"));
        assertEquals(
                Cidr.parse("198.18.0.7/24").hashCode(),
                Cidr.parse("198.18.0.0/24").hashCode());
        assertNotEquals(Cidr.parse("198.18.0.0/24"), Cidr.parse("198.18.0.0/25"));
        assertNotEquals(Cidr.parse("0.0.0.0/0"), Cidr.parse("::/0"));
        List<Cidr> sorted = List.of(
                Cidr.parse("0.0.0.0/8"),
                Cidr.parse("198.18.0.0/15"),
                Cidr.parse("198.18.0.0/16"),
                Cidr.parse("255.0.0.0/8"),
                Cidr.parse("::/0"),
                Cidr.parse("fd00::/8"));
        List<Cidr> shuffled = new ArrayList<>(sorted);
        Collections.reverse(shuffled);
        Collections.sort(shuffled);
        assertEquals(sorted, shuffled);
    }
}
