package io.ringguard.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * RingGuard as a wireguard-go drop-in ({@code bin/ringguard -f rgrg<k>}) in its own {@link Netns},
 * configured with the real {@code wg} tool: the same fixture as {@link WireguardGoPeer} (both are a
 * {@link UserspacePeer}), only the command differs.
 *
 * <pre>
 *   root namespace          netns rgns&lt;k&gt;
 *   rgh&lt;k&gt; 198.18.k.1 ===== rgn&lt;k&gt; 198.18.k.2        RingGuard listens on *:listenPort
 *                            rgrg&lt;k&gt; 198.19.k.1/24, fd00:19:k::1/64 (tunnel)
 * </pre>
 *
 * <p>The launcher is {@code <ringguard.root>/bin/ringguard} (the system property the build sets for
 * tests); it runs the jar the reactor packaged, {@code gateway/target/ringguard.jar}, and builds it
 * only when it is missing. The daemon's stderr goes to {@link #logFile()}; put {@link #logTail()} in
 * assertion messages, because {@link #close()} deletes the log.
 *
 * <p>Thread safety: any thread may call any method; {@link #close()} is idempotent and also runs from a
 * shutdown hook when a test leaves the peer open.
 */
public final class RingGuardPeer extends UserspacePeer {
    /** How long {@link Builder#start()} waits for the UAPI socket: a JVM start on a busy 2-core machine. */
    public static final long SOCKET_TIMEOUT_MS = 30_000;
    /** System property naming the repository root; Maven's surefire and failsafe set it. */
    public static final String ROOT_PROPERTY = "ringguard.root";

    private final Path launcher;

    /** Options for {@link #start()}: {@code listenPort}, {@code privateKeyBase64}, {@code launcher}. */
    public static final class Builder extends UserspacePeer.Builder<Builder, RingGuardPeer> {
        private Path launcher;

        private Builder() {}

        /** The {@code ringguard} launcher to run; default {@link #defaultLauncher()}. */
        public Builder launcher(Path launcher) {
            this.launcher = launcher;
            return this;
        }

        @Override
        protected RingGuardPeer create(Netns netns, int listenPort, String privateKeyBase64) {
            return new RingGuardPeer(
                    netns, listenPort, privateKeyBase64, launcher != null ? launcher : defaultLauncher());
        }

        @Override
        protected Builder self() {
            return this;
        }
    }

    private RingGuardPeer(Netns netns, int listenPort, String privateKeyBase64, Path launcher) {
        super(netns, netns.slot().ringguardInterfaceName(), listenPort, privateKeyBase64);
        this.launcher = launcher;
    }

    /** A RingGuard with a fresh key listening on {@value #DEFAULT_LISTEN_PORT}. */
    public static RingGuardPeer start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code <ringguard.root>/bin/ringguard}; throws when the property is unset or the file is missing. */
    public static Path defaultLauncher() {
        String root = System.getProperty(ROOT_PROPERTY);
        if (root == null || root.isBlank()) {
            throw new IllegalStateException(
                    "system property " + ROOT_PROPERTY + " is not set (the root pom sets it for surefire/failsafe)");
        }
        Path launcher = Path.of(root, "bin", "ringguard");
        if (!Files.isExecutable(launcher)) {
            throw new IllegalStateException("no executable RingGuard launcher at " + launcher);
        }
        return launcher;
    }

    @Override
    protected Process spawnDaemon(Netns netns, String interfaceName, Path logFile) {
        // -f keeps the JVM as the spawned process (the launcher execs java), so stopping it is SIGTERM
        // to the daemon itself and its stderr lands in the log.
        return netns.spawn(logFile, Map.of("WG_PROCESS_FOREGROUND", "1"), launcher.toString(), "-f", interfaceName);
    }

    @Override
    protected String programName() {
        return "ringguard";
    }

    @Override
    protected long socketTimeoutMs() {
        return SOCKET_TIMEOUT_MS;
    }
}
