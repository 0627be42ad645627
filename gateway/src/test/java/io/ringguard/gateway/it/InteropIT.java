package io.ringguard.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.testkit.Netns;
import io.ringguard.testkit.RingGuardPeer;
import io.ringguard.testkit.UserspacePeer;
import io.ringguard.testkit.UserspacePeer.PeerStatus;
import io.ringguard.testkit.WireguardGoPeer;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RingGuard ({@code bin/ringguard -f}) against the reference wireguard-go and against itself, each in
 * its own namespace, configured only with the real {@code wg} tool.
 */
@Tag("integration")
@Timeout(120)
class InteropIT {
    /** Transport message: type, reserved, receiver index, counter (16) + padded plaintext + tag (16). */
    private static final int TRANSPORT_OVERHEAD_BYTES = 32;
    /** Handshake initiation and response sizes (whitepaper section 5.4.2 and 5.4.3). */
    private static final int INITIATION_BYTES = 148;

    private static final int RESPONSE_BYTES = 92;
    /** ping's default 56-byte payload + ICMP header (8) + IPv4 header (20) = 84, padded to 16: 96. */
    private static final int PADDED_ECHO_BYTES = 96;

    private static final int ECHO_MESSAGE_BYTES = TRANSPORT_OVERHEAD_BYTES + PADDED_ECHO_BYTES;

    @BeforeEach
    void requirePrerequisites() {
        Tunnels.requirePrerequisites();
    }

    static Stream<Arguments> pairings() {
        return Stream.of(
                Arguments.of("wireguard-go", false),
                Arguments.of("wireguard-go", true),
                Arguments.of("ringguard", false),
                Arguments.of("ringguard", true));
    }

    @ParameterizedTest(name = "RingGuard <-> {0}, IPv6 underlay: {1}")
    @MethodSource("pairings")
    void shouldPingBothWaysWithBothInnerFamiliesAndReportTheHandshake(String other, boolean outerIpv6) {
        Instant before = Instant.now().minusSeconds(1);
        try (RingGuardPeer rg = RingGuardPeer.start();
                UserspacePeer peer = "ringguard".equals(other) ? RingGuardPeer.start() : WireguardGoPeer.start()) {
            // Only RingGuard is told where the peer is: the peer must learn RingGuard's endpoint from it.
            Netns.Link link = Tunnels.join(rg, peer, outerIpv6, false);

            Tunnels.assertPings(rg, peer, peer.tunnelAddress(), 3);
            Tunnels.assertPings(peer, rg, rg.tunnelAddress(), 3);
            Tunnels.assertPings(rg, peer, peer.tunnelAddress6(), 3);
            Tunnels.assertPings(peer, rg, rg.tunnelAddress6(), 3);

            PeerStatus seenByRg = rg.awaitHandshake(peer.publicKeyBase64(), before, 5_000);
            PeerStatus seenByPeer = peer.awaitHandshake(rg.publicKeyBase64(), before, 5_000);
            assertEquals(Tunnels.remoteEndpoint(link, peer, outerIpv6), seenByRg.endpoint());
            assertEquals(Tunnels.localEndpoint(link, rg, outerIpv6), seenByPeer.endpoint(), Tunnels.logs(rg, peer));
            // 12 echoes each way: both sides sent and received far more than the handshake alone.
            long atLeast = 12L * ECHO_MESSAGE_BYTES;
            assertTrue(seenByRg.txBytes() > atLeast && seenByRg.rxBytes() > atLeast, "RingGuard: " + seenByRg);
            assertTrue(seenByPeer.txBytes() > atLeast && seenByPeer.rxBytes() > atLeast, other + ": " + seenByPeer);
        }
    }

    @Test
    void shouldCountExactlyTheBytesTheProtocolImpliesForTenPings() {
        try (RingGuardPeer rg = RingGuardPeer.start();
                WireguardGoPeer wg = WireguardGoPeer.start()) {
            Tunnels.join(rg, wg, false, false);
            // One echo makes RingGuard initiate: initiation out, response back, then the staged echo
            // request goes out as the first transport message (no extra keepalive, as in wireguard-go).
            Tunnels.assertPings(rg, wg, wg.tunnelAddress(), 1);
            PeerStatus rgBefore = Tunnels.status(rg, wg);
            PeerStatus wgBefore = Tunnels.status(wg, rg);

            Tunnels.assertPings(rg, wg, wg.tunnelAddress(), 10);
            PeerStatus rgAfter = Tunnels.status(rg, wg);
            PeerStatus wgAfter = Tunnels.status(wg, rg);
            String states = "before: rg " + rgBefore + " wg " + wgBefore + "\nafter: rg " + rgAfter + " wg " + wgAfter
                    + "\n" + Tunnels.logs(rg, wg);

            // The two ends agree to the byte.
            assertEquals(rgAfter.txBytes(), wgAfter.rxBytes(), states);
            assertEquals(wgAfter.txBytes(), rgAfter.rxBytes(), states);
            // Ten requests out and ten replies back, 128 bytes each on the wire.
            assertEquals(10L * ECHO_MESSAGE_BYTES, rgAfter.txBytes() - rgBefore.txBytes(), states);
            assertEquals(10L * ECHO_MESSAGE_BYTES, rgAfter.rxBytes() - rgBefore.rxBytes(), states);
            assertEquals(10L * ECHO_MESSAGE_BYTES, wgAfter.txBytes() - wgBefore.txBytes(), states);
            assertEquals(10L * ECHO_MESSAGE_BYTES, wgAfter.rxBytes() - wgBefore.rxBytes(), states);
            // In all: one handshake message each way plus whole echo messages, nothing else (the
            // passive keepalive comes only 10 s after the last reply). The warm-up may carry more than
            // one echo: ping -w sends again every 200 ms while the first reply waits for the handshake.
            long rgEchoes = (rgAfter.txBytes() - INITIATION_BYTES) / ECHO_MESSAGE_BYTES;
            assertEquals(INITIATION_BYTES + rgEchoes * ECHO_MESSAGE_BYTES, rgAfter.txBytes(), states);
            assertEquals(RESPONSE_BYTES + rgEchoes * ECHO_MESSAGE_BYTES, wgAfter.txBytes(), states);
            assertTrue(rgEchoes >= 11, states);
        }
    }
}
