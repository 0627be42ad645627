package io.ringguard.dataplane.ratelimit;

/**
 * SipHash (Aumasson and Bernstein) over exactly two 64-bit words, the shape the rate limiter's keys have.
 *
 * <p>The words are the message's bytes read little-endian, so {@code (m0, m1)} hashes the same 16 bytes as the
 * reference implementation. The rate limiter uses SipHash-1-3, as the kernel's {@code hsiphash} does on 64-bit
 * machines: a keyed PRF, so an attacker who does not know the per-instance key cannot aim many sources at one
 * probe sequence. Stateless and allocation-free: any thread.
 */
final class SipHash {
    private SipHash() {}

    /** SipHash-1-3 of the 16 bytes {@code m0 || m1} (little-endian words) under the key {@code (k0, k1)}. */
    static long hash13(final long k0, final long k1, final long m0, final long m1) {
        return hash(k0, k1, m0, m1, 1, 3);
    }

    /** SipHash-c-d of the 16 bytes {@code m0 || m1}; tests use c=2, d=4 against the published vectors. */
    static long hash(
            final long k0,
            final long k1,
            final long m0,
            final long m1,
            final int compressionRounds,
            final int finalizationRounds) {
        long v0 = k0 ^ 0x736f6d6570736575L; // "somepseu"
        long v1 = k1 ^ 0x646f72616e646f6dL; // "dorandom"
        long v2 = k0 ^ 0x6c7967656e657261L; // "lygenera"
        long v3 = k1 ^ 0x7465646279746573L; // "tedbytes"
        // Three message blocks: the two words, then the length block (16 bytes, no tail bytes).
        for (int block = 0; block < 3; block++) {
            final long m = block == 0 ? m0 : block == 1 ? m1 : 16L << 56;
            v3 ^= m;
            for (int r = 0; r < compressionRounds; r++) {
                v0 += v1;
                v1 = Long.rotateLeft(v1, 13) ^ v0;
                v0 = Long.rotateLeft(v0, 32);
                v2 += v3;
                v3 = Long.rotateLeft(v3, 16) ^ v2;
                v0 += v3;
                v3 = Long.rotateLeft(v3, 21) ^ v0;
                v2 += v1;
                v1 = Long.rotateLeft(v1, 17) ^ v2;
                v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
        }
        v2 ^= 0xFF;
        for (int r = 0; r < finalizationRounds; r++) {
            v0 += v1;
            v1 = Long.rotateLeft(v1, 13) ^ v0;
            v0 = Long.rotateLeft(v0, 32);
            v2 += v3;
            v3 = Long.rotateLeft(v3, 16) ^ v2;
            v0 += v3;
            v3 = Long.rotateLeft(v3, 21) ^ v0;
            v2 += v1;
            v1 = Long.rotateLeft(v1, 17) ^ v2;
            v2 = Long.rotateLeft(v2, 32);
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }
}
