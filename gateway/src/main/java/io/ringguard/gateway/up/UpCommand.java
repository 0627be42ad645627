package io.ringguard.gateway.up;

import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.PeerConfig;
import io.ringguard.dataplane.device.Device;
import io.ringguard.dataplane.device.DeviceSettings;
import io.ringguard.dataplane.sys.LinuxTun;
import io.ringguard.dataplane.sys.NativeIoException;
import io.ringguard.gateway.admin.AdminServer;
import io.ringguard.gateway.admin.BearerToken;
import io.ringguard.gateway.admin.GatewayAccounting;
import io.ringguard.gateway.admin.PeerService;
import io.ringguard.gateway.config.ConfigException;
import io.ringguard.gateway.config.GatewayConfig;
import io.ringguard.gateway.config.GatewayConfigParser;
import io.ringguard.gateway.config.HostPort;
import io.ringguard.gateway.config.InterfaceAddress;
import io.ringguard.gateway.daemon.SignalHandling;
import io.ringguard.gateway.iface.DataplaneEnvironment;
import io.ringguard.gateway.iface.DeviceUapiService;
import io.ringguard.gateway.iface.UdpSockets;
import io.ringguard.gateway.mesh.MeshIdentity;
import io.ringguard.gateway.mesh.MeshNode;
import io.ringguard.gateway.mesh.MeshPeers;
import io.ringguard.gateway.mesh.PairRelay;
import io.ringguard.gateway.metrics.MetricsServer;
import io.ringguard.gateway.metrics.StageLatency;
import io.ringguard.gateway.registry.AddressPool;
import io.ringguard.gateway.registry.JdbcRegistryStore;
import io.ringguard.gateway.registry.PeerRegistry;
import io.ringguard.gateway.registry.StorageException;
import io.ringguard.gateway.uapi.UapiServer;
import io.ringguard.membership.identity.MeshPrefix;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ringguard up CONFIG}: the gateway appliance. Reads and validates the whole configuration
 * before creating anything (exit 2 naming file, line and key), creates and configures the
 * interface, applies the peers, serves the UAPI socket (so {@code wg show} works), and runs in the
 * foreground: SIGTERM/SIGINT shut down cleanly (socket and interface removed, exit 0), SIGHUP
 * reloads the file without dropping sessions or counters of unchanged peers.
 */
public final class UpCommand {
    private static final Logger LOG = LoggerFactory.getLogger(UpCommand.class);

    private final Path configFile;
    private final PrintWriter err;
    /** Reservations older than this at start were left by an interrupted registration. */
    private static final long STALE_ALLOCATION_MS = 5 * 60_000;

    private final GatewayConfigParser parser = GatewayConfigParser.withSystemResolver();

    public UpCommand(Path configFile, PrintWriter err) {
        this.configFile = configFile;
        this.err = err;
    }

    /** Runs until shutdown; returns the exit code (CONTRACTS.md section 1). */
    public int run() {
        GatewayConfig config;
        try {
            config = parser.parse(configFile);
        } catch (ConfigException e) {
            err.println("ringguard: " + e.getMessage());
            return 2;
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            err.println("ringguard: /dev/net/tun is missing: this kernel or container has no TUN support");
            return 3;
        }
        MeshIdentity mesh = null;
        if (config.gateway().gossip().isPresent()) {
            try {
                mesh = MeshIdentity.load(configFile, config);
            } catch (ConfigException e) {
                err.println("ringguard: " + e.getMessage());
                return 2;
            }
        }
        try {
            return run(config, mesh);
        } finally {
            if (mesh != null) {
                mesh.signer().destroy(); // the node key is zeroed on every way out
            }
        }
    }

