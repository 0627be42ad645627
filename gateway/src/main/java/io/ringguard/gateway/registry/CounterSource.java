package io.ringguard.gateway.registry;

import java.util.function.LongSupplier;

/**
 * A peer's live byte counters in the dataplane, as the accounting reads them: monotonically
 * increasing for the life of one counting object (one dataplane {@code Peer}), starting at zero.
 *
 * <p>Two sources are the same source when they are {@link #equals equal}: {@link #of} makes sources
 * equal by the identity of the object that counts, so attaching the same {@code Peer} twice (through
 * two method-reference wrappers) never charges its history twice. Reads may come from any thread.
 */
public interface CounterSource {
    /** Bytes received from the peer so far. */
    long rxBytes();

    /** Bytes sent to the peer so far. */
    long txBytes();

    /**
     * A source reading {@code rx} and {@code tx}, identified by {@code counters} (compared with
     * {@code ==}): e.g. {@code CounterSource.of(peer, peer::rxBytes, peer::txBytes)}.
     */
    static CounterSource of(Object counters, LongSupplier rx, LongSupplier tx) {
        return new Of(counters, rx, tx);
    }

    /** The source made by {@link #of}; equal by the identity of {@code counters}. */
    final class Of implements CounterSource {
        private final Object counters;
        private final LongSupplier rx;
        private final LongSupplier tx;

        private Of(Object counters, LongSupplier rx, LongSupplier tx) {
            this.counters = java.util.Objects.requireNonNull(counters, "counters");
            this.rx = rx;
            this.tx = tx;
        }

        @Override
        public long rxBytes() {
            return rx.getAsLong();
        }

        @Override
        public long txBytes() {
            return tx.getAsLong();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Of other && other.counters == counters;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(counters);
        }

        @Override
        public String toString() {
            return "CounterSource[" + counters + "]";
        }
    }
}
