package io.ringguard.gateway.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.testkit.Netns;
import io.ringguard.testkit.RingGuardPeer;
import io.ringguard.testkit.UserspacePeer;
import io.ringguard.testkit.WireguardGoPeer;
import java.nio.file.Files;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A running RingGuard reconfigured with {@code wg set} and {@code ip link del}, next to wireguard-go. */
@Tag("integration")
@Timeout(120)
class ReconfigurationIT {
    /** How long the daemon may take to notice its interface is gone and exit. */
    private static final long EXIT_TIMEOUT_MS = 10_000;

    @BeforeEach
    void requirePrerequisites() {
        Tunnels.requirePrerequisites();
    }

    @Test
    void shouldHandshakeAgainAndCarryTrafficAfterItsPrivateKeyChanges() {
        try (RingGuardPeer rg = RingGuardPeer.start();
                WireguardGoPeer wg = WireguardGoPeer.start()) {
            Netns.Link link = Tunnels.join(rg, wg, false, true);
            Tunnels.assertPings(rg, wg, wg.tunnelAddress(), 2);
            String oldPublicKey = rg.publicKeyBase64();

            Instant changedAt = Instant.now();
            rg.privateKey(UserspacePeer.generatePrivateKey());
            assertNotEquals(oldPublicKey, rg.publicKeyBase64());
            // wireguard-go learns the new identity the way an operator would tell it.
            wg.removePeer(oldPublicKey);
            wg.addPeer(
                    rg.publicKeyBase64(), null, Tunnels.tunnelSubnets(rg), Tunnels.localEndpoint(link, rg, false), 0);

            Tunnels.assertPings(rg, wg, wg.tunnelAddress(), 3);
            Tunnels.assertPings(wg, rg, rg.tunnelAddress6(), 3);
            // A fresh peer entry on wireguard-go's side: its handshake can only be with the new key.
            assertTrue(wg.awaitHandshake(rg.publicKeyBase64(), changedAt, 5_000).hasHandshake());
            assertTrue(Tunnels.status(rg, wg).latestHandshakeEpochSec() >= changedAt.getEpochSecond());
        }
    }

    @Test
    void shouldStopTrafficBothWaysWhenThePeerIsRemoved() {
        try (RingGuardPeer rg = RingGuardPeer.start();
                WireguardGoPeer wg = WireguardGoPeer.start()) {
            Tunnels.join(rg, wg, false, true);
            Tunnels.assertPings(rg, wg, wg.tunnelAddress(), 2);
            Tunnels.assertPings(wg, rg, rg.tunnelAddress(), 2);

            rg.removePeer(wg.publicKeyBase64());
            assertNull(rg.peerStatus(wg.publicKeyBase64()));
            // wireguard-go still holds the old session and sends on it; RingGuard must drop it all.
            assertFalse(rg.ping(wg.tunnelAddress(), 2, 2), () -> Tunnels.logs(rg, wg));
            assertFalse(wg.ping(rg.tunnelAddress(), 2, 2), () -> Tunnels.logs(rg, wg));
            assertFalse(wg.ping(rg.tunnelAddress6(), 2, 2), () -> Tunnels.logs(rg, wg));
        }
    }

    @Test
    void shouldExitAndRemoveItsSocketWhenTheInterfaceIsDeleted() throws Exception {
        try (RingGuardPeer rg = RingGuardPeer.start()) {
            assertTrue(Files.exists(rg.socketPath()));
            rg.netns().ip("link", "del", rg.interfaceName());
            try {
                rg.process().onExit().get(EXIT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError(
                        "ringguard still running " + EXIT_TIMEOUT_MS + " ms after ip link del\n" + rg.logTail(), e);
            }
            assertFalse(Files.exists(rg.socketPath()), () -> rg.socketPath() + " left behind\n" + rg.logTail());
        }
    }
}
