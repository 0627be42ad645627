package io.ringguard.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Tag("integration")
@Timeout(120)
class WireguardGoPeerTest {
    @BeforeEach
    void requirePrerequisites() {
        Prerequisites.requireRoot();
        Prerequisites.requireTun();
        Prerequisites.requireProgram("wireguard-go");
        Prerequisites.requireProgram("wg");
        Prerequisites.requireProgram("ip");
        Prerequisites.requireProgram("ping");
    }

    @Test
    void shouldPingThroughTunnelBetweenTwoWireguardGoPeers() {
        try (WireguardGoPeer a = WireguardGoPeer.start();
                WireguardGoPeer b = WireguardGoPeer.builder().listenPort(51821).start()) {
            assertNotEquals(a.interfaceName(), b.interfaceName());
            // Without peers there is no way through: proves the later success goes through the tunnel.
            assertFalse(a.ping(b.tunnelAddress(), 1, 1));

            // The namespaces meet on their own veth pair; the root namespace forwards nothing.
            Netns.Link link = a.netns().connect(b.netns());
            Instant before = Instant.now().minusSeconds(1);
            a.addPeer(
                    b.publicKeyBase64(),
                    null,
                    b.netns().slot().tunnelSubnet() + "," + b.netns().slot().tunnelSubnet6(),
                    link.remoteAddress() + ":" + b.listenPort(),
                    0);
            b.addPeer(
                    a.publicKeyBase64(),
                    null,
                    a.netns().slot().tunnelSubnet() + "," + a.netns().slot().tunnelSubnet6(),
                    null,
                    0);

            assertTrue(a.ping(b.tunnelAddress(), 3, 10), a.logTail());
            assertTrue(b.ping(a.tunnelAddress(), 3, 10), b.logTail());
            assertTrue(a.ping(b.tunnelAddress6(), 3, 10), a.logTail());

            WireguardGoPeer.PeerStatus seenByA = a.awaitHandshake(b.publicKeyBase64(), before, 5_000);
            assertEquals(link.remoteAddress() + ":" + b.listenPort(), seenByA.endpoint());
            assertTrue(seenByA.latestHandshakeEpochSec() <= Instant.now().getEpochSecond() + 1);
            assertTrue(seenByA.rxBytes() > 0, seenByA::toString);
            assertTrue(seenByA.txBytes() > 0, seenByA::toString);

            List<WireguardGoPeer.PeerStatus> seenByB = b.wgShow();
            assertEquals(1, seenByB.size());
            WireguardGoPeer.PeerStatus aFromB = seenByB.get(0);
            assertEquals(a.publicKeyBase64(), aFromB.publicKeyBase64());
            // b had no endpoint: it learned a's address from the authenticated handshake.
            assertEquals(link.localAddress() + ":" + a.listenPort(), aFromB.endpoint());
            assertTrue(aFromB.latestHandshakeEpochSec() >= before.getEpochSecond(), aFromB::toString);
            assertTrue(aFromB.rxBytes() > 0 && aFromB.txBytes() > 0, aFromB::toString);
        }
    }

    @Test
    void shouldHandshakeWithPresharedKeyAndKnownPrivateKey() {
        String knownKey = Exec.run(5_000, "wg", "genkey").orThrow().out().strip();
        String psk = Exec.run(5_000, "wg", "genpsk").orThrow().out().strip();
        try (WireguardGoPeer a =
                        WireguardGoPeer.builder().privateKeyBase64(knownKey).start();
                WireguardGoPeer b = WireguardGoPeer.start()) {
            assertEquals(knownKey, a.privateKeyBase64());
            assertEquals(
                    Exec.run(5_000, knownKey.getBytes(java.nio.charset.StandardCharsets.US_ASCII), "wg", "pubkey")
                            .orThrow()
                            .out()
                            .strip(),
                    a.publicKeyBase64());
            Netns.Link link = a.netns().connect(b.netns());
            a.addPeer(
                    b.publicKeyBase64(),
                    psk,
                    b.tunnelAddress() + "/32",
                    link.remoteAddress() + ":" + b.listenPort(),
                    0);
            b.addPeer(a.publicKeyBase64(), psk, a.tunnelAddress() + "/32", null, 0);
            assertTrue(a.ping(b.tunnelAddress(), 2, 10), a.logTail());

            // A peer whose preshared key differs never completes a handshake.
            b.addPeer(
                    a.publicKeyBase64(),
                    Exec.run(5_000, "wg", "genpsk").orThrow().out().strip(),
                    a.tunnelAddress() + "/32",
                    null,
                    0);
            a.removePeer(b.publicKeyBase64());
            a.addPeer(
                    b.publicKeyBase64(),
                    psk,
                    b.tunnelAddress() + "/32",
                    link.remoteAddress() + ":" + b.listenPort(),
                    0);
            assertFalse(a.ping(b.tunnelAddress(), 1, 2));
            assertFalse(a.peerStatus(b.publicKeyBase64()).hasHandshake());
        }
    }

    @Test
    void shouldRemoveNamespaceSocketAndProcessOnClose() {
        WireguardGoPeer peer = WireguardGoPeer.start();
        String netns = peer.netns().name();
        Path socket = peer.socketPath();
        Path log = peer.logFile();
        ProcessHandle process = peer.process();
        assertTrue(Files.exists(socket));
        assertTrue(process.isAlive());
        assertTrue(NetnsTest.listedNamespaces().contains(netns));
        assertNotNull(peer.wgShow());

        peer.close();
        peer.close();

        assertFalse(NetnsTest.listedNamespaces().contains(netns));
        assertFalse(Files.exists(socket));
        assertFalse(Files.exists(log));
        assertFalse(process.isAlive());
        assertFalse(Exec.run(5_000, "ip", "link", "show", peer.netns().hostInterface())
                .ok());
    }
}
