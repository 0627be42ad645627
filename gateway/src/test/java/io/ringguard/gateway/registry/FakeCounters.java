package io.ringguard.gateway.registry;

import java.util.concurrent.atomic.AtomicLong;

/** A dataplane peer's counters as a test drives them: monotonic, from zero, any thread. */
final class FakeCounters {
    private final AtomicLong rx = new AtomicLong();
    private final AtomicLong tx = new AtomicLong();

    void add(long rxBytes, long txBytes) {
        rx.addAndGet(rxBytes);
        tx.addAndGet(txBytes);
    }

    long rx() {
        return rx.get();
    }

    long tx() {
        return tx.get();
    }

    /** A new wrapper each call, equal to the others: as a caller would write it twice. */
    CounterSource source() {
        return CounterSource.of(this, rx::get, tx::get);
    }

    ByteTotals totals() {
        return new ByteTotals(rx.get(), tx.get());
    }
}
