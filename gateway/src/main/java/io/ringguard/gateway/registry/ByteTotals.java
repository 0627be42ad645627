package io.ringguard.gateway.registry;

/**
 * Bytes received from and sent to one peer.
 *
 * @param rxBytes bytes received from the peer
 * @param txBytes bytes sent to the peer
 */
public record ByteTotals(long rxBytes, long txBytes) {
    public static final ByteTotals ZERO = new ByteTotals(0, 0);

    /** Received plus sent: what an allowance is charged. */
    public long totalBytes() {
        return rxBytes + txBytes;
    }

    public ByteTotals plus(long rx, long tx) {
        return new ByteTotals(rxBytes + rx, txBytes + tx);
    }
}
