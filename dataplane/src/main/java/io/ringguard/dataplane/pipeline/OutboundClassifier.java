package io.ringguard.dataplane.pipeline;

import com.lmax.disruptor.EventHandler;
import io.ringguard.buffers.PacketSlab;
import io.ringguard.buffers.ip.IpPacket;
import io.ringguard.dataplane.allowedips.AllowedIps;
import io.ringguard.dataplane.counters.DataplaneCounters;
import io.ringguard.dataplane.counters.DropReason;
import io.ringguard.dataplane.device.Peer;
import io.ringguard.dataplane.device.PeerEndpoint;
import io.ringguard.handshake.ProtocolConstants;
import io.ringguard.handshake.noise.Keypair;

/**
 * Outbound stage 1, one thread, in ring order: routes each packet to a peer through the allowed IPs,
 * picks the peer's current keypair and assigns the nonce (the single writer of every send counter),
 * so the nonces on the wire follow the ring's order.
 *
 * <p>A packet for a peer without a usable session is staged on the peer (bounded) and a handshake is
 * requested from the control thread; it is never sent on stale keys. Drops keep their slot for the
 * sender to release; staged packets leave the ring ({@code slot = -1}).
 */
public final class OutboundClassifier implements EventHandler<OutboundEvent> {
    private final PacketSlab slab;
    private final AllowedIps<Peer> allowedIps;
    private final DataplaneCounters counters;
    private long nowNs;
    private boolean clockStale = true;

    public OutboundClassifier(PacketSlab slab, AllowedIps<Peer> allowedIps, DataplaneCounters counters) {
        this.slab = slab;
        this.allowedIps = allowedIps;
        this.counters = counters;
    }

    @Override
    public void onEvent(OutboundEvent event, long sequence, boolean endOfBatch) {
        if (clockStale) {
            nowNs = System.nanoTime();
            clockStale = false;
        }
        classify(event);
        if (endOfBatch) {
            clockStale = true;
        }
    }

    private void classify(OutboundEvent event) {
        if (event.kind == OutboundEvent.KIND_HANDSHAKE) {
            event.send = event.endpoint != null;
            if (!event.send) {
                counters.drop(DropReason.NO_ENDPOINT);
            }
            return;
        }
        Peer peer = event.peer;
        if (peer == null) {
            peer = route(event);
            if (peer == null) {
                counters.drop(DropReason.NO_ROUTE);
                return;
            }
            event.peer = peer;
        }
        if (peer.removed()) {
            counters.drop(DropReason.NO_ROUTE);
            return;
        }
        if (peer.blocked() && event.kind == OutboundEvent.KIND_DATA) {
            counters.drop(DropReason.ALLOWANCE_EXHAUSTED);
            return;
        }
        Keypair keypair = peer.keypairs().current();
        long counter = -1;
        if (keypair != null && !keypair.expired(nowNs)) {
            counter = keypair.nextSendCounter();
        }
        if (counter < 0) {
            peer.requestHandshake();
            if (event.kind == OutboundEvent.KIND_DATA) {
                // The slot leaves the ring: its length travels with it in the slab's metadata.
                slab.payloadLengthBytes(event.slot, event.lengthBytes);
            }
            if (event.kind == OutboundEvent.KIND_DATA && peer.endpoint() == null) {
                // No handshake can be sent, so nothing would ever release a staged slot: a peer that
                // has not called yet (a registered client) must not pin pool slots.
                counters.drop(DropReason.NO_ENDPOINT);
            } else if (event.kind == OutboundEvent.KIND_DATA) {
                if (peer.staged().offer(event.slot)) {
                    event.slot = -1;
                } else {
                    counters.drop(DropReason.NO_SESSION);
                }
            }
            // A keepalive without a session has done its job: it asked for the handshake.
            return;
        }
        PeerEndpoint endpoint = peer.endpoint();
        if (endpoint == null) {
            counters.drop(DropReason.NO_ENDPOINT);
            return;
        }
        // Only the initiator of the current session rekeys on age or volume (keep key fresh).
        if (keypair.initiator()
                && (Long.compareUnsigned(counter, ProtocolConstants.REKEY_AFTER_MESSAGES) >= 0
                        || nowNs - keypair.createdNs() >= ProtocolConstants.REKEY_AFTER_TIME_NS)) {
            peer.requestHandshake();
        }
        event.keypair = keypair;
        event.counter = counter;
        event.endpoint = endpoint;
        event.send = true;
    }

    private Peer route(OutboundEvent event) {
        int offset = slab.payloadOffset(event.slot);
        int version = IpPacket.version(slab.buffer(), offset, event.lengthBytes);
        if (version == IpPacket.IPV4_VERSION) {
            return allowedIps.lookupV4(IpPacket.ipv4DestinationAddress(slab.buffer(), offset));
        }
        if (version == IpPacket.IPV6_VERSION) {
            return allowedIps.lookupV6(slab.buffer(), offset + IpPacket.IPV6_DESTINATION_OFFSET);
        }
        return null;
    }
}
