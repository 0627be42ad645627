package io.ringguard.bench;

import io.ringguard.handshake.replay.ReplayFilter;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of one {@link ReplayFilter#validate(long)} call on the receive path.
 *
 * <ul>
 *   <li>{@code inOrder}: counters arrive 0, 1, 2, ...; the steady state of a healthy tunnel, where
 *       the window moves by one and clears a word every 64 packets.
 *   <li>{@code reordered}: counters arrive in blocks of {@value #BLOCK} shuffled once with a fixed
 *       seed (the shape multi-queue NICs and parallel decryption produce), every block inside the
 *       window; each counter is still accepted exactly once.
 *   <li>{@code replayed}: the same old counter again and again, the path of a replay flood.
 * </ul>
 *
 * <p>Every call must return without allocating; run with {@code -prof gc} and expect {@code
 * gc.alloc.rate.norm} near 0 B/op.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ReplayFilterBenchmark {
    static final int BLOCK = 1024;

    private final ReplayFilter filter = new ReplayFilter();
    private final ReplayFilter replayFilter = new ReplayFilter();
    private final int[] shuffled = new int[BLOCK];
    private long nextCounter;
    private long blockBase;
    private int blockPosition;

    @Setup
    public void setUp() {
        for (int i = 0; i < BLOCK; i++) {
            shuffled[i] = i;
        }
        final SplittableRandom random = new SplittableRandom(0x5eedL);
        for (int i = BLOCK - 1; i > 0; i--) {
            final int j = random.nextInt(i + 1);
            final int swap = shuffled[i];
            shuffled[i] = shuffled[j];
            shuffled[j] = swap;
        }
        for (long counter = 0; counter < 100; counter++) {
            replayFilter.validate(counter);
        }
    }

    @Benchmark
    public boolean inOrder() {
        return filter.validate(nextCounter++);
    }

    @Benchmark
    public boolean reordered() {
        final boolean accepted = filter.validate(blockBase + shuffled[blockPosition]);
        if (++blockPosition == BLOCK) {
            blockPosition = 0;
            blockBase += BLOCK;
        }
        return accepted;
    }

    @Benchmark
    public boolean replayed() {
        return replayFilter.validate(50);
    }
}
