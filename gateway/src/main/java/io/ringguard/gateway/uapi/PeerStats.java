package io.ringguard.gateway.uapi;

/**
 * The runtime counters of one peer that {@code get=1} reports next to its configuration.
 *
 * @param lastHandshakeSec wall-clock seconds of the last completed handshake; 0 = never
 * @param lastHandshakeNsec nanoseconds within that second, 0 to 999,999,999
 * @param rxBytes bytes received from the peer
 * @param txBytes bytes sent to the peer
 */
public record PeerStats(long lastHandshakeSec, int lastHandshakeNsec, long rxBytes, long txBytes) {
    /** A peer that never completed a handshake and moved no bytes. */
    public static final PeerStats NONE = new PeerStats(0, 0, 0, 0);

    public PeerStats {
        if (lastHandshakeSec < 0 || lastHandshakeNsec < 0 || lastHandshakeNsec > 999_999_999) {
            throw new IllegalArgumentException("bad last handshake time " + lastHandshakeSec + "." + lastHandshakeNsec);
        }
        if (rxBytes < 0 || txBytes < 0) {
            throw new IllegalArgumentException("byte counters cannot be negative");
        }
    }

    /** From a wall-clock time in nanoseconds since the Unix epoch. */
    public static PeerStats of(long lastHandshakeEpochNs, long rxBytes, long txBytes) {
        return new PeerStats(
                lastHandshakeEpochNs / 1_000_000_000L, (int) (lastHandshakeEpochNs % 1_000_000_000L), rxBytes, txBytes);
    }
}
