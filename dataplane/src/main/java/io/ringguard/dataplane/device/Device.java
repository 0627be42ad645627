package io.ringguard.dataplane.device;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import io.ringguard.buffers.PacketSlab;
import io.ringguard.buffers.SlotPool;
import io.ringguard.dataplane.allowedips.AllowedIps;
import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.DeviceConfig;
import io.ringguard.dataplane.config.PeerConfig;
import io.ringguard.dataplane.config.PublicKey;
import io.ringguard.dataplane.counters.DataplaneCounters;
import io.ringguard.dataplane.counters.LatencySink;
import io.ringguard.dataplane.pipeline.ControlRing;
import io.ringguard.dataplane.pipeline.DecryptWorker;
import io.ringguard.dataplane.pipeline.EncryptWorker;
import io.ringguard.dataplane.pipeline.InboundEvent;
import io.ringguard.dataplane.pipeline.InboundFinisher;
import io.ringguard.dataplane.pipeline.InlineStages;
import io.ringguard.dataplane.pipeline.OutboundClassifier;
import io.ringguard.dataplane.pipeline.OutboundEvent;
import io.ringguard.dataplane.pipeline.TunReader;
import io.ringguard.dataplane.pipeline.UdpReceiver;
import io.ringguard.dataplane.pipeline.UdpSender;
import io.ringguard.dataplane.sys.NativeIoException;
import io.ringguard.dataplane.sys.Posix;
import io.ringguard.dataplane.sys.TunDevice;
import io.ringguard.dataplane.sys.UdpSocket;
import io.ringguard.handshake.index.IndexTable;
import io.ringguard.handshake.noise.Handshake;
import io.ringguard.handshake.noise.StaticIdentity;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WireGuard interface: the TUN, the UDP sockets, the send and receive rings with their stages,
 * and the control thread.
 *
 * <pre>
 *  TUN -> TunReader -> [send ring] -> OutboundClassifier -> EncryptWorker x N -> UdpSender -> UDP
 *  UDP -> UdpReceiver -> [recv ring] -> DecryptWorker x N -> InboundFinisher -> TUN
 *                    \-> [control ring] -> ControlAgent (handshakes, timers, configuration)
 * </pre>
 *
 * <p>Public methods may be called from any thread: configuration changes run on the control thread
 * and this class waits for them (bounded).
 */
