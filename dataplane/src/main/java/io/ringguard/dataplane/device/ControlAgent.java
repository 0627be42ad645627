package io.ringguard.dataplane.device;

import com.lmax.disruptor.RingBuffer;
import io.ringguard.buffers.PacketSlab;
import io.ringguard.buffers.SlotPool;
import io.ringguard.dataplane.allowedips.AllowedIps;
import io.ringguard.dataplane.counters.DataplaneCounters;
import io.ringguard.dataplane.counters.DataplaneCounters.HandshakeEvent;
import io.ringguard.dataplane.counters.DropReason;
import io.ringguard.dataplane.pipeline.ControlRing;
import io.ringguard.dataplane.pipeline.OutboundEvent;
import io.ringguard.dataplane.ratelimit.HandshakeRateLimiter;
import io.ringguard.dataplane.sys.DatagramBatch;
import io.ringguard.dataplane.sys.Posix;
import io.ringguard.dataplane.sys.SockAddr;
import io.ringguard.dataplane.timers.PeerTimers;
import io.ringguard.handshake.cookie.CookieChecker;
import io.ringguard.handshake.cookie.MacResult;
import io.ringguard.handshake.index.IndexTable;
import io.ringguard.handshake.message.CookieReplyMessage;
import io.ringguard.handshake.message.InitiationMessage;
import io.ringguard.handshake.message.MessageType;
import io.ringguard.handshake.message.ResponseMessage;
import io.ringguard.handshake.noise.Handshake;
import io.ringguard.handshake.noise.Keypair;
import io.ringguard.handshake.noise.Noise;
import io.ringguard.handshake.noise.StaticIdentity;
import io.ringguard.handshake.noise.Tai64n;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.MessageHandler;

/**
 * The control thread (one Agrona agent per interface). Each {@link #doWork()} reads the clock once,
 * then:
 *
 * <ol>
 *   <li>consumes queued handshake messages: mac1, then cookies when under load, then Noise;
 *   <li>runs queued tasks (configuration changes from the UAPI);
 *   <li>answers handshake requests from the classifier and session confirmations from the finisher;
 *   <li>every {@link #TICK_NS}, runs every peer's timers.
 * </ol>
 *
 * <p>It is the single writer of peers, handshakes, the allowed-IPs table and the index table; the
 * dataplane threads only read what it publishes.
 */
final class ControlAgent implements Agent, MessageHandler {
    static final long TICK_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long UNDER_LOAD_HOLD_NS = TimeUnit.SECONDS.toNanos(1);

    private final Device device;
    private final StaticIdentity identity;
    private final PacketSlab slab;
    private final SlotPool pool;
    private final RingBuffer<OutboundEvent> outbound;
    private final ControlRing controlRing;
    private final IndexTable<Object> indices;
    private final AllowedIps<Peer> allowedIps;
    private final DataplaneCounters counters;
    private final Noise noise;
    private final CookieChecker cookies;
    private final ManyToOneConcurrentArrayQueue<Peer> handshakeRequests;
    private final ManyToOneConcurrentArrayQueue<Peer> confirmations;
    private final ManyToOneConcurrentArrayQueue<Runnable> tasks = new ManyToOneConcurrentArrayQueue<>(256);
    private final HandshakeRateLimiter rateLimiter = new HandshakeRateLimiter();
    private final RetiredKeys retired = new RetiredKeys();
    private final byte[] source4 = new byte[4];
    private final byte[] source16 = new byte[16];
    private long nowNs;
    private long nextTickNs;
    private long underLoadUntilNs = Long.MIN_VALUE;
    private static final long RATE_WINDOW_NS = TimeUnit.SECONDS.toNanos(1);
    private long rateWindowStartNs;
    private int messagesInWindow;

    ControlAgent(Device device, SecureRandom random) {
        this.device = device;
        this.identity = device.identity();
        this.slab = device.slab();
        this.pool = device.pool();
        this.outbound = device.outboundRing();
        this.controlRing = device.controlRing();
        this.indices = device.indices();
        this.allowedIps = device.allowedIps();
        this.counters = device.counters();
        this.noise = new Noise(random);
        this.cookies = new CookieChecker(identity, random);
        this.handshakeRequests = device.handshakeRequests();
        this.confirmations = device.confirmations();
    }

