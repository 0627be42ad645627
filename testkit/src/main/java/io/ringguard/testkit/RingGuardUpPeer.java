package io.ringguard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * RingGuard in appliance mode ({@code bin/ringguard up rgrg<k>.conf}) in its own {@link Netns}: the
 * daemon configures itself from the file (key, port, addresses, MTU, peers), so unlike {@link
 * RingGuardPeer} nothing is set with {@code wg} at start; the UAPI socket still serves {@code wg show}
 * and every other {@link UserspacePeer} method.
 *
 * <p>The file lives in a fresh 0700 directory as {@code <iface>.conf} (the interface is named after
 * the file) and is written with mode 0600, because it holds the private key. The text given to the
 * builder must use the same private key and listen port as the builder (they are what {@link
 * #publicKeyBase64()} and {@link #listenPort()} report; start fails when the daemon disagrees) and, to
 * suit the shared helpers, the addresses {@link #tunnelAddress()}/24 and {@link #tunnelAddress6()}/64.
 *
 * <p>Thread safety: any thread may call any method; {@link #close()} is idempotent and also runs from a
 * shutdown hook when a test leaves the peer open.
 */
public final class RingGuardUpPeer extends UserspacePeer {
    private final Path launcher;
    private final Path configDir;
    private final Path configFile;

    /** Options for {@link #start()}: the config text, and those of {@link UserspacePeer.Builder}. */
    public static final class Builder extends UserspacePeer.Builder<Builder, RingGuardUpPeer> {
        private Path launcher;
        private String configText;

        private Builder() {}

        /** The whole config file; see the class comment for what it must agree with. */
        public Builder config(String configText) {
            this.configText = configText;
            return this;
        }

        /** The {@code ringguard} launcher to run; default {@link RingGuardPeer#defaultLauncher()}. */
        public Builder launcher(Path launcher) {
            this.launcher = launcher;
            return this;
        }

        @Override
        protected RingGuardUpPeer create(Netns netns, int listenPort, String privateKeyBase64) {
            if (configText == null) {
                throw new IllegalStateException("RingGuardUpPeer needs config(text)");
            }
            return new RingGuardUpPeer(
                    netns,
                    listenPort,
                    privateKeyBase64,
                    launcher != null ? launcher : RingGuardPeer.defaultLauncher(),
                    configText);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }

    private RingGuardUpPeer(Netns netns, int listenPort, String privateKeyBase64, Path launcher, String configText) {
        super(netns, netns.slot().ringguardInterfaceName(), listenPort, privateKeyBase64);
        this.launcher = launcher;
        try {
            this.configDir = Files.createTempDirectory(
                    "rg-up-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a config directory for " + interfaceName(), e);
        }
        this.configFile = configDir.resolve(interfaceName() + ".conf");
        writeConfig(configText);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The file the daemon reads, {@code <tmpdir>/<iface>.conf}. */
    public Path configFile() {
        return configFile;
    }

    /** Replaces the file's contents (mode 0600); the daemon reads it again on {@link #reload()}. */
    public void writeConfig(String text) {
        try {
            Path next = Exec.writeSecretFile("rg-up-", text.getBytes(StandardCharsets.UTF_8));
            // A rename, so the daemon never reads a half-written file.
            Files.move(next, configFile, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + configFile, e);
        }
    }

    /** Sends {@code SIGHUP}: the daemon reloads {@link #configFile()}. */
    public void reload() {
        signal("HUP");
    }

    @Override
    protected Process spawnDaemon(Netns netns, String interfaceName, Path logFile) {
        // The launcher execs java (and env execs the launcher), so the spawned pid is the daemon's and
        // signals reach it directly. A test JVM started from a background job inherits SIGINT ignored,
        // and an ignored signal stays ignored across exec: reset them, as a terminal's Ctrl-C would find.
        return netns.spawn(
                logFile,
                Map.of(),
                "env",
                "--default-signal=HUP,INT,TERM",
                launcher.toString(),
                "up",
                configFile.toString());
    }

    /** The file configured everything; only check that the daemon agrees with what this fixture reports. */
    @Override
    protected void configureInterface() {
        String publicKey = wg("show", interfaceName(), "public-key").out().strip();
        String port = wg("show", interfaceName(), "listen-port").out().strip();
        if (!publicKey.equals(publicKeyBase64()) || !port.equals(Integer.toString(listenPort()))) {
            throw new IllegalStateException("ringguard up runs with public key " + publicKey + " and port " + port
                    + ", the fixture expected " + publicKeyBase64() + " and " + listenPort()
                    + ": the config text and the builder disagree");
        }
    }

    @Override
    protected String programName() {
        return "ringguard up";
    }

    @Override
    protected long socketTimeoutMs() {
        return RingGuardPeer.SOCKET_TIMEOUT_MS;
    }

    /** Stops the daemon and removes the namespace (see {@link UserspacePeer#close()}), then the config. */
    @Override
    public synchronized void close() {
        try {
            super.close();
        } finally {
            Exec.deleteQuietly(configFile);
            Exec.deleteQuietly(configDir);
        }
    }
}