public final class Device implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Device.class);

    // Generous: the control thread answers in microseconds; this only bounds a wedged daemon.
    private static final long TASK_TIMEOUT_MS = 30_000;
    private static final int EINVAL = 22;

    private final String name;
    private final DeviceSettings settings;
    private final TunDevice tun;
    private final UdpSocketFactory sockets;
    private final PacketSlab slab;
    private final SlotPool pool;
    private final StaticIdentity identity = new StaticIdentity();
    private final AllowedIps<Peer> allowedIps = new AllowedIps<>();
    private final IndexTable<Object> indices;
    private final DataplaneCounters counters = new DataplaneCounters();
    private final ControlRing controlRing;
    private final ManyToOneConcurrentArrayQueue<Peer> handshakeRequests;
    private final ManyToOneConcurrentArrayQueue<Peer> confirmations;
    /** Slots all peers together may hold staged (waiting for a session): a quarter of the pool. */
    private final java.util.concurrent.atomic.AtomicInteger stagingBudget;

    private final Disruptor<OutboundEvent> outbound;
    private final Disruptor<InboundEvent> inbound;
    private final RingBuffer<OutboundEvent> outboundRing;
    private final RingBuffer<InboundEvent> inboundRing;
    // Non-null when the stages run on the producers' threads (RingWait.INLINE with one crypto worker).
    private final InlineStages<OutboundEvent> outboundInline;
    private final InlineStages<InboundEvent> inboundInline;
    private final UdpSender sender;
    private final InboundFinisher finisher;
    private final TunReader tunReader;
    private final ControlAgent control;
    private final AgentRunner controlRunner;
    private final List<Thread> threads = new ArrayList<>();
    private final CompletableFuture<String> terminated = new CompletableFuture<>();

    // Written by the control thread; read by any thread.
    private volatile DeviceConfig config = DeviceConfig.EMPTY;
    private volatile Map<PublicKey, Peer> peers = Map.of();
    private volatile List<Peer> peerList = List.of();
    private volatile UdpSocket socket4;
    private volatile UdpSocket socket6;
    private volatile UdpReceiver receiver4;
    private volatile UdpReceiver receiver6;
    private volatile int listenPort;
    private volatile boolean closed;
    private volatile Thread tunReaderThread;

    public Device(String name, DeviceSettings settings, TunDevice tun, UdpSocketFactory sockets) {
        this.name = name;
        this.settings = settings;
        this.tun = tun;
        this.sockets = sockets;
        this.slab = new PacketSlab(settings.slots(), Math.max(2048, settings.mtu() + 64));
        this.pool = new SlotPool(settings.slots());
        this.stagingBudget = new java.util.concurrent.atomic.AtomicInteger(Math.max(1, settings.slots() / 4));
        this.indices = new IndexTable<>(settings.maxIndices());
        this.controlRing = new ControlRing(settings.controlRingBytes());
        this.handshakeRequests = new ManyToOneConcurrentArrayQueue<>(4096);
        this.confirmations = new ManyToOneConcurrentArrayQueue<>(4096);

        int n = settings.encryptWorkers();
        EncryptWorker[] encrypt = new EncryptWorker[n];
        DecryptWorker[] decrypt = new DecryptWorker[n];
        for (int i = 0; i < n; i++) {
            encrypt[i] = new EncryptWorker(i, n, slab, settings.mtu());
            decrypt[i] = new DecryptWorker(i, n, slab, indices, counters);
        }
        sender = new UdpSender(slab, pool, counters, settings.batchSize());
        OutboundClassifier classifier = new OutboundClassifier(slab, allowedIps, counters);
        finisher = new InboundFinisher(slab, pool, allowedIps, tun, counters, confirmations::offer);
        if (n == 1 && settings.waitStrategy() == DeviceSettings.RingWait.INLINE) {
            // Producers run the fused stages themselves for single packets, a stage thread takes bursts.
            outbound = null;
            inbound = null;
            outboundRing = RingBuffer.createMultiProducer(OutboundEvent::new, settings.ringSize());
            inboundRing = RingBuffer.createMultiProducer(InboundEvent::new, settings.ringSize());
            outboundInline = new InlineStages<>(
                    outboundRing,
                    new FusedStages<OutboundEvent>(List.of(classifier, encrypt[0], sender)),
                    e -> LOG.error("outbound stage error (packet dropped)", e));
            inboundInline = new InlineStages<>(
                    inboundRing,
                    new FusedStages<InboundEvent>(List.of(decrypt[0], finisher)),
                    e -> LOG.error("inbound stage error (packet dropped)", e));
        } else {
            outbound = new Disruptor<>(
                    OutboundEvent::new,
                    settings.ringSize(),
                    threads("tx"),
                    ProducerType.MULTI,
                    settings.waitStrategy().create());
            inbound = new Disruptor<>(
                    InboundEvent::new,
                    settings.ringSize(),
                    threads("rx"),
                    ProducerType.MULTI,
                    settings.waitStrategy().create());
            if (n == 1) {
                // One crypto worker means no parallelism to win: run each direction's stages on one
                // thread, in the same order, and save two thread hand-offs per packet (latency).
                outbound.handleEventsWith(new FusedStages<OutboundEvent>(List.of(classifier, encrypt[0], sender)));
                inbound.handleEventsWith(new FusedStages<InboundEvent>(List.of(decrypt[0], finisher)));
            } else {
                outbound.handleEventsWith(classifier).then(encrypt).then(sender);
                inbound.handleEventsWith(decrypt).then(finisher);
            }
            outboundRing = outbound.getRingBuffer();
            inboundRing = inbound.getRingBuffer();
            outboundInline = null;
            inboundInline = null;
        }
        tunReader = new TunReader(tun, slab, pool, outboundRing, counters, settings.batchSize(), this::deviceGone);
        if (outboundInline != null) {
            tunReader.afterPublish(outboundInline::published);
        }
        control = new ControlAgent(this, new SecureRandom());
        controlRunner = new AgentRunner(
                new BackoffIdleStrategy(10, 20, 1_000, TimeUnit.MILLISECONDS.toNanos(1)),
                error -> LOG.error("control thread error", error),
                null,
                control);
    }

    /**
     * Installs where the pipelines report their latency, once per batch: {@code outbound} from TUN read
     * to UDP send, {@code inbound} from UDP receive to TUN write (each for the batch's last packet).
     * Call before {@link #start()}; starting the threads publishes them.
     */
    public void latencySinks(LatencySink outboundSink, LatencySink inboundSink) {
        sender.latencySink(outboundSink);
        finisher.latencySink(inboundSink);
    }

    /** Binds the sockets (listen port 0 until configured) and starts every thread. */
    public void start() throws NativeIoException {
        if (settings.warmUp()) {
            Thread warmup = new Thread(new CryptoWarmup(), "ringguard-warmup-" + name);
            warmup.setDaemon(true);
            warmup.setPriority(Thread.MIN_PRIORITY);
            warmup.start();
        }
        openSockets(0, 0);
        if (outbound != null) {
            outbound.start();
            inbound.start();
        } else {
            startThread(outboundInline, "ringguard-tx-" + name);
            startThread(inboundInline, "ringguard-rx-" + name);
        }
        tunReaderThread = startThread(tunReader, "ringguard-tun-reader-" + name);
        AgentRunner.startOnThread(controlRunner, threads("control"));
    }

    private void openSockets(int port, int fwmark) throws NativeIoException {
        UdpSocket v4 = sockets.open(Posix.AF_INET, port, fwmark, settings.batchSize());
        UdpSocket v6 = null;
        try {
            v6 = sockets.open(Posix.AF_INET6, v4.boundPort(), fwmark, settings.batchSize());
        } catch (NativeIoException e) {
            if (port != 0 || e.errno() == 98) {
                v4.close();
                throw e;
            }
            // IPv6 disabled on this host: carry on with IPv4 only.
        }
        UdpSocket old4 = socket4;
        UdpSocket old6 = socket6;
        UdpReceiver oldR4 = receiver4;
        UdpReceiver oldR6 = receiver6;
        socket4 = v4;
        socket6 = v6;
        listenPort = v4.boundPort();
        sender.sockets(v4, v6);
        receiver4 = new UdpReceiver(v4, slab, pool, inboundRing, controlRing, counters, settings.batchSize());
        if (inboundInline != null) {
            receiver4.afterPublish(inboundInline::published);
        }
        startThread(receiver4, "ringguard-udp4-" + name);
        if (v6 != null) {
            receiver6 = new UdpReceiver(v6, slab, pool, inboundRing, controlRing, counters, settings.batchSize());
            if (inboundInline != null) {
                receiver6.afterPublish(inboundInline::published);
            }
            startThread(receiver6, "ringguard-udp6-" + name);
        }
        stopReceiver(oldR4, old4);
        stopReceiver(oldR6, old6);
    }

    private static void stopReceiver(UdpReceiver receiver, UdpSocket socket) {
        if (receiver != null) {
            receiver.stop();
        }
        if (socket != null) {
            // Closed after the receiver has seen its flag: its poll times out within 100 ms.
            Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                socket.close();
            });
        }
    }

    private Thread startThread(Runnable task, String threadName) {
        Thread t = new Thread(task, threadName);
        t.setDaemon(true);
        synchronized (threads) {
            threads.add(t);
        }
        t.start();
        return t;
    }

    private ThreadFactory threads(String role) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "ringguard-" + role + "-" + name + "-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        };
    }

    // ---- configuration (UAPI set / get)

    /** The result of a configuration change: the errno for the UAPI (0 = applied). */
    public record ConfigUpdate(DeviceConfig config, Set<PublicKey> replacedPeers, int errno) {
        public static ConfigUpdate rejected(int errno) {
            return new ConfigUpdate(null, Set.of(), errno);
        }
    }

    /**
     * Computes a new configuration from the current one on the control thread and applies it there,
     * atomically: a failure (e.g. the new port is taken) changes nothing. Returns the errno.
     */
    public int update(Function<DeviceConfig, ConfigUpdate> change) {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        Runnable task = () -> {
            try {
                ConfigUpdate u = change.apply(config);
                result.complete(u.errno() != 0 ? u.errno() : apply(u.config(), u.replacedPeers()));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        };
        if (closed || !control.submit(task)) {
            return 5;
        }
        try {
            return result.get(TASK_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 5;
        } catch (Exception e) {
            return 5;
        }
    }

    /** Control thread. */
    private int apply(DeviceConfig next, Set<PublicKey> replaced) {
        if (next.peers().size() > settings.maxPeers()) {
            // Checked before anything changes, so a refused change is refused whole; EINVAL is what
            // wireguard-go answers past its MaxPeers ("failed to create new peer").
            return EINVAL;
        }
        DeviceConfig current = config;
        boolean portChanged = next.listenPort() != current.listenPort() && next.listenPort() != listenPort;
        if (portChanged || next.fwmark() != current.fwmark()) {
            try {
                openSockets(next.listenPort(), next.fwmark());
            } catch (NativeIoException e) {
                return e.errno() == 98 ? 98 : 5;
            }
        }
        boolean keyChanged = !Arrays.equals(keyOrNull(current), keyOrNull(next));
        if (keyChanged) {
            identity.privateKey(next.hasPrivateKey() ? next.privateKey() : null);
            control.identityChanged(peerList);
        }
        Map<PublicKey, Peer> nextPeers = new LinkedHashMap<>();
        Set<Peer> gone = new HashSet<>(peerList);
        for (PeerConfig pc : next.peers().values()) {
            Peer peer = peers.get(pc.publicKey());
            if (peer != null && !replaced.contains(pc.publicKey())) {
                gone.remove(peer);
                reconfigure(peer, pc);
            } else {
                peer = new Peer(identity, pc, handshakeRequests, stagingBudget);
                for (Cidr cidr : pc.allowedIps()) {
                    allowedIps.insert(cidr.address(), cidr.prefixLength(), peer);
                }
            }
            nextPeers.put(pc.publicKey(), peer);
        }
        for (Peer peer : gone) {
            remove(peer);
        }
        config = next;
        peers = Map.copyOf(nextPeers);
        peerList = List.copyOf(nextPeers.values());
        for (Peer peer : peerList) {
            if (peer.config().persistentKeepaliveSeconds() > 0
                    && peer.keypairs().current() == null) {
                control.sendKeepalive(peer);
            }
        }
        return 0;
    }

    private static byte[] keyOrNull(DeviceConfig c) {
        return c.hasPrivateKey() ? c.privateKey() : null;
    }

    /** Applies changed settings to a live peer; sessions, counters and staged packets stay. */
    private void reconfigure(Peer peer, PeerConfig next) {
        PeerConfig old = peer.config();
        if (old.equals(next)) {
            return;
        }
        if (!Arrays.equals(old.presharedKey(), next.presharedKey())) {
            peer.handshake().presharedKey(next.presharedKey());
        }
        if (!old.endpoint().equals(next.endpoint())) {
            next.endpoint().ifPresent(e -> peer.endpoint(PeerEndpoint.of(e)));
        }
        for (Cidr cidr : old.allowedIps()) {
            if (!next.allowedIps().contains(cidr)) {
                allowedIps.remove(cidr.address(), cidr.prefixLength(), peer);
            }
        }
        for (Cidr cidr : next.allowedIps()) {
            allowedIps.insert(cidr.address(), cidr.prefixLength(), peer);
        }
        if (peer.timers.persistentKeepalive(next.persistentKeepaliveSeconds()) != 0) {
            control.sendKeepalive(peer);
        }
        peer.config(next);
    }

    private void remove(Peer peer) {
        peer.markRemoved();
        allowedIps.removeByPeer(peer);
        control.forgetSessions(peer, true);
        control.dropStaged(peer);
        peer.timers.stop();
        peer.handshake().destroy();
    }

    /** The configuration as {@code get=1} reports it: learned endpoints replace configured ones. */
    public DeviceConfig config() {
        DeviceConfig c = config;
        Map<PublicKey, Peer> live = peers;
        DeviceConfig.Builder b = c.toBuilder();
        for (PeerConfig pc : c.peers().values()) {
            Peer peer = live.get(pc.publicKey());
            PeerEndpoint endpoint = peer == null ? null : peer.endpoint();
            if (endpoint != null) {
                b.putPeer(pc.toBuilder()
                        .endpoint(io.ringguard.dataplane.config.Endpoint.of(
                                endpoint.toSocketAddress().getAddress().getAddress(),
                                endpoint.toSocketAddress().getPort()))
                        .build());
            }
        }
        return b.build();
    }

    /** Queue depths and table sizes, sampled (for metrics; never on the packet path). Any thread. */
    public record Stats(
            long sendRingDepth,
            long receiveRingDepth,
            int ringSize,
            int poolAvailable,
            int poolCapacity,
            int controlRingBytes,
            boolean underLoad,
            int indices) {}

    public Stats stats() {
        return new Stats(
                settings.ringSize() - outboundRing.remainingCapacity(),
                settings.ringSize() - inboundRing.remainingCapacity(),
                settings.ringSize(),
                pool.available(),
                pool.capacity(),
                controlRing.ring().size(),
                control.underLoadNow(),
                indices.size());
    }

    /** True while the interface runs: not closed, not removed, TUN reader and control thread alive. */
    public boolean healthy() {
        Thread control = controlRunner.thread();
        return !closed
                && !terminated.isDone()
                && tunReaderThread != null
                && tunReaderThread.isAlive()
                && control != null
                && control.isAlive();
    }

    /** The live peers, in configuration order. Any thread. */
    public List<Peer> peers() {
        return peerList;
    }

    /** The live peer for a public key, or null. Any thread. */
    public Peer peer(PublicKey key) {
        return peers.get(key);
    }

    public int listenPort() {
        return listenPort;
    }

    /** The most peers a configuration may have ({@link DeviceSettings#maxPeers()}). Any thread. */
    public int maxPeers() {
        return settings.maxPeers();
    }

    public String name() {
        return name;
    }

    public DataplaneCounters counters() {
        return counters;
    }

    /** Completes with a reason when the device stops (interface deleted, or closed). */
    public CompletableFuture<String> terminated() {
        return terminated;
    }

    private void deviceGone() {
        terminated.complete("interface " + name + " was removed");
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        tunReader.stop();
        UdpReceiver r4 = receiver4;
        UdpReceiver r6 = receiver6;
        if (r4 != null) {
            r4.stop();
        }
        if (r6 != null) {
            r6.stop();
        }
        controlRunner.close();
        if (outboundInline != null) {
            outboundInline.stop();
            inboundInline.stop();
        }
        synchronized (threads) {
            for (Thread t : threads) {
                try {
                    t.join(1_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (outbound != null) {
            outbound.halt();
            inbound.halt();
        }
        if (socket4 != null) {
            socket4.close();
        }
        if (socket6 != null) {
            socket6.close();
        }
        tun.close();
        terminated.complete("closed");
    }

    // ---- package access for the control agent

    StaticIdentity identity() {
        return identity;
    }

    PacketSlab slab() {
        return slab;
    }

    SlotPool pool() {
        return pool;
    }

    RingBuffer<OutboundEvent> outboundRing() {
        return outboundRing;
    }

    /** Runs the outbound stages if they run inline (after the control thread published); else nothing. */
    void outboundPublished() {
        if (outboundInline != null) {
            outboundInline.published(1);
        }
    }

    ControlRing controlRing() {
        return controlRing;
    }

    IndexTable<Object> indices() {
        return indices;
    }

    AllowedIps<Peer> allowedIps() {
        return allowedIps;
    }

    ManyToOneConcurrentArrayQueue<Peer> handshakeRequests() {
        return handshakeRequests;
    }

    ManyToOneConcurrentArrayQueue<Peer> confirmations() {
        return confirmations;
    }

    List<Peer> peerList() {
        return peerList;
    }

    /** Noise's peer lookup by static public key. Control thread. */
    Handshake handshakeOf(byte[] publicKey) {
        Peer peer = peers.get(PublicKey.of(publicKey));
        return peer == null || peer.removed() ? null : peer.handshake();
    }
}
