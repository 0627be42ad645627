package io.ringguard.gateway.config;

import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.device.DeviceSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The RingGuard-only {@code [Gateway]} section (CONTRACTS.md section 3), with every default filled
 * in.
 *
 * @param metricsListen where {@code /metrics} and {@code /healthz} are served; default {@code
 *     127.0.0.1:9586}
 * @param adminListen the admin and registration API; default {@code 127.0.0.1:9587}. Anything but
 *     loopback requires {@code adminTokenFile}
 * @param storage the peer registry; default {@code sqlite:/var/lib/ringguard/IFACE.db}
 * @param addressPool prefixes client addresses are allocated from, as written (masked); may be
 *     empty, then registration cannot allocate
 * @param workers crypto workers, or {@link #WORKERS_AUTO}
 * @param gossip the membership listen address; empty = standalone
 * @param gossipSeeds members to join through at startup
 * @param orgPublicKey the key that signs vouches and org control messages
 * @param adminTokenFile the file holding the admin API's bearer token
 * @param maxPeers most peers the interface takes, file and registered together; default {@value
 *     DeviceSettings#DEFAULT_MAX_PEERS} (wireguard-go's limit), at most {@value DeviceSettings#MAX_MAX_PEERS}
 * @param nodeKeyFile the mesh node's Ed25519 private key (mode 0600, created on first start); default
 *     {@code /var/lib/ringguard/IFACE.nodekey}
 * @param vouchFile the org's vouch for this node's key ({@code ringguard org vouch}'s output); required
 *     with {@code gossip}
 */
public record GatewaySettings(
        HostPort metricsListen,
        HostPort adminListen,
        Storage storage,
        List<Cidr> addressPool,
        int workers,
        Optional<HostPort> gossip,
        List<HostPort> gossipSeeds,
        Optional<OrgPublicKey> orgPublicKey,
        Optional<Path> adminTokenFile,
        int maxPeers,
        Optional<Path> nodeKeyFile,
        Optional<Path> vouchFile) {
    /** {@code Workers = auto}: one fewer than the available cores, at least 1. */
    public static final int WORKERS_AUTO = 0;

    /** An upper bound that catches typos; far more workers than cores only adds contention. */
    public static final int MAX_WORKERS = 1024;

    public static final HostPort DEFAULT_METRICS_LISTEN = new HostPort("127.0.0.1", 9586);
    public static final HostPort DEFAULT_ADMIN_LISTEN = new HostPort("127.0.0.1", 9587);
    public static final Path DEFAULT_STORAGE_DIRECTORY = Path.of("/var/lib/ringguard");

    public GatewaySettings {
        Objects.requireNonNull(metricsListen, "metricsListen");
        Objects.requireNonNull(adminListen, "adminListen");
        Objects.requireNonNull(storage, "storage");
        addressPool = List.copyOf(addressPool);
        gossipSeeds = List.copyOf(gossipSeeds);
        if (workers < 0 || workers > MAX_WORKERS) {
            throw new IllegalArgumentException("workers must be auto or 1 to " + MAX_WORKERS);
        }
        if (maxPeers < 1 || maxPeers > DeviceSettings.MAX_MAX_PEERS) {
            throw new IllegalArgumentException("max peers must be 1 to " + DeviceSettings.MAX_MAX_PEERS);
        }
    }

    /** The settings of a file without a {@code [Gateway]} section, for interface {@code iface}. */
    public static GatewaySettings defaults(String iface) {
        return new GatewaySettings(
                DEFAULT_METRICS_LISTEN,
                DEFAULT_ADMIN_LISTEN,
                defaultStorage(iface),
                List.of(),
                WORKERS_AUTO,
                Optional.empty(),
                List.of(),
                Optional.empty(),
                Optional.empty(),
                DeviceSettings.DEFAULT_MAX_PEERS,
                Optional.empty(),
                Optional.empty());
    }

    /** {@code NodeKeyFile}, or {@code /var/lib/ringguard/IFACE.nodekey} when it is not set. */
    public Path nodeKeyFileOrDefault(String iface) {
        return nodeKeyFile.orElse(DEFAULT_STORAGE_DIRECTORY.resolve(iface + ".nodekey"));
    }

    /** {@code sqlite:/var/lib/ringguard/IFACE.db}. */
    public static Storage defaultStorage(String iface) {
        return new Storage.Sqlite(DEFAULT_STORAGE_DIRECTORY.resolve(iface + ".db"));
    }

    /** The number of crypto workers to start on a machine with {@code availableProcessors} cores. */
    public int workerCount(int availableProcessors) {
        return workers == WORKERS_AUTO ? Math.max(1, availableProcessors - 1) : workers;
    }
}
