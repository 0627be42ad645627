package io.ringguard.dataplane.timers;

/**
 * The last moments a peer's packets moved, as the dataplane publishes them once per batch
 * (monotonic ns, {@link #NEVER} until the first such packet). {@link PeerTimers#poll} reads each
 * value once per call and turns a changed value into the matching wireguard-go timer event.
 *
 * <p>Threads: read by the control thread only. An implementation may be the peer's own record of
 * published timestamps (acquire reads of fields the dataplane stages write with release), so
 * polling copies nothing and allocates nothing. Each value must only move forward.
 */
public interface PeerActivity {
    /** The value of a timestamp whose kind of packet has not been seen yet. */
    long NEVER = Long.MIN_VALUE;

    /** Last transport data packet (not a keepalive) sealed and handed to the UDP sender. */
    long lastDataSentNs();

    /** Last transport data packet (not a keepalive) that authenticated. */
    long lastDataReceivedNs();

    /**
     * Last authenticated packet sent: any transport packet, keepalives included, and handshake
     * responses the control thread sent (initiations are applied by {@link
     * PeerTimers#handshakeInitiated}; reporting them here as well is harmless).
     */
    long lastAuthenticatedSentNs();

    /**
     * Last authenticated packet received: any transport packet, keepalives included, and handshake
     * messages from this peer that the control thread consumed successfully.
     */
    long lastAuthenticatedReceivedNs();
}
