package io.ringguard.membership.swim;

/** Why a datagram or an item in it was dropped; counted per reason by the engine. */
public enum DropReason {
    MALFORMED,
    BAD_SIGNATURE,
    REPLAY,
    NOT_ADMITTED,
    NOT_VOUCHED,
    REVOKED,
    BAD_SELF_SIGNATURE,
    STALE,
    TABLE_FULL,
    BAD_ORG_MESSAGE,
    RELAY_REFUSED,
    PENDING_FULL;

    public String metricName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
