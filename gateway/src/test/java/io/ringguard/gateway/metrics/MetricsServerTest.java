package io.ringguard.gateway.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.dataplane.counters.DataplaneCounters.HandshakeEvent;
import io.ringguard.dataplane.counters.DropReason;
import io.ringguard.dataplane.device.Device;
import io.ringguard.dataplane.device.Peer;
import io.ringguard.dataplane.sys.FakeUdp;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two in-memory devices behind a real {@link MetricsServer}, scraped over HTTP. */
class MetricsServerTest {
    private static final InetSocketAddress LOOPBACK_ANY_PORT =
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    // Every label a RingGuard or exporter-compatible series may carry; all bounded sets.
    private static final Set<String> ALLOWED_LABELS =
            Set.of("interface", "public_key", "reason", "kind", "result", "ring", "stage", "quantile");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicBoolean healthy = new AtomicBoolean(true);
    private final List<StageLatency> stages = new ArrayList<>();
    private TwoDevices net;
    private MetricsServer server;

    @BeforeEach
    void start() throws Exception {
        net = new TwoDevices();
        server = MetricsServer.start(LOOPBACK_ANY_PORT, net::devices, () -> List.copyOf(stages), healthy::get);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (net != null) {
            net.close();
        }
        http.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.address().getPort() + path);
        return http.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private Exposition scrape() throws Exception {
        HttpResponse<String> response = get("/metrics");
        assertEquals(200, response.statusCode());
        return Exposition.parse(response.body());
    }

    /** A to B through a fresh handshake, so both sides have sessions and byte counts. */
    private void passOnePacket() throws Exception {
        byte[] packet = TwoDevices.echo(TwoDevices.A_TUNNEL, TwoDevices.B_TUNNEL, 1);
        assertTrue(net.tunA.inject(packet));
        assertNotNull(net.tunB.awaitWritten(5_000), "packet crossed the tunnel");
    }

    /** Waits (bounded) for a condition another thread makes true. */
    private static void await(BooleanSupplier condition, String what) {
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadlineNs, "timed out waiting for " + what);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private static Map<String, String> peerLabels(Device device, Peer peer) {
        return Map.of("interface", device.name(), "public_key", peer.publicKey().toString());
    }

    @Test
    void shouldServeTextFormat004ToAPlainGet() throws Exception {
        HttpResponse<String> response = get("/metrics");
        assertEquals(200, response.statusCode());
        String type = response.headers().firstValue("Content-Type").orElse("");
        assertTrue(type.startsWith("text/plain; version=0.0.4"), type);
        Exposition e = Exposition.parse(response.body());
        assertEquals("counter", e.types.get("wireguard_sent_bytes_total"));
        assertEquals("counter", e.types.get("wireguard_received_bytes_total"));
        assertEquals("gauge", e.types.get("wireguard_latest_handshake_seconds"));
        assertEquals("counter", e.types.get("ringguard_drops_total"));
        assertFalse(e.named("jvm_memory_used_bytes").isEmpty(), "JVM basics are exposed");
    }