    @Override
    public String roleName() {
        return "ringguard-control-" + device.name();
    }

    /** Queues {@code task} for the control thread; false when the queue is full. Any thread. */
    boolean submit(Runnable task) {
        return tasks.offer(task);
    }

    @Override
    public int doWork() {
        nowNs = System.nanoTime();
        int work = controlRing.drain(this, 64);
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
            work++;
        }
        Peer peer;
        while ((peer = confirmations.poll()) != null) {
            sessionConfirmed(peer);
            work++;
        }
        while ((peer = handshakeRequests.poll()) != null) {
            if (peer.takeHandshakeRequest() && !peer.removed()) {
                requestHandshake(peer);
            }
            work++;
        }
        if (nowNs - nextTickNs >= 0) {
            nextTickNs = nowNs + TICK_NS;
            for (Peer p : device.peerList()) {
                tick(p);
            }
            retired.wipeDue(nowNs);
            work++;
        }
        return work;
    }

    // ---- handshake messages from the network

    @Override
    public void onMessage(int type, MutableDirectBuffer buffer, int index, int length) {
        int message = index + ControlRing.ENDPOINT_BYTES;
        int messageLength = length - ControlRing.ENDPOINT_BYTES;
        boolean underLoad = underLoad();
        switch (type) {
            case MessageType.INITIATION -> onInitiation(buffer, index, message, messageLength, underLoad);
            case MessageType.RESPONSE -> onResponse(buffer, index, message, messageLength, underLoad);
            case MessageType.COOKIE_REPLY -> onCookieReply(buffer, message);
            default -> counters.drop(DropReason.MALFORMED);
        }
    }

    private boolean underLoad() {
        // Load is the backlog (the kernel's measure), a saturated rate limiter (a spread flood filling
        // its table), or more handshake messages per second than the global budget would let through:
        // the last one keeps cookie mode on for the whole of a flood that the control thread can
        // answer quickly enough never to build a backlog, instead of lapsing every other second.
        if (nowNs - rateWindowStartNs >= RATE_WINDOW_NS) {
            rateWindowStartNs = nowNs;
            messagesInWindow = 0;
        }
        messagesInWindow++;
        if (controlRing.overThreshold()
                || rateLimiter.saturated(nowNs)
                || messagesInWindow > HandshakeRateLimiter.DEFAULT_GLOBAL_PACKETS_PER_SECOND) {
            underLoadUntilNs = nowNs + UNDER_LOAD_HOLD_NS;
            return true;
        }
        return underLoadNow();
    }

    /** True while the gateway answers handshakes with cookies (metrics). */
    boolean underLoadNow() {
        return underLoadUntilNs != Long.MIN_VALUE && nowNs - underLoadUntilNs < 0;
    }

    /** mac1 always, mac2 under load; sends a cookie reply and returns false when one is due. */
    private boolean checkMacs(
            MutableDirectBuffer buffer, int endpoint, int message, int length, int senderIndex, boolean underLoad) {
        byte[] source = sourceAddress(buffer, endpoint);
        int port = SockAddr.port(buffer, endpoint + DatagramBatch.REMOTE_OFFSET);
        MacResult macs = cookies.validate(buffer, message, length, source, port, underLoad, nowNs);
        if (macs == MacResult.INVALID_MAC) {
            counters.drop(DropReason.BAD_MAC);
            return false;
        }
        if (underLoad && macs != MacResult.VALID_MAC_WITH_COOKIE) {
            int slot = pool.claim();
            if (slot == SlotPool.EMPTY) {
                counters.drop(DropReason.POOL_EMPTY);
                return false;
            }
            cookies.createReply(
                    buffer, message, length, senderIndex, source, port, nowNs, slab.buffer(), slab.payloadOffset(slot));
            publish(
                    OutboundEvent.KIND_HANDSHAKE,
                    slot,
                    CookieReplyMessage.LENGTH,
                    null,
                    PeerEndpoint.fromRecord(buffer, endpoint));
            counters.handshake(HandshakeEvent.COOKIE_REPLY_SENT);
            return false;
        }
        // Before any X25519: per-source (20/s, burst 5) and global budgets.
        if (!rateLimiter.allow(buffer, endpoint + DatagramBatch.REMOTE_OFFSET, nowNs)) {
            counters.drop(DropReason.RATE_LIMITED);
            return false;
        }
        return true;
    }

    private byte[] sourceAddress(DirectBuffer buffer, int endpoint) {
        int remote = endpoint + DatagramBatch.REMOTE_OFFSET;
        if (SockAddr.family(buffer, remote) == Posix.AF_INET6) {
            buffer.getBytes(remote + SockAddr.IPV6_ADDRESS_OFFSET, source16);
            return source16;
        }
        buffer.getBytes(remote + SockAddr.IPV4_ADDRESS_OFFSET, source4);
        return source4;
    }

    private void onInitiation(MutableDirectBuffer buffer, int endpoint, int message, int length, boolean underLoad) {
        counters.handshake(HandshakeEvent.INITIATION_RECEIVED);
        if (!checkMacs(buffer, endpoint, message, length, InitiationMessage.senderIndex(buffer, message), underLoad)) {
            return;
        }
        Handshake hs = noise.consumeInitiation(identity, buffer, message, device::handshakeOf, nowNs);
        if (hs == null) {
            counters.handshake(HandshakeEvent.INITIATION_REJECTED);
            counters.drop(DropReason.HANDSHAKE_REJECTED);
            return;
        }
        Peer peer = (Peer) hs.attachment();
        peer.handshakeReceived(length, nowNs);
        peer.endpoint(PeerEndpoint.fromRecord(buffer, endpoint));
        releaseHandshakeIndex(peer);
        long index = indices.insert(peer);
        int slot = pool.claim();
        if (index == IndexTable.FULL || slot == SlotPool.EMPTY) {
            counters.drop(index == IndexTable.FULL ? DropReason.RATE_LIMITED : DropReason.POOL_EMPTY);
            if (index != IndexTable.FULL) {
                indices.remove((int) index, peer);
            }
            if (slot != SlotPool.EMPTY) {
                pool.release(slot);
            }
            hs.clear();
            return;
        }
        int out = slab.payloadOffset(slot);
        if (!noise.createResponse(hs, (int) index, slab.buffer(), out)) {
            indices.remove((int) index, peer);
            pool.release(slot);
            return;
        }
        peer.cookieMaker().addMacs(slab.buffer(), out, ResponseMessage.LENGTH, nowNs);
        Keypair keypair = noise.beginSession(hs, nowNs);
        KeypairEntry entry = new KeypairEntry(peer, keypair);
        indices.replace((int) index, peer, entry);
        install(peer, entry);
        publish(OutboundEvent.KIND_HANDSHAKE, slot, ResponseMessage.LENGTH, peer, peer.endpoint());
        counters.handshake(HandshakeEvent.RESPONSE_SENT);
        counters.handshake(HandshakeEvent.SESSION_STARTED);
        timers(peer).sessionDerived(nowNs);
    }

    private void onResponse(MutableDirectBuffer buffer, int endpoint, int message, int length, boolean underLoad) {
        counters.handshake(HandshakeEvent.RESPONSE_RECEIVED);
        if (!checkMacs(buffer, endpoint, message, length, ResponseMessage.senderIndex(buffer, message), underLoad)) {
            return;
        }
        int index = ResponseMessage.receiverIndex(buffer, message);
        if (!(indices.lookup(index) instanceof Peer peer)) {
            counters.drop(DropReason.UNKNOWN_INDEX);
            return;
        }
        Handshake hs = peer.handshake();
        if (!noise.consumeResponse(identity, hs, buffer, message)) {
            counters.handshake(HandshakeEvent.RESPONSE_REJECTED);
            counters.drop(DropReason.HANDSHAKE_REJECTED);
            return;
        }
        peer.handshakeReceived(length, nowNs);
        peer.endpoint(PeerEndpoint.fromRecord(buffer, endpoint));
        Keypair keypair = noise.beginSession(hs, nowNs);
        KeypairEntry entry = new KeypairEntry(peer, keypair);
        indices.replace(index, peer, entry);
        peer.handshakeIndexLive = false;
        install(peer, entry);
        counters.handshake(HandshakeEvent.SESSION_STARTED);
        peer.lastHandshakeEpochNs(Tai64n.wallClockNanos());
        PeerTimers timers = timers(peer);
        timers.handshakeComplete(nowNs);
        timers.sessionDerived(nowNs);
        if (!flushStaged(peer)) {
            sendKeepalive(peer);
        }
    }

    private void onCookieReply(MutableDirectBuffer buffer, int message) {
        Object entry = indices.lookup(CookieReplyMessage.receiverIndex(buffer, message));
        Peer peer = entry instanceof Peer p ? p : entry instanceof KeypairEntry k ? k.peer() : null;
        if (peer == null) {
            counters.handshake(HandshakeEvent.COOKIE_REPLY_REJECTED);
            counters.drop(DropReason.UNKNOWN_INDEX);
            return;
        }
        if (!peer.cookieMaker().consumeReply(buffer, message, nowNs)) {
            counters.handshake(HandshakeEvent.COOKIE_REPLY_REJECTED);
            counters.drop(DropReason.BAD_MAC);
            return;
        }
        counters.handshake(HandshakeEvent.COOKIE_REPLY_RECEIVED);
    }

    /** The finisher saw the first packet on a responder's keypair: the handshake is complete. */
    private void sessionConfirmed(Peer peer) {
        if (peer.removed()) {
            return;
        }
        peer.lastHandshakeEpochNs(Tai64n.wallClockNanos());
        timers(peer).handshakeComplete(nowNs);
        sweepIndices(peer);
        flushStaged(peer);
    }

    // ---- sending

    /** A handshake is wanted (packets staged, or keys getting old); the timers rate-limit it. */
    private void requestHandshake(Peer peer) {
        if ((peer.timers.requestHandshake(nowNs) & PeerTimers.SEND_INITIATION) != 0) {
            sendInitiation(peer);
        }
    }

    /** Creates and sends an initiation; the caller decided it is due (timers or request). */
    void sendInitiation(Peer peer) {
        if (peer.endpoint() == null || !identity.present() || !peer.handshake().usable()) {
            return;
        }
        releaseHandshakeIndex(peer);
        long index = indices.insert(peer);
        if (index == IndexTable.FULL) {
            counters.drop(DropReason.RATE_LIMITED);
            return;
        }
        int slot = pool.claim();
        if (slot == SlotPool.EMPTY) {
            indices.remove((int) index, peer);
            counters.drop(DropReason.POOL_EMPTY);
            return;
        }
        int out = slab.payloadOffset(slot);
        if (!noise.createInitiation(
                identity, peer.handshake(), (int) index, Tai64n.wallClockNanos(), slab.buffer(), out)) {
            indices.remove((int) index, peer);
            pool.release(slot);
            return;
        }
        peer.localHandshakeIndex = (int) index;
        peer.handshakeIndexLive = true;
        peer.cookieMaker().addMacs(slab.buffer(), out, InitiationMessage.LENGTH, nowNs);
        publish(OutboundEvent.KIND_HANDSHAKE, slot, InitiationMessage.LENGTH, peer, peer.endpoint());
        counters.handshake(HandshakeEvent.INITIATION_SENT);
        timers(peer).handshakeInitiated(nowNs);
    }

    void sendKeepalive(Peer peer) {
        int slot = pool.claim();
        if (slot == SlotPool.EMPTY) {
            counters.drop(DropReason.POOL_EMPTY);
            return;
        }
        publish(OutboundEvent.KIND_KEEPALIVE, slot, 0, peer, null);
    }

    /** Republishes the peer's staged packets now that it has a session; true when any were staged. */
    private boolean flushStaged(Peer peer) {
        boolean any = false;
        int slot;
        while ((slot = peer.staged().poll()) >= 0) {
            any = true;
            publish(OutboundEvent.KIND_DATA, slot, slab.payloadLengthBytes(slot), peer, null);
        }
        return any;
    }

    private void publish(int kind, int slot, int length, Peer peer, PeerEndpoint endpoint) {
        if (!outbound.hasAvailableCapacity(1)) {
            counters.drop(DropReason.RING_FULL);
            pool.release(slot);
            return;
        }
        long sequence = outbound.next();
        outbound.get(sequence).set(kind, slot, length, peer, endpoint);
        outbound.publish(sequence);
        device.outboundPublished();
    }

    // ---- keypairs and indices

    private void install(Peer peer, KeypairEntry entry) {
        peer.keypairs().add(entry.keypair());
        peer.sessions.add(entry);
        sweepIndices(peer);
    }

    /** Frees the receiver indices of keypairs the peer no longer holds. */
    private void sweepIndices(Peer peer) {
        peer.sessions.removeIf(entry -> {
            Keypair k = entry.keypair();
            // One consistent look: three separate reads could miss a keypair the receive stage promotes
            // from next to current in between, and its index and keys would go with it.
            boolean live = peer.keypairs().holds(k);
            if (!live) {
                indices.remove(k.localIndex(), entry);
                retired.retire(k, nowNs);
            }
            return !live;
        });
    }

    private void releaseHandshakeIndex(Peer peer) {
        if (peer.handshakeIndexLive) {
            indices.remove(peer.localHandshakeIndex, peer);
            peer.handshakeIndexLive = false;
        }
    }

    /** Retires all keys of a peer (private key change, zero-key timer, removal). */
    void forgetSessions(Peer peer, boolean wipe) {
        peer.keypairs().clear();
        for (KeypairEntry entry : peer.sessions) {
            indices.remove(entry.keypair().localIndex(), entry);
            if (wipe) {
                // Not destroy(): a packet the classifier stamped with this keypair a moment ago may still
                // be in an encrypt worker, which would seal it under a zeroed key. Retired keys are
                // invalid at once and wiped after the grace period (or at close).
                retired.retire(entry.keypair(), nowNs);
            }
        }
        peer.sessions.clear();
        releaseHandshakeIndex(peer);
        peer.handshake().clear();
    }

    /** Releases the peer's staged packets (handshake gave up, or the peer is gone). */
    void dropStaged(Peer peer) {
        int slot;
        while ((slot = peer.staged().poll()) >= 0) {
            pool.release(slot);
            counters.drop(DropReason.NO_SESSION);
        }
    }

    // ---- timers

    private PeerTimers timers(Peer peer) {
        return peer.timers;
    }

    private void tick(Peer peer) {
        sweepIndices(peer);
        if (peer.takeHandshakeRequest()) {
            requestHandshake(peer);
        }
        int actions = peer.timers.poll(nowNs, peer);
        Keypair current = peer.keypairs().current();
        long received = peer.lastTransportReceivedNs();
        if (current != null && received != peer.lastReceivedSeenNs) {
            // wireguard-go checks on every received packet; once per tick with new traffic is enough.
            actions |= peer.timers.keepKeyFreshReceiving(nowNs, current.createdNs(), current.initiator());
        }
        peer.lastReceivedSeenNs = received;
        if ((actions & PeerTimers.ZERO_KEYS) != 0) {
            forgetSessions(peer, true);
        }
        if ((actions & PeerTimers.GIVE_UP) != 0) {
            dropStaged(peer);
        }
        if ((actions & PeerTimers.CLEAR_ENDPOINT_SOURCE) != 0) {
            PeerEndpoint endpoint = peer.endpoint();
            if (endpoint != null) {
                peer.endpoint(endpoint.withoutLocal());
            }
        }
        if ((actions & PeerTimers.SEND_INITIATION) != 0) {
            sendInitiation(peer);
        }
        if ((actions & PeerTimers.SEND_KEEPALIVE) != 0) {
            sendKeepalive(peer);
        }
    }

    long nowNs() {
        return nowNs;
    }

    /** Keypairs retired and not wiped yet (tests). */
    int retiredKeypairs() {
        return retired.size();
    }

    /** For configuration changes: every current peer's handshake follows a new private key. */
    void identityChanged(Collection<Peer> peers) {
        for (Peer peer : peers) {
            forgetSessions(peer, true);
            peer.handshake().precompute(identity);
        }
    }

    /** The agent stops with the device: nothing can use a retired keypair any more. */
    @Override
    public void onClose() {
        retired.wipeAll();
    }

    @Override
    public String toString() {
        return roleName() + Arrays.toString(new int[] {indices.size()});
    }
}
