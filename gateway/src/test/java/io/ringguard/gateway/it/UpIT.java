package io.ringguard.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.testkit.Exec;
import io.ringguard.testkit.ExecResult;
import io.ringguard.testkit.Netns;
import io.ringguard.testkit.Prerequisites;
import io.ringguard.testkit.RingGuardPeer;
import io.ringguard.testkit.RingGuardUpPeer;
import io.ringguard.testkit.UserspacePeer;
import io.ringguard.testkit.UserspacePeer.PeerStatus;
import io.ringguard.testkit.WireguardGoPeer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ringguard up CONFIG} (the appliance mode) in a namespace, as an operator runs it: bad files
 * exit 2 before anything exists, a good one brings up addresses, MTU and peers and talks to
 * wireguard-go, SIGHUP reloads without dropping the session, SIGTERM/SIGINT exit 0 and leave nothing,
 * a taken port exits 1 and leaves nothing.
 *
 * <pre>
 *   rgns&lt;k&gt;: ringguard up rgrg&lt;k&gt;.conf  198.18.k.5 ==== 198.18.k.6  wireguard-go rgwg&lt;w&gt; :rgns&lt;w&gt;
 *            tunnel 198.19.k.1/24, fd00:19:k::1/64         tunnel 198.19.w.1/24, fd00:19:w::1/64
 * </pre>
 */
@Tag("integration")
@Timeout(180)
class UpIT {
    /** A one-shot {@code ringguard up} that must fail: a JVM start on a busy 2-core machine. */
    private static final long UP_TIMEOUT_MS = 60_000;
    /** How long a signalled daemon may take to exit (it removes its socket and interface first). */
    private static final long EXIT_TIMEOUT_MS = 15_000;

    private static final long RELOAD_TIMEOUT_MS = 15_000;
    private static final int MTU = 1380;
    private static final int PORT = UserspacePeer.DEFAULT_LISTEN_PORT;

