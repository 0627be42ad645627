package io.ringguard.dataplane.pipeline;

import io.ringguard.dataplane.device.Peer;
import io.ringguard.dataplane.device.PeerEndpoint;
import io.ringguard.handshake.noise.Keypair;

/**
 * One entry of the send ring, preallocated and reused. The producer (TUN reader or control thread)
 * fills {@link #kind}, {@link #slot}, {@link #lengthBytes} and, when known, {@link #peer}; the
 * classifier decides {@link #send} and assigns {@link #keypair} and {@link #counter}; an encrypt
 * worker sets {@link #wireLengthBytes}; the sender sends and releases the slot.
 */
public final class OutboundEvent {
    /** An IP packet at the slot's payload offset, to be encrypted. */
    public static final int KIND_DATA = 0;
    /** An empty transport message (keepalive); the slot holds only header and tag. */
    public static final int KIND_KEEPALIVE = 1;
    /** A ready handshake message (initiation, response, cookie reply) at the payload offset. */
    public static final int KIND_HANDSHAKE = 2;

    int kind;
    int slot;
    int lengthBytes;
    Peer peer;
    PeerEndpoint endpoint;
    Keypair keypair;
    long counter;
    boolean send;
    int wireLengthBytes;
    /** When the packet entered the pipeline (TUN read), for the latency sample; 0 = not a TUN packet. */
    long ingressNs;

    /** Producer side: fills the event for publication. */
    public void set(int kind, int slot, int lengthBytes, Peer peer, PeerEndpoint endpoint) {
        this.kind = kind;
        this.slot = slot;
        this.lengthBytes = lengthBytes;
        this.peer = peer;
        this.endpoint = endpoint;
        this.keypair = null;
        this.counter = 0;
        this.send = false;
        this.wireLengthBytes = 0;
        this.ingressNs = 0;
    }

    void clearReferences() {
        peer = null;
        endpoint = null;
        keypair = null;
    }
}