    @Test
    void shouldExposeExporterCompatiblePerPeerSeriesMatchingThePeerCounters() throws Exception {
        passOnePacket();
        Peer bAtA = net.a.peer(net.keyOfB());
        Peer aAtB = net.b.peer(net.keyOfA());
        // Counters move only while a handshake or packet is in flight: retry until a scrape falls
        // between two identical readings, so the comparison below is exact.
        Exposition e = null;
        for (int attempt = 0; attempt < 20 && e == null; attempt++) {
            long[] before = {bAtA.txBytes(), bAtA.rxBytes(), aAtB.txBytes(), aAtB.rxBytes()};
            Exposition scraped = scrape();
            long[] after = {bAtA.txBytes(), bAtA.rxBytes(), aAtB.txBytes(), aAtB.rxBytes()};
            if (java.util.Arrays.equals(before, after)) {
                e = scraped;
            }
        }
        assertNotNull(e, "counters settled");

        assertTrue(bAtA.txBytes() > 0 && bAtA.rxBytes() > 0);
        assertEquals(bAtA.txBytes(), e.value("wireguard_sent_bytes_total", peerLabels(net.a, bAtA)));
        assertEquals(bAtA.rxBytes(), e.value("wireguard_received_bytes_total", peerLabels(net.a, bAtA)));
        assertEquals(aAtB.txBytes(), e.value("wireguard_sent_bytes_total", peerLabels(net.b, aAtB)));
        assertEquals(aAtB.rxBytes(), e.value("wireguard_received_bytes_total", peerLabels(net.b, aAtB)));
        assertEquals(
                aAtB.lastHandshakeEpochNs() / 1e9,
                e.value("wireguard_latest_handshake_seconds", peerLabels(net.b, aAtB)),
                1e-6);
        assertTrue(aAtB.lastHandshakeEpochNs() > 0);
        // Exactly the exporter's label set, one series per peer and interface.
        for (String name : List.of(
                "wireguard_sent_bytes_total", "wireguard_received_bytes_total", "wireguard_latest_handshake_seconds")) {
            List<Exposition.Sample> series = e.named(name);
            assertEquals(2, series.size(), name);
            for (Exposition.Sample s : series) {
                assertEquals(Set.of("interface", "public_key"), s.labels().keySet(), name);
            }
        }
        // The interface totals are the peers' sums while no peer was removed.
        assertEquals(bAtA.txBytes(), e.value("ringguard_sent_bytes_total", Map.of("interface", "rga")));
        assertEquals(aAtB.rxBytes(), e.value("ringguard_received_bytes_total", Map.of("interface", "rgb")));
        // Packets by direction, counted with the bytes: at least the handshake message and one echo each way.
        assertTrue(bAtA.txPackets() >= 2 && aAtB.rxPackets() >= 2, bAtA.txPackets() + " / " + aAtB.rxPackets());
        assertEquals(bAtA.txPackets(), e.value("ringguard_sent_packets_total", Map.of("interface", "rga")));
        assertEquals(aAtB.rxPackets(), e.value("ringguard_received_packets_total", Map.of("interface", "rgb")));
        assertEquals(1, e.value("ringguard_peers", Map.of("interface", "rga")));
    }

    @Test
    void shouldExposeEveryDropReasonAndHandshakeKindEvenAtZero() throws Exception {
        assertTrue(net.tunA.inject(TwoDevices.echo(TwoDevices.A_TUNNEL, 0xC6130063, 1))); // nobody's
        passOnePacket(); // the ring is in order: the unroutable packet was counted before this one
        Exposition e = scrape();
        for (Device device : net.devices()) {
            for (DropReason reason : DropReason.values()) {
                assertEquals(
                        device.counters().dropped(reason),
                        e.value("ringguard_drops_total", Map.of("interface", device.name(), "reason", reason.label())),
                        reason.label());
            }
            for (String kind : List.of("initiation", "response", "cookie_reply")) {
                for (String result : List.of("sent", "received", "rejected")) {
                    assertTrue(e.find(
                                    "ringguard_handshakes_total",
                                    Map.of("interface", device.name(), "kind", kind, "result", result))
                            .isPresent());
                }
            }
        }
        assertEquals(
                DropReason.values().length * 2, e.named("ringguard_drops_total").size());
        assertEquals(9 * 2, e.named("ringguard_handshakes_total").size());
        assertEquals(1, e.value("ringguard_drops_total", Map.of("interface", "rga", "reason", "no_route")));
        assertEquals(
                net.a.counters().handshakes(HandshakeEvent.INITIATION_SENT),
                e.value(
                        "ringguard_handshakes_total",
                        Map.of("interface", "rga", "kind", "initiation", "result", "sent")));
        assertTrue(net.a.counters().handshakes(HandshakeEvent.INITIATION_SENT) >= 1);
        assertEquals(
                net.b.counters().handshakes(HandshakeEvent.SESSION_STARTED),
                e.value("ringguard_sessions_started_total", Map.of("interface", "rgb")));
        assertTrue(e.value("ringguard_sessions_started_total", Map.of("interface", "rgb")) >= 1);
    }

