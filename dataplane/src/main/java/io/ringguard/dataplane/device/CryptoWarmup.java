package io.ringguard.dataplane.device;

import io.ringguard.handshake.crypto.ChaCha20Poly1305;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Runs the transport AEAD on a throwaway key and buffer right after start, so that the JIT has compiled it
 * before the first tunnel packet needs it.
 *
 * <p>Why: the ChaCha20-Poly1305 code is written against the Vector API, which is orders of magnitude slower
 * until C2 has compiled it. Profiled with perf-ci (fresh daemons every test), the first seconds of traffic ran
 * with C2 taking about a third of the daemons' CPU, 60-130 ms tunnel RTTs and single-stream TCP stalled at
 * a small window. Warming on a side thread moves that cost before the first handshake.
 *
 * <p>Bounded: {@link #ITERATIONS} rounds or {@link #MAX_NANOS}, whichever comes first; a daemon thread at
 * minimum priority, so it never delays data on a busy machine by more than its slice.
 */
final class CryptoWarmup implements Runnable {
    static final int ITERATIONS = 12_000;
    static final long MAX_NANOS = 4_000_000_000L;
    private static final int[] SIZES = {16, 96, 1424};

    @Override
    public void run() {
        ChaCha20Poly1305 aead = new ChaCha20Poly1305();
        UnsafeBuffer buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(2048, 64));
        UnsafeBuffer noAad = new UnsafeBuffer(new byte[0]);
        int[] key = {1, 2, 3, 4, 5, 6, 7, 8};
        long startNs = System.nanoTime();
        for (int i = 0; i < ITERATIONS && System.nanoTime() - startNs < MAX_NANOS; i++) {
            int size = SIZES[i % SIZES.length];
            aead.seal(key, i, buffer, 16, size, noAad, 0, 0);
            if (!aead.open(key, i, buffer, 16, size + ChaCha20Poly1305.TAG_BYTES, noAad, 0, 0)) {
                throw new IllegalStateException("AEAD warm-up: a sealed buffer did not open");
            }
        }
    }
}
