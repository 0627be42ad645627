package io.ringguard.dataplane.counters;

import java.util.Locale;

/** Why the dataplane dropped a packet; each value is a metrics label and never changes its name. */
public enum DropReason {
    /** Outbound packet whose destination matches no peer's allowed IPs. */
    NO_ROUTE,
    /** Outbound packet for a peer with no usable session while its staging queue is full. */
    NO_SESSION,
    /** Outbound packet for a peer that has no endpoint to send to. */
    NO_ENDPOINT,
    /** Inbound transport packet whose counter was seen before or is outside the window. */
    REPLAY,
    /** Inbound packet that failed authentication (transport AEAD or handshake mac1). */
    BAD_MAC,
    /** Inbound transport, response or cookie reply naming a receiver index we do not have. */
    UNKNOWN_INDEX,
    /** Inbound transport packet for a keypair that is retired or expired. */
    EXPIRED_KEYPAIR,
    /** Decrypted packet whose inner source address does not route back to the sending peer. */
    SPOOFED_SOURCE,
    /** Decrypted packet that is not a well-formed IPv4/IPv6 packet. */
    BAD_INNER_PACKET,
    /** Datagram that is not a WireGuard message (unknown type, bad reserved bytes, wrong length). */
    MALFORMED,
    /** A ring had no room for the packet. */
    RING_FULL,
    /** The packet pool had no free slot. */
    POOL_EMPTY,
    /** The control ring had no room for a handshake message. */
    CONTROL_RING_FULL,
    /** A handshake message refused by rate limiting. */
    RATE_LIMITED,
    /** A handshake message that failed the Noise checks (see the handshake counters for which). */
    HANDSHAKE_REJECTED,
    /** The kernel refused to send the datagram. */
    SEND_FAILED,
    /** The TUN device refused the packet. */
    TUN_WRITE_FAILED,
    /** A TUN packet or a datagram larger than a packet slot (the kernel cut it to the slot). */
    TOO_BIG,
    /** The peer has used up its bandwidth allowance. */
    ALLOWANCE_EXHAUSTED;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The metrics label, e.g. {@code no_route}. */
    public String label() {
        return label;
    }
}
