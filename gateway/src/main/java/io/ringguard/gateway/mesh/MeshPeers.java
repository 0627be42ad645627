package io.ringguard.gateway.mesh;

import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.PeerConfig;
import io.ringguard.dataplane.config.PublicKey;
import io.ringguard.gateway.admin.PeerService;
import io.ringguard.membership.identity.Endpoint;
import io.ringguard.membership.identity.MeshPrefix;
import io.ringguard.membership.swim.MemberView;
import io.ringguard.membership.swim.MembershipListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns mesh members into WireGuard peers of the dataplane, through {@link PeerService} (the path the
 * admin API takes): up or changed = put the peer (its WireGuard key, AllowedIPs = its mesh addresses,
 * the endpoint its path gives), down (dead, left, revoked) = remove it.
 *
 * <pre>
 *  engine thread: onMember* -> queue (the engine must not wait for the dataplane or for ip(8))
 *  "ringguard-mesh-peers": applies the changes in order, one at a time
 * </pre>
 *
 * Listener methods run on the engine's thread; {@link #close()} on any thread.
 */
public final class MeshPeers implements MembershipListener, AutoCloseable {
    /** Keeps a NAT mapping to a member open, and makes both sides initiate (a WireGuard-level punch). */
    public static final int KEEPALIVE_SECONDS = 25;

    private static final Logger LOG = LoggerFactory.getLogger(MeshPeers.class);

    private final PeerService peers;
    private final int wireguardPort;
    private final Function<MemberView, Endpoint> relayEndpoint;
    private final ExecutorService applier = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ringguard-mesh-peers");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param wireguardPort the WireGuard port every member listens on (this gateway's ListenPort)
     * @param relayEndpoint the relay's forwarder for the pair when WireGuard must go through one, or
     *     {@link Endpoint#NONE} to go direct; called on the engine's thread
     */
    public MeshPeers(PeerService peers, int wireguardPort, Function<MemberView, Endpoint> relayEndpoint) {
        this.peers = peers;
        this.wireguardPort = wireguardPort;
        this.relayEndpoint = relayEndpoint;
    }

    @Override
    public void onMemberUp(MemberView member) {
        put(member);
    }

    @Override
    public void onMemberChanged(MemberView member) {
        if (member.state().isUp()) {
            put(member);
        }
    }

    @Override
    public void onMemberDown(MemberView member) {
        PublicKey key = PublicKey.of(member.wgPublicKey().toBytes());
        submit(() -> {
            if (peers.removeMeshPeer(key)) {
                LOG.info(
                        "mesh: removed member {} ({})",
                        member.nodeKey(),
                        member.state().jsonName());
            }
        });
    }

    private void put(MemberView member) {
        Endpoint endpoint = endpointOf(member);
        PeerConfig peer = peerConfig(member, endpoint);
        submit(() -> {
            if (peers.putMeshPeer(peer)) {
                LOG.debug(
                        "mesh: member {} at {} via {}",
                        member.nodeKey(),
                        endpoint,
                        member.path().jsonName());
            }
        });
    }

    /** Where WireGuard sends to this member: the relay's forwarder on a relay path, else its own port. */
    Endpoint endpointOf(MemberView member) {
        Endpoint relay = relayEndpoint.apply(member);
        if (!relay.isNone()) {
            return relay;
        }
        Endpoint best = member.bestEndpoint();
        return best.isNone() ? Endpoint.NONE : new Endpoint(best.family(), best.hi(), best.lo(), wireguardPort);
    }

    /** The dataplane peer for {@code member}: its WireGuard key, its mesh addresses, the endpoint. */
    static PeerConfig peerConfig(MemberView member, Endpoint endpoint) {
        List<Cidr> allowed = new ArrayList<>(member.meshAddresses().size());
        for (MeshPrefix p : member.meshAddresses()) {
            allowed.add(Cidr.parse(p.toString()));
        }
        PeerConfig.Builder b = PeerConfig.builder(
                        PublicKey.of(member.wgPublicKey().toBytes()))
                .allowedIps(allowed)
                .persistentKeepaliveSeconds(KEEPALIVE_SECONDS);
        if (!endpoint.isNone()) {
            b.endpoint(io.ringguard.dataplane.config.Endpoint.of(
                    endpoint.toSocketAddress().getAddress().getAddress(), endpoint.port()));
        }
        return b.build();
    }

    private void submit(Runnable change) {
        try {
            applier.execute(() -> {
                try {
                    change.run();
                } catch (RuntimeException e) {
                    LOG.warn("mesh: could not apply a member change: {}", e.getMessage());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Shutting down: the dataplane is about to go with every peer.
        }
    }

    /** Applies what is queued (at most 2 s), then stops. */
    @Override
    public void close() {
        applier.shutdown();
        try {
            applier.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        applier.shutdownNow();
    }
}
