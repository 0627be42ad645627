package io.ringguard.gateway.config;

import static io.ringguard.gateway.config.TestConfigs.EXAMPLE;
import static io.ringguard.gateway.config.TestConfigs.MINIMAL;
import static io.ringguard.gateway.config.TestConfigs.ORG;
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
import io.ringguard.dataplane.config.DeviceConfig;
import io.ringguard.dataplane.config.Endpoint;
import io.ringguard.dataplane.config.PeerConfig;
import io.ringguard.handshake.keys.Keys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GatewayConfigParserTest {
    @TempDir
    Path dir;

    @Test
    void shouldParseTheContractExample() throws ConfigException {
        GatewayConfig config = parse(EXAMPLE);

        assertEquals("wg0", config.interfaceName());
        DeviceConfig device = config.device();
        assertArrayEquals(Keys.fromBase64(PRIVATE), device.privateKey());
        assertEquals(51820, device.listenPort());
        assertEquals(0x1234, device.fwmark());
        assertEquals(
                List.of(InterfaceAddress.parse("100.64.0.1/16"), InterfaceAddress.parse("fd7a:115c:a1e0::1/48")),
                config.addresses());
        assertEquals(1420, config.mtu());

        PeerConfig peer = device.peer(publicKey(PUB_A)).orElseThrow();
        assertArrayEquals(Keys.fromBase64(PSK), peer.presharedKey());
        assertEquals(List.of(Cidr.parse("100.64.0.2/32")), peer.allowedIps());
        assertEquals(Optional.of(Endpoint.parse("198.18.0.9:51820")), peer.endpoint());
        assertEquals(25, peer.persistentKeepaliveSeconds());

        GatewaySettings g = config.gateway();
        assertEquals(new HostPort("127.0.0.1", 9586), g.metricsListen());
        assertEquals(new HostPort("127.0.0.1", 9587), g.adminListen());
        assertEquals(new Storage.Sqlite(Path.of("/var/lib/ringguard/IFACE.db")), g.storage());
        assertEquals(List.of(Cidr.parse("100.64.0.0/16"), Cidr.parse("fd7a:115c:a1e0::/48")), g.addressPool());
        assertEquals(GatewaySettings.WORKERS_AUTO, g.workers());
        assertEquals(Optional.of(new HostPort("0.0.0.0", 51821)), g.gossip());
        assertEquals(List.of(new HostPort("198.18.0.2", 51821)), g.gossipSeeds());
        assertEquals(Optional.of(OrgPublicKey.fromBase64(ORG)), g.orgPublicKey());
        assertEquals(Optional.empty(), g.adminTokenFile());
        assertTrue(config.wgQuick().isEmpty());
    }

    @Test
    void shouldFillInDefaults() throws ConfigException {
        GatewayConfig config = parseAs("gw-east.conf", MINIMAL);

        assertEquals("gw-east", config.interfaceName());
        assertEquals(GatewayConfig.DEFAULT_MTU, config.mtu());
        assertEquals(List.of(), config.addresses());
        assertEquals(0, config.device().listenPort());
        assertEquals(0, config.device().fwmark());
        assertTrue(config.device().peers().isEmpty());
        assertEquals(WgQuickExtras.NONE, config.wgQuick());
        GatewaySettings g = config.gateway();
        assertEquals(GatewaySettings.defaults("gw-east"), g);
        assertEquals(new HostPort("127.0.0.1", 9586), g.metricsListen());
        assertEquals(new HostPort("127.0.0.1", 9587), g.adminListen());
        assertEquals(new Storage.Sqlite(Path.of("/var/lib/ringguard/gw-east.db")), g.storage());
        assertEquals(GatewaySettings.WORKERS_AUTO, g.workers());
        assertEquals(3, g.workerCount(4));
        assertEquals(1, g.workerCount(1));
        assertEquals(65_536, g.maxPeers());
        // An empty [Gateway] section means the same as none.
        assertEquals(g, parseAs("gw-east.conf", MINIMAL + "[Gateway]\n").gateway());
    }

    private static GatewayConfig parseAs(String fileName, String text) throws ConfigException {
        return TestConfigs.PARSER.parse(Path.of(fileName), text.toCharArray());
    }

    @Test
    void shouldIgnoreTheCaseOfSectionsAndKeysButNotOfValues() throws ConfigException {
        String shouting = EXAMPLE.lines()
                .map(line -> {
                    int eq = line.indexOf('=');
                    return eq < 0
                            ? line.toUpperCase(Locale.ROOT)
                            : line.substring(0, eq).toUpperCase(Locale.ROOT) + line.substring(eq);
                })
                .reduce("", (a, b) -> a + b + "\n");
        String whispering = EXAMPLE.replace("[Interface]", "[interface]")
                .replace("[Peer]", "[peer]")
                .replace("PersistentKeepalive", "persistentkeepalive")
                .replace("AllowedIPs", "allowedips")
                .replace("Workers = auto", "workers = AUTO");

        assertEquals(parse(EXAMPLE), parse(shouting));
        assertEquals(parse(EXAMPLE), parse(whispering));
    }

    @Test
    void shouldAcceptCommentsBlankLinesWhitespaceCrlfAndBom() throws ConfigException {
        String messy = "\uFEFF# a gateway\r\n\r\n  [ Interface ]  # the device\r\n"
                + "\tPrivateKey=" + PRIVATE + "\t# secret\r\n"
                + "ListenPort   =51820\r\n"
                + "Address = 100.64.0.1/16 ,fd7a:115c:a1e0::1/48\r\n"
                + "   # only a comment\r\n"
                + "[Peer]\r\n"
                + "PublicKey =" + PUB_A + "\r\n"
                + "AllowedIPs = 100.64.0.2/32\r\n"
                + "AllowedIPs = 100.64.0.3/32,   100.64.0.2/32\r\n" // repeated lines add; a repeat is kept once
                + "AllowedIPs =\r\n"; // wg(8) takes an empty list
        String clean = MINIMAL + "ListenPort = 51820\nAddress = 100.64.0.1/16, fd7a:115c:a1e0::1/48\n"
                + "[Peer]\nPublicKey = " + PUB_A + "\nAllowedIPs = 100.64.0.2/32, 100.64.0.3/32\n";

        GatewayConfig config = parse(messy);

        assertEquals(parse(clean), config);
        assertEquals(
                List.of(Cidr.parse("100.64.0.2/32"), Cidr.parse("100.64.0.3/32")),
                config.device().peers().firstEntry().getValue().allowedIps());
    }

    @Test
    void shouldKeepWgQuickExtrasInOrder() throws ConfigException {
        GatewayConfig config = parse(MINIMAL
                + "DNS = 198.18.0.53, corp.example\n"
                + "DNS = fd00::53\n"
                + "Table = off\n"
                + "PreUp = echo pre-up one\n"
                + "PostUp = iptables -A FORWARD -i %i -j ACCEPT; echo two\n"
                + "PostUp = echo three\n"
                + "PreDown = echo pre-down\n"
                + "PostDown = echo post-down # comment\n"
                + "SaveConfig = TRUE\n");

        WgQuickExtras extras = config.wgQuick();
        assertEquals(List.of("198.18.0.53", "corp.example", "fd00::53"), extras.dns());
        assertEquals(Optional.of("off"), extras.table());
        assertEquals(List.of("echo pre-up one"), extras.preUp());
        assertEquals(List.of("iptables -A FORWARD -i %i -j ACCEPT; echo two", "echo three"), extras.postUp());
        assertEquals(List.of("echo pre-down"), extras.preDown());
        assertEquals(List.of("echo post-down"), extras.postDown());
        assertTrue(extras.saveConfig());
    }

    @ParameterizedTest
    @CsvSource({
        "0x1234, 4660",
        "0X00ff, 255",
        "4660, 4660",
        "off, 0",
        "OFF, 0",
        "0, 0",
        "0xffffffff, -1",
        "4294967295, -1"
    })
    void shouldReadFwmarkAsDecimalHexOrOff(String text, int expected) throws ConfigException {
        assertEquals(
                expected, parse(MINIMAL + "FwMark = " + text + "\n").device().fwmark());
    }

    @ParameterizedTest
    @CsvSource({
        "198.18.0.1:51820, 198.18.0.1:51820",
        "[fd00::1]:51820, [fd00::1]:51820",
        "GW.Example.NET:1, 198.18.0.9:1",
        "[FD00:0::1]:2, [fd00::1]:2"
    })
    void shouldReadEndpointsAsLiteralsOrResolvedNames(String text, String expected) throws ConfigException {
        GatewayConfig config = parse(MINIMAL + "[Peer]\nPublicKey = " + PUB_A + "\nEndpoint = " + text + "\n");

        assertEquals(
                Endpoint.parse(expected),
                config.device().peers().firstEntry().getValue().endpoint().orElseThrow());
    }

    @Test
    void shouldAllowNestedPrefixesOnDifferentPeers() throws ConfigException {
        // Longest-prefix routing: a default route through one peer, a subnet through another.
        GatewayConfig config = parse(MINIMAL
                + "[Peer]\nPublicKey = " + PUB_A + "\nAllowedIPs = 0.0.0.0/0, ::/0\n"
                + "[Peer]\nPublicKey = " + PUB_B + "\nAllowedIPs = 198.18.0.0/24, fd00::/64\n");

        assertEquals(2, config.device().peers().size());
        assertEquals(
                List.of(publicKey(PUB_A), publicKey(PUB_B)),
                List.copyOf(config.device().peers().keySet()));
    }

    @Test
    void shouldKeepInterfaceAddressHostBitsAndTakeBareAddressesAsHostRoutes() throws ConfigException {
        GatewayConfig config = parse(MINIMAL + "Address = 100.64.0.1/16\nAddress = 198.18.0.7, fd00::7\n");

        assertEquals(
                List.of("100.64.0.1/16", "198.18.0.7/32", "fd00::7/128"),
                config.addresses().stream().map(InterfaceAddress::toString).toList());
        assertEquals(Cidr.parse("100.64.0.0/16"), config.addresses().getFirst().subnet());
    }

    @Test
    void shouldReadGatewayVariants() throws IOException, ConfigException {
        Path token = Files.writeString(dir.resolve("admin.token"), "t0ken\n");
        Path conf = dir.resolve("wg1.conf");
        GatewayConfig config = TestConfigs.PARSER.parse(
                conf,
                (MINIMAL
                                + "[Gateway]\n"
                                + "AdminListen = [::]:9000\n"
                                + "AdminTokenFile = admin.token\n"
                                + "MetricsListen = localhost:0\n"
                                + "Storage = JDBC:PostgreSQL://db.example:5432/ringguard?user=rg&password=hunter2\n"
                                + "Workers = 3\n"
                                + "MaxPeers = 2\n"
                                + "Gossip = [fd00::1]:51821\n"
                                + "GossipSeeds = 198.18.0.2:51821, seed.example:51821\n"
                                + "GossipSeeds = [fd00::2]:51821\n")
                        .toCharArray());

        GatewaySettings g = config.gateway();
        assertEquals(new HostPort("::", 9000), g.adminListen());
        assertEquals(Optional.of(token), g.adminTokenFile());
        assertEquals(new HostPort("localhost", 0), g.metricsListen());
        assertEquals(
                new Storage.Postgres("jdbc:postgresql://db.example:5432/ringguard?user=rg&password=hunter2"),
                g.storage());
        assertFalse(g.toString().contains("hunter2"), g.toString());
        assertEquals(3, g.workers());
        assertEquals(3, g.workerCount(64));
        assertEquals(2, g.maxPeers());
        assertEquals(
                List.of(
                        new HostPort("198.18.0.2", 51821),
                        new HostPort("seed.example", 51821),
                        new HostPort("fd00::2", 51821)),
                g.gossipSeeds());
        assertEquals("[fd00::2]:51821", g.gossipSeeds().get(2).toString());
    }

    @Test
    void shouldResolveRelativeStoragePathsAgainstTheConfigDirectory() throws ConfigException {
        GatewayConfig config = TestConfigs.PARSER.parse(
                dir.resolve("wg0.conf"), (MINIMAL + "[Gateway]\nStorage = sqlite:state/wg0.db\n").toCharArray());

        assertEquals(
                new Storage.Sqlite(dir.toAbsolutePath().resolve("state/wg0.db")),
                config.gateway().storage());
    }

    @Test
    void shouldTreatLoopbackNamesAsLoopbackForTheAdminToken() throws ConfigException {
        for (String listen : List.of("127.0.0.2:9587", "[::1]:9587", "localhost:9587", "[::ffff:127.0.0.1]:1")) {
            GatewayConfig config = parse(MINIMAL + "[Gateway]\nAdminListen = " + listen + "\n");
            assertEquals(Optional.empty(), config.gateway().adminTokenFile(), listen);
        }
    }

    @Test
    void shouldReadFilesWithBomCrlfAndNameTheInterfaceAfterThem() throws IOException, ConfigException {
        Path file = dir.resolve("wg7.conf");
        Files.write(file, ("\uFEFF" + EXAMPLE.replace("\n", "\r\n")).getBytes(StandardCharsets.UTF_8));

        GatewayConfig config = TestConfigs.PARSER.parse(file);

        assertEquals("wg7", config.interfaceName());
        assertEquals(parse(EXAMPLE).device(), config.device());
    }

    @Test
    void shouldReadFilesLargerThanOneReadBuffer() throws IOException, ConfigException {
        StringBuilder text = new StringBuilder(MINIMAL);
        for (int i = 1; i <= 300; i++) {
            byte[] key = new byte[Keys.KEY_BYTES];
            key[0] = (byte) i;
            key[1] = (byte) (i >> 8);
            key[2] = 1;
            text.append("[Peer]\nPublicKey = ")
                    .append(Keys.toBase64(key))
                    .append("\nAllowedIPs = 100.64.")
                    .append(i / 250)
                    .append('.')
                    .append(i % 250)
                    .append("/32\n");
        }
        Path file = Files.writeString(dir.resolve("wg0.conf"), text);

        assertEquals(300, TestConfigs.PARSER.parse(file).device().peers().size());
    }

    @Test
    void shouldRefuseFilesOverTheSizeLimit() throws IOException {
        Path file = dir.resolve("wg0.conf");
        try (java.io.RandomAccessFile sparse = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            sparse.setLength(GatewayConfigParser.MAX_FILE_BYTES + 1L);
        }

        ConfigException e = assertThrows(ConfigException.class, () -> TestConfigs.PARSER.parse(file));

        assertEquals(file + ": larger than 16 MiB", e.getMessage());
    }

    @Test
    void shouldReportInvalidUtf8WithItsLine() throws IOException {
        Path file = dir.resolve("wg0.conf");
        byte[] text = (MINIMAL + "ListenPort = 1\n# caf\u00e9\n").getBytes(StandardCharsets.UTF_8);
        text[text.length - 2] = (byte) 0xC3; // a lead byte followed by a newline: malformed
        Files.write(file, text);

        ConfigException e = assertThrows(ConfigException.class, () -> TestConfigs.PARSER.parse(file));

        assertEquals(4, e.line());
        assertEquals(file + ":4: not valid UTF-8", e.getMessage());
    }

    @Test
    void shouldReportUnreadableAndBadlyNamedFilesAsWholeFileErrors() {
        Path missing = dir.resolve("wg0.conf");
        ConfigException e = assertThrows(ConfigException.class, () -> TestConfigs.PARSER.parse(missing));
        assertEquals(ConfigException.WHOLE_FILE, e.line());
        assertTrue(e.getMessage().startsWith(missing + ": cannot read"), e.getMessage());

        ConfigException badName = assertThrows(
                ConfigException.class,
                () -> TestConfigs.PARSER.parse(Path.of("a-name-far-too-long.conf"), MINIMAL.toCharArray()));
        assertTrue(badName.getMessage().startsWith("a-name-far-too-long.conf: the file must be named IFACE.conf"));
    }

    @Test
    void shouldNeverShowSecretsInToString() throws ConfigException {
        GatewayConfig config = parse(EXAMPLE);

        String text = config.toString();
        assertFalse(text.contains(PRIVATE), text);
        assertFalse(text.contains(PSK), text);
        assertTrue(text.contains(PUB_A), text);
    }

    @Test
    void shouldTreatAnAllZeroPresharedKeyAsNone() throws ConfigException {
        GatewayConfig config =
                parse(MINIMAL + "[Peer]\nPublicKey = " + PUB_A + "\nPresharedKey = " + TestConfigs.base64(0) + "\n");

        assertFalse(config.device().peers().firstEntry().getValue().hasPresharedKey());
    }
}
