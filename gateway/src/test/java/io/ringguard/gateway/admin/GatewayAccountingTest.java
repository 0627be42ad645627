package io.ringguard.gateway.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.PeerConfig;
import io.ringguard.dataplane.config.PublicKey;
import io.ringguard.dataplane.device.Device;
import io.ringguard.dataplane.device.Peer;
import io.ringguard.gateway.registry.ByteTotals;
import io.ringguard.gateway.registry.RegistrationRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry's accounting wired to a live in-memory dataplane: handover, merge with the file. */
class GatewayAccountingTest {
    private static final int CLIENT_TUNNEL = 0xC6130002;

    @TempDir
    Path dir;

    private Gateway gw;

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    private static long total(ByteTotals t) {
        return t.totalBytes();
    }

    @Test
    void shouldChargeBothTheReplacedAndTheNewDataplanePeerExactlyOnce() throws Exception {
        gw = new Gateway(dir.resolve("rg.db"));
        PublicKey key = gw.clientPublicKey();
        gw.peers.register(RegistrationRequest.of(key), false, "127.0.0.1");
        assertTrue(gw.clientToGateway(CLIENT_TUNNEL, 1));
        Peer old = gw.device.peer(key);
        long oldBytes = old.rxBytes() + old.txBytes();
        assertTrue(oldBytes > 0);

        // A UAPI-style replacement: a new Peer counting from zero.
        assertEquals(0, gw.device.update(c -> new Device.ConfigUpdate(c, Set.of(key), 0)));
        Peer fresh = gw.device.peer(key);
        assertNotSame(old, fresh);
        gw.accounting.refresh();
        assertEquals(oldBytes, total(gw.registry.accounting().totals(key).orElseThrow()), "old tail still counted");

        // The client starts over too (its old session's index is gone at the gateway), then sends.
        PublicKey gatewayKey = gw.device.config().publicKey().orElseThrow();
        assertEquals(0, gw.client.update(c -> new Device.ConfigUpdate(c, Set.of(gatewayKey), 0)));
        assertTrue(gw.clientToGateway(CLIENT_TUNNEL, 2));
        gw.accounting.sync();
        gw.accounting.sync();
        long expected = oldBytes + fresh.rxBytes() + fresh.txBytes();
        assertEquals(expected, total(gw.registry.accounting().totals(key).orElseThrow()));
        assertEquals(expected, total(gw.registry.get(key).orElseThrow().storedTotals()), "stored once each");
    }

    @Test
    void shouldLetTheConfigFileWinForAKeyInBothWhileTheRegistryKeepsCounting() throws Exception {
        gw = new Gateway(dir.resolve("rg.db"));
        PublicKey key = gw.clientPublicKey();
        gw.peers.register(RegistrationRequest.of(key), false, "127.0.0.1");
        assertTrue(gw.clientToGateway(CLIENT_TUNNEL, 1));
        Peer peer = gw.device.peer(key);
        List<Cidr> fileIps = List.of(Cidr.parse("198.19.0.0/25"));

        int errno = gw.peers.applyFileConfig(gw.device.config().toBuilder()
                .clearPeers()
                .putPeer(PeerConfig.builder(key).allowedIps(fileIps).build())
                .build());

        assertEquals(0, errno);
        assertEquals(fileIps, gw.device.peer(key).config().allowedIps(), "the file's settings");
        assertEquals(peer, gw.device.peer(key), "same peer, same session");
        assertTrue(gw.clientToGateway(CLIENT_TUNNEL, 2));
        assertTrue(total(gw.registry.accounting().totals(key).orElseThrow()) >= peer.rxBytes() + peer.txBytes());
        AdminApiException again = assertThrows(
                AdminApiException.class,
                () -> gw.peers.update(
                        key, new PeerService.Patch(false, null, false, 0, List.of(Cidr.parse("198.19.0.9/32")))));
        assertEquals(409, again.status());
        // Leaving the file again: the registry's own settings come back.
        assertEquals(
                0,
                gw.peers.applyFileConfig(
                        gw.device.config().toBuilder().clearPeers().build()));
        assertEquals(
                List.of(Cidr.parse("198.19.0.2/32"), Cidr.parse("fd00:19::2/128")),
                gw.device.peer(key).config().allowedIps());
    }
}
