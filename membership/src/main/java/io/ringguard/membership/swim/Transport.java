package io.ringguard.membership.swim;

import io.ringguard.membership.identity.Endpoint;
import org.agrona.DirectBuffer;

/**
 * How the engine sends a datagram. The gateway implements it with its gossip UDP socket, the tests
 * with the simulator. Called on the engine's thread; the buffer is reused after the call returns,
 * so an implementation that queues must copy.
 */
@FunctionalInterface
public interface Transport {
    void send(Endpoint to, DirectBuffer buffer, int offset, int lengthBytes);
}
