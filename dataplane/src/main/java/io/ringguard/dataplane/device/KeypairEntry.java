package io.ringguard.dataplane.device;

import io.ringguard.handshake.noise.Keypair;

/**
 * What a receiver index names once a session exists: the keypair and the peer it belongs to. A
 * handshake in progress is named by its {@link Peer} directly.
 */
public record KeypairEntry(Peer peer, Keypair keypair) {}
