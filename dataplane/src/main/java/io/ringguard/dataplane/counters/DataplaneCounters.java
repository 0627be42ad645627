package io.ringguard.dataplane.counters;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Interface-wide counters: drops by reason and handshake events. Drops are off the fast path (a
 * packet being dropped already costs more than one atomic add), so several threads may count the
 * same reason; readers (metrics, UAPI, tests) see eventually consistent totals.
 */
public final class DataplaneCounters {
    private final AtomicLongArray drops = new AtomicLongArray(DropReason.values().length);
    private final AtomicLongArray handshakes = new AtomicLongArray(HandshakeEvent.values().length);

    public void drop(DropReason reason) {
        drops.getAndIncrement(reason.ordinal());
    }

    public void drops(DropReason reason, int count) {
        drops.getAndAdd(reason.ordinal(), count);
    }

    public long dropped(DropReason reason) {
        return drops.get(reason.ordinal());
    }

    public void handshake(HandshakeEvent event) {
        handshakes.getAndIncrement(event.ordinal());
    }

    public long handshakes(HandshakeEvent event) {
        return handshakes.get(event.ordinal());
    }

    /** Handshake messages by kind and result. */
    public enum HandshakeEvent {
        INITIATION_SENT,
        INITIATION_RECEIVED,
        INITIATION_REJECTED,
        RESPONSE_SENT,
        RESPONSE_RECEIVED,
        RESPONSE_REJECTED,
        COOKIE_REPLY_SENT,
        COOKIE_REPLY_RECEIVED,
        COOKIE_REPLY_REJECTED,
        SESSION_STARTED
    }
}
