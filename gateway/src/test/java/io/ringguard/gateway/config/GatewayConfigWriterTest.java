package io.ringguard.gateway.config;

import static io.ringguard.gateway.config.TestConfigs.EXAMPLE;
import static io.ringguard.gateway.config.TestConfigs.MINIMAL;
import static io.ringguard.gateway.config.TestConfigs.PRIVATE;
import static io.ringguard.gateway.config.TestConfigs.PSK;
import static io.ringguard.gateway.config.TestConfigs.PUB_A;
import static io.ringguard.gateway.config.TestConfigs.PUB_B;
import static io.ringguard.gateway.config.TestConfigs.parse;
import static io.ringguard.gateway.config.TestConfigs.publicKey;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.Endpoint;
import io.ringguard.dataplane.config.PeerConfig;
import io.ringguard.handshake.keys.Keys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayConfigWriterTest {
    @TempDir
    Path dir;

    private static final ClientConfig CLIENT = new ClientConfig(
            List.of(InterfaceAddress.parse("100.64.0.2/32"), InterfaceAddress.parse("fd7a:115c:a1e0::2/128")),
            List.of("100.64.0.1"),
            1380,
            publicKey(PUB_A),
            false,
            new HostPort("gw.example.net", 51820),
            List.of(Cidr.parse("100.64.0.0/16"), Cidr.parse("fd7a:115c:a1e0::/48")),
            25);

    private static GatewayConfig roundTrip(GatewayConfig config, Path file) throws ConfigException {
        char[] text = GatewayConfigWriter.write(config);
        try {
            return TestConfigs.PARSER.parse(file, text);
        } finally {
            java.util.Arrays.fill(text, '\0');
        }
    }

    @Test
    void shouldRoundTripAWholeConfig() throws ConfigException {
        GatewayConfig config = parse(
                EXAMPLE + "[Peer]\nPublicKey = " + PUB_B + "\nAllowedIPs = 0.0.0.0/0, ::/0\nEndpoint = [fd00::9]:1\n");

        assertEquals(config, roundTrip(config, TestConfigs.WG0));
    }

    @Test
    void shouldRoundTripEveryOptionalSetting() throws IOException, ConfigException {
        Path token = Files.writeString(dir.resolve("token"), "t\n");
        GatewayConfig config = parse(MINIMAL
                + "FwMark = 0xffffffff\nDNS = 198.18.0.53, corp.example\nTable = 1234\n"
                + "PreUp = echo 1\nPostUp = echo 2\nPostUp = echo 3\nPreDown = echo 4\nPostDown = echo 5\n"
                + "SaveConfig = true\nMTU = 1280\n"
                + "[Gateway]\nMetricsListen = [::]:9\nAdminListen = 0.0.0.0:10\nAdminTokenFile = " + token + "\n"
                + "Storage = jdbc:postgresql://db/rg?password=x\nWorkers = 2\nMaxPeers = 300\nGossip = 0.0.0.0:51821\n"
                + "GossipSeeds = seed.example:51821\nOrgPublicKey = " + TestConfigs.ORG + "\n"
                + "NodeKeyFile = /var/lib/rg/node.key\nVouchFile = /etc/rg/vouch\n"
                + "[Peer]\nPublicKey = " + PUB_A + "\nPresharedKey = " + PSK + "\nAllowedIPs =\n");

        assertEquals(config, roundTrip(config, TestConfigs.WG0));
    }

    @Test
    void shouldRoundTripTheMinimalConfigWithoutInventingSections() throws ConfigException {
        GatewayConfig config = parse(MINIMAL);

        String text = new String(GatewayConfigWriter.write(config));

        assertEquals("[Interface]\nPrivateKey = " + PRIVATE + "\nMTU = 1420\n", text);
        assertEquals(config, parse(text));
    }

    @Test
    void shouldWriteAClientConfigWithPlaceholdersForItsSecrets() {
        String text = GatewayConfigWriter.clientConfig(CLIENT);

        assertEquals("""
                [Interface]
                # PrivateKey = (your private key: the one whose public key you registered)
                Address = 100.64.0.2/32, fd7a:115c:a1e0::2/128
                DNS = 100.64.0.1
                MTU = 1380

                [Peer]
                PublicKey = %s
                Endpoint = gw.example.net:51820
                AllowedIPs = 100.64.0.0/16, fd7a:115c:a1e0::/48
                PersistentKeepalive = 25
                """.formatted(PUB_A), text);
    }

    @Test
    void shouldParseAClientConfigOnceItsPrivateKeyIsFilledIn() throws ConfigException {
        String text = GatewayConfigWriter.clientConfig(CLIENT);

        ConfigException incomplete = assertThrows(ConfigException.class, () -> parse(text));
        assertEquals("wg0.conf:1: PrivateKey: missing in [Interface]", incomplete.getMessage());

        GatewayConfig client =
                parse(text.replace(GatewayConfigWriter.PRIVATE_KEY_PLACEHOLDER, "PrivateKey = " + PRIVATE));
        assertEquals(CLIENT.addresses(), client.addresses());
        assertEquals(CLIENT.dns(), client.wgQuick().dns());
        assertEquals(CLIENT.mtu(), client.mtu());
        assertArrayEquals(Keys.fromBase64(PRIVATE), client.device().privateKey());
        PeerConfig gateway = client.device().peer(publicKey(PUB_A)).orElseThrow();
        assertEquals(Optional.of(Endpoint.parse("198.18.0.9:51820")), gateway.endpoint());
        assertEquals(CLIENT.allowedIps(), gateway.allowedIps());
        assertEquals(25, gateway.persistentKeepaliveSeconds());
        assertFalse(gateway.hasPresharedKey());
    }

    @Test
    void shouldLeaveAPlaceholderForARegisteredPresharedKey() throws ConfigException {
        ClientConfig withPsk = new ClientConfig(
                CLIENT.addresses(),
                List.of(),
                0,
                publicKey(PUB_A),
                true,
                new HostPort("fd00::1", 51820),
                List.of(Cidr.parse("0.0.0.0/0")),
                0);

        String text = GatewayConfigWriter.clientConfig(withPsk);

        assertTrue(text.contains("\n" + GatewayConfigWriter.PRESHARED_KEY_PLACEHOLDER + "\n"), text);
        assertFalse(text.contains("MTU"), text);
        assertFalse(text.contains("DNS"), text);
        assertFalse(text.contains("PersistentKeepalive"), text);
        GatewayConfig client =
                parse(text.replace(GatewayConfigWriter.PRIVATE_KEY_PLACEHOLDER, "PrivateKey = " + PRIVATE)
                        .replace(GatewayConfigWriter.PRESHARED_KEY_PLACEHOLDER, "PresharedKey = " + PSK));
        PeerConfig gateway = client.device().peers().firstEntry().getValue();
        assertArrayEquals(Keys.fromBase64(PSK), gateway.presharedKey());
        assertEquals(Optional.of(Endpoint.parse("[fd00::1]:51820")), gateway.endpoint());
    }
}
