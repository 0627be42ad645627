package io.ringguard.gateway.registry;

import io.ringguard.dataplane.config.PublicKey;

/**
 * Bytes to add to one peer's stored totals in a sync.
 *
 * @param publicKey the peer
 * @param rxBytes received bytes to add, at least 0
 * @param txBytes sent bytes to add, at least 0
 */
public record CounterDelta(PublicKey publicKey, long rxBytes, long txBytes) {
    public CounterDelta {
        if (rxBytes < 0 || txBytes < 0) {
            throw new IllegalArgumentException("a delta is never negative: rx " + rxBytes + ", tx " + txBytes);
        }
    }
}
