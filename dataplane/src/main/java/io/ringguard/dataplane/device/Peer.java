package io.ringguard.dataplane.device;

import io.ringguard.dataplane.config.PeerConfig;
import io.ringguard.dataplane.config.PublicKey;
import io.ringguard.handshake.cookie.CookieMaker;
import io.ringguard.handshake.noise.Handshake;
import io.ringguard.handshake.noise.Keypairs;
import io.ringguard.handshake.noise.StaticIdentity;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One configured peer at run time: its handshake, keypairs, endpoint, staged packets and counters.
 *
 * <p>Writers, by field: the control thread owns {@link #handshake()}, {@link #cookieMaker()}, the
 * configuration and the handshake bookkeeping; the outbound classifier stages packets and raises
 * {@link #requestHandshake()}; the UDP sender owns the transmit counters and "sent" activity; the
 * inbound finisher owns the receive counters and "received" activity. Every cross-thread field is
 * an atomic written with a release store by its single writer.
 */
public final class Peer implements io.ringguard.dataplane.timers.PeerActivity {
    private static final long NEVER = Long.MIN_VALUE;

    private final PublicKey publicKey;
    private final Handshake handshake;
    private final CookieMaker cookieMaker;
    private final Keypairs keypairs = new Keypairs();
    private final StagedQueue staged;
    private volatile PeerEndpoint endpoint;
    private volatile PeerConfig config;
    private volatile boolean handshakeRequested;
    private volatile boolean removed;
    private volatile boolean blocked;

    private final AtomicLong txBytes = new AtomicLong();
    private final AtomicLong rxBytes = new AtomicLong();
    private final AtomicLong txPackets = new AtomicLong();
    private final AtomicLong rxPackets = new AtomicLong();
    private final AtomicLong handshakeRxPackets = new AtomicLong();
    private final AtomicLong lastDataSentNs = new AtomicLong(NEVER);
    private final AtomicLong lastAuthenticatedSentNs = new AtomicLong(NEVER);
    private final AtomicLong lastDataReceivedNs = new AtomicLong(NEVER);
    private final AtomicLong lastAuthenticatedReceivedNs = new AtomicLong(NEVER);
    private final AtomicLong lastHandshakeEpochNs = new AtomicLong();
    private final AtomicLong handshakeRxBytes = new AtomicLong();
    private final AtomicLong handshakeAuthenticatedNs = new AtomicLong(NEVER);

    // Control thread only.
    final java.util.List<KeypairEntry> sessions = new java.util.ArrayList<>(3);
    final io.ringguard.dataplane.timers.PeerTimers timers;
    long lastReceivedSeenNs = NEVER;
    long handshakeStartedNs = NEVER;
    int localHandshakeIndex;
    boolean handshakeIndexLive;

    private final org.agrona.concurrent.ManyToOneConcurrentArrayQueue<Peer> handshakeRequests;

    Peer(
            StaticIdentity identity,
            PeerConfig config,
            org.agrona.concurrent.ManyToOneConcurrentArrayQueue<Peer> handshakeRequests,
            java.util.concurrent.atomic.AtomicInteger stagingBudget) {
        this.handshakeRequests = handshakeRequests;
        this.staged = new StagedQueue(StagedQueue.DEFAULT_CAPACITY, stagingBudget);
        this.publicKey = config.publicKey();
        this.handshake = new Handshake(identity, config.publicKey().bytes(), config.presharedKey());
        this.cookieMaker = new CookieMaker(config.publicKey().bytes());
        this.config = config;
        this.endpoint = config.endpoint().map(PeerEndpoint::of).orElse(null);
        handshake.attachment(this);
        this.timers = new io.ringguard.dataplane.timers.PeerTimers(new java.util.SplittableRandom());
        timers.persistentKeepalive(config.persistentKeepaliveSeconds());
        timers.start();
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    public Handshake handshake() {
        return handshake;
    }

    public CookieMaker cookieMaker() {
        return cookieMaker;
    }

    public Keypairs keypairs() {
        return keypairs;
    }

    public StagedQueue staged() {
        return staged;
    }

    public PeerConfig config() {
        return config;
    }

    void config(PeerConfig value) {
        config = value;
    }

    public PeerEndpoint endpoint() {
        return endpoint;
    }

    /** Publishes a new endpoint; any thread that authenticated a packet from it (last writer wins). */
    public void endpoint(PeerEndpoint value) {
        endpoint = value;
    }

    /** Outbound classifier: there are packets to send and no usable session. */
    public void requestHandshake() {
        if (!handshakeRequested) {
            handshakeRequested = true;
            // If the queue is full the flag stays up and the control thread's next tick sees it.
            handshakeRequests.offer(this);
        }
    }

    /** Control thread: takes the request flag. */
    boolean takeHandshakeRequest() {
        if (handshakeRequested) {
            handshakeRequested = false;
            return true;
        }
        return false;
    }

    /**
     * Stops (true) or resumes the peer's traffic in both directions: a used-up bandwidth allowance.
     * Handshakes and keepalives still flow, so the session survives a top-up. Any thread.
     */
    public void blocked(boolean value) {
        blocked = value;
    }

    public boolean blocked() {
        return blocked;
    }

    public boolean removed() {
        return removed;
    }

    void markRemoved() {
        removed = true;
    }

    // ---- counters and activity (single writer each, see class comment)

    /** UDP sender: a datagram of {@code bytes} went out; {@code data} when it carried a packet. */
    public void sent(int bytes, boolean data, long nowNs) {
        txBytes.lazySet(txBytes.get() + bytes);
        txPackets.lazySet(txPackets.get() + 1);
        lastAuthenticatedSentNs.lazySet(nowNs);
        if (data) {
            lastDataSentNs.lazySet(nowNs);
        }
    }

    /** Inbound finisher: an authenticated datagram of {@code bytes} arrived. */
    public void received(int bytes, boolean data, long nowNs) {
        rxBytes.lazySet(rxBytes.get() + bytes);
        rxPackets.lazySet(rxPackets.get() + 1);
        lastAuthenticatedReceivedNs.lazySet(nowNs);
        if (data) {
            lastDataReceivedNs.lazySet(nowNs);
        }
    }

    /**
     * Control thread: a handshake message of {@code bytes} from this peer authenticated. Counted in
     * rx bytes like transport data (as the kernel does), through a counter of the control thread's own.
     */
    void handshakeReceived(int bytes, long nowNs) {
        handshakeRxBytes.lazySet(handshakeRxBytes.get() + bytes);
        handshakeRxPackets.lazySet(handshakeRxPackets.get() + 1);
        handshakeAuthenticatedNs.lazySet(nowNs);
    }

    public long txBytes() {
        return txBytes.get();
    }

    public long rxBytes() {
        return rxBytes.get() + handshakeRxBytes.get();
    }

    /** Datagrams sent to this peer (the ones counted in {@link #txBytes()}). */
    public long txPackets() {
        return txPackets.get();
    }

    /** Authenticated datagrams from this peer (the ones counted in {@link #rxBytes()}). */
    public long rxPackets() {
        return rxPackets.get() + handshakeRxPackets.get();
    }

    public long lastDataSentNs() {
        return lastDataSentNs.get();
    }

    public long lastAuthenticatedSentNs() {
        return lastAuthenticatedSentNs.get();
    }

    public long lastDataReceivedNs() {
        return lastDataReceivedNs.get();
    }

    public long lastAuthenticatedReceivedNs() {
        return Math.max(lastAuthenticatedReceivedNs.get(), handshakeAuthenticatedNs.get());
    }

    /** Last authenticated transport packet (keepalives included), handshakes excluded. */
    public long lastTransportReceivedNs() {
        return lastAuthenticatedReceivedNs.get();
    }

    public long lastHandshakeEpochNs() {
        return lastHandshakeEpochNs.get();
    }

    void lastHandshakeEpochNs(long value) {
        lastHandshakeEpochNs.lazySet(value);
    }

    @Override
    public String toString() {
        return "Peer[" + publicKey + "]";
    }
}
