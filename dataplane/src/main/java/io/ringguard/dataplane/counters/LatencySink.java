package io.ringguard.dataplane.counters;

/**
 * Where a pipeline stage reports how long the last packet of a batch took from the pipeline's entry
 * (TUN read or UDP receive) to its exit (UDP send or TUN write): one call per batch, never per
 * packet. The gateway feeds an HdrHistogram recorder; the dataplane does not depend on it.
 */
@FunctionalInterface
public interface LatencySink {
    /** Reports nothing: the default until the gateway installs a recorder. */
    LatencySink NONE = latencyNs -> {};

    /** Called on a dataplane thread; must be wait-free, allocation-free and never throw. */
    void record(long latencyNs);
}
