package io.ringguard.gateway.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.testkit.Exec;
import io.ringguard.testkit.ExecResult;
import io.ringguard.testkit.Netns;
import io.ringguard.testkit.Prerequisites;
import io.ringguard.testkit.RingGuardPeer;
import io.ringguard.testkit.UserspacePeer;
import io.ringguard.testkit.WireguardGoPeer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code WG_QUICK_USERSPACE_IMPLEMENTATION=bin/ringguard wg-quick up CONF} inside a namespace, as a
 * user would run it: wg-quick starts the daemonizing {@code ringguard IFACE}, configures it with
 * {@code wg setconf}, adds addresses, MTU and routes with {@code ip}; {@code wg-quick down} deletes the
 * link, which must make the daemon exit and remove its socket.
 */
@Tag("integration")
@Timeout(120)
class WgQuickIT {
    private static final long WG_QUICK_TIMEOUT_MS = 60_000;
    private static final long EXIT_TIMEOUT_MS = 10_000;
    private static final Path WIREGUARD_SOCKET_DIR = Path.of("/var/run/wireguard");

    @BeforeEach
    void requirePrerequisites() {
        Tunnels.requirePrerequisites();
        Prerequisites.requireProgram("wg-quick");
        // With the kernel module present wg-quick uses it and never falls back to userspace.
        Prerequisites.require(
                !Files.exists(Path.of("/sys/module/wireguard")),
                "wg-quick only runs a userspace implementation when the wireguard kernel module is absent");
    }

    @Test
    void shouldComeUpCarryTrafficAndGoDownWithWgQuick() throws IOException {
        Path dir = Files.createTempDirectory(
                "rg-wg-quick-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try (WireguardGoPeer wg = WireguardGoPeer.start();
                Netns netns = Netns.create()) {
            String iface = netns.slot().ringguardInterfaceName();
            Path socket = WIREGUARD_SOCKET_DIR.resolve(iface + ".sock");
            Path daemonLog = dir.resolve("ringguard.log");
            Netns.Link link = netns.connect(wg.netns());
            String privateKey = UserspacePeer.generatePrivateKey();
            String tunnel = netns.slot().tunnelAddress(1);
            String tunnel6 = netns.slot().tunnelAddress6(1);
            // wg-quick names the interface after the file; no DNS line, so no resolvconf is needed.
            Path config = dir.resolve(iface + ".conf");
            Files.writeString(
                    config,
                    String.join(
                            "\n",
                            "[Interface]",
                            "PrivateKey = " + privateKey,
                            "ListenPort = 51820",
                            "Address = " + tunnel + "/24, " + tunnel6 + "/64",
                            "",
                            "[Peer]",
                            "PublicKey = " + wg.publicKeyBase64(),
                            "AllowedIPs = " + Tunnels.tunnelSubnets(wg),
                            "Endpoint = " + Tunnels.endpoint(link.remoteAddress(), wg.listenPort()),
                            ""),
                    StandardCharsets.US_ASCII);
            wg.addPeer(
                    UserspacePeer.publicKeyOf(privateKey),
                    null,
                    netns.slot().tunnelSubnet() + "," + netns.slot().tunnelSubnet6(),
                    null,
                    0);

            ExecResult up = wgQuick(netns, daemonLog, "up", config);
            assertTrue(up.ok(), () -> up.describe() + "\n" + up.err() + log(daemonLog));
            assertTrue(Files.exists(socket), () -> "no " + socket + " after wg-quick up\n" + up.err() + log(daemonLog));
            // The daemon behind the socket is RingGuard's JVM, not a wireguard-go fallback.
            String daemons = commandLines(netns);
            assertTrue(
                    daemons.contains("ringguard.jar"), () -> "daemons in " + netns + ": " + daemons + log(daemonLog));
            assertTrue(
                    ping(netns, wg.tunnelAddress()),
                    () -> "ping through wg-quick's interface failed\n" + wg.logTail() + log(daemonLog));
            assertTrue(
                    ping(netns, wg.tunnelAddress6()),
                    () -> "ping6 through wg-quick's interface failed\n" + wg.logTail() + log(daemonLog));
            assertTrue(wg.ping(tunnel, 3, Tunnels.PING_TIMEOUT_SEC), () -> wg.logTail() + log(daemonLog));

            ExecResult down = wgQuick(netns, daemonLog, "down", config);
            assertTrue(down.ok(), () -> down.describe() + "\n" + down.err() + log(daemonLog));
            long deadlineNs = System.nanoTime() + EXIT_TIMEOUT_MS * 1_000_000L;
            while ((Files.exists(socket) || daemonRunning(netns)) && System.nanoTime() - deadlineNs < 0) {
                pause();
            }
            assertFalse(Files.exists(socket), () -> socket + " still there after wg-quick down" + log(daemonLog));
            assertFalse(daemonRunning(netns), () -> "daemon still running after wg-quick down" + log(daemonLog));
            assertFalse(
                    netns.exec(5_000, "ip", "link", "show", iface).ok(),
                    () -> iface + " still exists" + log(daemonLog));
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            }
        }
    }

    private static ExecResult wgQuick(Netns netns, Path daemonLog, String verb, Path config) {
        return netns.exec(
                WG_QUICK_TIMEOUT_MS,
                "env",
                "WG_QUICK_USERSPACE_IMPLEMENTATION=" + RingGuardPeer.defaultLauncher(),
                "RINGGUARD_LOG=" + daemonLog,
                "wg-quick",
                verb,
                config.toString());
    }

    private static boolean ping(Netns netns, String dst) {
        return netns.exec(
                        (Tunnels.PING_TIMEOUT_SEC + 2) * 1_000L,
                        "ping",
                        "-n",
                        "-q",
                        "-c",
                        "3",
                        "-i",
                        "0.2",
                        "-w",
                        "" + Tunnels.PING_TIMEOUT_SEC,
                        dst)
                .ok();
    }

    /** True while any process (the daemonized RingGuard) still runs inside the namespace. */
    private static boolean daemonRunning(Netns netns) {
        return !Exec.run(5_000, "ip", "netns", "pids", netns.name()).out().isBlank();
    }

    /** The command lines of the processes in the namespace, one per line. */
    private static String commandLines(Netns netns) throws IOException {
        StringBuilder out = new StringBuilder();
        for (String pid :
                Exec.run(5_000, "ip", "netns", "pids", netns.name()).out().split("\n")) {
            Path cmdline = Path.of("/proc", pid.strip(), "cmdline");
            if (!pid.isBlank() && Files.exists(cmdline)) {
                out.append(new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).replace('\0', ' '))
                        .append('\n');
            }
        }
        return out.toString();
    }

    private static String log(Path daemonLog) {
        try {
            return Files.exists(daemonLog)
                    ? "\nringguard log:\n" + Files.readString(daemonLog)
                    : "\n(no ringguard log)";
        } catch (IOException e) {
            return "\n(ringguard log unreadable: " + e.getMessage() + ")";
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
