package io.ringguard.gateway.config;

import static io.ringguard.gateway.config.TestConfigs.MINIMAL;
import static io.ringguard.gateway.config.TestConfigs.PRIVATE;
import static io.ringguard.gateway.config.TestConfigs.PSK;
import static io.ringguard.gateway.config.TestConfigs.PUB_A;
import static io.ringguard.gateway.config.TestConfigs.PUB_B;
import static io.ringguard.gateway.config.TestConfigs.WG0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.handshake.keys.Keys;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad configs, one per rule: each must fail with file, line and key, a reason, and no secret in the
 * message. {@code MINIMAL} is two lines ([Interface] on 1, PrivateKey on 2); a peer section added
 * after it starts on line 3.
 */
class GatewayConfigRejectionTest {
    private static final String PEER_A = "[Peer]\nPublicKey = " + PUB_A + "\n"; // lines 3-4 after MINIMAL
    private static final String PEER_B = "[Peer]\nPublicKey = " + PUB_B + "\n";
    private static final String GW = MINIMAL + "[Gateway]\n"; // Gateway keys start on line 4

    private static Arguments bad(String text, int line, String key, String reason) {
        return Arguments.of(text, line, key, reason);
    }

    static Stream<Arguments> badConfigs() {
        return Stream.of(
                // structure
                bad("ListenPort = 1\n" + MINIMAL, 1, "ListenPort", "outside any section"),
                bad(MINIMAL + "[Bogus]\n", 3, "[Bogus]", "unknown section"),
                bad(MINIMAL + "[Interface\n", 3, "Interface", "must end with ']'"),
                bad(MINIMAL + "[Interface]\n", 3, "[Interface]", "appears twice (first on line 1)"),
                bad(GW + "[gateway]\n", 4, "[Gateway]", "appears twice (first on line 3)"),
                bad(MINIMAL + "ListenPort 51820\n", 3, "ListenPort", "expected Key = Value"),
                bad(MINIMAL + "= 5\n", 3, "(unreadable key)", "unknown key"),
                bad(MINIMAL + "Listen Port = 5\n", 3, "(unreadable key)", "unknown key"),
                bad(MINIMAL + "ListenPort = 5\u0001\n", 3, "ListenPort", "control character"),
                bad(MINIMAL + "Foo = 1\n", 3, "Foo", "unknown key in [Interface]"),
                bad(MINIMAL + "AlowedIPs = 1\n", 3, "AlowedIPs", "unknown key"),
                bad(MINIMAL + "PublicKey = " + PUB_A + "\n", 3, "PublicKey", "belongs in [Peer], not in [Interface]"),
                bad(MINIMAL + PEER_A + "ListenPort = 5\n", 5, "ListenPort", "belongs in [Interface]"),
                bad(
                        MINIMAL + "privatekey = " + PRIVATE + "\n",
                        3,
                        "PrivateKey",
                        "given twice in one section (first on line 2)"),
                bad(MINIMAL + "ListenPort =\n", 3, "ListenPort", "empty value"),
                bad("[Interface]\nListenPort = 1\n", 1, "PrivateKey", "missing in [Interface]"),
                bad("# nothing\n[Peer]\nPublicKey = " + PUB_A + "\n", 1, "[Interface]", "missing"),
                bad("", 1, "[Interface]", "missing"),
                // [Interface] values
                bad(
                        "[Interface]\nPrivateKey = abc\n",
                        2,
                        "PrivateKey",
                        "not a valid base64 key (must be 44 characters ending in '=')"),
                bad(
                        "[Interface]\nPrivateKey = " + PRIVATE.replace('=', 'A') + "\n",
                        2,
                        "PrivateKey",
                        "must be 44 characters"),
                bad(
                        "[Interface]\nPrivateKey = " + "!" + PRIVATE.substring(1) + "\n",
                        2,
                        "PrivateKey",
                        "not base64 at position 0"),
                bad("[Interface]\nPrivateKey = " + TestConfigs.base64(0) + "\n", 2, "PrivateKey", "all-zero"),
                bad(MINIMAL + "ListenPort = 65536\n", 3, "ListenPort", "0 to 65535"),
                bad(MINIMAL + "ListenPort = -1\n", 3, "ListenPort", "0 to 65535"),
                bad(MINIMAL + "ListenPort = 99999999999999999999999\n", 3, "ListenPort", "0 to 65535"),
                bad(MINIMAL + "MTU = 100\n", 3, "MTU", "576 to 9000"),
                bad(MINIMAL + "MTU = 70000\n", 3, "MTU", "576 to 9000"),
                bad(MINIMAL + "MTU = 1000\nAddress = fd00::1/64\n", 3, "MTU", "at least 1280 with an IPv6 Address"),
                bad(MINIMAL + "FwMark = 0x1ffffffff\n", 3, "FwMark", "1 to 8 hex digits"),
                bad(MINIMAL + "FwMark = 0xzz\n", 3, "FwMark", "hex digits"),
                bad(MINIMAL + "FwMark = 4294967296\n", 3, "FwMark", "0 to 4294967295"),
                bad(MINIMAL + "Address = 100.64.0.1/33\n", 3, "Address", "prefix length out of range"),
                bad(MINIMAL + "Address = 300.64.0.1/16\n", 3, "Address", "not an IP address"),
                bad(MINIMAL + "Address = 100.64.0.1/16,,fd00::1/64\n", 3, "Address", "empty item"),
                bad(MINIMAL + "DNS = not a name!\n", 3, "DNS", "DNS name"),
                bad(MINIMAL + "Table = main table\n", 3, "Table", "table name"),
                bad(MINIMAL + "SaveConfig = yes\n", 3, "SaveConfig", "true or false"),
                // [Peer] values and cross-peer rules
                bad(MINIMAL + "[Peer]\nAllowedIPs = 198.19.0.0/16\n", 3, "PublicKey", "missing in [Peer]"),
                bad(
                        MINIMAL + "[Peer]\nPublicKey = " + PUB_A.substring(1) + "\n",
                        4,
                        "PublicKey",
                        "must be 44 characters"),
                bad(MINIMAL + "[Peer]\nPublicKey = " + TestConfigs.base64(0) + "\n", 4, "PublicKey", "all-zero"),
                bad(
                        MINIMAL + PEER_A + "PresharedKey = " + PSK.substring(2) + "\n",
                        5,
                        "PresharedKey",
                        "not a valid base64 key"),
                bad(MINIMAL + PEER_A + "AllowedIPs = 198.19.0.0/16/9\n", 5, "AllowedIPs", "not a CIDR"),
                bad(MINIMAL + PEER_A + "AllowedIPs = 198.019.0.1/32\n", 5, "AllowedIPs", "leading zero"),
                bad(MINIMAL + PEER_A + "AllowedIPs = 198.19.0.0/16,\n", 5, "AllowedIPs", "empty item"),
                bad(MINIMAL + PEER_A + "Endpoint = 198.18.0.1\n", 5, "Endpoint", "expected host:port"),
                bad(MINIMAL + PEER_A + "Endpoint = 198.18.0.1:0\n", 5, "Endpoint", "port must be 1 to 65535"),
                bad(MINIMAL + PEER_A + "Endpoint = 198.18.0.1:65536\n", 5, "Endpoint", "port must be 1 to 65535"),
                bad(MINIMAL + PEER_A + "Endpoint = fd00::1:51820\n", 5, "Endpoint", "needs brackets"),
                bad(
                        MINIMAL + PEER_A + "Endpoint = [198.18.0.1]:5\n",
                        5,
                        "Endpoint",
                        "only an IPv6 address goes in brackets"),
                bad(MINIMAL + PEER_A + "Endpoint = bad_host:5\n", 5, "Endpoint", "IP address or a DNS name"),
                bad(MINIMAL + PEER_A + "Endpoint = 198.18.0.256:5\n", 5, "Endpoint", "not an IP address"),
                bad(
                        MINIMAL + PEER_A + "Endpoint = unknown.example:51820\n",
                        5,
                        "Endpoint",
                        "cannot resolve host unknown.example"),
                bad(MINIMAL + PEER_A + "PersistentKeepalive = 65536\n", 5, "PersistentKeepalive", "0 to 65535"),
                bad(MINIMAL + PEER_A + "PersistentKeepalive = sometimes\n", 5, "PersistentKeepalive", "0 to 65535"),
                bad(
                        MINIMAL + PEER_A + "Endpoint = 198.18.0.1:1\nendpoint = 198.18.0.1:2\n",
                        6,
                        "Endpoint",
                        "given twice"),
                bad(
                        MINIMAL + PEER_A + PEER_B + "[Peer]\nPublicKey = " + PUB_A + "\n",
                        8,
                        "PublicKey",
                        "the same peer is already configured on line 4"),
                bad(
                        MINIMAL + PEER_A + "AllowedIPs = 198.19.0.0/24\n" + PEER_B
                                + "AllowedIPs = 198.19.1.0/24, 198.19.0.7/24\n",
                        8,
                        "AllowedIPs",
                        "198.19.0.0/24 is already given to another peer on line 5"),
                bad(
                        MINIMAL + "[Peer]\nPublicKey = "
                                + new String(
                                        Keys.toBase64(TestConfigs.ownPublicKey().bytes())) + "\n",
                        4,
                        "PublicKey",
                        "the interface's own public key (from PrivateKey on line 2)"),
                // [Gateway]
                bad(GW + "MetricsListen = 127.0.0.1\n", 4, "MetricsListen", "expected host:port"),
                bad(GW + "MetricsListen = 127.0.0.1:65536\n", 4, "MetricsListen", "port must be 0 to 65535"),
                bad(GW + "AdminListen = 0.0.0.0:9587\n", 4, "AdminListen", "not loopback, so AdminTokenFile"),
                bad(GW + "AdminListen = [fd00::1]:9587\n", 4, "AdminListen", "not loopback"),
                bad(GW + "AdminListen = gw.example.net:9587\n", 4, "AdminListen", "not loopback"),
                bad(GW + "AdminListen = nowhere.example:9587\n", 4, "AdminListen", "cannot resolve host"),
                bad(
                        GW + "AdminListen = 0.0.0.0:1\nAdminTokenFile = /nonexistent/token\n",
                        5,
                        "AdminTokenFile",
                        "/nonexistent/token is not a readable file"),
                bad(
                        GW + "Storage = mysql://db/rg\n",
                        4,
                        "Storage",
                        "must be sqlite:/path/to/file.db or jdbc:postgresql://"),
                bad(GW + "Storage = sqlite:\n", 4, "Storage", "needs a file path"),
                bad(GW + "Storage = jdbc:postgresql://\n", 4, "Storage", "must be sqlite:"),
                bad(GW + "AddressPool = 100.64.0.0/31\n", 4, "AddressPool", "too small for a pool (at most /30)"),
                bad(GW + "AddressPool = fd00::/127\n", 4, "AddressPool", "at most /126"),
                bad(
                        GW + "AddressPool = 100.64.0.0/16\nAddressPool = 100.64.1.0/24\n",
                        5,
                        "AddressPool",
                        "100.64.1.0/24 overlaps 100.64.0.0/16 (line 4)"),
                bad(GW + "Workers = 0\n", 4, "Workers", "auto or 1 to 1024"),
                bad(GW + "Workers = 1025\n", 4, "Workers", "0 to 1024"),
                bad(GW + "Workers = many\n", 4, "Workers", "number"),
                bad(GW + "MaxPeers = 0\n", 4, "MaxPeers", "must be 1 to 1048576"),
                bad(GW + "MaxPeers = 1048577\n", 4, "MaxPeers", "from 0 to 1048576"),
                bad(
                        MINIMAL + PEER_A + PEER_B + "[Gateway]\nMaxPeers = 1\n",
                        5,
                        "MaxPeers",
                        "the file has 2 peers, more than MaxPeers = 1 (line 8)"),
                bad(GW + "Gossip = 0.0.0.0\n", 4, "Gossip", "expected host:port"),
                bad(GW + "GossipSeeds = 198.18.0.2:51821\n", 4, "GossipSeeds", "needs Gossip"),
                bad(
                        GW + "Gossip = 0.0.0.0:1\nGossipSeeds = 198.18.0.2:0\n",
                        5,
                        "GossipSeeds",
                        "port must be 1 to 65535"),
                bad(GW + "OrgPublicKey = nope\n", 4, "OrgPublicKey", "not a valid base64 key"),
                bad(GW + "Workers = 2\nworkers = 3\n", 5, "Workers", "given twice in one section (first on line 4)"));
    }

