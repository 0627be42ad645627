package io.ringguard.dataplane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "198.18.0.1:51820, 198.18.0.1:51820",
        "198.18.0.1:0, 198.18.0.1:0",
        "198.18.0.1:065535, 198.18.0.1:65535",
        "[fd00::1]:51820, [fd00::1]:51820",
        "[FD00:0:0:0:0:0:0:1]:1, [fd00::1]:1",
        "[::ffff:198.18.0.1]:7, [::ffff:198.18.0.1]:7",
    })
    void shouldParseAndPrintLikeWireguardGo(String input, String canonical) {
        Endpoint endpoint = Endpoint.parse(input);
        assertEquals(canonical, endpoint.toString());
        assertEquals(endpoint, Endpoint.parse(canonical));
        assertEquals(endpoint.hashCode(), Endpoint.parse(canonical).hashCode());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "198.18.0.1",
                "198.18.0.1:",
                "198.18.0.1:65536",
                "198.18.0.1:-1",
                "198.18.0.1:+1",
                "198.18.0.1:1x",
                "198.18.0.1:1000000",
                "fd00::1:51820",
                "[fd00::1]",
                "[fd00::1]51820",
                "[fd00::1:51820",
                "[198.18.0.1]:51820",
                "[fe80::1%eth0]:51820",
                "vpn.example.com:51820",
                "198.18.0:51820",
            })
    void shouldRejectGarbageWithAReason(String input) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Endpoint.parse(input));
        assertTrue(e.getMessage().contains("is not an endpoint"), e.getMessage());
    }

    @Test
    void shouldBuildSocketAddressWithoutLookup() {
        InetSocketAddress v4 = Endpoint.parse("198.18.0.1:51820").toSocketAddress();
        assertEquals("198.18.0.1", v4.getAddress().getHostAddress());
        assertEquals(51820, v4.getPort());
        assertFalse(v4.isUnresolved());
        Endpoint v6 = Endpoint.parse("[fd00::2]:9");
        assertFalse(v6.isIpv4());
        assertEquals(9, v6.port());
        assertEquals(16, v6.address().length);
        assertTrue(Endpoint.of(new byte[4], 1).isIpv4());
        assertThrows(IllegalArgumentException.class, () -> Endpoint.of(new byte[4], 65536));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.of(new byte[3], 1));
    }
}
