package io.ringguard.gateway.metrics;

import io.ringguard.dataplane.counters.LatencySink;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * How long one pipeline stage took per batch, for one interface: an HdrHistogram {@link Recorder}
 * that dataplane threads feed and the scrape drains.
 *
 * <p>Exposed as the summary {@code ringguard_stage_latency_seconds{interface,stage}}: the quantiles
 * 0.5, 0.9 and 0.99 cover the batches recorded since the previous scrape (an interval histogram, so
 * an old spike does not hide in a cumulative distribution forever; with no batches in the interval
 * they are NaN), while {@code _count} and {@code _sum} are cumulative as Prometheus expects. The sum
 * is accurate to the histogram's precision (two significant digits), not to the nanosecond.
 *
 * <p>Several scrapers share one interval: each scrape resets it for the others. Run one Prometheus
 * per gateway, or read the quantiles as "since the last scrape by anyone".
 */
public final class StageLatency implements LatencySink {
    /** Longer batches are recorded as this: a stage that slow is broken, its exact time is moot. */
    public static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(10);

    /** Quantiles in the exposition, as the Prometheus summary convention spells them. */
    static final double[] QUANTILES = {0.5, 0.9, 0.99};

    // 1% precision keeps each of the three histograms a Recorder holds near 25 KiB.
    private static final int SIGNIFICANT_DIGITS = 2;
    // A stage name becomes a label value: a short fixed identifier, never anything from a packet.
    private static final Pattern STAGE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,31}");

    private final String interfaceName;
    private final String stage;
    private final Recorder recorder = new Recorder(1, HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);

    // Reader state, guarded by this (scrapes).
    private Histogram interval;
    private long totalCount;
    private double totalSumNs;

    /**
     * @param interfaceName the {@code interface} label (the device name)
     * @param stage the {@code stage} label: lower case letters, digits and underscores, e.g. {@code
     *     encrypt} or {@code tun_read}; one instance per stage, so the label set stays bounded
     */
    public StageLatency(String interfaceName, String stage) {
        this.interfaceName = Objects.requireNonNull(interfaceName, "interfaceName");
        this.stage = Objects.requireNonNull(stage, "stage");
        if (!STAGE_NAME.matcher(stage).matches()) {
            throw new IllegalArgumentException("stage name must match " + STAGE_NAME + ": " + stage);
        }
    }

    public String interfaceName() {
        return interfaceName;
    }

    public String stage() {
        return stage;
    }

    /**
     * Records one batch that took {@code latencyNs}. Any thread, concurrently; wait-free and
     * allocation-free. Negative values (a clock read in the wrong order) count as 0, values above
     * {@link #HIGHEST_TRACKABLE_NS} as that, so the data path never sees an exception.
     */
    @Override
    public void record(long latencyNs) {
        recorder.recordValue(Math.min(Math.max(latencyNs, 0), HIGHEST_TRACKABLE_NS));
    }

    /** What a scrape exposes; quantile values in seconds, in the order of {@link #QUANTILES}. */
    record Sample(long count, double sumSeconds, double[] quantileSeconds) {}

    /** Drains the interval since the previous call into a sample. Scrape thread only. */
    synchronized Sample sample() {
        interval = recorder.getIntervalHistogram(interval);
        long intervalCount = interval.getTotalCount();
        totalCount += intervalCount;
        totalSumNs += interval.getMean() * intervalCount;
        double[] quantiles = new double[QUANTILES.length];
        for (int i = 0; i < QUANTILES.length; i++) {
            quantiles[i] = intervalCount == 0
                    ? Double.NaN
                    : interval.getValueAtPercentile(QUANTILES[i] * 100) / (double) TimeUnit.SECONDS.toNanos(1);
        }
        return new Sample(totalCount, totalSumNs / TimeUnit.SECONDS.toNanos(1), quantiles);
    }
}