    @ParameterizedTest
    @MethodSource("badConfigs")
    void shouldRejectWithFileLineAndKey(String text, int line, String key, String reason) {
        ConfigException e = assertThrows(ConfigException.class, () -> TestConfigs.parse(text));

        assertEquals(WG0, e.file());
        assertEquals(line, e.line(), e.getMessage());
        assertEquals(Optional.of(key), e.key(), e.getMessage());
        assertTrue(e.reason().contains(reason), e.getMessage());
        assertTrue(e.getMessage().startsWith("wg0.conf:" + line + ": " + key + ": "), e.getMessage());
        for (String secret : new String[] {PRIVATE, PSK, PRIVATE.substring(0, 20), PSK.substring(2, 22)}) {
            assertFalse(e.getMessage().contains(secret), e.getMessage());
        }
    }

    static Stream<String> secretLines() {
        String key = PRIVATE;
        return Stream.of(
                key,
                key.substring(0, 43),
                "PrivateKey " + key,
                "PrivateKey: " + key,
                "PrivateKey = " + key.substring(0, 43),
                "PrivateKey = " + key + "x",
                "PrivateKey = " + key.substring(0, 42) + "\u0001=",
                "PresharedKey = " + key);
    }

    @ParameterizedTest
    @MethodSource("secretLines")
    void shouldNotQuoteAPastedOrMangledKey(String line) {
        ConfigException e = assertThrows(ConfigException.class, () -> TestConfigs.parse("[Interface]\n" + line + "\n"));

        assertEquals(2, e.line(), e.getMessage());
        assertFalse(e.getMessage().contains(PRIVATE.substring(0, 16)), e.getMessage());
    }
}
