package io.ringguard.dataplane.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class SipHashTest {
    // The reference key and message bytes 00 01 02 ... as little-endian words.
    private static final long K0 = 0x0706050403020100L;
    private static final long K1 = 0x0F0E0D0C0B0A0908L;

    @Test
    void shouldMatchThePublishedSipHash24VectorForSixteenBytes() {
        // vectors_sip64[16] of the SipHash reference implementation: key 00..0f, message 00..0f.
        assertEquals(0x3f2acc7f57c29bdbL, SipHash.hash(K0, K1, K0, K1, 2, 4));
    }

    @Test
    void shouldDependOnKeyAndBothWords() {
        final long base = SipHash.hash13(K0, K1, 1, 4);
        assertNotEquals(base, SipHash.hash13(K0 + 1, K1, 1, 4));
        assertNotEquals(base, SipHash.hash13(K0, K1 + 1, 1, 4));
        assertNotEquals(base, SipHash.hash13(K0, K1, 2, 4));
        assertNotEquals(base, SipHash.hash13(K0, K1, 1, 6));
        assertNotEquals(SipHash.hash(K0, K1, K0, K1, 2, 4), SipHash.hash13(K0, K1, K0, K1));
    }
}