    @Test
    void shouldExposeSampledRingAndPoolState() throws Exception {
        Exposition e = scrape();
        Device.Stats stats = net.a.stats();
        assertEquals(0, e.value("ringguard_under_load", Map.of("interface", "rga")));
        assertEquals(stats.ringSize(), e.value("ringguard_ring_capacity", Map.of("interface", "rga", "ring", "send")));
        assertEquals(
                stats.ringSize(), e.value("ringguard_ring_capacity", Map.of("interface", "rga", "ring", "receive")));
        double depth = e.value("ringguard_ring_depth", Map.of("interface", "rga", "ring", "send"));
        assertTrue(depth >= 0 && depth <= stats.ringSize());
        assertEquals(stats.poolCapacity(), e.value("ringguard_pool_capacity", Map.of("interface", "rga")));
        double available = e.value("ringguard_pool_available", Map.of("interface", "rga"));
        assertTrue(available > 0 && available <= stats.poolCapacity());
        assertTrue(e.find("ringguard_control_ring_bytes", Map.of("interface", "rgb"))
                .isPresent());
    }

    @Test
    void shouldDropARemovedPeersSeriesAndKeepInterfaceTotalsMonotonic() throws Exception {
        passOnePacket();
        Peer bAtA = net.a.peer(net.keyOfB());
        Exposition before = scrape();
        assertTrue(before.find("wireguard_sent_bytes_total", peerLabels(net.a, bAtA))
                .isPresent());
        double sentBefore = before.value("ringguard_sent_bytes_total", Map.of("interface", "rga"));
        assertTrue(sentBefore > 0);

        assertEquals(0, TwoDevices.removePeers(net.a));
        Exposition after = scrape();
        for (String name : List.of(
                "wireguard_sent_bytes_total", "wireguard_received_bytes_total", "wireguard_latest_handshake_seconds")) {
            assertTrue(
                    after.named(name).stream()
                            .noneMatch(s -> s.labels().get("interface").equals("rga")),
                    name + " still has the removed peer");
            assertEquals(1, after.named(name).size(), name + ": rgb's peer stays");
        }
        assertEquals(0, after.value("ringguard_peers", Map.of("interface", "rga")));
        // A removed peer's bytes stay in the interface total: a counter never goes down.
        assertTrue(after.value("ringguard_sent_bytes_total", Map.of("interface", "rga")) >= sentBefore);
    }

