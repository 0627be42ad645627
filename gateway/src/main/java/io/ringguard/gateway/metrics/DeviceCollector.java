package io.ringguard.gateway.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import io.ringguard.dataplane.counters.DataplaneCounters;
import io.ringguard.dataplane.counters.DataplaneCounters.HandshakeEvent;
import io.ringguard.dataplane.counters.DropReason;
import io.ringguard.dataplane.device.Device;
import io.ringguard.dataplane.device.Peer;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Turns the dataplane's own counters into Prometheus series when a scrape asks, and only then.
 *
 * <p>Per scrape and device: the interface-wide {@link DataplaneCounters} (drops by reason, every
 * reason even at zero so {@code rate()} works from the first scrape; handshakes by kind and
 * result), the live peers' byte counters and latest handshake (the names of the common WireGuard
 * exporters, so their dashboards work), and one {@link Device#stats()} sample for ring, pool and
 * control-ring depth. Depths are therefore sampled at the scrape interval, never per packet.
 *
 * <p>Labels are bounded by construction: {@code interface}, {@code public_key}, {@code reason},
 * {@code kind}, {@code result} and {@code ring}. Nothing derived from a packet (a source address, a
 * port) ever becomes a label.
 */
final class DeviceCollector implements MultiCollector {
    private static final double NS_PER_SECOND = 1e9;

    private final Supplier<? extends Collection<Device>> devices;
    // Per device: what the interface byte totals need to stay monotonic. Guarded by this.
    private final Map<Device, InterfaceTotals> totals = new HashMap<>();

    DeviceCollector(Supplier<? extends Collection<Device>> devices) {
        this.devices = Objects.requireNonNull(devices, "devices");
    }

    /** The exposition's {@code kind} label for a handshake event, or null for session starts. */
    static String kind(HandshakeEvent event) {
        return switch (event) {
            case INITIATION_SENT, INITIATION_RECEIVED, INITIATION_REJECTED -> "initiation";
            case RESPONSE_SENT, RESPONSE_RECEIVED, RESPONSE_REJECTED -> "response";
            case COOKIE_REPLY_SENT, COOKIE_REPLY_RECEIVED, COOKIE_REPLY_REJECTED -> "cookie_reply";
            case SESSION_STARTED -> null;
        };
    }

    /** The exposition's {@code result} label for a handshake event, or null for session starts. */
    static String result(HandshakeEvent event) {
        return switch (event) {
            case INITIATION_SENT, RESPONSE_SENT, COOKIE_REPLY_SENT -> "sent";
            case INITIATION_RECEIVED, RESPONSE_RECEIVED, COOKIE_REPLY_RECEIVED -> "received";
            case INITIATION_REJECTED, RESPONSE_REJECTED, COOKIE_REPLY_REJECTED -> "rejected";
            case SESSION_STARTED -> null;
        };
    }

    /** Scrape thread (serialized by the server; synchronized in case a second exporter shares it). */
    @Override
    public synchronized MetricSnapshots collect() {
        CounterSnapshot.Builder sent = counter("wireguard_sent_bytes", "Bytes sent to the peer.");
        CounterSnapshot.Builder received = counter("wireguard_received_bytes", "Bytes received from the peer.");
        GaugeSnapshot.Builder latestHandshake = gauge(
                "wireguard_latest_handshake_seconds", "UNIX time of the peer's latest completed handshake, 0 if none.");
        CounterSnapshot.Builder drops = counter("ringguard_drops", "Packets dropped, by reason.");
        CounterSnapshot.Builder handshakes = counter("ringguard_handshakes", "Handshake messages by kind and result.");
        CounterSnapshot.Builder sessions = counter("ringguard_sessions_started", "Sessions (keypairs) established.");
        CounterSnapshot.Builder ifaceSent =
                counter("ringguard_sent_bytes", "Bytes sent to all peers (removed peers up to their last scrape).");
        CounterSnapshot.Builder ifaceReceived = counter(
                "ringguard_received_bytes", "Bytes received from all peers (removed peers up to their last scrape).");
        CounterSnapshot.Builder ifaceSentPackets = counter(
                "ringguard_sent_packets", "Datagrams sent to all peers (removed peers up to their last scrape).");
        CounterSnapshot.Builder ifaceReceivedPackets = counter(
                "ringguard_received_packets",
                "Authenticated datagrams received from all peers (removed peers up to their last scrape).");
        GaugeSnapshot.Builder peers = gauge("ringguard_peers", "Configured peers.");
        GaugeSnapshot.Builder underLoad =
                gauge("ringguard_under_load", "1 while handshakes are answered with cookies, else 0.");
        GaugeSnapshot.Builder ringDepth = gauge("ringguard_ring_depth", "Packets in the ring, sampled at scrape.");
        GaugeSnapshot.Builder ringCapacity = gauge("ringguard_ring_capacity", "Slots in the ring.");
        GaugeSnapshot.Builder poolAvailable =
                gauge("ringguard_pool_available", "Free packet slots in the pool, sampled at scrape.");
        GaugeSnapshot.Builder poolCapacity = gauge("ringguard_pool_capacity", "Packet slots in the pool.");
        GaugeSnapshot.Builder controlRing = gauge(
                "ringguard_control_ring_bytes", "Handshake bytes waiting for the control thread, sampled at scrape.");
        GaugeSnapshot.Builder indices =
                gauge("ringguard_indices", "Receiver indices in use (handshakes and sessions).");

        Map<Device, InterfaceTotals> seen = new IdentityHashMap<>();
        for (Device device : devices.get()) {
            String iface = device.name();
            Labels ifaceLabels = Labels.of("interface", iface);
            DataplaneCounters counters = device.counters();
            for (DropReason reason : DropReason.values()) {
                drops.dataPoint(counterPoint(
                        Labels.of("interface", iface, "reason", reason.label()), counters.dropped(reason)));
            }
            for (HandshakeEvent event : HandshakeEvent.values()) {
                String kind = kind(event);
                if (kind == null) {
                    sessions.dataPoint(counterPoint(ifaceLabels, counters.handshakes(event)));
                } else {
                    handshakes.dataPoint(counterPoint(
                            Labels.of("interface", iface, "kind", kind, "result", result(event)),
                            counters.handshakes(event)));
                }
            }

            List<Peer> live = device.peers();
            InterfaceTotals t = totals.computeIfAbsent(device, d -> new InterfaceTotals());
            seen.put(device, t);
            t.update(live);
            for (Peer peer : live) {
                Labels peerLabels = Labels.of(
                        "interface", iface, "public_key", peer.publicKey().toString());
                sent.dataPoint(counterPoint(peerLabels, peer.txBytes()));
                received.dataPoint(counterPoint(peerLabels, peer.rxBytes()));
                latestHandshake.dataPoint(gaugePoint(peerLabels, peer.lastHandshakeEpochNs() / NS_PER_SECOND));
            }
            ifaceSent.dataPoint(counterPoint(ifaceLabels, t.txBytes));
            ifaceReceived.dataPoint(counterPoint(ifaceLabels, t.rxBytes));
            ifaceSentPackets.dataPoint(counterPoint(ifaceLabels, t.txPackets));
            ifaceReceivedPackets.dataPoint(counterPoint(ifaceLabels, t.rxPackets));
            peers.dataPoint(gaugePoint(ifaceLabels, live.size()));

            Device.Stats stats = device.stats();
            underLoad.dataPoint(gaugePoint(ifaceLabels, stats.underLoad() ? 1 : 0));
            Labels send = Labels.of("interface", iface, "ring", "send");
            Labels receive = Labels.of("interface", iface, "ring", "receive");
            ringDepth.dataPoint(gaugePoint(send, stats.sendRingDepth()));
            ringDepth.dataPoint(gaugePoint(receive, stats.receiveRingDepth()));
            ringCapacity.dataPoint(gaugePoint(send, stats.ringSize()));
            ringCapacity.dataPoint(gaugePoint(receive, stats.ringSize()));
            poolAvailable.dataPoint(gaugePoint(ifaceLabels, stats.poolAvailable()));
            poolCapacity.dataPoint(gaugePoint(ifaceLabels, stats.poolCapacity()));
            controlRing.dataPoint(gaugePoint(ifaceLabels, stats.controlRingBytes()));
            indices.dataPoint(gaugePoint(ifaceLabels, stats.indices()));
        }
        // A device that went away takes its totals with it; one that comes back starts again at 0.
        totals.keySet().retainAll(seen.keySet());

        return MetricSnapshots.of(
                sent.build(),
                received.build(),
                latestHandshake.build(),
                drops.build(),
                handshakes.build(),
                sessions.build(),
                ifaceSent.build(),
                ifaceReceived.build(),
                ifaceSentPackets.build(),
                ifaceReceivedPackets.build(),
                peers.build(),
                underLoad.build(),
                ringDepth.build(),
                ringCapacity.build(),
                poolAvailable.build(),
                poolCapacity.build(),
                controlRing.build(),
                indices.build());
    }

    private static CounterSnapshot.Builder counter(String name, String help) {
        return CounterSnapshot.builder().name(name).help(help).unit(unitOf(name));
    }

    private static GaugeSnapshot.Builder gauge(String name, String help) {
        return GaugeSnapshot.builder().name(name).help(help).unit(unitOf(name));
    }

    /** The OpenMetrics unit a name ends with, if any (the text format 0.0.4 has no unit line). */
    private static Unit unitOf(String name) {
        if (name.endsWith("_bytes")) {
            return Unit.BYTES;
        }
        return name.endsWith("_seconds") ? Unit.SECONDS : null;
    }

    private static CounterDataPointSnapshot counterPoint(Labels labels, double value) {
        return CounterDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    private static GaugeDataPointSnapshot gaugePoint(Labels labels, double value) {
        return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    /**
     * An interface's byte totals as a counter that never goes down: the live peers' counters plus
     * what removed peers had at the last scrape that saw them. Summing only the live peers would
     * drop when a peer is removed, which Prometheus reads as a counter reset. Bytes a removed peer
     * moved between that scrape and its removal are not counted (under, never over).
     */
    private static final class InterfaceTotals {
        private Map<Peer, long[]> lastSeen = new IdentityHashMap<>();
        private final long[] retired = new long[4];
        long txBytes;
        long rxBytes;
        long txPackets;
        long rxPackets;

        void update(List<Peer> live) {
            Map<Peer, long[]> now = new IdentityHashMap<>();
            long[] sum = new long[4];
            for (Peer peer : live) {
                long[] values = {peer.txBytes(), peer.rxBytes(), peer.txPackets(), peer.rxPackets()};
                now.put(peer, values);
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += values[i];
                }
            }
            // Peers are keyed by identity: a peer replaced under the same key is a new counter.
            for (Map.Entry<Peer, long[]> e : lastSeen.entrySet()) {
                if (!now.containsKey(e.getKey())) {
                    for (int i = 0; i < retired.length; i++) {
                        retired[i] += e.getValue()[i];
                    }
                }
            }
            lastSeen = now;
            txBytes = retired[0] + sum[0];
            rxBytes = retired[1] + sum[1];
            txPackets = retired[2] + sum[2];
            rxPackets = retired[3] + sum[3];
        }
    }
}
