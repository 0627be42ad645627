package io.ringguard.testkit;

import java.nio.file.Path;
import java.util.Map;

/**
 * A real wireguard-go (the Debian package) in its own {@link Netns}, configured with the real {@code
 * wg} tool: the reference peer for RingGuard's interop tests.
 *
 * <pre>
 *   root namespace          netns rgns&lt;k&gt;
 *   rgh&lt;k&gt; 198.18.k.1 ===== rgn&lt;k&gt; 198.18.k.2        wireguard-go listens on *:listenPort
 *                            rgwg&lt;k&gt; 198.19.k.1/24, fd00:19:k::1/64 (tunnel)
 * </pre>
 *
 * <p>A RingGuard under test in the root namespace binds its UDP socket to {@link #hostAddress()} and
 * uses {@link #underlayAddress()}:{@link #listenPort()} as the endpoint. Two fixtures reach each other
 * through {@code a.netns().connect(b.netns())} (see {@link Netns#connect}). Everything but the
 * command is shared with {@link RingGuardPeer} in {@link UserspacePeer}.
 *
 * <p>Thread safety: any thread may call any method; {@link #close()} is idempotent and also runs from a
 * shutdown hook when a test leaves the peer open.
 */
public final class WireguardGoPeer extends UserspacePeer {
    /** How long {@link Builder#start()} waits for wireguard-go's UAPI socket. */
    public static final long SOCKET_TIMEOUT_MS = 5_000;

    /** Options for {@link #start()}: {@code listenPort}, {@code privateKeyBase64}. */
    public static final class Builder extends UserspacePeer.Builder<Builder, WireguardGoPeer> {
        private Builder() {}

        @Override
        protected WireguardGoPeer create(Netns netns, int listenPort, String privateKeyBase64) {
            return new WireguardGoPeer(netns, listenPort, privateKeyBase64);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }

    private WireguardGoPeer(Netns netns, int listenPort, String privateKeyBase64) {
        super(netns, netns.slot().wireguardInterfaceName(), listenPort, privateKeyBase64);
    }

    /** A peer with a fresh key listening on {@value #DEFAULT_LISTEN_PORT}. */
    public static WireguardGoPeer start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected Process spawnDaemon(Netns netns, String interfaceName, Path logFile) {
        // LOG_LEVEL=verbose logs handshakes, not packets.
        return netns.spawn(
                logFile,
                Map.of("LOG_LEVEL", "verbose", "WG_PROCESS_FOREGROUND", "1"),
                "wireguard-go",
                "-f",
                interfaceName);
    }

    @Override
    protected String programName() {
        return "wireguard-go";
    }

    @Override
    protected long socketTimeoutMs() {
        return SOCKET_TIMEOUT_MS;
    }
}
