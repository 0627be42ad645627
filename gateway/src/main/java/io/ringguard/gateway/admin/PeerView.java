package io.ringguard.gateway.admin;

import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.PublicKey;
import io.ringguard.gateway.registry.PeerRecord;
import java.util.List;

/**
 * One registered peer as {@code GET /v1/peers/{key}} shows it. Immutable; any thread.
 *
 * @param publicKey the peer's key
 * @param addresses its tunnel addresses from the pool
 * @param endpoint the learned (or stored) UDP endpoint as {@code ip:port}, or null when none is known
 * @param rxBytes bytes received from it: the stored total plus what the dataplane counted since the
 *     last sync, so it never goes backwards, also across restarts
 * @param txBytes bytes sent to it, likewise
 * @param allowanceBytes its allowance (received plus sent), or {@link PeerRecord#UNLIMITED}
 * @param remainingBytes {@code max(0, allowance - rx - tx)}, or {@link Long#MAX_VALUE} when unlimited
 * @param latestHandshakeUnix the last completed handshake, seconds since the epoch; 0 for never
 */
public record PeerView(
        PublicKey publicKey,
        List<Cidr> addresses,
        String endpoint,
        long rxBytes,
        long txBytes,
        long allowanceBytes,
        long remainingBytes,
        long latestHandshakeUnix) {
    public PeerView {
        addresses = List.copyOf(addresses);
    }

    public boolean unlimited() {
        return allowanceBytes == PeerRecord.UNLIMITED;
    }
}
