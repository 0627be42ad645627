package io.ringguard.gateway.uapi;

import static io.ringguard.gateway.uapi.UapiSetTest.A;
import static io.ringguard.gateway.uapi.UapiSetTest.B;
import static io.ringguard.gateway.uapi.UapiSetTest.BASE;
import static io.ringguard.gateway.uapi.UapiSetTest.PRIVATE_KEY;
import static io.ringguard.gateway.uapi.UapiSetTest.PSK;
import static io.ringguard.gateway.uapi.UapiSetTest.ZERO;
import static io.ringguard.gateway.uapi.UapiSetTest.applied;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ringguard.dataplane.config.DeviceConfig;
import io.ringguard.dataplane.config.PublicKey;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UapiResponseWriterTest {
    private static String get(DeviceConfig config, int listenPort, Map<PublicKey, PeerStats> stats) throws IOException {
        StringWriter out = new StringWriter();
        UapiResponseWriter.writeGet(out, config, listenPort, stats::get);
        return out.toString();
    }

    @Test
    void shouldWriteGetExactlyAsWireguardGo() throws IOException {
        Map<PublicKey, PeerStats> stats =
                Map.of(PublicKey.fromHex(A), PeerStats.of(1_700_000_000_123_456_789L, 1234, 5678));
        String expected = """
                private_key=%s
                listen_port=51820
                public_key=%s
                preshared_key=%s
                protocol_version=1
                endpoint=198.18.0.2:51820
                last_handshake_time_sec=1700000000
                last_handshake_time_nsec=123456789
                tx_bytes=5678
                rx_bytes=1234
                persistent_keepalive_interval=25
                allowed_ip=198.18.1.0/24
                allowed_ip=fd00:1::/64
                public_key=%s
                preshared_key=%s
                protocol_version=1
                last_handshake_time_sec=0
                last_handshake_time_nsec=0
                tx_bytes=0
                rx_bytes=0
                persistent_keepalive_interval=0
                allowed_ip=198.18.2.0/24
                errno=0

                """.formatted(PRIVATE_KEY, A, PSK, B, ZERO);
        assertEquals(expected, get(BASE, 51820, stats));
    }

    @Test
    void shouldOmitUnsetDeviceKeysAndPrintFwmarkUnsigned() throws IOException {
        assertEquals("errno=0\n\n", get(DeviceConfig.EMPTY, 0, Map.of()));
        DeviceConfig marked = applied(DeviceConfig.EMPTY, "fwmark=4294967295");
        assertEquals("listen_port=40000\nfwmark=4294967295\nerrno=0\n\n", get(marked, 40000, Map.of()));
    }

    @Test
    void shouldWriteErrno() throws IOException {
        StringWriter out = new StringWriter();
        UapiResponseWriter.writeErrno(out, UapiErrno.EINVAL);
        assertEquals("errno=22\n\n", out.toString());
    }

    @Test
    void shouldRejectImpossibleStats() {
        assertThrows(IllegalArgumentException.class, () -> new PeerStats(0, 1_000_000_000, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new PeerStats(-1, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new PeerStats(0, 0, -1, 0));
    }

    /**
     * {@code wg showconf} reads a get reply and prints a config; {@code wg setconf} of that config
     * sends a set with {@code replace_peers} and {@code replace_allowed_ips}. Going around that loop
     * must give back the same configuration, from any starting device.
     */
    @Test
    void shouldRoundTripGetThroughShowconfAndSetconf() throws IOException {
        DeviceConfig original = applied(
                BASE,
                "fwmark=51",
                "public_key=" + B,
                "endpoint=[fd00::3]:51821",
                "allowed_ip=fd00:3::/64",
                "allowed_ip=0.0.0.0/0");
        String reply = get(original, original.listenPort(), Map.of());
        List<String> setconf = new ArrayList<>();
        boolean devicePart = true;
        for (String line : reply.split("\n")) {
            String key = line.substring(0, line.indexOf('='));
            if (key.equals("public_key")) {
                if (devicePart) {
                    setconf.add("replace_peers=true");
                    devicePart = false;
                }
                setconf.add(line);
                setconf.add("replace_allowed_ips=true");
            } else if (!Set.of(
                            "protocol_version",
                            "last_handshake_time_sec",
                            "last_handshake_time_nsec",
                            "tx_bytes",
                            "rx_bytes",
                            "errno")
                    .contains(key)) {
                setconf.add(line);
            }
        }
        String[] lines = setconf.toArray(String[]::new);
        assertEquals(original, applied(DeviceConfig.EMPTY, lines));
        assertEquals(original, applied(BASE, lines));
        assertEquals(
                original,
                applied(applied(DeviceConfig.EMPTY, "listen_port=9", "public_key=" + "cc".repeat(32)), lines));
        assertEquals(reply, get(applied(DeviceConfig.EMPTY, lines), original.listenPort(), Map.of()));
        assertInstanceOf(
                UapiRequest.Set.class,
                UapiRequestParser.parse("set=1\n" + String.join("\n", lines) + "\n\n", UapiLimits.DEFAULT));
    }
}