    private int run(GatewayConfig config, MeshIdentity mesh) {
        BearerToken token = null;
        if (config.gateway().adminTokenFile().isPresent()) {
            try {
                token = BearerToken.read(config.gateway().adminTokenFile().get());
            } catch (IOException e) {
                err.println("ringguard: " + configFile + ": AdminTokenFile: " + e.getMessage());
                return 2;
            }
        }
        JdbcRegistryStore store;
        try {
            store = JdbcRegistryStore.open(config.gateway().storage(), System::currentTimeMillis);
        } catch (RuntimeException e) {
            err.println("ringguard: cannot open the peer registry "
                    + config.gateway().storage() + ": " + e.getMessage());
            return 1;
        }
        try {
            return run(config, store, token, mesh);
        } finally {
            store.close();
        }
    }

    private int run(GatewayConfig config, JdbcRegistryStore store, BearerToken token, MeshIdentity identity) {
        AddressPool pool;
        PeerRegistry registry;
        try {
            pool = config.gateway().addressPool().isEmpty()
                    ? null
                    : new AddressPool(
                            store, config.gateway().addressPool(), neverHandedOut(config), System::currentTimeMillis);
            registry = new PeerRegistry(store, pool, System::currentTimeMillis);
            int reclaimed = registry.reclaimStaleAllocations(STALE_ALLOCATION_MS);
            if (reclaimed > 0) {
                err.println("ringguard: freed " + reclaimed + " addresses left reserved by an interrupted run");
            }
        } catch (IllegalArgumentException e) {
            err.println("ringguard: " + configFile + ": AddressPool: " + e.getMessage());
            return 2;
        } catch (StorageException e) {
            err.println("ringguard: peer registry " + config.gateway().storage() + ": " + e.getMessage());
            return 1;
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            err.println("ringguard: /dev/net/tun is missing: this kernel or container has no TUN support");
            return 3;
        }
        String iface = config.interfaceName();
        int workers = config.gateway().workerCount(Runtime.getRuntime().availableProcessors());
        DeviceSettings defaults = DeviceSettings.defaults(config.mtu());
        DeviceSettings settings = new DeviceSettings(
                        config.mtu(),
                        workers,
                        defaults.ringSize(),
                        defaults.slots(),
                        defaults.batchSize(),
                        defaults.controlRingBytes(),
                        defaults.maxIndices(),
                        defaults.waitStrategy(),
                        defaults.maxPeers(),
                        defaults.tunOffloads(),
                        defaults.udpGso(),
                        defaults.warmUp())
                .withMaxPeers(config.gateway().maxPeers());
        try {
            settings = DataplaneEnvironment.apply(settings, System::getenv);
        } catch (IllegalArgumentException e) {
            err.println("ringguard: " + e.getMessage());
            return 2;
        }
        LinuxTun tun;
        try {
            tun = LinuxTun.open(iface, config.mtu(), settings.tunOffloads());
        } catch (NativeIoException e) {
            err.println("ringguard: cannot create interface " + iface + ": " + e.getMessage());
            return e.errno() == 1 || e.errno() == 13 ? 3 : 1;
        }
        Device device = new Device(iface, settings, tun, UdpSockets.linux(settings.udpGso()));
        Routes routes = new Routes(iface, device);
        StageLatency outboundLatency = new StageLatency(iface, "outbound");
        StageLatency inboundLatency = new StageLatency(iface, "inbound");
        GatewayAccounting accounting = new GatewayAccounting(registry.accounting(), device, System::currentTimeMillis);
        PeerService peers =
                new PeerService(registry, device, accounting, config.gateway().addressPool(), routes::reconcile);
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        UapiServer uapi = null;
        MetricsServer metrics = null;
        AdminServer admin = null;
        MeshNode mesh = null;
        MeshPeers meshPeers = null;
        try {
            // Before the UAPI socket appears (the sign of readiness): a TERM from then on is queued and
            // handled by the loop below, never the JVM's default exit.
            SignalHandling.install(() -> events.offer("shutdown"), () -> events.offer("reload"));
            device.latencySinks(outboundLatency, inboundLatency);
            device.start();
            int errno;
            try {
                errno = peers.applyFileConfig(config.device());
            } catch (StorageException e) {
                err.println("ringguard: peer registry " + config.gateway().storage() + ": " + e.getMessage());
                return 1;
            }
            if (errno != 0) {
                err.println("ringguard: " + configFile + ": cannot apply the configuration (errno " + errno
                        + (errno == 98 ? ": ListenPort " + config.device().listenPort() + " is in use" : "")
                        + (errno == 22
                                ? ": its peers and the registered ones are more than MaxPeers = "
                                        + config.gateway().maxPeers()
                                : "")
                        + ")");
                return 1;
            }
            LinkSetup.configure(iface, config.addresses(), config.mtu());
            routes.enable();
            HostPort listen = config.gateway().metricsListen();
            AtomicReference<MeshNode> meshForMetrics = new AtomicReference<>();
            metrics = MetricsServer.start(
                    new InetSocketAddress(InetAddress.getByName(listen.host()), listen.port()),
                    () -> List.of(device),
                    () -> List.of(outboundLatency, inboundLatency),
                    identity == null ? null : iface,
                    () -> {
                        MeshNode node = meshForMetrics.get();
                        return node == null ? null : node.members();
                    },
                    device::healthy);
            accounting.start();
            if (identity != null) {
                MeshPeers[] created = new MeshPeers[1];
                mesh = startMesh(config, identity, relay -> {
                    created[0] = new MeshPeers(peers, config.device().listenPort(), relay::endpointFor);
                    return created[0];
                });
                meshPeers = created[0];
                meshForMetrics.set(mesh);
            }
            HostPort adminListen = config.gateway().adminListen();
            admin = AdminServer.start(
                    new InetSocketAddress(InetAddress.getByName(adminListen.host()), adminListen.port()),
                    token,
                    peers,
                    mesh);
            // Last: the socket is what wg-quick and the test fixtures take as "ready", so metrics and
            // the admin API must already answer when it appears.
            uapi = UapiServer.start(iface, new DeviceUapiService(device));
            device.terminated().thenAccept(reason -> events.offer("gone:" + reason));
            LOG.info(iface + " up: " + config.device().peers().size() + " peers in the file, "
                    + registry.accounting().size() + " registered, UDP " + device.listenPort() + ", UAPI "
                    + UapiServer.socketPath(iface) + ", admin API " + adminListen
                    + (mesh == null
                            ? ""
                            : ", mesh on " + config.gateway().gossip().get()));
            GatewayConfig current = config;
            while (true) {
                String event = events.take();
                if (!event.equals("reload")) {
                    LOG.info("shutting down ({})", event);
                    return 0;
                }
                current = reload(peers, routes, current);
            }
        } catch (NativeIoException e) {
            err.println("ringguard: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("ringguard: " + iface + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            // Stop taking API calls, store every counted byte, close the registry, then the dataplane.
            if (admin != null) {
                admin.close();
            }
            // Leave the mesh while the dataplane still runs, so members drop this peer at once.
            if (mesh != null) {
                mesh.close();
            }
            if (meshPeers != null) {
                meshPeers.close();
            }
            accounting.close();
            store.close();
            if (metrics != null) {
                metrics.close();
            }
            if (uapi != null) {
                uapi.close();
            }
            device.close();
        }
    }

    /**
     * Binds {@code Gossip} and starts the membership thread. Mesh addresses are the interface's own
     * addresses as host prefixes (what members route to this gateway).
     */
    private static MeshNode startMesh(
            GatewayConfig config,
            MeshIdentity identity,
            java.util.function.Function<PairRelay, io.ringguard.membership.swim.MembershipListener> listener)
            throws IOException {
        HostPort listen = config.gateway().gossip().orElseThrow();
        List<InetSocketAddress> seeds = new ArrayList<>();
        for (HostPort seed : config.gateway().gossipSeeds()) {
            seeds.add(new InetSocketAddress(InetAddress.getByName(seed.host()), seed.port()));
        }
        List<MeshPrefix> addresses = new ArrayList<>();
        for (InterfaceAddress a : config.addresses()) {
            addresses.add(MeshPrefix.parse(a.hostPrefix().toString()));
        }
        byte[] wgKey = config.device()
                .publicKey()
                .orElseThrow(() -> new IOException("Gossip needs the interface's PrivateKey"))
                .bytes();
        return MeshNode.start(
                new InetSocketAddress(InetAddress.getByName(listen.host()), listen.port()),
                seeds,
                identity,
                addresses,
                wgKey,
                config.device().listenPort(),
                listener);
    }

    /**
     * Addresses the pool never hands out: the gateway's own, and the host routes ({@code /32},
     * {@code /128}) the file gives its static peers.
     */
    private static List<InetAddress> neverHandedOut(GatewayConfig config) {
        List<InetAddress> out = new ArrayList<>();
        try {
            for (InterfaceAddress a : config.addresses()) {
                out.add(InetAddress.getByAddress(a.address()));
            }
            for (PeerConfig peer : config.device().peers().values()) {
                for (Cidr c : peer.allowedIps()) {
                    if (c.prefixLength() == c.address().length * 8) {
                        out.add(InetAddress.getByAddress(c.address()));
                    }
                }
            }
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
        return out;
    }

    /**
     * The kernel routes for every dataplane peer's allowed IPs, kept in step with registrations and
     * reloads; only what changed is added or removed (a registration must not re-run one {@code ip}
     * command per registered peer). Inert until the link is configured.
     */
    private final class Routes {
        private final String iface;
        private final Device device;
        private Set<Cidr> routed = Set.of(); // guarded by this
        private boolean enabled; // guarded by this

        Routes(String iface, Device device) {
            this.iface = iface;
            this.device = device;
        }

        synchronized void enable() {
            enabled = true;
            reconcile();
        }

        synchronized void reconcile() {
            if (!enabled) {
                return;
            }
            Set<Cidr> wanted = LinkSetup.allowedIps(device.config());
            Set<Cidr> removed = new HashSet<>(routed);
            removed.removeAll(wanted);
            Set<Cidr> added = new HashSet<>(wanted);
            added.removeAll(routed);
            try {
                LinkSetup.routes(iface, removed, added);
                routed = wanted;
            } catch (IOException e) {
                LOG.warn("routes: {}", e.getMessage());
            }
        }
    }

    /**
     * SIGHUP: re-reads the file; a bad file changes nothing (logged). Peers whose settings did not
     * change keep their sessions and counters; a changed PSK applies without removing the peer.
     * Registered peers stay (merged with the file's as at start).
     */
    private GatewayConfig reload(PeerService peers, Routes routes, GatewayConfig current) {
        GatewayConfig next;
        try {
            next = parser.parse(configFile);
        } catch (ConfigException e) {
            LOG.warn("reload refused, still running the previous configuration: {}", e.getMessage());
            return current;
        }
        if (!next.interfaceName().equals(current.interfaceName())) {
            LOG.warn("reload refused: the interface name cannot change");
            return current;
        }
        int errno;
        try {
            errno = peers.applyFileConfig(next.device());
        } catch (StorageException e) {
            LOG.warn("reload refused, the peer registry cannot be read: {}", e.getMessage());
            return current;
        }
        if (errno != 0) {
            LOG.warn("reload refused (errno {}), still running the previous configuration", errno);
            return current;
        }
        try {
            LinkSetup.reconcile(current.interfaceName(), current.addresses(), next.addresses(), next.mtu());
        } catch (IOException e) {
            LOG.warn("reload: addresses: {}", e.getMessage());
        }
        routes.reconcile();
        LOG.info("reloaded {}: {} peers", configFile, next.device().peers().size());
        return next;
    }
}
