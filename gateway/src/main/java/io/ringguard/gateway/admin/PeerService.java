package io.ringguard.gateway.admin;

import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.DeviceConfig;
import io.ringguard.dataplane.config.Endpoint;
import io.ringguard.dataplane.config.PeerConfig;
import io.ringguard.dataplane.config.PublicKey;
import io.ringguard.dataplane.device.Device;
import io.ringguard.dataplane.device.Peer;
import io.ringguard.dataplane.device.PeerEndpoint;
import io.ringguard.gateway.config.ClientConfig;
import io.ringguard.gateway.config.GatewayConfigWriter;
import io.ringguard.gateway.config.HostPort;
import io.ringguard.gateway.config.InterfaceAddress;
import io.ringguard.gateway.registry.AccountingSync;
import io.ringguard.gateway.registry.ByteTotals;
import io.ringguard.gateway.registry.PeerRecord;
import io.ringguard.gateway.registry.PeerRegistry;
import io.ringguard.gateway.registry.PeerUpdate;
import io.ringguard.gateway.registry.PoolExhaustedException;
import io.ringguard.gateway.registry.RegistrationRequest;
import io.ringguard.gateway.registry.StorageException;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's operations on registered peers, keeping the dataplane, storage, the address pool
 * and the accounting consistent (CONTRACTS.md section 5). HTTP-free: {@link AdminServer} maps its
 * results and {@link AdminApiException}s to JSON.
 *
 * <pre>
 * register: reserve addresses -> add the peer to the dataplane -> store it (commit)
 *           a failed step undoes the earlier ones: the dataplane peer is removed, the reservation freed
 * update:   change the dataplane peer in place (same Peer: session and counters kept) -> store
 *           a failed store puts the old settings back
 * remove:   remove from the dataplane -> sync its last bytes -> delete the row -> release addresses
 *           (the addresses return to the pool only once nothing routes them)
 * </pre>
 *
 * Peers of the config file ("static" peers) win over the registry for their dataplane settings: a key
 * in both keeps the file's settings and the registry's counters and allowance.
 *
 * <p>Any thread. Changes are serialized by one lock (a change is a dataplane step plus a storage
 * step, and two changes must not interleave between them); reads take no lock.
 */
public final class PeerService {
    /** How long a registered client keeps its NAT mapping open (the client config's PersistentKeepalive). */
    public static final int CLIENT_KEEPALIVE_SECONDS = 25;

    private static final Logger LOG = LoggerFactory.getLogger(PeerService.class);
    private static final int EINVAL = 22;

    private final PeerRegistry registry;
    private final Device device;
    private final GatewayAccounting accounting;
    private final List<Cidr> clientAllowedIps;
    private final Runnable dataplaneChanged;
    private final Object changes = new Object();
    private volatile Set<PublicKey> staticKeys = Set.of();
    /** Peers the mesh added (members of the gateway mesh), kept across reloads; guarded by changes. */
    private final Map<PublicKey, PeerConfig> meshPeers = new LinkedHashMap<>();

    /**
     * @param registry the registry; its pool may be null when no {@code AddressPool} is configured
     *     (then registration answers 409)
     * @param clientAllowedIps what a client routes into the tunnel (its config's AllowedIPs): the pool
     * @param dataplaneChanged called after the dataplane's peers or allowed IPs changed (e.g. to route
     *     the allowed IPs through the interface), under the change lock
     */
    public PeerService(
            PeerRegistry registry,
            Device device,
            GatewayAccounting accounting,
            List<Cidr> clientAllowedIps,
            Runnable dataplaneChanged) {
        this.registry = registry;
        this.device = device;
        this.accounting = accounting;
        this.clientAllowedIps = List.copyOf(clientAllowedIps);
        this.dataplaneChanged = dataplaneChanged;
    }

    /** A registration's answer: {@code created} is false for a repeated call (HTTP 200, not 201). */
    public record Registered(PeerView peer, String clientConfig, boolean created) {}

