package io.ringguard.dataplane.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.handshake.keys.Keys;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class DeviceConfigTest {
    private static final byte[] PRIVATE_KEY =
            HexFormat.of().parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    private static final String PUBLIC_KEY_HEX = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
    private static final byte[] PSK = filled(0x5a);

    private static byte[] filled(int value) {
        byte[] key = new byte[Keys.KEY_BYTES];
        java.util.Arrays.fill(key, (byte) value);
        return key;
    }

    private static PublicKey peerKey(int value) {
        return PublicKey.of(filled(value));
    }

    @Test
    void shouldNeverPrintSecrets() {
        PeerConfig peer = PeerConfig.builder(peerKey(1))
                .presharedKey(PSK)
                .endpoint(Endpoint.parse("198.18.0.2:51820"))
                .build();
        DeviceConfig config = DeviceConfig.builder()
                .privateKey(PRIVATE_KEY)
                .listenPort(51820)
                .putPeer(peer)
                .build();
        String text = config.toString() + peer;
        for (byte[] secret : List.of(PRIVATE_KEY, PSK)) {
            String hex = HexFormat.of().formatHex(secret);
            String base64 = new String(Keys.toBase64(secret));
            assertFalse(text.toLowerCase(Locale.ROOT).contains(hex), text);
            assertFalse(text.contains(base64), text);
            assertFalse(text.contains(base64.substring(0, 8)), text);
        }
        assertTrue(text.contains("(hidden)"), text);
        assertTrue(text.contains("198.18.0.2:51820"), text);
    }

    @Test
    void shouldCopyKeysDefensively() {
        byte[] priv = PRIVATE_KEY.clone();
        byte[] psk = PSK.clone();
        DeviceConfig config = DeviceConfig.builder()
                .privateKey(priv)
                .putPeer(PeerConfig.builder(peerKey(1)).presharedKey(psk).build())
                .build();
        priv[0] ^= 1;
        psk[0] ^= 1;
        assertArrayEquals(PRIVATE_KEY, config.privateKey());
        assertArrayEquals(PSK, config.peers().firstEntry().getValue().presharedKey());
        config.privateKey()[0] ^= 1;
        config.peers().firstEntry().getValue().presharedKey()[0] ^= 1;
        assertArrayEquals(PRIVATE_KEY, config.privateKey());
        assertArrayEquals(PSK, config.peers().firstEntry().getValue().presharedKey());
        byte[] pub = HexFormat.of().parseHex(PUBLIC_KEY_HEX);
        PublicKey key = PublicKey.of(pub);
        pub[0] ^= 1;
        assertEquals(PUBLIC_KEY_HEX, HexFormat.of().formatHex(key.bytes()));
    }

    @Test
    void shouldDerivePublicKeyAndTreatZeroKeysAsNone() {
        DeviceConfig config = DeviceConfig.builder().privateKey(PRIVATE_KEY).build();
        assertEquals(PublicKey.fromHex(PUBLIC_KEY_HEX), config.publicKey().orElseThrow());
        DeviceConfig none = config.toBuilder().privateKey(new byte[32]).build();
        assertFalse(none.hasPrivateKey());
        assertTrue(none.publicKey().isEmpty());
        assertThrows(IllegalStateException.class, none::privateKey);
        assertEquals(DeviceConfig.EMPTY, none);
        PeerConfig noPsk =
                PeerConfig.builder(peerKey(1)).presharedKey(new byte[32]).build();
        assertFalse(noPsk.hasPresharedKey());
        assertArrayEquals(new byte[32], noPsk.presharedKey());
        assertThrows(
                IllegalArgumentException.class, () -> DeviceConfig.builder().privateKey(new byte[31]));
        assertThrows(
                IllegalArgumentException.class,
                () -> PeerConfig.builder(peerKey(1)).presharedKey(new byte[33]));
    }

    @Test
    void shouldCompareKeysByContent() {
        DeviceConfig a = DeviceConfig.builder()
                .privateKey(PRIVATE_KEY)
                .putPeer(PeerConfig.builder(peerKey(1)).presharedKey(PSK).build())
                .build();
        DeviceConfig b = DeviceConfig.builder()
                .privateKey(PRIVATE_KEY.clone())
                .putPeer(
                        PeerConfig.builder(peerKey(1)).presharedKey(PSK.clone()).build())
                .build();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, a.toBuilder().privateKey(filled(7)).build());
        assertNotEquals(a, a.toBuilder().listenPort(1).build());
        assertNotEquals(a, a.toBuilder().fwmark(-1).build());
        assertNotEquals(a, a.toBuilder().clearPeers().build());
        PeerConfig peer = a.peers().firstEntry().getValue();
        assertNotEquals(peer, peer.toBuilder().presharedKey(filled(8)).build());
        assertNotEquals(peer, peer.toBuilder().presharedKey(null).build());
        assertNotEquals(peer, peer.toBuilder().persistentKeepaliveSeconds(25).build());
        assertNotEquals(
                peer, peer.toBuilder().endpoint(Endpoint.parse("198.18.0.1:1")).build());
        assertNotEquals(
                peer,
                peer.toBuilder()
                        .allowedIps(List.of(Cidr.parse("198.18.0.1/32")))
                        .build());
        assertEquals(peer, peer.toBuilder().build());
    }

    @Test
    void shouldKeepAllowedIpsAsASortedSet() {
        PeerConfig a = PeerConfig.builder(peerKey(1))
                .allowedIps(List.of(
                        Cidr.parse("fd00::/8"),
                        Cidr.parse("198.18.0.7/24"),
                        Cidr.parse("100.64.0.0/10"),
                        Cidr.parse("198.18.0.0/24")))
                .build();
        PeerConfig b = PeerConfig.builder(peerKey(1))
                .allowedIps(List.of(Cidr.parse("100.64.0.0/10"), Cidr.parse("fd00::/8"), Cidr.parse("198.18.0.0/24")))
                .build();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals("[100.64.0.0/10, 198.18.0.0/24, fd00::/8]", a.allowedIps().toString());
        assertThrows(UnsupportedOperationException.class, () -> a.allowedIps().clear());
    }

    @Test
    void shouldRejectOnePrefixForTwoPeersAndAPeerWithTheOwnKey() {
        DeviceConfig.Builder b = DeviceConfig.builder()
                .putPeer(PeerConfig.builder(peerKey(1))
                        .allowedIps(List.of(Cidr.parse("198.18.0.0/24")))
                        .build())
                .putPeer(PeerConfig.builder(peerKey(2))
                        .allowedIps(List.of(Cidr.parse("198.18.0.9/24")))
                        .build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
        assertTrue(e.getMessage().contains("198.18.0.0/24"), e.getMessage());
        DeviceConfig.Builder own = DeviceConfig.builder()
                .privateKey(PRIVATE_KEY)
                .putPeer(PeerConfig.builder(PublicKey.fromHex(PUBLIC_KEY_HEX)).build());
        assertThrows(IllegalArgumentException.class, own::build);
    }

    @Test
    void shouldKeepPeersInInsertionOrder() {
        DeviceConfig config = DeviceConfig.builder()
                .putPeer(PeerConfig.builder(peerKey(3)).build())
                .putPeer(PeerConfig.builder(peerKey(1)).build())
                .putPeer(PeerConfig.builder(peerKey(2)).build())
                .putPeer(PeerConfig.builder(peerKey(3))
                        .persistentKeepaliveSeconds(5)
                        .build())
                .build();
        assertEquals(
                List.of(peerKey(3), peerKey(1), peerKey(2)),
                List.copyOf(config.peers().keySet()));
        assertEquals(5, config.peer(peerKey(3)).orElseThrow().persistentKeepaliveSeconds());
        assertThrows(UnsupportedOperationException.class, () -> config.peers().clear());
    }

    @Test
    void shouldPrintPublicKeysAsBase64() {
        PublicKey key = PublicKey.fromHex(PUBLIC_KEY_HEX);
        assertEquals("hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=", key.toString());
        assertEquals(key, PublicKey.fromBase64("hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo="));
        assertEquals(PUBLIC_KEY_HEX, new String(key.toHex()));
    }
}
