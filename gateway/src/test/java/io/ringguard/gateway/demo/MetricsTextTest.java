package io.ringguard.gateway.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Sums over a Prometheus text exposition, as the summary reads handshakes and drops. */
class MetricsTextTest {
    private static final String EXPOSITION = """
            # HELP ringguard_drops_total Packets dropped, by reason.
            # TYPE ringguard_drops_total counter
            ringguard_drops_total{interface="rgdemo-wg-a",reason="no_route"} 3.0
            ringguard_drops_total{interface="rgdemo-wg-a",reason="replay"} 2.0
            ringguard_drops_total_extra{interface="rgdemo-wg-a"} 100.0
            # TYPE ringguard_sessions_started_total counter
            ringguard_sessions_started_total{interface="rgdemo-wg-a"} 1.0 1763770000000
            ringguard_peers 1
            """;

    @Test
    void shouldSumEverySampleOfOneNameOnly() {
        assertEquals(5.0, MetricsText.sum(EXPOSITION, "ringguard_drops_total"));
        assertEquals(1.0, MetricsText.sum(EXPOSITION, "ringguard_sessions_started_total"));
        assertEquals(1.0, MetricsText.sum(EXPOSITION, "ringguard_peers"));
    }

    @Test
    void shouldReturnMinusOneForAnAbsentMetric() {
        assertEquals(-1.0, MetricsText.sum(EXPOSITION, "ringguard_under_load"));
        assertEquals(-1.0, MetricsText.sum("", "ringguard_drops_total"));
    }
}