    /** The parts of a {@code PATCH}; null lists and false flags leave a setting as it is. */
    public record Patch(
            boolean setPresharedKey,
            byte[] presharedKey,
            boolean setAllowance,
            long allowanceBytes,
            List<Cidr> allowedIps) {
        public Patch {
            allowedIps = allowedIps == null ? null : List.copyOf(allowedIps);
        }

        boolean touchesDataplane() {
            return setPresharedKey || allowedIps != null;
        }

        PeerUpdate toUpdate() {
            PeerUpdate u = PeerUpdate.NONE;
            if (setPresharedKey) {
                u = u.withPresharedKey(presharedKey);
            }
            if (setAllowance) {
                u = u.withAllowanceBytes(allowanceBytes);
            }
            if (allowedIps != null) {
                u = u.withAllowedIps(allowedIps);
            }
            return u;
        }
    }

    /**
     * Applies the config file's device settings and peers merged with the registered peers (startup and
     * SIGHUP). A registered peer whose allowed IPs the file gives to another peer is left out, logged.
     *
     * @return the dataplane's errno, 0 when applied
     * @throws StorageException when the registry cannot be read (nothing applied)
     */
    public int applyFileConfig(DeviceConfig file) {
        synchronized (changes) {
            DeviceConfig merged = withMeshPeers(merge(file, registry.list()));
            int errno = device.update(current -> new Device.ConfigUpdate(merged, Set.of(), 0));
            if (errno == 0) {
                staticKeys = Set.copyOf(file.peers().keySet());
                accounting.refresh();
                dataplaneChanged.run();
            }
            return errno;
        }
    }

    /** {@code config} plus the mesh's peers that it does not name and that do not collide. */
    private DeviceConfig withMeshPeers(DeviceConfig config) {
        if (meshPeers.isEmpty()) {
            return config;
        }
        DeviceConfig.Builder b = config.toBuilder();
        Set<Cidr> taken = new HashSet<>();
        for (PeerConfig pc : config.peers().values()) {
            taken.addAll(pc.allowedIps());
        }
        for (PeerConfig pc : meshPeers.values()) {
            if (config.peers().containsKey(pc.publicKey())
                    || pc.allowedIps().stream().anyMatch(taken::contains)) {
                LOG.warn("mesh member " + pc.publicKey() + " left out: its key or addresses are taken");
                continue;
            }
            taken.addAll(pc.allowedIps());
            b.putPeer(pc);
        }
        return b.build();
    }

    /**
     * Adds or updates a member of the gateway mesh as a dataplane peer (not stored in the registry: the
     * mesh re-learns its members at every start). Unchanged settings are a no-op, and a new endpoint
     * keeps the session. Refused (false, logged) when the key is a file or registered peer, or its
     * addresses are another peer's.
     */
    public boolean putMeshPeer(PeerConfig peer) {
        synchronized (changes) {
            PublicKey key = peer.publicKey();
            if (staticKeys.contains(key)
                    || (!meshPeers.containsKey(key) && registry.get(key).isPresent())
                    || device.config().publicKey().map(key::equals).orElse(false)) {
                LOG.warn("mesh member " + key + " not added: the key is this gateway's, or a file or registered peer");
                return false;
            }
            if (peer.equals(meshPeers.get(key)) && device.config().peer(key).isPresent()) {
                return true;
            }
            try {
                dataplane(
                        "mesh member " + key,
                        current -> current.toBuilder().putPeer(peer).build());
            } catch (AdminApiException e) {
                LOG.warn(e.detail());
                return false;
            }
            meshPeers.put(key, peer);
            dataplaneChanged.run();
            return true;
        }
    }

    /** Removes a mesh member's peer (dead, left or revoked); false when the mesh had not added it. */
    public boolean removeMeshPeer(PublicKey key) {
        synchronized (changes) {
            if (meshPeers.remove(key) == null) {
                return false;
            }
            dataplane("remove mesh member " + key, current -> without(current, key));
            dataplaneChanged.run();
            return true;
        }
    }

    /** The file's config plus every registered peer that it does not name and that does not collide. */
    static DeviceConfig merge(DeviceConfig file, List<PeerRecord> registered) {
        DeviceConfig.Builder b = file.toBuilder();
        Set<Cidr> taken = new HashSet<>();
        for (PeerConfig pc : file.peers().values()) {
            taken.addAll(pc.allowedIps());
        }
        Optional<PublicKey> own = file.publicKey();
        for (PeerRecord r : registered) {
            if (file.peers().containsKey(r.publicKey())) {
                continue; // the file wins for its settings; the registry keeps counting it
            }
            if (own.isPresent() && own.get().equals(r.publicKey())) {
                LOG.warn("registered peer " + r.publicKey() + " is this gateway's own key: left out");
                continue;
            }
            List<Cidr> clash = r.allowedIps().stream().filter(taken::contains).toList();
            if (!clash.isEmpty()) {
                LOG.warn("registered peer " + r.publicKey() + " left out: the config file routes " + clash
                        + " to another peer");
                continue;
            }
            taken.addAll(r.allowedIps());
            b.putPeer(peerConfig(r.publicKey(), r.presharedKey(), r.allowedIps(), r.endpoint()));
        }
        return b.build();
    }