    @BeforeEach
    void requirePrerequisites() {
        Tunnels.requirePrerequisites();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"bad PrivateKey", "unknown key", "duplicate peer"})
    void shouldExitTwoNamingFileLineAndKeyAndCreateNothingForABadConfig(String mistake) throws IOException {
        Path dir = privateTempDir();
        try (Netns netns = Netns.create()) {
            String iface = netns.slot().ringguardInterfaceName();
            String key = UserspacePeer.generatePrivateKey();
            String peerKey = UserspacePeer.publicKeyOf(UserspacePeer.generatePrivateKey());
            String header = "[Interface]\nPrivateKey = " + key + "\nListenPort = " + PORT + "\n";
            String peer = "\n[Peer]\nPublicKey = " + peerKey + "\nAllowedIPs = "
                    + netns.slot().tunnelAddress(2) + "/32\n";
            // Each text is followed by the line and key the message must name.
            String text;
            String expected;
            switch (mistake) {
                case "bad PrivateKey" -> {
                    text = "[Interface]\nPrivateKey = " + key.substring(1) + "\nListenPort = " + PORT + "\n";
                    expected = ":2: PrivateKey: ";
                }
                case "unknown key" -> {
                    text = header + "Adress = " + netns.slot().tunnelAddress(1) + "/24\n";
                    expected = ":4: Adress: ";
                }
                case "duplicate peer" -> {
                    text = header + peer + peer; // second [Peer] on line 9, its PublicKey on 10
                    expected = ":10: PublicKey: ";
                }
                default -> throw new IllegalArgumentException(mistake);
            }
            Path config = dir.resolve(iface + ".conf");
            Files.writeString(config, text, StandardCharsets.US_ASCII);

            ExecResult up = runUp(netns, config);
            assertEquals(2, up.exitCode(), up::describe);
            assertTrue(
                    up.err().contains(config + expected), () -> "expected '" + config + expected + "' in: " + up.err());
            // Not even part of it: the bad-key case passes all but its first character.
            String secret = key.substring(1, 40);
            assertFalse(up.err().contains(secret) || up.out().contains(secret), "the private key was printed");
            assertNothingLeft(netns, iface, up.err());
        } finally {
            deleteTree(dir);
        }
    }

    @Test
    void shouldBringUpAddressesMtuAndPeerAndPingWireguardGoBothWays() {
        Instant before = Instant.now().minusSeconds(1);
        try (WireguardGoPeer wg = WireguardGoPeer.start();
                Netns netns = Netns.create()) {
            Netns.Link link = netns.connect(wg.netns());
            String key = UserspacePeer.generatePrivateKey();
            String wgEndpoint = Tunnels.endpoint(link.remoteAddress(), wg.listenPort());
            String config = interfaceSection(netns, key) + peerSection(wg, null, wgEndpoint, 0);
            // wireguard-go is not told where RingGuard is: it learns the endpoint from the handshake.
            wg.addPeer(UserspacePeer.publicKeyOf(key), null, tunnelSubnets(netns), null, 0);
            try (RingGuardUpPeer up = startUp(netns, key, config)) {
                String iface = up.interfaceName();
                String link4 = netns.exec(5_000, "ip", "-o", "link", "show", "dev", iface)
                        .orThrow()
                        .out();
                assertTrue(link4.contains(" mtu " + MTU + " "), () -> "MTU " + MTU + " not set: " + link4);
                assertTrue(link4.matches("(?s).*<[^>]*\\bUP\\b[^>]*>.*"), () -> "link not up: " + link4);
                String addresses = netns.exec(5_000, "ip", "-o", "addr", "show", "dev", iface)
                        .orThrow()
                        .out();
                assertTrue(addresses.contains(" inet " + up.tunnelAddress() + "/24 "), addresses);
                assertTrue(addresses.contains(" inet6 " + up.tunnelAddress6() + "/64 "), addresses);
                routeTo(up, wg);

                Tunnels.assertPings(up, wg, wg.tunnelAddress(), 3);
                Tunnels.assertPings(wg, up, up.tunnelAddress(), 3);
                Tunnels.assertPings(up, wg, wg.tunnelAddress6(), 3);
                Tunnels.assertPings(wg, up, up.tunnelAddress6(), 3);

                PeerStatus status = up.awaitHandshake(wg.publicKeyBase64(), before, 5_000);
                assertEquals(wgEndpoint, status.endpoint());
                assertTrue(status.rxBytes() > 0 && status.txBytes() > 0, status::toString);
                assertEquals(
                        Tunnels.endpoint(link.localAddress(), PORT),
                        wg.awaitHandshake(up.publicKeyBase64(), before, 5_000).endpoint());
                String show = up.wg("show", iface).out();
                assertTrue(show.contains("peer: " + wg.publicKeyBase64()), show);
                assertTrue(show.contains("endpoint: " + wgEndpoint), show);
                assertTrue(show.contains("latest handshake: "), show);
                assertTrue(show.contains("listening port: " + PORT), show);
            }
        }
    }

    @Test
    void shouldReloadOnHupKeepingTheSessionAndRefuseABrokenFile() {
        Instant before = Instant.now().minusSeconds(1);
        try (WireguardGoPeer wg = WireguardGoPeer.start();
                Netns netns = Netns.create()) {
            Netns.Link link = netns.connect(wg.netns());
            String key = UserspacePeer.generatePrivateKey();
            String upPublicKey = UserspacePeer.publicKeyOf(key);
            String wgEndpoint = Tunnels.endpoint(link.remoteAddress(), wg.listenPort());
            String oldPsk = generatePsk();
            String newPsk = generatePsk();
            wg.addPeer(upPublicKey, oldPsk, tunnelSubnets(netns), null, 0);
            try (RingGuardUpPeer up =
                    startUp(netns, key, interfaceSection(netns, key) + peerSection(wg, oldPsk, wgEndpoint, 0))) {
                routeTo(up, wg);
                Tunnels.assertPings(up, wg, wg.tunnelAddress(), 3);
                Tunnels.assertPings(wg, up, up.tunnelAddress(), 3);
                PeerStatus beforeReload = up.awaitHandshake(wg.publicKeyBase64(), before, 5_000);

                // New PSK on both sides, a keepalive, and a second peer that has no endpoint yet.
                String secondPeer = UserspacePeer.publicKeyOf(UserspacePeer.generatePrivateKey());
                String secondAllowed = netns.slot().tunnelAddress(2) + "/32";
                String reloaded = interfaceSection(netns, key)
                        + peerSection(wg, newPsk, wgEndpoint, 25)
                        + "\n[Peer]\nPublicKey = " + secondPeer + "\nAllowedIPs = " + secondAllowed + "\n";
                wg.addPeer(upPublicKey, newPsk, tunnelSubnets(netns), null, 0);
                up.writeConfig(reloaded);
                up.reload();
                up.awaitLog("reloaded /", 1, RELOAD_TIMEOUT_MS);

                PeerStatus afterReload = Tunnels.status(up, wg);
                assertEquals(
                        beforeReload.latestHandshakeEpochSec(),
                        afterReload.latestHandshakeEpochSec(),
                        () -> "the reload started a new session: " + beforeReload + " -> " + afterReload);
                assertTrue(
                        afterReload.rxBytes() >= beforeReload.rxBytes()
                                && afterReload.txBytes() >= beforeReload.txBytes(),
                        () -> "counters went back: " + beforeReload + " -> " + afterReload);
                assertEquals(expectedLine(wg, newPsk), peerLine(up, "preshared-keys", wg), "PSK not replaced");
                assertEquals(wg.publicKeyBase64() + "\t25", peerLine(up, "persistent-keepalive", wg));
                PeerStatus added = up.peerStatus(secondPeer);
                assertNotNull(added, () -> "second peer missing after reload: " + up.wgShow() + "\n" + up.logTail());
                assertEquals(secondAllowed, added.allowedIps());
                assertNull(added.endpoint());

                // The same session carries on: counters grow, no new handshake.
                Tunnels.assertPings(up, wg, wg.tunnelAddress(), 3);
                Tunnels.assertPings(wg, up, up.tunnelAddress6(), 3);
                PeerStatus afterPings = Tunnels.status(up, wg);
                assertEquals(beforeReload.latestHandshakeEpochSec(), afterPings.latestHandshakeEpochSec());
                assertTrue(
                        afterPings.rxBytes() > afterReload.rxBytes() && afterPings.txBytes() > afterReload.txBytes(),
                        () -> "counters did not continue: " + afterReload + " -> " + afterPings);

                // A broken file changes nothing and the daemon keeps running.
                up.writeConfig(reloaded + "PersistentKeepalive = sometimes\n");
                up.reload();
                up.awaitLog("reload refused", 1, RELOAD_TIMEOUT_MS);
                assertTrue(up.awaitExit(0).isEmpty(), up::logTail);
                assertNotNull(up.peerStatus(secondPeer));
                assertEquals(expectedLine(wg, newPsk), peerLine(up, "preshared-keys", wg));
                Tunnels.assertPings(up, wg, wg.tunnelAddress(), 3);

                // A fresh handshake only succeeds if RingGuard really uses the new PSK.
                Instant rehandshake = Instant.now();
                wg.removePeer(upPublicKey);
                wg.addPeer(upPublicKey, newPsk, tunnelSubnets(netns), Tunnels.endpoint(link.localAddress(), PORT), 0);
                Tunnels.assertPings(wg, up, up.tunnelAddress(), 3);
                PeerStatus fresh = wg.awaitHandshake(upPublicKey, rehandshake, 5_000);
                assertTrue(fresh.hasHandshake(), () -> Tunnels.logs(up, wg));
                assertTrue(
                        up.awaitHandshake(wg.publicKeyBase64(), rehandshake, 5_000)
                                        .latestHandshakeEpochSec()
                                > beforeReload.latestHandshakeEpochSec(),
                        () -> Tunnels.logs(up, wg));
            }
        }
    }

    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"TERM", "INT"})
    void shouldExitZeroAndRemoveSocketAndInterfaceOnSignal(String signal) {
        try (Netns netns = Netns.create()) {
            String key = UserspacePeer.generatePrivateKey();
            try (RingGuardUpPeer up = startUp(netns, key, interfaceSection(netns, key))) {
                assertTrue(Files.exists(up.socketPath()));
                up.signal(signal);
                OptionalInt exit = up.awaitExit(EXIT_TIMEOUT_MS);
                assertTrue(exit.isPresent(), () -> "still running " + EXIT_TIMEOUT_MS + " ms after SIG" + signal);
                assertEquals(0, exit.getAsInt(), up::logTail);
                assertNothingLeft(netns, up.interfaceName(), up.logTail());
            }
        }
    }

    @Test
    void shouldExitOneNamingThePortWhenListenPortIsTakenAndLeaveNothing() throws IOException {
        Prerequisites.requireProgram("perl");
        Path dir = privateTempDir();
        try (Netns netns = Netns.create()) {
            String iface = netns.slot().ringguardInterfaceName();
            Path holderLog = dir.resolve("holder.log");
            // perl-base is in every Debian; it holds the port until the namespace closes.
            netns.spawn(
                    holderLog,
                    Map.of(),
                    "perl",
                    "-MIO::Socket::INET",
                    "-e",
                    "$| = 1; my $s = IO::Socket::INET->new(LocalAddr => '0.0.0.0', LocalPort => " + PORT
                            + ", Proto => 'udp') or die \"bind: $!\\n\"; print \"bound\\n\"; sleep 120;");
            awaitFileContains(holderLog, "bound\n", 5_000);
            String key = UserspacePeer.generatePrivateKey();
            Path config = dir.resolve(iface + ".conf");
            Files.writeString(config, interfaceSection(netns, key), StandardCharsets.US_ASCII);

            ExecResult up = runUp(netns, config);
            assertEquals(1, up.exitCode(), up::describe);
            assertTrue(up.err().contains(Integer.toString(PORT)), () -> "port not named: " + up.err());
            assertNothingLeft(netns, iface, up.err());
        } finally {
            deleteTree(dir);
        }
    }

    private static RingGuardUpPeer startUp(Netns netns, String privateKeyBase64, String config) {
        return RingGuardUpPeer.builder()
                .netns(netns)
                .privateKeyBase64(privateKeyBase64)
                .listenPort(PORT)
                .config(config)
                .start();
    }

    /**
     * Routes {@code peer}'s tunnel subnets through {@code up}'s interface. {@code ringguard up} adds
     * the addresses but, unlike wg-quick, no routes for a peer's AllowedIPs; an operator adds them
     * (e.g. in the host's network config), so the test does too. {@code replace} keeps this correct if
     * {@code up} ever installs them itself.
     */
    private static void routeTo(RingGuardUpPeer up, UserspacePeer peer) {
        up.netns().ip("route", "replace", peer.netns().slot().tunnelSubnet(), "dev", up.interfaceName());
        up.netns().ip("-6", "route", "replace", peer.netns().slot().tunnelSubnet6(), "dev", up.interfaceName());
    }

    /** {@code [Interface]} with the fixture's key, port, addresses ({@code 198.19.k.1/24, fd00:19:k::1/64}) and MTU. */
    private static String interfaceSection(Netns netns, String privateKeyBase64) {
        return "[Interface]\nPrivateKey = " + privateKeyBase64 + "\nListenPort = " + PORT + "\nAddress = "
                + netns.slot().tunnelAddress(1) + "/24, " + netns.slot().tunnelAddress6(1) + "/64\nMTU = " + MTU
                + "\n";
    }

    private static String peerSection(UserspacePeer peer, String pskOrNull, String endpoint, int keepaliveSec) {
        return "\n[Peer]\nPublicKey = " + peer.publicKeyBase64() + "\n"
                + (pskOrNull != null ? "PresharedKey = " + pskOrNull + "\n" : "")
                + "AllowedIPs = " + Tunnels.tunnelSubnets(peer) + "\nEndpoint = " + endpoint + "\n"
                + (keepaliveSec > 0 ? "PersistentKeepalive = " + keepaliveSec + "\n" : "");
    }

    private static String tunnelSubnets(Netns netns) {
        return netns.slot().tunnelSubnet() + "," + netns.slot().tunnelSubnet6();
    }

    private static String generatePsk() {
        return Exec.run(UserspacePeer.WG_TIMEOUT_MS, "wg", "genpsk")
                .orThrow()
                .out()
                .strip();
    }

    /** The line {@code wg show <iface> <field>} prints for {@code peer}, e.g. {@code <key>\t<psk>}. */
    private static String peerLine(UserspacePeer at, String field, UserspacePeer peer) {
        for (String line : at.wg("show", at.interfaceName(), field).out().split("\n")) {
            if (line.startsWith(peer.publicKeyBase64() + "\t")) {
                return line.strip();
            }
        }
        return null;
    }

    private static String expectedLine(UserspacePeer peer, String value) {
        return peer.publicKeyBase64() + "\t" + value;
    }

    private static ExecResult runUp(Netns netns, Path config) {
        return netns.exec(UP_TIMEOUT_MS, RingGuardPeer.defaultLauncher().toString(), "up", config.toString());
    }

    /** No interface in the namespace, no UAPI socket: what a failed or finished {@code up} must leave. */
    private static void assertNothingLeft(Netns netns, String iface, String log) {
        Path socket = Path.of("/var/run/wireguard", iface + ".sock");
        assertFalse(Files.exists(socket), () -> socket + " left behind\n" + log);
        ExecResult link = netns.exec(5_000, "ip", "link", "show", "dev", iface);
        assertFalse(link.ok(), () -> iface + " left behind: " + link.out() + "\n" + log);
    }

    private static Path privateTempDir() throws IOException {
        return Files.createTempDirectory(
                "rg-up-it-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    private static void awaitFileContains(Path file, String text, long timeoutMs) throws IOException {
        long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!Files.exists(file) || !Files.readString(file).contains(text)) {
            if (System.nanoTime() - deadlineNs > 0) {
                throw new IllegalStateException("no '" + text.strip() + "' in " + file + " within " + timeoutMs
                        + " ms: " + (Files.exists(file) ? Files.readString(file) : "(no file)"));
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        }
    }
}
