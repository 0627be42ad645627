package io.ringguard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * A WireGuard implementation with wireguard-go's command line and UAPI socket, running in its own
 * {@link Netns} and configured with the real {@code wg} tool. {@link WireguardGoPeer} (the reference)
 * and {@link RingGuardPeer} (the implementation under test) differ only in the command they start;
 * everything else (keys, addresses, {@code wg} calls, pings, {@code wg show}, cleanup) lives here once.
 *
 * <pre>
 *   root namespace          netns rgns&lt;k&gt;
 *   rgh&lt;k&gt; 198.18.k.1 ===== rgn&lt;k&gt; 198.18.k.2        the daemon listens on *:listenPort
 *                            IFACE 198.19.k.1/24, fd00:19:k::1/64 (tunnel)
 * </pre>
 *
 * <p>Keys are generated with {@code wg genkey}/{@code wg pubkey}, not RingGuard's crypto, so the
 * fixture is an independent reference. They are throwaway test keys, which is why they may sit in a
 * {@code String}; they reach {@code wg} through 0600 temporary files deleted right after.
 *
 * <p>Thread safety: any thread may call any method; {@link #close()} is idempotent and also runs from a
 * shutdown hook when a test leaves the peer open.
 */
public abstract class UserspacePeer implements AutoCloseable {
    public static final int DEFAULT_LISTEN_PORT = 51820;
    /** Deadline for each {@code wg} command. */
    public static final long WG_TIMEOUT_MS = 5_000;

    private static final long POLL_INTERVAL_MS = 20;

    private final Netns netns;
    private final String interfaceName;
    private final Path logFile;
    private volatile int listenPort;
    private volatile String privateKeyBase64;
    private volatile String publicKeyBase64;
    private Process process;
    private boolean closed;

    /** One peer line of {@code wg show <iface> dump}. */
    public record PeerStatus(
            String publicKeyBase64,
            String endpoint,
            String allowedIps,
            long latestHandshakeEpochSec,
            long rxBytes,
            long txBytes) {
        /** True when a handshake completed at least once. */
        public boolean hasHandshake() {
            return latestHandshakeEpochSec > 0;
        }
    }

    /**
     * Options shared by the concrete fixtures' builders.
     *
     * @param <B> the concrete builder, returned by the setters
     * @param <P> the fixture it starts
     */
    public abstract static class Builder<B extends Builder<B, P>, P extends UserspacePeer> {
        private int listenPort = DEFAULT_LISTEN_PORT;
        private String privateKeyBase64;
        private Netns netns;

        protected Builder() {}

        /**
         * Runs the daemon in {@code netns}, which the caller created (e.g. to wire it to other
         * namespaces before the daemon starts), instead of a fresh one. The peer owns it from then on:
         * {@link UserspacePeer#close()}, or a failed {@link #start()}, closes it.
         */
        public B netns(Netns netns) {
            this.netns = netns;
            return self();
        }

        /** UDP port the daemon listens on inside its namespace; default {@value #DEFAULT_LISTEN_PORT}. */
        public B listenPort(int listenPort) {
            this.listenPort = listenPort;
            return self();
        }

        /** A known private key instead of a fresh {@code wg genkey} one. */
        public B privateKeyBase64(String privateKeyBase64) {
            this.privateKeyBase64 = privateKeyBase64;
            return self();
        }

        /** Creates the namespace, starts the daemon and configures it; cleans up if any step fails. */
        public P start() {
            Netns netns = this.netns != null ? this.netns : Netns.create();
            P peer;
            try {
                String key = privateKeyBase64 != null ? privateKeyBase64 : generatePrivateKey();
                peer = create(netns, listenPort, key);
            } catch (RuntimeException e) {
                netns.close();
                throw e;
            }
            Cleanup.register(peer);
            // launch() is private to UserspacePeer, so it is not a member of the type variable P.
            UserspacePeer started = peer;
            try {
                started.launch();
            } catch (RuntimeException e) {
                try {
                    peer.close();
                } catch (RuntimeException closeFailure) {
                    e.addSuppressed(closeFailure);
                }
                throw e;
            }
            return peer;
        }

        /** Constructs the fixture in {@code netns}; nothing is started yet. */
        protected abstract P create(Netns netns, int listenPort, String privateKeyBase64);

        protected abstract B self();
    }

    protected UserspacePeer(Netns netns, String interfaceName, int listenPort, String privateKeyBase64) {
        this.netns = netns;
        this.interfaceName = interfaceName;
        this.listenPort = listenPort;
        this.privateKeyBase64 = privateKeyBase64;
        try {
            this.logFile = Files.createTempFile("rg-" + interfaceName + "-", ".log");
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a log file for " + interfaceName, e);
        }
    }

    /**
     * Starts the daemon in the foreground inside {@code netns} (with {@link Netns#spawn}), its stdout
     * and stderr appended to {@code logFile}; it must create the TUN {@code interfaceName} and the UAPI
     * socket {@link #socketPath()}.
     */
    protected abstract Process spawnDaemon(Netns netns, String interfaceName, Path logFile);

    /** What to call the daemon in messages, e.g. {@code wireguard-go}. */
    protected abstract String programName();

    /** How long {@link Builder#start()} waits for the UAPI socket. */
    protected abstract long socketTimeoutMs();

    /** A fresh private key from {@code wg genkey}. */
    public static String generatePrivateKey() {
        return Exec.run(WG_TIMEOUT_MS, "wg", "genkey").orThrow().out().strip();
    }

    /** The public key of {@code privateKeyBase64}, from {@code wg pubkey}. */
    public static String publicKeyOf(String privateKeyBase64) {
        return Exec.run(WG_TIMEOUT_MS, privateKeyBase64.getBytes(StandardCharsets.US_ASCII), "wg", "pubkey")
                .orThrow()
                .out()
                .strip();
    }

    private void launch() {
        publicKeyBase64 = publicKeyOf(privateKeyBase64);
        // The UAPI socket directory is shared by all namespaces (one filesystem): the slot's interface
        // name is what keeps two instances apart.
        process = spawnDaemon(netns, interfaceName, logFile);
        awaitSocket();
        configureInterface();
    }

    /**
     * Called once the UAPI socket exists: gives the daemon its private key and listen port with {@code
     * wg set}, adds the tunnel addresses and brings the link up. A daemon that configures itself from a
     * file (e.g. {@code ringguard up}) overrides this to check instead.
     */
    protected void configureInterface() {
        withKeyFile(
                privateKeyBase64,
                file -> wg(
                        "set",
                        interfaceName,
                        "private-key",
                        file.toString(),
                        "listen-port",
                        Integer.toString(listenPort)));
        netns.ip("addr", "add", tunnelAddress() + "/24", "dev", interfaceName);
        netns.ip("-6", "addr", "add", tunnelAddress6() + "/64", "dev", interfaceName, "nodad");
        netns.ip("link", "set", interfaceName, "up");
    }

    private void awaitSocket() {
        long timeoutMs = socketTimeoutMs();
        long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
        Path socket = socketPath();
        while (!Files.exists(socket)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(programName() + " exited with " + process.exitValue()
                        + " before creating " + socket + ": " + logTail());
            }
            if (System.nanoTime() - deadlineNs > 0) {
                throw new IllegalStateException(
                        programName() + " did not create " + socket + " within " + timeoutMs + " ms: " + logTail());
            }
            pause(POLL_INTERVAL_MS);
        }
    }

    /**
     * Sends signal {@code name} ({@code HUP}, {@code INT}, {@code TERM}, ...) to the daemon with {@code
     * kill}; throws when it cannot be delivered (e.g. the daemon is gone).
     */
    public void signal(String name) {
        Exec.run(WG_TIMEOUT_MS, "kill", "-s", name, Long.toString(process.pid()))
                .orThrow();
    }

    /** Waits up to {@code timeoutMs} for the daemon to exit; its exit code, or empty while it still runs. */
    public OptionalInt awaitExit(long timeoutMs) {
        try {
            return process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)
                    ? OptionalInt.of(process.exitValue())
                    : OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + programName() + " to exit", e);
        }
    }

    /**
     * Adds or updates a peer with {@code wg set <iface> peer ...} and routes each non-default allowed
     * IP through the interface (as {@code wg-quick} would; {@code /0} prefixes get no route, so the
     * namespace's underlay routes stay intact).
     *
     * @param allowedIps comma separated CIDRs, e.g. {@code 198.19.7.0/24,fd00:19:7::/64}
     * @param endpointOrNull {@code host:port} or {@code [v6]:port}, or null to wait for the peer to call
     * @param persistentKeepaliveSec 0 for off
     */
    public void addPeer(
            String publicKeyBase64,
            String presharedKeyBase64OrNull,
            String allowedIps,
            String endpointOrNull,
            int persistentKeepaliveSec) {
        List<String> args =
                new ArrayList<>(List.of("set", interfaceName, "peer", publicKeyBase64, "allowed-ips", allowedIps));
        if (endpointOrNull != null) {
            args.addAll(List.of("endpoint", endpointOrNull));
        }
        args.addAll(List.of("persistent-keepalive", Integer.toString(persistentKeepaliveSec)));
        if (presharedKeyBase64OrNull != null) {
            withKeyFile(presharedKeyBase64OrNull, file -> {
                args.addAll(List.of("preshared-key", file.toString()));
                wg(args.toArray(String[]::new));
            });
        } else {
            wg(args.toArray(String[]::new));
        }
        for (String cidr : allowedIps.split(",")) {
            String trimmed = cidr.strip();
            if (!trimmed.isEmpty() && !trimmed.endsWith("/0")) {
                netns.ip("route", "replace", trimmed, "dev", interfaceName);
            }
        }
    }

    /** Removes a peer ({@code wg set <iface> peer <key> remove}); its routes stay until close. */
    public void removePeer(String publicKeyBase64) {
        wg("set", interfaceName, "peer", publicKeyBase64, "remove");
    }

    /** Replaces the interface's private key ({@code wg set <iface> private-key}); the public key follows. */
    public void privateKey(String newPrivateKeyBase64) {
        String newPublicKey = publicKeyOf(newPrivateKeyBase64);
        withKeyFile(newPrivateKeyBase64, file -> wg("set", interfaceName, "private-key", file.toString()));
        privateKeyBase64 = newPrivateKeyBase64;
        publicKeyBase64 = newPublicKey;
    }

    /** Moves the interface to another UDP port ({@code wg set <iface> listen-port}). */
    public void listenPort(int newListenPort) {
        wg("set", interfaceName, "listen-port", Integer.toString(newListenPort));
        listenPort = newListenPort;
    }

    /**
     * Pings {@code dst} from inside the namespace ({@code count} echoes 200 ms apart, at most {@code
     * timeoutSec} seconds in all). True only when every echo was answered.
     */
    public boolean ping(String dst, int count, int timeoutSec) {
        String family = dst.contains(":") ? "-6" : "-4";
        ExecResult result = netns.exec(
                timeoutSec * 1_000L + 2_000L,
                "ping",
                family,
                "-n",
                "-q",
                "-c",
                Integer.toString(count),
                "-i",
                "0.2",
                "-w",
                Integer.toString(timeoutSec),
                dst);
        return result.ok();
    }

    /** Runs {@code wg args...} inside the namespace and throws with its stderr when it fails. */
    public ExecResult wg(String... args) {
        return netns.exec(WG_TIMEOUT_MS, prepend("wg", args)).orThrow();
    }

    /** {@code wg show <iface> dump}, one record per peer. */
    public List<PeerStatus> wgShow() {
        String[] lines = wg("show", interfaceName, "dump").out().split("\n");
        List<PeerStatus> peers = new ArrayList<>();
        // Line 0 describes the interface (private key, public key, port, fwmark); peers follow.
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            String[] f = lines[i].split("\t");
            if (f.length < 8) {
                throw new IllegalStateException("unexpected wg dump line: " + lines[i]);
            }
            peers.add(new PeerStatus(
                    f[0],
                    "(none)".equals(f[2]) ? null : f[2],
                    "(none)".equals(f[3]) ? "" : f[3],
                    Long.parseLong(f[4]),
                    Long.parseLong(f[5]),
                    Long.parseLong(f[6])));
        }
        return peers;
    }

    /** The status of one peer, or null when it is not configured. */
    public PeerStatus peerStatus(String publicKeyBase64) {
        for (PeerStatus status : wgShow()) {
            if (status.publicKeyBase64().equals(publicKeyBase64)) {
                return status;
            }
        }
        return null;
    }

    /**
     * Polls {@code wg show} until the peer has completed a handshake at or after {@code notBefore},
     * for at most {@code timeoutMs}; throws with the status and the daemon's log otherwise.
     */
    public PeerStatus awaitHandshake(String peerPublicKeyBase64, Instant notBefore, long timeoutMs) {
        long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            PeerStatus status = peerStatus(peerPublicKeyBase64);
            if (status != null && status.latestHandshakeEpochSec() >= notBefore.getEpochSecond()) {
                return status;
            }
            if (System.nanoTime() - deadlineNs > 0) {
                throw new IllegalStateException("no handshake with " + peerPublicKeyBase64 + " within " + timeoutMs
                        + " ms (status " + status + "): " + logTail());
            }
            pause(50);
        }
    }

    public Netns netns() {
        return netns;
    }

    /** The daemon's TUN interface, named after the slot. */
    public String interfaceName() {
        return interfaceName;
    }

    /** The daemon's UAPI socket, {@code /var/run/wireguard/IFACE.sock}. */
    public Path socketPath() {
        return Slot.WIREGUARD_SOCKET_DIR.resolve(interfaceName + ".sock");
    }

    /** The daemon process ({@code ip netns exec} replaces itself with it, so this is its pid). */
    public ProcessHandle process() {
        return process.toHandle();
    }

    public String privateKeyBase64() {
        return privateKeyBase64;
    }

    public String publicKeyBase64() {
        return publicKeyBase64;
    }

    /** Namespace-side veth address {@code 198.18.k.2}, where the daemon receives from the root namespace. */
    public String underlayAddress() {
        return netns.nsAddress();
    }

    /** Root-side veth address {@code 198.18.k.1}, where a test in the root namespace binds its UDP socket. */
    public String hostAddress() {
        return netns.hostAddress();
    }

    /** {@code underlayAddress():listenPort()}, the endpoint a root-namespace peer configures. */
    public String underlayEndpoint() {
        return underlayAddress() + ":" + listenPort;
    }

    public int listenPort() {
        return listenPort;
    }

    /** Tunnel address {@code 198.19.k.1} (on a /24). */
    public String tunnelAddress() {
        return netns.slot().tunnelAddress(1);
    }

    /** Tunnel address {@code fd00:19:k::1} (on a /64). */
    public String tunnelAddress6() {
        return netns.slot().tunnelAddress6(1);
    }

    /** The daemon's stdout and stderr. */
    public Path logFile() {
        return logFile;
    }

    /** The whole log so far; empty when it cannot be read. */
    public String log() {
        try {
            return Files.readString(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Polls the log until {@code text} occurs in it at least {@code occurrences} times, for at most
     * {@code timeoutMs}; throws with the log tail otherwise, or at once when the daemon exits.
     */
    public void awaitLog(String text, int occurrences, long timeoutMs) {
        long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
        while (count(log(), text) < occurrences) {
            if (!process.isAlive()) {
                throw new IllegalStateException(programName() + " exited with " + process.exitValue()
                        + " before logging '" + text + "' " + occurrences + " times: " + logTail());
            }
            if (System.nanoTime() - deadlineNs > 0) {
                throw new IllegalStateException(programName() + " did not log '" + text + "' " + occurrences
                        + " times within " + timeoutMs + " ms: " + logTail());
            }
            pause(POLL_INTERVAL_MS);
        }
    }

    private static int count(String haystack, String needle) {
        int found = 0;
        for (int at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length())) {
            found++;
        }
        return found;
    }

    /** The last 2,000 characters of the log, for failure messages. */
    public String logTail() {
        try {
            String log = Files.readString(logFile, StandardCharsets.UTF_8);
            return log.length() <= 2_000 ? log : log.substring(log.length() - 2_000);
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /**
     * Stops the daemon (SIGTERM, SIGKILL after {@link Exec#STOP_GRACE_MS}), removes its socket, deletes
     * the namespace and the log. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (process != null && !Exec.stop(process)) {
                System.err.println("testkit: " + programName() + " pid " + process.pid() + " survived SIGKILL");
            }
            Exec.deleteQuietly(socketPath());
        } finally {
            try {
                netns.close();
            } finally {
                Exec.deleteQuietly(logFile);
                Cleanup.unregister(this);
            }
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + interfaceName + " in " + netns.name() + "]";
    }

    private static void withKeyFile(String keyBase64, KeyFileUser user) {
        Path file = null;
        try {
            file = Exec.writeSecretFile("rg-wg-", keyBase64.getBytes(StandardCharsets.US_ASCII));
            user.use(file);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write a key file for wg", e);
        } finally {
            Exec.deleteQuietly(file);
        }
    }

    @FunctionalInterface
    private interface KeyFileUser {
        void use(Path file);
    }

    private static String[] prepend(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the daemon", e);
        }
    }
}