    /**
     * {@code POST /v1/peers}: allocates addresses, adds the peer to the dataplane, stores it. The same
     * call for a registered key changes nothing and answers its existing addresses (created false).
     *
     * @param clientEndpointHost the host clients reach this gateway under (their config's Endpoint)
     * @param allowanceGiven false when the call did not name an allowance (a repeated call then matches
     *     whatever allowance the peer has now)
     * @throws AdminApiException 409 when the pool is exhausted or absent, the key is a config-file peer,
     *     the key is registered with other settings, or its addresses collide in the dataplane
     */
    public Registered register(RegistrationRequest request, boolean allowanceGiven, String clientEndpointHost) {
        PublicKey key = request.publicKey();
        synchronized (changes) {
            if (staticKeys.contains(key)) {
                throw AdminApiException.conflict(key + " is a peer of the config file; edit the file instead");
            }
            if (device.config().publicKey().map(key::equals).orElse(false)) {
                throw AdminApiException.conflict(key + " is this gateway's own public key");
            }
            Optional<PeerRecord> existing = registry.get(key);
            if (existing.isPresent()) {
                return again(existing.get(), request, allowanceGiven, clientEndpointHost);
            }
            if (registry.pool() == null) {
                throw new AdminApiException(409, "pool_exhausted", "no AddressPool is configured in [Gateway]");
            }
            if (device.config().peers().size() >= device.maxPeers()) {
                throw peerLimit();
            }
            PeerRegistry.Registration done;
            try (PeerRegistry.Pending pending = registry.prepare(request)) {
                if (!pending.isNew()) {
                    return again(pending.record(), request, allowanceGiven, clientEndpointHost);
                }
                PeerRecord r = pending.record();
                PeerConfig pc = peerConfig(key, r.presharedKey(), r.allowedIps(), r.endpoint());
                dataplane(
                        "add " + key, current -> current.toBuilder().putPeer(pc).build());
                try {
                    done = pending.commit();
                } catch (RuntimeException e) {
                    undo(e, "remove " + key, current -> without(current, key));
                    throw e;
                }
                if (!done.created()) {
                    // Another gateway sharing the database registered it meanwhile: route its addresses.
                    PeerRecord theirs = done.record();
                    dataplane(
                            "re-add " + key,
                            current -> current.toBuilder()
                                    .putPeer(peerConfig(
                                            key, theirs.presharedKey(), theirs.allowedIps(), theirs.endpoint()))
                                    .build());
                }
            } catch (PoolExhaustedException e) {
                throw new AdminApiException(409, "pool_exhausted", e.getMessage());
            }
            accounting.refresh();
            dataplaneChanged.run();
            LOG.info("registered " + key + " with " + done.record().addresses());
            return new Registered(view(done.record()), clientConfig(done.record(), clientEndpointHost), done.created());
        }
    }

    /** A repeated registration: same settings answer the peer as it is; different ones are a conflict. */
    private Registered again(
            PeerRecord r, RegistrationRequest request, boolean allowanceGiven, String clientEndpointHost) {
        byte[] stored = r.presharedKey();
        byte[] asked = request.presharedKey();
        boolean samePsk = stored == null ? asked == null : asked != null && MessageDigest.isEqual(stored, asked);
        long allowance = currentAllowance(r);
        if (!samePsk || (allowanceGiven && request.allowanceBytes() != allowance)) {
            throw AdminApiException.conflict(r.publicKey()
                    + " is registered with a different preshared key or allowance; PATCH it to change them");
        }
        // A registered peer belongs in the dataplane (it may have been removed over the UAPI). A peer
        // that is there already is left alone: same Peer, same session and counters.
        dataplane(
                "restore " + r.publicKey(),
                current -> current.peer(r.publicKey()).isPresent()
                        ? current
                        : current.toBuilder()
                                .putPeer(peerConfig(r.publicKey(), r.presharedKey(), r.allowedIps(), r.endpoint()))
                                .build());
        accounting.refresh();
        return new Registered(view(r), clientConfig(r, clientEndpointHost), false);
    }

