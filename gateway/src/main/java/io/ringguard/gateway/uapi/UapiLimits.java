package io.ringguard.gateway.uapi;

/**
 * Bounds on one UAPI request, so a hostile or broken client cannot make the daemon hold unbounded
 * memory. A request past any of them is answered with {@link UapiErrno#EINVAL} and changes nothing.
 *
 * @param maxLineChars longest line without its {@code \n}; the longest legitimate line (an IPv6
 *     {@code allowed_ip} or {@code endpoint}, or a key) is under 80 characters
 * @param maxLines lines per request, including {@code set=1}
 * @param maxPeers {@code public_key=} lines per request
 * @param maxAllowedIps {@code allowed_ip=} lines per request
 */
public record UapiLimits(int maxLineChars, int maxLines, int maxPeers, int maxAllowedIps) {
    /**
     * Room for a {@code wg setconf} of a 10k-peer gateway (about 8 lines per peer) with headroom;
     * at most a few tens of MB of parsed operations.
     */
    public static final UapiLimits DEFAULT = new UapiLimits(512, 200_000, 20_000, 100_000);

    public UapiLimits {
        if (maxLineChars < 80 || maxLines < 2 || maxPeers < 0 || maxAllowedIps < 0) {
            throw new IllegalArgumentException("UAPI limits too small to carry a request: " + this);
        }
    }
}
