package io.ringguard.dataplane.pipeline;

import io.ringguard.dataplane.device.Peer;
import io.ringguard.dataplane.sys.DatagramBatch;
import io.ringguard.handshake.noise.Keypair;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One entry of the receive ring: a transport datagram in a slot, its source endpoint record, and
 * what the decrypt worker found (keypair, plaintext length) for the in-order finisher.
 */
public final class InboundEvent {
    int slot;
    int datagramLengthBytes;
    final UnsafeBuffer endpoint = new UnsafeBuffer(new byte[DatagramBatch.ENDPOINT_RECORD_BYTES]);
    Peer peer;
    Keypair keypair;
    long counter;
    /** When the datagram's batch was received (UDP receive), for the latency sample. */
    long ingressNs;

    int plaintextLengthBytes;
    boolean accepted;

    void clearReferences() {
        peer = null;
        keypair = null;
    }
}