    /** {@code GET /v1/peers}: every registered peer, oldest first. */
    public List<PeerView> list() {
        List<PeerView> out = new ArrayList<>();
        for (PeerRecord r : registry.list()) {
            out.add(view(r));
        }
        return out;
    }

    /** {@code GET /v1/peers/{key}}. */
    public PeerView get(PublicKey key) {
        return view(registry.get(key).orElseThrow(() -> AdminApiException.unknownPeer(key)));
    }

    /**
     * {@code PATCH /v1/peers/{key}}: changes the preshared key, allowance or allowed IPs. The dataplane
     * peer is changed in place, so its session and counters stay; a raised allowance unblocks it.
     */
    public PeerView update(PublicKey key, Patch patch) {
        synchronized (changes) {
            PeerRecord old = registry.get(key).orElseThrow(() -> AdminApiException.unknownPeer(key));
            boolean dataplane = patch.touchesDataplane() && !staticKeys.contains(key);
            if (patch.touchesDataplane() && staticKeys.contains(key)) {
                throw AdminApiException.conflict(
                        key + " is a peer of the config file: its preshared key and allowed IPs come from the file");
            }
            PeerConfig before = peerConfig(key, old.presharedKey(), old.allowedIps(), old.endpoint());
            PeerConfig after = peerConfig(
                    key,
                    patch.setPresharedKey() ? patch.presharedKey() : old.presharedKey(),
                    patch.allowedIps() != null ? patch.allowedIps() : old.allowedIps(),
                    old.endpoint());
            if (dataplane) {
                dataplane(
                        "update " + key,
                        current -> current.toBuilder().putPeer(after).build());
            }
            PeerRecord updated;
            try {
                updated = registry.update(key, patch.toUpdate()).orElseThrow(() -> AdminApiException.unknownPeer(key));
            } catch (RuntimeException e) {
                if (dataplane) {
                    undo(
                            e,
                            "restore " + key,
                            current -> current.toBuilder().putPeer(before).build());
                }
                throw e;
            }
            accounting.refresh();
            if (dataplane) {
                dataplaneChanged.run();
            }
            LOG.info("updated " + key + ": " + patch.toUpdate());
            return view(updated);
        }
    }

    /**
     * {@code DELETE /v1/peers/{key}}: removes the peer from the dataplane, charges its last bytes,
     * deletes it, then returns its addresses to the pool. Answers its final accounted view.
     */
    public PeerView remove(PublicKey key) {
        synchronized (changes) {
            PeerRecord r = registry.get(key).orElseThrow(() -> AdminApiException.unknownPeer(key));
            boolean owned = !staticKeys.contains(key);
            PeerConfig before = peerConfig(key, r.presharedKey(), r.allowedIps(), r.endpoint());
            if (owned) {
                dataplane("remove " + key, current -> without(current, key));
            }
            PeerRegistry.Removal removal;
            try {
                accounting.sync(); // its last bytes, while its handle still exists
                removal = registry.remove(key).orElseThrow(() -> AdminApiException.unknownPeer(key));
            } catch (RuntimeException e) {
                if (owned) {
                    undo(
                            e,
                            "restore " + key,
                            current -> current.toBuilder().putPeer(before).build());
                }
                throw e;
            }
            accounting.refresh();
            try {
                if (registry.pool() != null) {
                    removal.releaseAddresses();
                }
            } catch (StorageException e) {
                // The peer is gone; its addresses stay held until the next start reclaims them.
                LOG.warn("removed " + key + " but could not release " + r.addresses() + ": " + e.getMessage());
            }
            if (owned) {
                dataplaneChanged.run();
            }
            LOG.info("removed " + key + ", released " + r.addresses());
            PeerRecord last = removal.record();
            return new PeerView(
                    key,
                    last.addresses(),
                    last.endpoint() == null ? null : last.endpoint().toString(),
                    last.rxBytes(),
                    last.txBytes(),
                    last.allowanceBytes(),
                    remaining(last.allowanceBytes(), last.storedTotals()),
                    0);
        }
    }

