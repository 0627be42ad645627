package io.ringguard.bench;

import io.ringguard.buffers.PacketSlab;
import io.ringguard.dataplane.sys.DatagramBatch;
import io.ringguard.dataplane.sys.IoStatus;
import io.ringguard.dataplane.sys.LinuxUdpSocket;
import io.ringguard.dataplane.sys.Posix;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The fixed price of crossing into native code, which batching has to amortize. {@code getpid} is a JNA
 * direct-mapped call around the cheapest syscall there is (glibc no longer caches the pid): the JNI
 * transition, JNA's dispatch and errno save, one kernel entry. {@code pollZeroFds} is a syscall that
 * copies and checks arguments but does no work; {@code recvmmsgEmpty} is the receiver's idle call,
 * a 32-entry {@code recvmmsg} on an empty non-blocking socket including the per-call mmsghdr fill, i.e.
 * the most a batch pays when it finds nothing. Divide by the batch size and compare with a packet's budget
 * (about 1 µs at 1 Gbit/s of 1420-byte packets). Run with {@code -prof gc}: all must be 0 B/op.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class NativeCallBenchmark {
    static final int BATCH = 32;

    private LinuxUdpSocket socket;
    private DatagramBatch batch;
    private UnsafeBuffer pollFds;

    @Setup
    public void setUp() throws Exception {
        socket = LinuxUdpSocket.open(Posix.AF_INET, InetAddress.getLoopbackAddress(), 0, BATCH);
        final PacketSlab slab = new PacketSlab(BATCH, 1500);
        batch = new DatagramBatch(BATCH, slab.buffer());
        for (int i = 0; i < BATCH; i++) {
            batch.payload(i, slab.payloadOffset(i), slab.maxPayloadBytes());
        }
        pollFds = new UnsafeBuffer(BufferUtil.allocateDirectAligned(8, 8));
        if (socket.receive(batch, BATCH) != IoStatus.WOULD_BLOCK) {
            throw new IllegalStateException("the benchmark socket must be empty");
        }
    }

    @TearDown
    public void tearDown() {
        socket.close();
    }

    @Benchmark
    public int getpid() {
        return Posix.getpid();
    }

    @Benchmark
    public int pollZeroFds() {
        return Posix.poll(pollFds.addressOffset(), 0, 0);
    }

    @Benchmark
    public int recvmmsgEmpty() {
        return socket.receive(batch, BATCH);
    }
}
