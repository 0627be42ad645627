package io.ringguard.dataplane.pipeline;

import com.lmax.disruptor.EventHandler;
import io.ringguard.buffers.PacketSlab;
import io.ringguard.buffers.SlotPool;
import io.ringguard.buffers.ip.IpPacket;
import io.ringguard.dataplane.allowedips.AllowedIps;
import io.ringguard.dataplane.counters.DataplaneCounters;
import io.ringguard.dataplane.counters.DropReason;
import io.ringguard.dataplane.counters.LatencySink;
import io.ringguard.dataplane.device.Peer;
import io.ringguard.dataplane.device.PeerEndpoint;
import io.ringguard.dataplane.sys.TunDevice;
import io.ringguard.handshake.noise.Keypair;
import org.agrona.MutableDirectBuffer;

/**
 * Inbound stage 2, one thread, in ring order, after every decrypt worker. For each authenticated
 * packet:
 *
 * <ol>
 *   <li>the replay window (single writer per keypair, so ordering and the bitmap stay consistent);
 *   <li>confirms the responder's "next" keypair (the first data packet proves the initiator has it);
 *   <li>roams: the peer's endpoint follows the source of authenticated packets only;
 *   <li>cryptokey routing: the inner source address must route back to the same peer;
 *   <li>writes the inner packet to the TUN (keepalives stop at step 3);
 * </ol>
 *
 * and releases every slot.
 */
public final class InboundFinisher implements EventHandler<InboundEvent> {
    private final PacketSlab slab;
    private final SlotPool pool;
    private final AllowedIps<Peer> allowedIps;
    private final TunDevice tun;
    private final DataplaneCounters counters;
    private final SessionListener listener;
    private long nowNs;
    private boolean clockStale = true;
    private LatencySink latency = LatencySink.NONE;
    private long lastIngressNs;

    /** Told, on the finisher thread, when a packet confirmed a responder's keypair. */
    @FunctionalInterface
    public interface SessionListener {
        void confirmed(Peer peer);
    }

    public InboundFinisher(
            PacketSlab slab,
            SlotPool pool,
            AllowedIps<Peer> allowedIps,
            TunDevice tun,
            DataplaneCounters counters,
            SessionListener listener) {
        this.slab = slab;
        this.pool = pool;
        this.allowedIps = allowedIps;
        this.tun = tun;
        this.counters = counters;
        this.listener = listener;
    }

    /**
     * Where the batch latency goes (UDP receive to TUN write of the batch's last delivered packet). Set
     * before the pipeline starts; the thread start publishes it.
     */
    public void latencySink(LatencySink sink) {
        latency = sink;
    }

    @Override
    public void onEvent(InboundEvent event, long sequence, boolean endOfBatch) {
        if (clockStale) {
            nowNs = System.nanoTime();
            clockStale = false;
        }
        if (event.accepted) {
            finish(event);
            lastIngressNs = event.ingressNs;
        }
        pool.release(event.slot);
        event.clearReferences();
        if (endOfBatch) {
            // A TUN with offloads holds the last TCP segments back to merge them: write them now.
            if (tun.flush() < 0) {
                counters.drop(DropReason.TUN_WRITE_FAILED);
            }
            if (lastIngressNs != 0) {
                latency.record(System.nanoTime() - lastIngressNs);
                lastIngressNs = 0;
            }
            clockStale = true;
        }
    }

    private void finish(InboundEvent event) {
        Keypair keypair = event.keypair;
        Peer peer = event.peer;
        if (!keypair.acceptCounter(event.counter)) {
            counters.drop(DropReason.REPLAY);
            return;
        }
        if (peer.keypairs().receivedWith(keypair)) {
            listener.confirmed(peer);
        }
        PeerEndpoint current = peer.endpoint();
        if (current == null || !current.matches(event.endpoint, 0)) {
            peer.endpoint(PeerEndpoint.fromRecord(event.endpoint, 0));
        }
        int length = event.plaintextLengthBytes;
        if (length == 0) {
            peer.received(event.datagramLengthBytes, false, nowNs);
            return;
        }
        MutableDirectBuffer buffer = slab.buffer();
        int offset = slab.payloadOffset(event.slot);
        Peer owner;
        int version = IpPacket.version(buffer, offset, length);
        if (version == IpPacket.IPV4_VERSION && IpPacket.isValidIpv4(buffer, offset, length)) {
            owner = allowedIps.lookupV4(IpPacket.ipv4SourceAddress(buffer, offset));
        } else if (version == IpPacket.IPV6_VERSION && IpPacket.isValidIpv6(buffer, offset, length)) {
            owner = allowedIps.lookupV6(buffer, offset + IpPacket.IPV6_SOURCE_OFFSET);
        } else {
            counters.drop(DropReason.BAD_INNER_PACKET);
            peer.received(event.datagramLengthBytes, false, nowNs);
            return;
        }
        // Authenticated either way: it counts as traffic from the peer even when refused below.
        peer.received(event.datagramLengthBytes, true, nowNs);
        if (owner != peer) {
            counters.drop(DropReason.SPOOFED_SOURCE);
            return;
        }
        if (peer.blocked()) {
            counters.drop(DropReason.ALLOWANCE_EXHAUSTED);
            return;
        }
        int ipLength = IpPacket.totalLengthBytes(buffer, offset);
        if (tun.write(buffer, offset, ipLength) < 0) {
            counters.drop(DropReason.TUN_WRITE_FAILED);
        }
    }
}