    private PeerView view(PeerRecord r) {
        PublicKey key = r.publicKey();
        AccountingSync sync = registry.accounting();
        ByteTotals totals = sync.totals(key).orElse(r.storedTotals());
        long allowance = currentAllowance(r);
        Peer live = device.peer(key);
        String endpoint = r.endpoint() == null ? null : r.endpoint().toString();
        long handshakeUnix = 0;
        if (live != null) {
            PeerEndpoint e = live.endpoint();
            if (e != null) {
                InetSocketAddress a = e.toSocketAddress();
                endpoint = Endpoint.of(a.getAddress().getAddress(), a.getPort()).toString();
            }
            handshakeUnix = live.lastHandshakeEpochNs() / 1_000_000_000L;
        }
        return new PeerView(
                key,
                r.addresses(),
                endpoint,
                totals.rxBytes(),
                totals.txBytes(),
                allowance,
                remaining(allowance, totals),
                handshakeUnix);
    }

    private long currentAllowance(PeerRecord r) {
        var handle = registry.accounting().handle(r.publicKey());
        return handle == null ? r.allowanceBytes() : handle.allowanceBytes();
    }

    private static long remaining(long allowanceBytes, ByteTotals totals) {
        return allowanceBytes == PeerRecord.UNLIMITED
                ? Long.MAX_VALUE
                : Math.max(0, allowanceBytes - totals.totalBytes());
    }

    private String clientConfig(PeerRecord r, String endpointHost) {
        PublicKey gateway = device.config()
                .publicKey()
                .orElseThrow(() -> new AdminApiException(
                        503, "dataplane_unavailable", "the gateway has no private key configured"));
        List<InterfaceAddress> addresses = r.addresses().stream()
                .map(c -> InterfaceAddress.of(c.address(), c.prefixLength()))
                .toList();
        return GatewayConfigWriter.clientConfig(new ClientConfig(
                addresses,
                List.of(),
                0,
                gateway,
                r.presharedKey() != null,
                new HostPort(endpointHost, device.listenPort()),
                clientAllowedIps,
                CLIENT_KEEPALIVE_SECONDS));
    }

    static PeerConfig peerConfig(PublicKey key, byte[] presharedKey, List<Cidr> allowedIps, Endpoint endpoint) {
        PeerConfig.Builder b = PeerConfig.builder(key).allowedIps(allowedIps);
        if (presharedKey != null) {
            b.presharedKey(presharedKey);
        }
        if (endpoint != null) {
            b.endpoint(endpoint);
        }
        return b.build();
    }

    private static DeviceConfig without(DeviceConfig current, PublicKey key) {
        DeviceConfig.Builder b = current.toBuilder();
        b.removePeer(key);
        return b.build();
    }

    /**
     * Applies {@code change} on the dataplane's control thread, atomically.
     *
     * @throws AdminApiException 409 when the new config is invalid (an allowed IP given to two peers),
     *     503 when the dataplane refused it
     */
    private void dataplane(String what, UnaryOperator<DeviceConfig> change) {
        AtomicReference<String> invalid = new AtomicReference<>();
        int errno = device.update(current -> {
            try {
                return new Device.ConfigUpdate(change.apply(current), Set.of(), 0);
            } catch (IllegalArgumentException e) {
                invalid.set(e.getMessage());
                return Device.ConfigUpdate.rejected(EINVAL);
            }
        });
        if (errno == 0) {
            return;
        }
        if (invalid.get() != null) {
            throw AdminApiException.conflict(what + ": " + invalid.get());
        }
        if (errno == EINVAL) {
            // The only change the dataplane itself refuses with EINVAL: one peer too many (a UAPI set
            // may have added peers since the check in register).
            throw peerLimit();
        }
        throw new AdminApiException(
                503, "dataplane_unavailable", what + ": the dataplane refused the change (errno " + errno + ")");
    }

    private AdminApiException peerLimit() {
        return new AdminApiException(
                409,
                "peer_limit",
                "the gateway has " + device.config().peers().size() + " peers, its limit (MaxPeers = "
                        + device.maxPeers() + " in [Gateway]); remove a peer or raise MaxPeers");
    }

    /** Undoes a dataplane step after a later step failed; a failed undo is attached to the failure. */
    private void undo(RuntimeException failure, String what, UnaryOperator<DeviceConfig> change) {
        try {
            dataplane(what, change);
        } catch (AdminApiException again) {
            failure.addSuppressed(again);
            LOG.error("could not undo a dataplane change after a failure: " + again.getMessage());
        }
    }
}
