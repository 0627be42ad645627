package io.ringguard.gateway.mesh;

import io.ringguard.gateway.admin.MeshControl;
import io.ringguard.membership.identity.Endpoint;
import io.ringguard.membership.identity.MeshPrefix;
import io.ringguard.membership.org.OrgMessage;
import io.ringguard.membership.org.OrgRegistry;
import io.ringguard.membership.swim.LocalNode;
import io.ringguard.membership.swim.MemberView;
import io.ringguard.membership.swim.MembershipConfig;
import io.ringguard.membership.swim.MembershipEngine;
import io.ringguard.membership.swim.MembershipListener;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's membership node: the gossip UDP socket and the one thread that owns the {@link
 * MembershipEngine} (the engine is single-threaded). Other threads talk to it through a task queue.
 *
 * <pre>
 *  "ringguard-mesh" loop:
 *    1. run queued tasks (admin API calls, leave)
 *    2. engine.tick(now): probes, suspicion, punches, gossip, push-pull; returns when it is next due
 *    3. wait on the socket until then (at most 100 ms), feed each datagram to engine.onDatagram
 * </pre>
 *
 * Datagrams for the {@link PairRelay} control protocol share the gossip socket; they start with a
 * different magic and go to the relay instead of the engine.
 */
public final class MeshNode implements MeshControl, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MeshNode.class);
    private static final long MAX_WAIT_MS = 100;
    private static final int MAX_DATAGRAMS_PER_WAKEUP = 64;
    private static final long CALL_TIMEOUT_MS = 2_000;
    private static final int DATAGRAM_BYTES = 2048;

    private final DatagramChannel channel;
    private final Selector selector;
    private final MembershipEngine engine;
    private final List<Endpoint> seeds;
    private final PairRelay relay;
    private final io.ringguard.membership.identity.Ed25519Authenticator signer;
    private final int wireguardPort;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final byte[] rxBytes = new byte[DATAGRAM_BYTES];
    private final ByteBuffer rx = ByteBuffer.wrap(rxBytes);
    private final UnsafeBuffer rxBuffer = new UnsafeBuffer(rxBytes);
    private final ByteBuffer tx = ByteBuffer.allocate(DATAGRAM_BYTES);
    private final Thread thread;
    private final MembershipListener listener;
    private volatile boolean running = true;
    private volatile boolean leaving;
    private boolean revoked; // mesh thread only
    private long nextSelfCheckMs; // mesh thread only
    private long sendErrors; // mesh thread only

    private MeshNode(
            DatagramChannel channel,
            Selector selector,
            MeshIdentity identity,
            LocalNode local,
            MembershipListener listener,
            List<Endpoint> seeds,
            PairRelay relay,
            int wireguardPort) {
        this.channel = channel;
        this.signer = identity.signer();
        this.wireguardPort = wireguardPort;
        this.selector = selector;
        this.seeds = List.copyOf(seeds);
        this.relay = relay;
        this.listener = listener;
        this.engine = new MembershipEngine(
                MembershipConfig.lan(),
                identity.signer(),
                identity.orgKey(),
                local,
                this::send,
                listener,
                System.nanoTime() ^ identity.signer().publicKey().mix());
        this.thread = new Thread(this::run, "ringguard-mesh");
        this.thread.setDaemon(true);
    }

    /**
     * Binds the gossip socket and starts the mesh thread, which joins through {@code seeds}.
     *
     * @param listen the {@code Gossip} address; a wildcard address announces the local address that
     *     routes to the first seed (or nothing, until members report what they observe)
     * @param listenerFactory builds the listener once the relay exists (it needs its endpoints)
     * @throws IOException when the address cannot be bound (e.g. in use)
     */
    public static MeshNode start(
            InetSocketAddress listen,
            List<InetSocketAddress> seeds,
            MeshIdentity identity,
            List<MeshPrefix> meshAddresses,
            byte[] wgPublicKey,
            int wireguardPort,
            Function<PairRelay, MembershipListener> listenerFactory)
            throws IOException {
        DatagramChannel channel = DatagramChannel.open(
                listen.getAddress() instanceof java.net.Inet6Address
                        ? StandardProtocolFamily.INET6
                        : StandardProtocolFamily.INET);
        Selector selector = null;
        try {
            channel.bind(listen);
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
            InetSocketAddress bound = (InetSocketAddress) channel.getLocalAddress();
            Endpoint announced = announced(bound, seeds);
            List<Endpoint> seedEndpoints = new ArrayList<>();
            for (InetSocketAddress s : seeds) {
                Endpoint e = Endpoint.of(s);
                if (!e.equals(announced)) {
                    seedEndpoints.add(e);
                }
            }
            long wallMs = System.currentTimeMillis();
            LocalNode local = new LocalNode(
                    io.ringguard.membership.identity.NodeKey.of(wgPublicKey),
                    announced,
                    meshAddresses.size() > 4 ? meshAddresses.subList(0, 4) : meshAddresses,
                    identity.vouch(),
                    wallMs,
                    wallMs);
            PairRelay relay = new PairRelay(identity.signer().publicKey(), bound.getAddress());
            MembershipListener listener = listenerFactory.apply(relay);
            MeshNode node =
                    new MeshNode(channel, selector, identity, local, listener, seedEndpoints, relay, wireguardPort);
            relay.attach(node, listener);
            node.thread.start();
            LOG.info(
                    "mesh: node {} gossips on {} (announced {}), {} seeds",
                    identity.signer().publicKey().toBase64(),
                    bound,
                    announced,
                    seedEndpoints.size());
            return node;
        } catch (IOException | RuntimeException e) {
            if (selector != null) {
                selector.close();
            }
            channel.close();
            throw e;
        }
    }

    /** The bound address, or the source address the kernel picks towards the first seed. */
    private static Endpoint announced(InetSocketAddress bound, List<InetSocketAddress> seeds) throws IOException {
        if (!bound.getAddress().isAnyLocalAddress()) {
            return Endpoint.of(bound);
        }
        if (seeds.isEmpty()) {
            return Endpoint.NONE;
        }
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.connect(seeds.get(0)); // no packet: connect only picks the route and source address
            InetSocketAddress local = (InetSocketAddress) probe.getLocalAddress();
            return Endpoint.of(new InetSocketAddress(local.getAddress(), bound.getPort()));
        }
    }

    private void run() {
        try {
            engine.join(seeds, nowMs());
            while (running) {
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
                long nowMs = nowMs();
                long nextMs = engine.tick(nowMs);
                nextMs = Math.min(nextMs, relay.doWork(nowMs));
                if (nowMs >= nextSelfCheckMs) {
                    nextSelfCheckMs = nowMs + 1_000;
                    checkRevoked();
                }
                long waitMs = Math.max(1, Math.min(MAX_WAIT_MS, nextMs - nowMs));
                selector.select(waitMs);
                selector.selectedKeys().clear();
                receive(nowMs());
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("mesh: the membership thread stopped", e);
        }
    }

    /**
     * The engine stops on its own when the org revokes this node, without telling the listener: drop
     * every member's peer here, since this node may no longer talk to the mesh. Mesh thread.
     */
    private void checkRevoked() {
        if (revoked || leaving || engine.selfView().state() != io.ringguard.membership.swim.MemberState.LEFT) {
            return;
        }
        revoked = true;
        LOG.warn("mesh: the org revoked this node; removing every member's peer");
        for (MemberView m : engine.members()) {
            listener.onMemberDown(m);
        }
    }

    private void receive(long nowMs) throws IOException {
        for (int i = 0; i < MAX_DATAGRAMS_PER_WAKEUP; i++) {
            rx.clear();
            SocketAddress from = channel.receive(rx);
            if (from == null) {
                return;
            }
            Endpoint source = Endpoint.of((InetSocketAddress) from);
            int length = rx.position();
            if (PairRelay.isControl(rxBuffer, 0, length)) {
                relay.onControl(source, rxBuffer, 0, length, nowMs);
            } else {
                engine.onDatagram(source, rxBuffer, 0, length, nowMs);
            }
        }
    }

    /** The engine's (and the relay's) transport: one datagram from the gossip socket. Mesh thread. */
    void send(Endpoint to, DirectBuffer buffer, int offset, int lengthBytes) {
        if (lengthBytes > tx.capacity()) {
            sendErrors++;
            return;
        }
        tx.clear();
        buffer.getBytes(offset, tx, lengthBytes);
        tx.flip();
        try {
            channel.send(tx, to.toSocketAddress());
        } catch (IOException e) {
            // Unreachable networks and the like: SWIM treats it as a lost datagram.
            sendErrors++;
        }
    }

    /** Signs relay control messages; mesh thread only (the engine shares it). */
    io.ringguard.membership.identity.Ed25519Authenticator signer() {
        return signer;
    }

    /** The WireGuard port every member listens on. */
    int wireguardPort() {
        return wireguardPort;
    }

    /** The engine, for code running on the mesh thread (relay, tests). */
    MembershipEngine engine() {
        return engine;
    }

    private static long nowMs() {
        return System.nanoTime() / 1_000_000L;
    }

    /** Runs {@code call} on the mesh thread and waits for it. */
    private <T> T onMeshThread(java.util.function.Supplier<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        tasks.add(() -> {
            try {
                result.complete(call.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        selector.wakeup();
        try {
            return result.get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the mesh thread", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("mesh: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the mesh thread did not answer within " + CALL_TIMEOUT_MS + " ms", e);
        }
    }

    @Override
    public List<MemberView> members() {
        return onMeshThread(() -> {
            List<MemberView> out = new ArrayList<>();
            out.add(engine.selfView());
            for (MemberView m : engine.members()) {
                // path tells where WireGuard goes: a relay the pair agreed on counts even before the
                // engine itself settled on relaying (the other side asked first).
                out.add(
                        m.path() != io.ringguard.membership.swim.Path.RELAY && relay.relays(m)
                                ? new MemberView(
                                        m.nodeKey(),
                                        m.wgPublicKey(),
                                        m.meshAddresses(),
                                        m.gossipEndpoint(),
                                        m.observedEndpoint(),
                                        io.ringguard.membership.swim.Path.RELAY,
                                        m.state(),
                                        m.incarnation(),
                                        m.relayVia())
                                : m);
            }
            return out;
        });
    }

    @Override
    public OrgRegistry.Result submit(OrgMessage message) {
        return onMeshThread(() -> engine.submitOrgMessage(message, nowMs()));
    }

    /**
     * Leaves the mesh (the leave record goes out to several members at once), stops the thread and
     * closes the socket. Call before the dataplane stops, so members drop this node as a peer.
     */
    @Override
    public void close() {
        if (!running) {
            return;
        }
        leaving = true;
        try {
            onMeshThread(() -> {
                engine.leave(nowMs());
                return null;
            });
        } catch (IllegalStateException e) {
            LOG.warn("mesh: could not announce the leave: {}", e.getMessage());
        }
        running = false;
        selector.wakeup();
        try {
            thread.join(CALL_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        relay.close();
        try {
            selector.close();
            channel.close();
        } catch (IOException e) {
            LOG.debug("mesh: close: {}", e.getMessage());
        }
        LOG.info("mesh: left ({} send errors)", sendErrors);
    }
}