    @Test
    void shouldKeepLabelsBoundedAndNeverLabelBySourceAddress() throws Exception {
        passOnePacket();
        // Garbage from an address nobody configured: counted, but its address appears nowhere.
        InetSocketAddress stranger =
                new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) 198, 18, 7, 7}), 40999);
        long malformed = net.b.counters().dropped(DropReason.MALFORMED);
        assertTrue(net.udpB.inject(new FakeUdp.Datagram(new byte[] {9, 0, 0, 0}, stranger, null)));
        await(() -> net.b.counters().dropped(DropReason.MALFORMED) > malformed, "the garbage to be counted");
        StageLatency encrypt = new StageLatency("rga", "encrypt");
        encrypt.record(1_000);
        stages.add(encrypt);

        HttpResponse<String> response = get("/metrics");
        Exposition e = Exposition.parse(response.body());
        assertTrue(e.value("ringguard_drops_total", Map.of("interface", "rgb", "reason", "malformed")) > malformed);
        assertFalse(response.body().contains("198.18.7.7"), "no source address anywhere");
        int checked = 0;
        for (Exposition.Sample s : e.samples) {
            String family = e.family(s.name()).orElseThrow();
            if (!family.startsWith("ringguard_") && !family.startsWith("wireguard_")) {
                continue; // JVM metrics: the client's own fixed label sets
            }
            checked++;
            assertTrue(ALLOWED_LABELS.containsAll(s.labels().keySet()), s.name() + s.labels());
            for (String value : s.labels().values()) {
                assertFalse(IPV4.matcher(value).find() || value.contains(":"), "address-like label " + s);
            }
        }
        assertTrue(checked > 50, "checked " + checked + " series");
        // The only open-ended label is public_key, one per configured peer.
        assertEquals(
                2,
                e.samples.stream()
                        .map(s -> s.labels().get("public_key"))
                        .filter(java.util.Objects::nonNull)
                        .distinct()
                        .count());
    }

    @Test
    void shouldExposeStageLatencyAsASummaryOverTheScrapeInterval() throws Exception {
        StageLatency encrypt = new StageLatency("rga", "encrypt");
        stages.add(encrypt);
        for (long us = 1; us <= 1_000; us++) {
            encrypt.record(TimeUnit.MICROSECONDS.toNanos(us));
        }
        Exposition e = scrape();
        assertEquals("summary", e.types.get("ringguard_stage_latency_seconds"));
        Map<String, String> labels = Map.of("interface", "rga", "stage", "encrypt");
        assertEquals(1_000, e.value("ringguard_stage_latency_seconds_count", labels));
        assertEquals(0.5005, e.value("ringguard_stage_latency_seconds_sum", labels), 0.5005 * 0.01);
        assertEquals(500e-6, quantile(e, "0.5"), 500e-6 * 0.01);
        assertEquals(900e-6, quantile(e, "0.9"), 900e-6 * 0.01);
        assertEquals(990e-6, quantile(e, "0.99"), 990e-6 * 0.01);

        // Next interval: quantiles cover only what came since; count and sum keep growing.
        encrypt.record(TimeUnit.MILLISECONDS.toNanos(7));
        Exposition next = scrape();
        assertEquals(1_001, next.value("ringguard_stage_latency_seconds_count", labels));
        assertEquals(7e-3, quantile(next, "0.5"), 7e-3 * 0.01);
        Exposition idle = scrape();
        assertTrue(Double.isNaN(quantile(idle, "0.99")), "no batches, no quantile");
        assertEquals(1_001, idle.value("ringguard_stage_latency_seconds_count", labels));
    }

    private static double quantile(Exposition e, String q) {
        return e.value(
                "ringguard_stage_latency_seconds", Map.of("interface", "rga", "stage", "encrypt", "quantile", q));
    }

    @Test
    void shouldAnswerHealthz200WhileHealthyAnd503Otherwise() throws Exception {
        HttpResponse<String> ok = get("/healthz");
        assertEquals(200, ok.statusCode());
        assertEquals("ok\n", ok.body());
        healthy.set(false);
        assertEquals(503, get("/healthz").statusCode());
        healthy.set(true);
        assertEquals(200, get("/healthz").statusCode());
        assertEquals(404, get("/nothing-here").statusCode());
    }

    @Test
    void shouldAnswer503WhenTheHealthCheckItselfFails() throws Exception {
        try (MetricsServer failing = MetricsServer.start(LOOPBACK_ANY_PORT, List::of, () -> {
            throw new IllegalStateException("cannot tell");
        })) {
            URI uri = URI.create("http://127.0.0.1:" + failing.address().getPort() + "/healthz");
            assertEquals(
                    503,
                    http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                            .statusCode());
        }
    }

    @Test
    void shouldRefuseATakenPortWithTheAddressInTheMessage() {
        InetSocketAddress taken = server.address();
        BindException e = assertThrows(BindException.class, () -> MetricsServer.start(taken, List::of, () -> true));
        assertTrue(e.getMessage().contains("127.0.0.1:" + taken.getPort()), e.getMessage());
        assertTrue(e.getMessage().startsWith("metrics endpoint: cannot listen on"), e.getMessage());
    }
}
