package io.ringguard.gateway.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StageLatencyTest {
    @Test
    void shouldClampOutOfRangeLatenciesInsteadOfThrowing() {
        StageLatency stage = new StageLatency("wg0", "decrypt");
        stage.record(-5);
        stage.record(Long.MAX_VALUE);
        StageLatency.Sample sample = stage.sample();
        assertEquals(2, sample.count());
        assertEquals(0, sample.quantileSeconds()[0], "the negative reading counts as 0");
        double highestSeconds = StageLatency.HIGHEST_TRACKABLE_NS / 1e9;
        assertEquals(highestSeconds, sample.quantileSeconds()[2], highestSeconds * 0.01);
    }

    @Test
    void shouldAccumulateCountAndSumAcrossIntervals() {
        StageLatency stage = new StageLatency("wg0", "tun_write");
        stage.record(2_000);
        stage.record(4_000);
        assertEquals(6e-6, stage.sample().sumSeconds(), 6e-6 * 0.01);
        stage.record(10_000);
        StageLatency.Sample second = stage.sample();
        assertEquals(3, second.count());
        assertEquals(16e-6, second.sumSeconds(), 16e-6 * 0.01);
        assertEquals(10e-6, second.quantileSeconds()[0], 10e-6 * 0.01, "quantiles see only the new interval");
        assertTrue(Double.isNaN(stage.sample().quantileSeconds()[1]));
    }

    @Test
    void shouldRejectStageNamesThatCouldGrowTheLabelSet() {
        assertThrows(IllegalArgumentException.class, () -> new StageLatency("wg0", "Encrypt"));
        assertThrows(IllegalArgumentException.class, () -> new StageLatency("wg0", "peer 198.18.0.1"));
        assertThrows(IllegalArgumentException.class, () -> new StageLatency("wg0", ""));
        assertEquals("udp_send", new StageLatency("wg0", "udp_send").stage());
    }
}
