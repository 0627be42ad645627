package io.ringguard.gateway.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The summary lines of iputils ping (Debian 12), including a run where nothing came back. */
class PingStatsTest {
    @Test
    void shouldReadCountsAndRoundTripTimes() {
        PingStats stats = PingStats.parse("""
                PING 198.19.254.2 (198.19.254.2) 56(84) bytes of data.
                64 bytes from 198.19.254.2: icmp_seq=1 ttl=64 time=0.412 ms

                --- 198.19.254.2 ping statistics ---
                5 packets transmitted, 4 received, 20% packet loss, time 812ms
                rtt min/avg/max/mdev = 0.045/0.060/0.080/0.013 ms
                """);
        assertEquals(new PingStats(5, 4, 0.045, 0.060, 0.080), stats);
        assertEquals("4/5 received, rtt min/avg/max 0.045/0.060/0.080 ms", stats.describe());
    }

    @Test
    void shouldReportNoTimesWhenNothingCameBack() {
        PingStats stats = PingStats.parse("""
                --- fd00:255::2 ping statistics ---
                5 packets transmitted, 0 received, 100% packet loss, time 4090ms
                """);
        assertEquals(5, stats.transmitted());
        assertEquals(0, stats.received());
        assertTrue(Double.isNaN(stats.avgMs()));
        assertEquals("0/5 received", stats.describe());
    }

    @Test
    void shouldReturnNullWithoutASummary() {
        assertNull(PingStats.parse("ping: connect: Network is unreachable\n"));
    }
}
