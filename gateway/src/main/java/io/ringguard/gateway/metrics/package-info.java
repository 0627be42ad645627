/**
 * The Prometheus endpoint ({@code GET /metrics}, {@code GET /healthz}; CONTRACTS.md section 4).
 *
 * <p>Nothing here sits on the packet path. {@link io.ringguard.gateway.metrics.DeviceCollector}
 * reads the dataplane's own counters, peers and sampled {@code Device.stats()} when Prometheus
 * scrapes, so no metric object exists per peer and a removed peer's series simply stop appearing.
 * {@link io.ringguard.gateway.metrics.StageLatency} is the one thing a dataplane thread may feed
 * (once per batch, wait-free); it is read the same way, at scrape time.
 */
package io.ringguard.gateway.metrics;
