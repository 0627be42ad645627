package io.ringguard.membership.swim;

import io.ringguard.membership.wire.Items;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.agrona.MutableDirectBuffer;

/**
 * Updates waiting to be piggy-backed, memberlist's TransmitLimitedQueue: each is sent at most
 * {@code limit} times, the least-sent first, and a newer update about the same subject replaces the
 * older one. Buckets by transmit count make picking O(1); a replaced update is invalidated in place
 * and skipped when reached, and the queue compacts itself when such garbage dominates. The number
 * of valid entries is bounded by the number of distinct subjects (members plus org subjects).
 * The engine's thread only.
 */
final class BroadcastQueue {
    static final int MAX_BUCKETS = 64;
    static final int MAX_MISSES = 4;

    private static final class Broadcast {
        final Object id;
        final int kind;
        final byte[] bytes;
        int transmits;
        long fillStamp;
        boolean invalid;

        Broadcast(Object id, int kind, byte[] bytes) {
            this.id = id;
            this.kind = kind;
            this.bytes = bytes;
        }
    }

    private final List<ArrayDeque<Broadcast>> buckets = new ArrayList<>(MAX_BUCKETS);

    private final Map<Object, Broadcast> byId = new HashMap<>();
    private int queued;
    private long fills;

    BroadcastQueue() {
        for (int i = 0; i < MAX_BUCKETS; i++) {
            buckets.add(new ArrayDeque<>());
        }
    }

    /** Queues {@code bytes} (kept by reference; the caller must not change them). */
    void add(Object id, int kind, byte[] bytes) {
        Broadcast b = new Broadcast(id, kind, bytes);
        Broadcast old = byId.put(id, b);
        if (old != null) {
            old.invalid = true;
        }
        buckets.get(0).addLast(b);
        queued++;
        if (queued > 4 * byId.size() + 64) {
            compact();
        }
    }

    int size() {
        return byId.size();
    }

    boolean isEmpty() {
        return byId.isEmpty();
    }

    /**
     * Writes the item section at {@code offset}: as many queued updates as fit before {@code end},
     * least-sent first, each counted as one more transmission. Returns the section's end offset.
     */
    int fill(MutableDirectBuffer buffer, int offset, int end, int limit) {
        return fill(buffer, offset, offset + 1, 0, end, limit);
    }

    /**
     * As {@link #fill(MutableDirectBuffer, int, int, int)}, after {@code itemsAlready} items the
     * caller wrote between the count byte at {@code offset} and {@code itemsEnd}.
     */
    int fill(MutableDirectBuffer buffer, int offset, int itemsEnd, int itemsAlready, int end, int limit) {
        int count = itemsAlready;
        int p = itemsEnd;
        long stamp = ++fills;
        int cap = Math.min(limit, MAX_BUCKETS);
        int misses = 0;
        for (int bucket = 0; bucket < cap && count < Items.MAX_ITEMS && misses < MAX_MISSES; bucket++) {
            ArrayDeque<Broadcast> q = buckets.get(bucket);
            for (int n = q.size(); n > 0 && count < Items.MAX_ITEMS; n--) {
                Broadcast b = q.pollFirst();
                if (b.invalid) {
                    queued--;
                    continue;
                }
                if (b.fillStamp == stamp) {
                    // Moved up a bucket earlier in this fill: one copy per message.
                    q.addLast(b);
                    continue;
                }
                int need = Items.ITEM_HEADER + b.bytes.length;
                if (p + need > end) {
                    // Full for records of this size; a bucket holds similar records, so try the
                    // next bucket (claims are smaller) and give up after a few misses instead of
                    // walking thousands of queued records per frame.
                    q.addFirst(b);
                    misses++;
                    break;
                }
                int at = Items.putItemHeader(buffer, p, b.kind, b.bytes.length);
                buffer.putBytes(at, b.bytes);
                p = at + b.bytes.length;
                count++;
                b.fillStamp = stamp;
                b.transmits++;
                if (b.transmits >= cap) {
                    byId.remove(b.id, b);
                    queued--;
                } else {
                    buckets.get(b.transmits).addLast(b);
                }
            }
        }
        buffer.putByte(offset, (byte) count);
        return p;
    }

    private void compact() {
        queued = 0;
        for (ArrayDeque<Broadcast> q : buckets) {
            q.removeIf(b -> b.invalid);
            queued += q.size();
        }
    }
}
