package io.ringguard.gateway.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** {@code get=1} replies as CONTRACTS.md section 2 shapes them. */
class UapiPeerTest {
    private static final String KEY_A = "a".repeat(64);
    private static final String KEY_B = "b".repeat(64);

    @Test
    void shouldReadTheFirstPeersCounters() throws IOException {
        String reply = "private_key=" + "c".repeat(64) + "\nlisten_port=51820\n"
                + "public_key=" + KEY_A + "\npreshared_key=" + "0".repeat(64) + "\nprotocol_version=1\n"
                + "endpoint=198.18.254.2:51820\nlast_handshake_time_sec=1763770000\nlast_handshake_time_nsec=5\n"
                + "tx_bytes=612345678\nrx_bytes=598765432\npersistent_keepalive_interval=0\n"
                + "allowed_ip=198.19.254.2/32\n"
                + "public_key=" + KEY_B + "\ntx_bytes=1\nrx_bytes=2\nlast_handshake_time_sec=3\n"
                + "errno=0\n\n";
        assertEquals(new UapiPeer(612345678, 598765432, 1763770000), UapiPeer.parse(reply));
    }

    @Test
    void shouldReadTheNamedPeersCounters() throws IOException {
        String reply = "private_key=" + "c".repeat(64) + "\nlisten_port=51820\n"
                + "public_key=" + KEY_A + "\ntx_bytes=10\nrx_bytes=20\nlast_handshake_time_sec=30\n"
                + "public_key=" + KEY_B + "\ntx_bytes=1\nrx_bytes=2\nlast_handshake_time_sec=3\n"
                + "allowed_ip=198.19.253.2/32\nerrno=0\n\n";
        assertEquals(new UapiPeer(1, 2, 3), UapiPeer.parse(reply, KEY_B.toUpperCase(java.util.Locale.ROOT)));
        assertEquals(new UapiPeer(10, 20, 30), UapiPeer.parse(reply, KEY_A));
        assertNull(UapiPeer.parse(reply, "d".repeat(64)));
    }

    @Test
    void shouldReturnNullWithoutPeers() throws IOException {
        assertNull(UapiPeer.parse("private_key=" + "c".repeat(64) + "\nlisten_port=51820\nerrno=0\n\n"));
    }

    @Test
    void shouldRejectAFailedOrCutReply() {
        assertThrows(IOException.class, () -> UapiPeer.parse("errno=5\n\n"));
        assertThrows(IOException.class, () -> UapiPeer.parse("public_key=" + KEY_A + "\ntx_bytes=1\n"));
    }
}
