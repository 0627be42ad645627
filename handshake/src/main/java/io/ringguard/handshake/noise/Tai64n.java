package io.ringguard.handshake.noise;

import io.ringguard.handshake.ProtocolConstants;

/**
 * TAI64N timestamps for handshake initiations: 8 bytes big-endian seconds since 1970 plus 2^62, then
 * 4 bytes big-endian nanoseconds.
 *
 * <p>Nanoseconds are rounded down to a power of two below 1 s / {@link
 * ProtocolConstants#INITIATIONS_PER_SECOND} (2^24 ns), as the kernel and wireguard-go do, so the
 * timestamp does not leak a fine-grained clock and stays strictly increasing at the allowed rate.
 */
public final class Tai64n {
    private static final long TAI64_EPOCH = 0x4000_0000_0000_000AL;
    private static final long WHITENER_MASK = ~((1L << 24) - 1);

    private Tai64n() {}

    /** Writes the TAI64N stamp of wall-clock time {@code epochNanos} to {@code out[offset..offset+12)}. */
    public static void encode(long epochNanos, byte[] out, int offset) {
        long seconds = Math.floorDiv(epochNanos, 1_000_000_000L);
        long nanos = Math.floorMod(epochNanos, 1_000_000_000L) & WHITENER_MASK;
        long tai = TAI64_EPOCH + seconds;
        for (int i = 0; i < 8; i++) {
            out[offset + i] = (byte) (tai >>> (56 - 8 * i));
        }
        for (int i = 0; i < 4; i++) {
            out[offset + 8 + i] = (byte) (nanos >>> (24 - 8 * i));
        }
    }

    /** Wall clock in nanoseconds since 1970; the only wall-clock read in the handshake. */
    public static long wallClockNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** Unsigned lexicographic comparison of two 12-byte stamps: > 0 when {@code a} is later. */
    public static int compare(byte[] a, byte[] b) {
        return java.util.Arrays.compareUnsigned(
                a, 0, ProtocolConstants.TIMESTAMP_BYTES, b, 0, ProtocolConstants.TIMESTAMP_BYTES);
    }
}
