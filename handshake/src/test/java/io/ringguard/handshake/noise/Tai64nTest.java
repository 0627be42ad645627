package io.ringguard.handshake.noise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class Tai64nTest {
    private static String encode(long epochNanos) {
        byte[] out = new byte[12];
        Tai64n.encode(epochNanos, out, 0);
        return HexFormat.of().formatHex(out);
    }

    @Test
    void shouldEncodeLabelAndWhitenedNanos() {
        // TAI64 label of 1970-01-01 is 2^62 + 10; nanoseconds are big-endian after it.
        assertEquals("400000000000000a00000000", encode(0));
        assertEquals("400000006553f10a00000000", encode(1_700_000_000_000_000_000L));
        // 2^24 ns granularity: 16,777,215 ns rounds down to 0, 16,777,216 stays.
        assertEquals("400000000000000a00000000", encode(16_777_215L));
        assertEquals("400000000000000a01000000", encode(16_777_216L));
    }

    @Test
    void shouldIncreaseStrictlyAtTheAllowedInitiationRate() {
        byte[] previous = new byte[12];
        byte[] next = new byte[12];
        long t = 1_700_000_000_123_456_789L;
        Tai64n.encode(t, previous, 0);
        for (int i = 1; i <= 1000; i++) {
            Tai64n.encode(t + i * 20_000_000L, next, 0);
            assertTrue(Tai64n.compare(next, previous) > 0, "step " + i);
            System.arraycopy(next, 0, previous, 0, 12);
        }
    }
}
