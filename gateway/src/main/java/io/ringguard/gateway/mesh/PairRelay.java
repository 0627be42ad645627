package io.ringguard.gateway.mesh;

import io.ringguard.membership.identity.Authenticator;
import io.ringguard.membership.identity.Endpoint;
import io.ringguard.membership.identity.NodeKey;
import io.ringguard.membership.swim.MemberView;
import io.ringguard.membership.swim.MembershipListener;
import io.ringguard.membership.swim.Path;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WireGuard relay for members that cannot reach each other directly (e.g. both behind symmetric
 * NATs): a UDP forwarder in a mutual member, one socket per pair, whose address becomes the WireGuard
 * endpoint of the peer on both sides. WireGuard's roaming does the rest, and the path goes back to
 * direct when a later punch succeeds (the engine then reports {@link Path#DIRECT}).
 *
 * <pre>
 *  1. A (the lower node key of the pair) sees B on a relay path via R: A sends R an ALLOCATE(A, B),
 *     signed by A, from its gossip socket.
 *  2. R checks that A and B are live members and A's signature, opens (or finds) the pair's socket,
 *     and sends ALLOCATED(peer, port), signed by R, to A and to B's gossip endpoint.
 *  3. A and B set each other's WireGuard endpoint to R:port. R forwards between them, learning each
 *     side's mapped address from the first packet that comes from that side's public IP.
 *
 *  control datagram (big-endian), on the gossip socket:
 *   0  2 magic 0x5252 "RR" | 2 1 version 1 | 3 1 type (1 allocate, 2 allocated)
 *   4 32 sender node key   | 36 32 peer node key | 68 2 port (allocated; 0 in allocate)
 *  70  8 sender wall-clock ms | 78 64 sender's Ed25519 signature over [0, 78)
 * </pre>
 *
 * Bounds: at most {@value #MAX_PAIRS} pairs, each closed after {@value #IDLE_TIMEOUT_MS} ms without a
 * packet; every refused datagram is counted. Threads: the control side ({@link #onControl}, {@link
 * #doWork}, {@link #endpointFor}) runs on the mesh thread; forwarding runs on "ringguard-mesh-relay".
 */
public final class PairRelay implements AutoCloseable {
    public static final int MAGIC = 0x5252;
    public static final int VERSION = 1;
    public static final int TYPE_ALLOCATE = 1;
    public static final int TYPE_ALLOCATED = 2;
    public static final int SENDER_OFFSET = 4;
    public static final int PEER_OFFSET = 36;
    public static final int PORT_OFFSET = 68;
    public static final int TIME_OFFSET = 70;
    public static final int SIGNATURE_OFFSET = 78;
    public static final int LENGTH = SIGNATURE_OFFSET + Authenticator.SIGNATURE_BYTES;

    static final int MAX_PAIRS = 64;
    static final long IDLE_TIMEOUT_MS = 120_000;
    /**
     * Clock skew accepted on a control message. Replays inside it are refused too: a sender's stamps
     * strictly increase ({@link #write}) and each receiver keeps the last one it accepted per sender, so
     * a captured ALLOCATE re-sent from another address cannot steer a pair's traffic there.
     */
    static final long MAX_SKEW_MS = 300_000;

    static final long REQUEST_INTERVAL_MS = 2_000;
    private static final Logger LOG = LoggerFactory.getLogger(PairRelay.class);
    private static final int DATAGRAM_BYTES = 65_535;

    private final NodeKey self;
    private final InetAddress bindAddress;
    private MeshNode node; // set once before the mesh thread starts
    private MembershipListener listener; // the mesh's peers, to re-apply a member whose endpoint moved

    // ---- mesh thread
    private final byte[] controlBytes = new byte[LENGTH];
    private final UnsafeBuffer control = new UnsafeBuffer(controlBytes);
    private final byte[] signature = new byte[Authenticator.SIGNATURE_BYTES];
    /** Relay endpoints this node uses, per peer node key (the peer's WireGuard endpoint). */
    private final Map<NodeKey, Endpoint> using = new ConcurrentHashMap<>();

    private final Map<NodeKey, Long> lastRequestMs = new HashMap<>();
    /** Mesh thread: the newest control stamp accepted per sender (replay refusal). */
    private final Map<NodeKey, Long> lastControlMs = new HashMap<>();
    /** Mesh thread: the stamp of the last control message this node wrote. */
    private long lastWrittenMs;

    private long nextScanMs;

    // ---- shared with the forwarding thread
    private final Map<PairKey, Pair> pairs = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Pair> opened = new ConcurrentLinkedQueue<>();
    private final Selector selector;
    private final Thread forwarder;
    private volatile boolean running = true;

    final AtomicLong forwardedPackets = new AtomicLong();
    final AtomicLong droppedUnknownSource = new AtomicLong();
    final AtomicLong droppedNoTarget = new AtomicLong();
    final AtomicLong refusedControl = new AtomicLong();
    final AtomicLong refusedFull = new AtomicLong();

    PairRelay(NodeKey self, InetAddress bindAddress) throws IOException {
        this.self = self;
        this.bindAddress = bindAddress;
        this.selector = Selector.open();
        this.forwarder = new Thread(this::forward, "ringguard-mesh-relay");
        this.forwarder.setDaemon(true);
    }

    void attach(MeshNode meshNode, MembershipListener meshListener) {
        this.node = meshNode;
        this.listener = meshListener;
        forwarder.start();
    }

    /** True when the datagram is a relay control message rather than a gossip frame. */
    static boolean isControl(DirectBuffer buffer, int offset, int lengthBytes) {
        return lengthBytes == LENGTH && (buffer.getShort(offset, ByteOrder.BIG_ENDIAN) & 0xFFFF) == MAGIC;
    }

    /**
     * The relay endpoint WireGuard uses for {@code member}, or {@link Endpoint#NONE} when it should go
     * direct. Mesh thread (the listener's callbacks).
     */
    public Endpoint endpointFor(MemberView member) {
        if (member.path() == Path.DIRECT || !member.state().isUp()) {
            return Endpoint.NONE;
        }
        Endpoint e = using.get(member.nodeKey());
        return e == null ? Endpoint.NONE : e;
    }

    /** True when WireGuard reaches {@code member} through a relay (for {@code path} in the API). */
    boolean relays(MemberView member) {
        return !endpointFor(member).isNone();
    }

    /** Sends due ALLOCATE requests and forgets relays of members that went direct. Mesh thread. */
    long doWork(long nowMs) {
        if (nowMs < nextScanMs) {
            return nextScanMs;
        }
        nextScanMs = nowMs + REQUEST_INTERVAL_MS / 2;
        List<MemberView> members = node.engine().members();
        for (MemberView m : members) {
            if (!m.state().isUp() || m.path() == Path.DIRECT) {
                if (using.remove(m.nodeKey()) != null) {
                    LOG.info(
                            "mesh: {} is {} now, no longer relayed",
                            m.nodeKey(),
                            m.path().jsonName());
                }
                continue;
            }
            if (m.path() != Path.RELAY || m.relayVia() == null || self.compareTo(m.nodeKey()) > 0) {
                continue; // the lower key of a pair asks, so both sides end up on the same relay
            }
            if (using.containsKey(m.nodeKey())) {
                continue;
            }
            Long last = lastRequestMs.get(m.nodeKey());
            if (last != null && nowMs - last < REQUEST_INTERVAL_MS) {
                continue;
            }
            MemberView via = node.engine().member(m.relayVia());
            if (via == null || !via.state().isUp() || via.bestEndpoint().isNone()) {
                continue;
            }
            lastRequestMs.put(m.nodeKey(), nowMs);
            int length = write(TYPE_ALLOCATE, m.nodeKey(), 0);
            node.send(via.bestEndpoint(), control, 0, length);
        }
        lastRequestMs.keySet().removeIf(k -> node.engine().member(k) == null);
        lastControlMs.keySet().removeIf(k -> node.engine().member(k) == null);
        return nextScanMs;
    }

    private int write(int type, NodeKey peer, int port) {
        control.putShort(0, (short) MAGIC, ByteOrder.BIG_ENDIAN);
        control.putByte(2, (byte) VERSION);
        control.putByte(3, (byte) type);
        self.write(control, SENDER_OFFSET);
        peer.write(control, PEER_OFFSET);
        control.putShort(PORT_OFFSET, (short) port, ByteOrder.BIG_ENDIAN);
        lastWrittenMs = Math.max(System.currentTimeMillis(), lastWrittenMs + 1);
        control.putLong(TIME_OFFSET, lastWrittenMs, ByteOrder.BIG_ENDIAN);
        node.signer().sign(controlBytes, 0, SIGNATURE_OFFSET, controlBytes, SIGNATURE_OFFSET);
        return LENGTH;
    }

    /** Handles an ALLOCATE (as the relay) or an ALLOCATED (as a pair member). Mesh thread; never throws. */
    void onControl(Endpoint from, DirectBuffer buffer, int offset, int lengthBytes, long nowMs) {
        NodeKey sender = NodeKey.read(buffer, offset + SENDER_OFFSET);
        NodeKey peer = NodeKey.read(buffer, offset + PEER_OFFSET);
        int type = buffer.getByte(offset + 3);
        long sentMs = buffer.getLong(offset + TIME_OFFSET, ByteOrder.BIG_ENDIAN);
        MemberView senderView = node.engine().member(sender);
        MemberView peerView = node.engine().member(peer);
        buffer.getBytes(offset, controlBytes, 0, LENGTH);
        System.arraycopy(controlBytes, SIGNATURE_OFFSET, signature, 0, signature.length);
        boolean ok = buffer.getByte(offset + 2) == VERSION
                && senderView != null
                && senderView.state().isUp()
                && Math.abs(System.currentTimeMillis() - sentMs) <= MAX_SKEW_MS
                && node.signer().verify(sender, controlBytes, 0, SIGNATURE_OFFSET, signature, 0)
                && sentMs > lastControlMs.getOrDefault(sender, Long.MIN_VALUE);
        if (!ok) {
            refusedControl.incrementAndGet();
            return;
        }
        lastControlMs.put(sender, sentMs);
        if (type == TYPE_ALLOCATE && peerView != null && peerView.state().isUp() && !peer.equals(sender)) {
            allocate(from, senderView, peerView);
        } else if (type == TYPE_ALLOCATED
                && peerView != null
                && peerView.state().isUp()) {
            int port = buffer.getShort(offset + PORT_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            Endpoint relay = new Endpoint(from.family(), from.hi(), from.lo(), port);
            if (!relay.equals(using.put(peer, relay))) {
                LOG.info("mesh: WireGuard to {} goes through relay {} at {}", peer, sender, relay);
                listener.onMemberChanged(peerView);
            }
        } else {
            refusedControl.incrementAndGet();
        }
    }

    private void allocate(Endpoint requester, MemberView a, MemberView b) {
        PairKey key = PairKey.of(a.nodeKey(), b.nodeKey());
        Pair pair = pairs.get(key);
        if (pair == null) {
            if (pairs.size() >= MAX_PAIRS) {
                refusedFull.incrementAndGet();
                return;
            }
            try {
                pair = new Pair(key, bindAddress);
            } catch (IOException e) {
                LOG.warn("mesh relay: cannot open a socket for {}: {}", key, e.getMessage());
                return;
            }
            pairs.put(key, pair);
            opened.add(pair);
            selector.wakeup();
            LOG.info("mesh relay: relaying {} <-> {} on port {}", a.nodeKey(), b.nodeKey(), pair.port);
        }
        Endpoint bEndpoint = b.bestEndpoint();
        pair.expect(a.nodeKey(), requester, b.nodeKey(), bEndpoint, node.wireguardPort());
        int length = write(TYPE_ALLOCATED, b.nodeKey(), pair.port);
        node.send(requester, control, 0, length);
        length = write(TYPE_ALLOCATED, a.nodeKey(), pair.port);
        node.send(bEndpoint, control, 0, length);
    }

    /** Forwarding loop: "ringguard-mesh-relay". */
    private void forward() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(DATAGRAM_BYTES);
        long lastSweepMs = 0;
        try {
            while (running) {
                Pair p;
                while ((p = opened.poll()) != null) {
                    p.channel.register(selector, SelectionKey.OP_READ, p);
                }
                selector.select(1_000);
                long nowMs = System.nanoTime() / 1_000_000L;
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey k = keys.next();
                    keys.remove();
                    Pair pair = (Pair) k.attachment();
                    for (int i = 0; i < 64; i++) {
                        buffer.clear();
                        SocketAddress from = pair.channel.receive(buffer);
                        if (from == null) {
                            break;
                        }
                        buffer.flip();
                        InetSocketAddress target = pair.route((InetSocketAddress) from, nowMs, this);
                        if (target != null) {
                            pair.channel.send(buffer, target);
                            forwardedPackets.incrementAndGet();
                        }
                    }
                }
                if (nowMs - lastSweepMs >= 1_000) {
                    lastSweepMs = nowMs;
                    sweep(nowMs);
                }
            }
        } catch (IOException | RuntimeException e) {
            if (running) {
                LOG.error("mesh relay: forwarding stopped", e);
            }
        }
    }

    private void sweep(long nowMs) {
        for (Iterator<Pair> it = pairs.values().iterator(); it.hasNext(); ) {
            Pair p = it.next();
            if (nowMs - p.lastPacketMs > IDLE_TIMEOUT_MS) {
                it.remove();
                p.close();
                LOG.info("mesh relay: {} idle, closed", p.key);
            }
        }
    }

    public int pairCount() {
        return pairs.size();
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            forwarder.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Pair p : pairs.values()) {
            p.close();
        }
        pairs.clear();
        try {
            selector.close();
        } catch (IOException e) {
            LOG.debug("mesh relay: close: {}", e.getMessage());
        }
    }

    /** An unordered pair of node keys. */
    record PairKey(NodeKey low, NodeKey high) {
        static PairKey of(NodeKey a, NodeKey b) {
            return a.compareTo(b) <= 0 ? new PairKey(a, b) : new PairKey(b, a);
        }
    }

    /**
     * One relayed pair: its socket, and per side the public address it is expected from and the
     * mapped address it was last seen at. Expectations are set on the mesh thread, the rest on the
     * forwarding thread.
     */
    static final class Pair {
        final PairKey key;
        final DatagramChannel channel;
        final int port;
        volatile long lastPacketMs = System.nanoTime() / 1_000_000L;
        private volatile InetSocketAddress expectedLow;
        private volatile InetSocketAddress expectedHigh;
        private InetSocketAddress seenLow; // forwarding thread
        private InetSocketAddress seenHigh; // forwarding thread

        Pair(PairKey key, InetAddress bindAddress) throws IOException {
            this.key = key;
            this.channel = DatagramChannel.open();
            channel.bind(new InetSocketAddress(bindAddress, 0));
            channel.configureBlocking(false);
            this.port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
        }

        /** Mesh thread: side {@code a} asked from {@code aSeen}; {@code b} is gossiped at {@code bBest}. */
        void expect(NodeKey a, Endpoint aSeen, NodeKey b, Endpoint bBest, int wireguardPort) {
            InetSocketAddress aDefault = withPort(aSeen, wireguardPort);
            InetSocketAddress bDefault = withPort(bBest, wireguardPort);
            if (a.equals(key.low())) {
                expectedLow = aDefault;
                expectedHigh = bDefault;
            } else {
                expectedLow = bDefault;
                expectedHigh = aDefault;
            }
        }

        private static InetSocketAddress withPort(Endpoint e, int port) {
            return e.isNone() ? null : new InetSocketAddress(e.toSocketAddress().getAddress(), port);
        }

        /** Forwarding thread: where a packet from {@code from} goes, or null (a counted drop). */
        InetSocketAddress route(InetSocketAddress from, long nowMs, PairRelay relay) {
            InetSocketAddress low = expectedLow;
            InetSocketAddress high = expectedHigh;
            InetSocketAddress target;
            if (from.equals(seenLow) || (low != null && from.getAddress().equals(low.getAddress()))) {
                seenLow = from;
                target = seenHigh != null ? seenHigh : high;
            } else if (from.equals(seenHigh)
                    || (high != null && from.getAddress().equals(high.getAddress()))) {
                seenHigh = from;
                target = seenLow != null ? seenLow : low;
            } else {
                relay.droppedUnknownSource.incrementAndGet();
                return null;
            }
            if (target == null) {
                relay.droppedNoTarget.incrementAndGet();
                return null;
            }
            lastPacketMs = nowMs;
            return target;
        }

        void close() {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("mesh relay: close {}: {}", key, e.getMessage());
            }
        }
    }
}
