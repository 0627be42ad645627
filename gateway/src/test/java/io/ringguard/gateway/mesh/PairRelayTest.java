package io.ringguard.gateway.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.membership.identity.Ed25519Authenticator;
import io.ringguard.membership.identity.Endpoint;
import io.ringguard.membership.identity.NodeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** The relay's per-pair routing: each side is learnt from its public IP, latched at its mapped port. */
class PairRelayTest {
    private static final int WG = 51820;
    private final NodeKey a = Ed25519Authenticator.generate().publicKey();
    private final NodeKey b = Ed25519Authenticator.generate().publicKey();

    private static InetSocketAddress at(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    @Test
    void shouldForwardEachSideToTheOtherLatchingTheMappedPorts() throws Exception {
        PairRelay relay = new PairRelay(a, InetAddress.getLoopbackAddress());
        PairRelay.Pair pair = new PairRelay.Pair(PairRelay.PairKey.of(a, b), InetAddress.getLoopbackAddress());
        try {
            // a asked from its NAT's gossip mapping; b is known by its observed gossip endpoint.
            pair.expect(a, Endpoint.parse("198.18.1.1:30001"), b, Endpoint.parse("198.18.2.1:40001"), WG);

            // Before b ever sent, a's packets go to b's public IP at the WireGuard port.
            assertEquals(at("198.18.2.1", WG), pair.route(at("198.18.1.1", 30555), 1, relay));
            // b's first packet (from a symmetric NAT's fresh port) goes to a's latched mapping.
            assertEquals(at("198.18.1.1", 30555), pair.route(at("198.18.2.1", 41234), 2, relay));
            // From now on a reaches b at the port b's NAT chose for the relay.
            assertEquals(at("198.18.2.1", 41234), pair.route(at("198.18.1.1", 30555), 3, relay));
            assertEquals(3, pair.lastPacketMs);
        } finally {
            pair.close();
            relay.close();
        }
    }

    @Test
    void shouldDropAndCountPacketsFromAnyoneElse() throws Exception {
        PairRelay relay = new PairRelay(a, InetAddress.getLoopbackAddress());
        PairRelay.Pair pair = new PairRelay.Pair(PairRelay.PairKey.of(b, a), InetAddress.getLoopbackAddress());
        try {
            pair.expect(b, Endpoint.parse("198.18.2.1:40001"), a, Endpoint.parse("198.18.1.1:30001"), WG);

            long idleSinceMs = pair.lastPacketMs;
            assertNull(pair.route(at("198.18.3.3", 1234), idleSinceMs + 5, relay));

            assertEquals(1, relay.droppedUnknownSource.get());
            assertEquals(idleSinceMs, pair.lastPacketMs, "a refused packet must not keep the pair alive");
        } finally {
            pair.close();
            relay.close();
        }
    }

    @Test
    void shouldKeyPairsRegardlessOfOrderAndTellControlFromGossip() {
        assertEquals(PairRelay.PairKey.of(a, b), PairRelay.PairKey.of(b, a));

        UnsafeBuffer control = new UnsafeBuffer(new byte[PairRelay.LENGTH]);
        control.putShort(0, (short) PairRelay.MAGIC, java.nio.ByteOrder.BIG_ENDIAN);
        assertTrue(PairRelay.isControl(control, 0, PairRelay.LENGTH));
        assertFalse(PairRelay.isControl(control, 0, PairRelay.LENGTH - 1), "the length is exact");
        UnsafeBuffer gossip = new UnsafeBuffer(new byte[PairRelay.LENGTH]);
        gossip.putShort(0, (short) 0x5247, java.nio.ByteOrder.BIG_ENDIAN); // a gossip frame's "RG"
        assertFalse(PairRelay.isControl(gossip, 0, PairRelay.LENGTH));
    }
}
