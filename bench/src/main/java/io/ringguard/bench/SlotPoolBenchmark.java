package io.ringguard.bench;

import io.ringguard.buffers.SlotPool;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of taking a packet slot and giving it back, the fixed price every packet pays on the way through
 * the gateway. {@code uncontended} is one thread alone; {@code contended} is two threads hammering the same
 * pool head, the worst case of a reader claiming while a writer releases. Run with {@code -prof gc}: the
 * allocation rate must be 0 B/op.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SlotPoolBenchmark {
    /** Same size as a realistic dataplane pool, so the stack never runs dry and EMPTY is never measured. */
    static final int POOL_CAPACITY = 4096;

    /** One pool per benchmark thread: measures the CAS cost without cache-line transfers. */
    @State(Scope.Thread)
    public static class OwnPool {
        SlotPool pool;

        @Setup
        public void setUp() {
            pool = new SlotPool(POOL_CAPACITY);
        }
    }

    /** One pool shared by the threads of a group: every claim and release fights for the head's cache line. */
    @State(Scope.Group)
    public static class SharedPool {
        SlotPool pool;

        @Setup
        public void setUp() {
            pool = new SlotPool(POOL_CAPACITY);
        }
    }

    @Benchmark
    public boolean uncontended(final OwnPool state) {
        return state.pool.release(state.pool.claim());
    }

    @Benchmark
    @Group("contended")
    @GroupThreads(2)
    public boolean contended(final SharedPool state) {
        return state.pool.release(state.pool.claim());
    }
}
