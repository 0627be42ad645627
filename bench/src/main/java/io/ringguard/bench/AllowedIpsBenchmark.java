package io.ringguard.bench;

import io.ringguard.dataplane.allowedips.AllowedIps;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of one allowed-IPs lookup (the per-packet route choice on send and the source check on receive).
 *
 * <p>The table holds {@code size} random IPv4 prefixes (lengths 8 to 32) and {@code size} random IPv6
 * prefixes (lengths 16 to 128) owned by 256 peers. Lookups cycle through {@value #ADDRESSES}
 * pre-generated addresses: half inside a random inserted prefix (random host bits), half uniformly
 * random, so both deep and shallow paths are taken and the branch predictor cannot learn the sequence.
 *
 * <ul>
 *   <li>{@code lookupV4} / {@code lookupV6}: address already in registers.
 *   <li>{@code lookupV4FromBuffer}: the address read big-endian from an off-heap-style buffer, the way
 *       the TUN reader will call it on a packet header.
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
public class AllowedIpsBenchmark {
    static final int ADDRESSES = 1 << 16;
    private static final int PEERS = 256;

    @Param({"10000", "100000"})
    int size;

    private final AllowedIps<Object> table = new AllowedIps<>();
    private final int[] v4Addresses = new int[ADDRESSES];
    private final long[] v6High = new long[ADDRESSES];
    private final long[] v6Low = new long[ADDRESSES];
    private final UnsafeBuffer v4Packets = new UnsafeBuffer(new byte[ADDRESSES * 4]);
    private int index;

    @Setup
    public void setUp() {
        final SplittableRandom random = new SplittableRandom(0xA11D1F5L);
        final Object[] peers = new Object[PEERS];
        for (int i = 0; i < PEERS; i++) {
            peers[i] = new Object();
        }
        final int[] v4Prefixes = new int[size];
        final int[] v4Cidrs = new int[size];
        final long[] v6PrefixHigh = new long[size];
        final long[] v6PrefixLow = new long[size];
        final int[] v6Cidrs = new int[size];
        for (int i = 0; i < size; i++) {
            v4Prefixes[i] = random.nextInt();
            v4Cidrs[i] = 8 + random.nextInt(25);
            table.insertV4(v4Prefixes[i], v4Cidrs[i], peers[i % PEERS]);
            v6PrefixHigh[i] = random.nextLong();
            v6PrefixLow[i] = random.nextLong();
            v6Cidrs[i] = 16 + random.nextInt(113);
            table.insertV6(v6PrefixHigh[i], v6PrefixLow[i], v6Cidrs[i], peers[i % PEERS]);
        }
        for (int i = 0; i < ADDRESSES; i++) {
            if ((i & 1) == 0) {
                final int p = random.nextInt(size);
                v4Addresses[i] = keepHighBits(v4Prefixes[p], random.nextInt(), v4Cidrs[p]);
                final int q = random.nextInt(size);
                final int cidr = v6Cidrs[q];
                v6High[i] = keepHighBits(v6PrefixHigh[q], random.nextLong(), Math.min(cidr, 64));
                v6Low[i] = keepHighBits(v6PrefixLow[q], random.nextLong(), Math.max(cidr - 64, 0));
            } else {
                v4Addresses[i] = random.nextInt();
                v6High[i] = random.nextLong();
                v6Low[i] = random.nextLong();
            }
            v4Packets.putInt(i * 4, v4Addresses[i], ByteOrder.BIG_ENDIAN);
        }
    }

    @Benchmark
    public Object lookupV4() {
        final int i = index++ & (ADDRESSES - 1);
        return table.lookupV4(v4Addresses[i]);
    }

    @Benchmark
    public Object lookupV6() {
        final int i = index++ & (ADDRESSES - 1);
        return table.lookupV6(v6High[i], v6Low[i]);
    }

    @Benchmark
    public Object lookupV4FromBuffer() {
        final int i = index++ & (ADDRESSES - 1);
        return table.lookupV4(v4Packets, i * 4);
    }

    private static int keepHighBits(final int prefix, final int random, final int bits) {
        final int mask = bits == 0 ? 0 : -1 << (32 - bits);
        return (prefix & mask) | (random & ~mask);
    }

    private static long keepHighBits(final long prefix, final long random, final int bits) {
        final long mask = bits == 0 ? 0 : -1L << (64 - bits);
        return (prefix & mask) | (random & ~mask);
    }
}
