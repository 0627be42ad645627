/**
 * {@code ringguard demo}: the zero-config showcase. Two network namespaces joined by a veth pair, a
 * RingGuard gateway ({@code ringguard up}) in each, ping and iperf3 through the tunnel, a summary a
 * person can read, and a teardown that runs on every exit path (normal end, failure, Ctrl-C).
 *
 * <p>{@link io.ringguard.gateway.demo.DemoRun} is the flow; {@link io.ringguard.gateway.demo.DemoNetwork}
 * owns the names and addresses; the rest parse what the tools print ({@link
 * io.ringguard.gateway.demo.IperfLine}, {@link io.ringguard.gateway.demo.PingStats}, {@link
 * io.ringguard.gateway.demo.UapiPeer}, {@link io.ringguard.gateway.demo.MetricsText}).
 */
package io.ringguard.gateway.demo;
