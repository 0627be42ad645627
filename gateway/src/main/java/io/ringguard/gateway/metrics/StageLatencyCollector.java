package io.ringguard.gateway.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.Collection;
import java.util.Objects;
import java.util.function.Supplier;

/** Exposes {@link StageLatency} recorders as {@code ringguard_stage_latency_seconds}, drained per scrape. */
final class StageLatencyCollector implements MultiCollector {
    static final String NAME = "ringguard_stage_latency_seconds";

    private final Supplier<? extends Collection<StageLatency>> stages;

    StageLatencyCollector(Supplier<? extends Collection<StageLatency>> stages) {
        this.stages = Objects.requireNonNull(stages, "stages");
    }

    /** Scrape thread. */
    @Override
    public MetricSnapshots collect() {
        SummarySnapshot.Builder summary = SummarySnapshot.builder()
                .name(NAME)
                .help("Time a pipeline stage took per batch; quantiles over the batches since the previous scrape.")
                .unit(Unit.SECONDS);
        for (StageLatency stage : stages.get()) {
            StageLatency.Sample sample = stage.sample();
            Quantiles.Builder quantiles = Quantiles.builder();
            for (int i = 0; i < StageLatency.QUANTILES.length; i++) {
                quantiles.quantile(StageLatency.QUANTILES[i], sample.quantileSeconds()[i]);
            }
            summary.dataPoint(SummaryDataPointSnapshot.builder()
                    .labels(Labels.of("interface", stage.interfaceName(), "stage", stage.stage()))
                    .quantiles(quantiles.build())
                    .count(sample.count())
                    .sum(sample.sumSeconds())
                    .build());
        }
        return MetricSnapshots.of(summary.build());
    }
}
