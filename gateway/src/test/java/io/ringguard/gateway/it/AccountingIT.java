package io.ringguard.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringguard.testkit.Exec;
import io.ringguard.testkit.ExecResult;
import io.ringguard.testkit.Netns;
import io.ringguard.testkit.Prerequisites;
import io.ringguard.testkit.RingGuardPeer;
import io.ringguard.testkit.RingGuardUpPeer;
import io.ringguard.testkit.UserspacePeer;
import io.ringguard.testkit.WireguardGoPeer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Accounting and metrics of {@code ringguard up} end to end, against wireguard-go, with iperf3 traffic:
 * {@code /metrics} scraped during traffic is valid exposition whose per-peer byte counters equal {@code
 * wg show transfer} once traffic stops.
 *
 * <pre>
 *   rgns&lt;k&gt;: ringguard up (SQLite in a temp dir, admin 127.0.0.1:9587, metrics 127.0.0.1:9586)
 *            198.18.k.5 ==== 198.18.k.6  wireguard-go rgwg&lt;w&gt; 198.19.w.1 :rgns&lt;w&gt;
 * </pre>
 */
@Tag("integration")
@Timeout(240)
class AccountingIT {
    private static final int PORT = UserspacePeer.DEFAULT_LISTEN_PORT;
    private static final int MTU = 1380;
    private static final int METRICS_PORT = 9586;
    private static final int ADMIN_PORT = 9587;
    private static final int IPERF_PORT = 5201;
    private static final long HTTP_TIMEOUT_MS = 15_000;
    /** How often {@code ringguard up} syncs counters to storage (gateway README). */
    private static final long SYNC_INTERVAL_MS = 10_000;
    /** A sync's own latency on a busy 2-core machine (transaction, fsync). */
    private static final long SYNC_SLACK_MS = 2_000;
    /** When the kill -9 test kills the daemon: two syncs have happened during traffic. */
    private static final long KILL_AFTER_MS = 22_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeEach
    void requirePrerequisites() {
        Tunnels.requirePrerequisites();
        Prerequisites.requireProgram("iperf3");
        Prerequisites.requireProgram("curl");
        Prerequisites.requireProgram("ss");
    }

    @Test
    void shouldServeValidExpositionDuringTrafficWithByteCountersEqualToWgShowTransfer() throws Exception {
        Path dbDir = privateTempDir();
        try (WireguardGoPeer wg = WireguardGoPeer.start();
                Netns netns = Netns.create()) {
            Netns.Link link = netns.connect(wg.netns());
            String key = UserspacePeer.generatePrivateKey();
            String wgEndpoint = Tunnels.endpoint(link.remoteAddress(), wg.listenPort());
            String config = interfaceSection(netns, key) + gatewaySection(dbDir, null)
                    + "\n[Peer]\nPublicKey = " + wg.publicKeyBase64() + "\nAllowedIPs = " + Tunnels.tunnelSubnets(wg)
                    + "\nEndpoint = " + wgEndpoint + "\n";
            wg.addPeer(UserspacePeer.publicKeyOf(key), null, subnets(netns), null, 0);
            try (RingGuardUpPeer up = startUp(netns, key, config)) {
                routeTo(up, wg);
                Tunnels.assertPings(up, wg, wg.tunnelAddress(), 2);
                startIperfServer(wg, IPERF_PORT);
                Map<String, String> labels =
                        Map.of("interface", up.interfaceName(), "public_key", wg.publicKeyBase64());

                CompletableFuture<ExecResult> iperf = iperfClient(up, wg.tunnelAddress(), IPERF_PORT, 6);
                List<double[]> duringTraffic = new ArrayList<>();
                while (!iperf.isDone()) {
                    Map<String, Double> series = Exposition.parse(httpGet(netns, METRICS_PORT, "/metrics"));
                    double sent = series.getOrDefault(Exposition.key("wireguard_sent_bytes_total", labels), -1.0);
                    double received =
                            series.getOrDefault(Exposition.key("wireguard_received_bytes_total", labels), -1.0);
                    assertTrue(sent >= 0 && received >= 0, () -> "no per-peer byte series for " + labels);
                    if (!duringTraffic.isEmpty()) {
                        double[] last = duringTraffic.getLast();
                        assertTrue(sent >= last[0] && received >= last[1], "a per-peer counter went back");
                    }
                    duringTraffic.add(new double[] {sent, received});
                    Thread.sleep(500);
                }
                ExecResult result = iperf.get();
                assertTrue(result.ok(), () -> result.describe() + "\n" + Tunnels.logs(up, wg));
                long iperfBytes = totalIntervalBytes(result.out());
                assertTrue(duringTraffic.size() >= 3, () -> "only " + duringTraffic.size() + " scrapes during traffic");
                assertTrue(
                        duringTraffic.getLast()[0] > duringTraffic.getFirst()[0],
                        "sent bytes did not grow during traffic");

                // Once traffic has stopped, scrape between two identical transfer readings: exact equality.
                for (int attempt = 0; ; attempt++) {
                    long[] before = transfer(up, wg.publicKeyBase64());
                    Map<String, Double> series = Exposition.parse(httpGet(netns, METRICS_PORT, "/metrics"));
                    long[] after = transfer(up, wg.publicKeyBase64());
                    if (before[0] == after[0] && before[1] == after[1]) {
                        double received = series.get(Exposition.key("wireguard_received_bytes_total", labels));
                        double sent = series.get(Exposition.key("wireguard_sent_bytes_total", labels));
                        System.out.printf(
                                "AccountingIT metrics: %d scrapes during traffic, iperf3 %d bytes; wg show transfer"
                                        + " rx=%d tx=%d; metrics received=%.0f sent=%.0f%n",
                                duringTraffic.size(), iperfBytes, after[0], after[1], received, sent);
                        assertEquals((double) after[0], received, "received bytes differ from wg show transfer");
                        assertEquals((double) after[1], sent, "sent bytes differ from wg show transfer");
                        break;
                    }
                    assertTrue(attempt < 20, "transfer never stood still after iperf3 ended");
                    Thread.sleep(300);
                }
            }
        } finally {
            deleteTree(dbDir);
        }
    }

    @Test
    void shouldKeepIperfRunningAndCountersGrowingWhenThePskChangesThroughTheApi() throws Exception {
        changePskDuringIperf(true);
    }

    @Test
    void shouldKeepIperfRunningAndCountersGrowingWhenThePskChangesThroughSighup() throws Exception {
        changePskDuringIperf(false);
    }

    /**
     * iperf3 runs 12 s from RingGuard to wireguard-go. At 3 s the PSK changes on both sides (RingGuard
     * through PATCH or a reloaded file; wireguard-go with {@code wg set}); at 7 s wireguard-go drops
     * and re-adds RingGuard with the new PSK and pings, which forces a fresh handshake that only works
     * if RingGuard uses the new PSK. Counters are sampled all along and must never go back.
     */
    private static void changePskDuringIperf(boolean viaApi) throws Exception {
        Path dbDir = privateTempDir();
        try (WireguardGoPeer wg = WireguardGoPeer.start();
                Netns netns = Netns.create()) {
            Netns.Link link = netns.connect(wg.netns());
            String key = UserspacePeer.generatePrivateKey();
            String upPublicKey = UserspacePeer.publicKeyOf(key);
            String upEndpoint = Tunnels.endpoint(link.localAddress(), PORT);
            String oldPsk = generatePsk();
            String newPsk = generatePsk();
            String head = interfaceSection(netns, key) + gatewaySection(dbDir, viaApi ? pool(wg) : null);
            String filePeer = "\n[Peer]\nPublicKey = " + wg.publicKeyBase64() + "\nAllowedIPs = "
                    + Tunnels.tunnelSubnets(wg) + "\nEndpoint = "
                    + Tunnels.endpoint(link.remoteAddress(), wg.listenPort())
                    + "\n";
            wg.addPeer(upPublicKey, oldPsk, subnets(netns), upEndpoint, 0);
            try (RingGuardUpPeer up = startUp(
                    netns,
                    key,
                    viaApi
                            ? head
                            : head + filePeer.replace("AllowedIPs", "PresharedKey = " + oldPsk + "\nAllowedIPs"))) {
                String path = "/v1/peers/" + urlKey(wg.publicKeyBase64());
                String dst = wg.tunnelAddress();
                if (viaApi) {
                    awaitAdmin(up);
                    Response created = http(
                            netns,
                            ADMIN_PORT,
                            "POST",
                            "/v1/peers",
                            "{\"public_key\":\"" + wg.publicKeyBase64() + "\",\"preshared_key\":\"" + oldPsk + "\"}");
                    assertEquals(201, created.status(), created::body);
                    dst = allocatedAddress(wg, created);
                }
                routeTo(up, wg);
                Instant start = Instant.now().minusSeconds(1);
                Tunnels.assertPings(wg, up, up.tunnelAddress(), 2);
                long firstHandshake =
                        up.awaitHandshake(wg.publicKeyBase64(), start, 5_000).latestHandshakeEpochSec();
                startIperfServer(wg, dst, IPERF_PORT);

                CompletableFuture<ExecResult> iperf = iperfClient(up, dst, IPERF_PORT, 12);
                long startNs = System.nanoTime();
                long[] last = {0, 0};
                long lastApiTotal = 0;
                int samples = 0;
                boolean pskChanged = false;
                Instant rehandshake = null;
                while (!iperf.isDone()) {
                    long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;
                    long[] now = transfer(up, wg.publicKeyBase64());
                    long[] previous = last;
                    assertTrue(
                            now[0] >= previous[0] && now[1] >= previous[1],
                            () -> "counters went back: " + previous[0] + "/" + previous[1] + " -> " + now[0] + "/"
                                    + now[1]);
                    last = now;
                    if (viaApi) {
                        JsonNode peer = JSON.readTree(httpGet(netns, ADMIN_PORT, path));
                        long total = peer.path("rx_bytes").asLong()
                                + peer.path("tx_bytes").asLong();
                        long previousTotal = lastApiTotal;
                        assertTrue(
                                total >= previousTotal,
                                () -> "API totals went back: " + previousTotal + " -> " + total);
                        lastApiTotal = total;
                    }
                    samples++;
                    if (!pskChanged && elapsedMs >= 3_000) {
                        pskChanged = true;
                        wg.addPeer(upPublicKey, newPsk, subnets(netns), upEndpoint, 0);
                        if (viaApi) {
                            Response patched =
                                    http(netns, ADMIN_PORT, "PATCH", path, "{\"preshared_key\":\"" + newPsk + "\"}");
                            assertEquals(200, patched.status(), patched::body);
                        } else {
                            up.writeConfig(
                                    head + filePeer.replace("AllowedIPs", "PresharedKey = " + newPsk + "\nAllowedIPs"));
                            up.reload();
                            up.awaitLog("reloaded /", 1, 15_000);
                        }
                        assertEquals(wg.publicKeyBase64() + "\t" + newPsk, pskLine(up, wg), "PSK not replaced");
                    }
                    if (rehandshake == null && elapsedMs >= 7_000) {
                        rehandshake = Instant.now();
                        wg.removePeer(upPublicKey);
                        wg.addPeer(upPublicKey, newPsk, subnets(netns), upEndpoint, 0);
                        Tunnels.assertPings(wg, up, up.tunnelAddress(), 1);
                    }
                    Thread.sleep(250);
                }
                ExecResult result = iperf.get();
                assertTrue(result.ok(), () -> result.describe() + "\n" + Tunnels.logs(up, wg));
                assertTrue(pskChanged && rehandshake != null, "iperf3 ended before the PSK change and re-handshake");
                List<Long> perSecond = intervalBytes(result.out());
                int longestZeroRun = 0;
                int zeroRun = 0;
                for (long bytes : perSecond) {
                    zeroRun = bytes == 0 ? zeroRun + 1 : 0;
                    longestZeroRun = Math.max(longestZeroRun, zeroRun);
                }
                long handshake = up.awaitHandshake(wg.publicKeyBase64(), rehandshake, 5_000)
                        .latestHandshakeEpochSec();
                long[] end = transfer(up, wg.publicKeyBase64());
                System.out.printf(
                        "AccountingIT PSK via %s: iperf3 per-second bytes %s; %d counter samples; handshakes %d -> %d;"
                                + " transfer rx=%d tx=%d%s%n",
                        viaApi ? "API" : "SIGHUP",
                        perSecond,
                        samples,
                        firstHandshake,
                        handshake,
                        end[0],
                        end[1],
                        viaApi ? "; API rx+tx " + lastApiTotal : "");
                int finalLongestZeroRun = longestZeroRun;
                assertTrue(
                        finalLongestZeroRun <= 2,
                        () -> "iperf3 stalled for " + finalLongestZeroRun + " s: " + perSecond + "\n"
                                + Tunnels.logs(up, wg));
                assertTrue(perSecond.size() >= 11, () -> "iperf3 intervals: " + perSecond);
                assertTrue(handshake > firstHandshake, "no new handshake after the re-add");
                assertTrue(end[0] >= last[0] && end[1] >= last[1], "counters went back after iperf3");
                // Still working after the new handshake, both ways.
                Tunnels.assertPings(up, wg, wg.tunnelAddress(), 2);
                Tunnels.assertPings(wg, up, up.tunnelAddress(), 2);
            }
        } finally {
            deleteTree(dbDir);
        }
    }

    /**
     * kill -9 mid-transfer, then restart on the same database: the stored rx and tx are never more than
     * the UDP payload that arrived at and left RingGuard's namespace on the underlay (kernel link
     * counters), and the stored total is at least what RingGuard had counted one sync interval (plus
     * slack) before the kill; stored tx is also at least what wireguard-go had received by then. After the restart more
     * traffic and a clean SIGTERM (final sync) add exactly that traffic to the totals.
     */
    @Test
    void shouldKeepStoredTotalsWithinOneSyncIntervalOfCrossedBytesAcrossKillNineAndExactAcrossSigterm()
            throws Exception {
        Path dbDir = privateTempDir();
        Path restartLog = Files.createTempFile("rg-acct-restart-", ".log");
        try (WireguardGoPeer wg = WireguardGoPeer.start();
                Netns netns = Netns.create()) {
            Netns.Link link = netns.connect(wg.netns());
            String key = UserspacePeer.generatePrivateKey();
            String upPublicKey = UserspacePeer.publicKeyOf(key);
            String upEndpoint = Tunnels.endpoint(link.localAddress(), PORT);
            wg.addPeer(upPublicKey, null, subnets(netns), upEndpoint, 0);
            String config = interfaceSection(netns, key) + gatewaySection(dbDir, pool(wg));
            try (RingGuardUpPeer up = startUp(netns, key, config)) {
                String path = "/v1/peers/" + urlKey(wg.publicKeyBase64());
                awaitAdmin(up);
                Response created = http(
                        netns, ADMIN_PORT, "POST", "/v1/peers", "{\"public_key\":\"" + wg.publicKeyBase64() + "\"}");
                assertEquals(201, created.status(), created::body);
                String dst = allocatedAddress(wg, created);
                routeTo(up, wg);
                Tunnels.assertPings(wg, up, up.tunnelAddress(), 2);
                startIperfServer(wg, dst, IPERF_PORT);

                // Every 250 ms: RingGuard's own counters (its UAPI) and wireguard-go's, then SIGKILL at ~22 s.
                CompletableFuture<ExecResult> iperf = iperfClient(up, dst, IPERF_PORT, 40);
                List<long[]> samples = new ArrayList<>(); // {nanoTime, RingGuard rx + tx, wireguard-go rx}
                long startNs = System.nanoTime();
                while (System.nanoTime() - startNs < KILL_AFTER_MS * 1_000_000L) {
                    assertTrue(
                            !iperf.isDone(),
                            () -> "iperf3 ended early: " + iperf.join().describe());
                    long[] counted = transfer(up, wg.publicKeyBase64());
                    long[] witnessed = transfer(wg, upPublicKey);
                    samples.add(new long[] {System.nanoTime(), counted[0] + counted[1], witnessed[0]});
                    Thread.sleep(250);
                }
                long killNs = System.nanoTime();
                ProcessHandle daemon = up.process();
                Exec.run(5_000, "kill", "-s", "KILL", Long.toString(daemon.pid()))
                        .orThrow();
                long exitWaitStartNs = System.nanoTime();
                while (daemon.isAlive()) {
                    assertTrue(System.nanoTime() - exitWaitStartNs < 60_000_000_000L, "still alive 60 s after SIGKILL");
                    Thread.sleep(50);
                }
                long goneMs = (System.nanoTime() - exitWaitStartNs) / 1_000_000;
                // What left and reached RingGuard's namespace on the underlay: nothing RingGuard counts
                // can exceed it, even when wireguard-go drops datagrams under load (it does not count those).
                long[] underlay = udpPayloadBytes(netns, link.localInterface());
                long[] wgAtKill = transfer(wg, upPublicKey);
                String wgUdpErrors = udpErrors(wg.netns());
                // The client would resume through the restarted daemon and muddle the exact check below.
                killIperfClients(netns);
                iperf.get(15, TimeUnit.SECONDS);

                Process second = restart(up, restartLog);
                JsonNode stored = JSON.readTree(httpGet(netns, ADMIN_PORT, path));
                long storedRx = stored.path("rx_bytes").asLong(-1);
                long storedTx = stored.path("tx_bytes").asLong(-1);
                long stored0 = storedRx + storedTx;
                long slackNs = (SYNC_INTERVAL_MS + SYNC_SLACK_MS) * 1_000_000L;
                long[] floor = {0, 0, 0};
                for (long[] sample : samples) {
                    if (sample[0] <= killNs - slackNs) {
                        floor = sample;
                    }
                }
                long[] first = samples.getFirst();
                long[] lastSample = samples.getLast();
                double rateBytesPerSec = (lastSample[1] - first[1]) * 1e9 / (lastSample[0] - first[0]);
                System.out.printf(
                        "AccountingIT kill -9 (gone %d ms after SIGKILL): stored rx=%d tx=%d after restart;"
                                + " underlay UDP payload into RingGuard %d, out of it %d; wireguard-go rx=%d tx=%d"
                                + " (its namespace: %s); RingGuard counted %d at its last sample %d ms before the"
                                + " kill, %d at %d ms before (floor), wireguard-go rx %d then; rate %.0f bytes/s,"
                                + " last sample - stored = %d bytes = %.1f s%n",
                        goneMs,
                        storedRx,
                        storedTx,
                        underlay[0],
                        underlay[1],
                        wgAtKill[0],
                        wgAtKill[1],
                        wgUdpErrors,
                        lastSample[1],
                        (killNs - lastSample[0]) / 1_000_000,
                        floor[1],
                        (killNs - floor[0]) / 1_000_000,
                        floor[2],
                        rateBytesPerSec,
                        lastSample[1] - stored0,
                        (lastSample[1] - stored0) / rateBytesPerSec);
                long[] finalFloor = floor;
                assertTrue(
                        storedRx <= underlay[0],
                        () -> "stored rx " + storedRx + " > bytes that arrived " + underlay[0]);
                assertTrue(
                        storedTx <= underlay[1], () -> "stored tx " + storedTx + " > bytes that left " + underlay[1]);
                assertTrue(
                        finalFloor[1] > 0 && stored0 >= finalFloor[1],
                        () -> "stored " + stored0 + " < counted one sync interval before the kill " + finalFloor[1]);
                assertTrue(
                        storedTx >= finalFloor[2],
                        () -> "stored tx " + storedTx + " < wireguard-go's rx one sync interval before the kill "
                                + finalFloor[2]);

                // More traffic on the restarted daemon, a clean SIGTERM, and the totals grow by exactly it.
                routeTo(up, wg);
                long[] before = transfer(up, wg.publicKeyBase64());
                // The client reconnects: wireguard-go would otherwise keep using the dead daemon's session.
                wg.removePeer(upPublicKey);
                wg.addPeer(upPublicKey, null, subnets(netns), upEndpoint, 0);
                Tunnels.assertPings(wg, up, up.tunnelAddress(), 2);
                startIperfServer(wg, dst, IPERF_PORT + 1);
                ExecResult more = iperfClient(up, dst, IPERF_PORT + 1, 4).get();
                assertTrue(more.ok(), () -> more.describe() + "\n" + readQuietly(restartLog));
                long[] after = quietTransfer(up, wg.publicKeyBase64());
                long newTraffic = (after[0] - before[0]) + (after[1] - before[1]);
                long live = apiTotal(netns, path);
                Exec.run(5_000, "kill", "-s", "TERM", Long.toString(second.pid()))
                        .orThrow();
                assertTrue(second.waitFor(15, TimeUnit.SECONDS), "no exit 15 s after SIGTERM");
                assertEquals(0, second.exitValue(), () -> readQuietly(restartLog));

                Process third = restart(up, restartLog);
                long stored1 = apiTotal(netns, path);
                System.out.printf(
                        "AccountingIT restart: stored %d, new traffic %d (transfer %d/%d -> %d/%d), API before"
                                + " SIGTERM %d, stored after SIGTERM and restart %d%n",
                        stored0, newTraffic, before[0], before[1], after[0], after[1], live, stored1);
                assertTrue(newTraffic > 0, "no new traffic counted");
                assertEquals(stored0 + newTraffic, live, "API total (stored + unsynced) before SIGTERM");
                assertEquals(stored0 + newTraffic, stored1, "stored total after SIGTERM's final sync");
                Exec.run(5_000, "kill", "-s", "TERM", Long.toString(third.pid()))
                        .orThrow();
                assertTrue(third.waitFor(15, TimeUnit.SECONDS), "no exit 15 s after SIGTERM");
            }
        } finally {
            deleteTree(dbDir);
            Files.deleteIfExists(restartLog);
        }
    }

    /**
     * Starts {@code ringguard up} again on {@code up}'s file in its namespace (which stops it on close)
     * once the previous daemon is gone, and waits until the UAPI socket answers and the admin API
     * serves.
     */
    private static Process restart(RingGuardUpPeer up, Path log) throws InterruptedException {
        Process process = up.netns()
                .spawn(
                        log,
                        Map.of(),
                        "env",
                        "--default-signal=HUP,INT,TERM",
                        RingGuardPeer.defaultLauncher().toString(),
                        "up",
                        up.configFile().toString());
        long deadlineNs = System.nanoTime() + 60_000_000_000L;
        while (true) {
            assertTrue(process.isAlive(), () -> "restarted ringguard up exited: " + readQuietly(log));
            if (up.netns().exec(5_000, "wg", "show", up.interfaceName(), "dump").ok() && adminServes(up.netns())) {
                return process;
            }
            assertTrue(System.nanoTime() - deadlineNs < 0, () -> "restart not ready in 60 s: " + readQuietly(log));
            Thread.sleep(100);
        }
    }

    private static boolean adminServes(Netns netns) {
        return netns.exec(5_000, "curl", "-sf", "-m", "5", "http://127.0.0.1:" + ADMIN_PORT + "/v1/peers")
                .ok();
    }

    /** The UAPI socket comes up before the admin API: wait (bounded) for the API too. */
    private static void awaitAdmin(RingGuardUpPeer up) throws InterruptedException {
        long deadlineNs = System.nanoTime() + 30_000_000_000L;
        while (!adminServes(up.netns())) {
            assertTrue(System.nanoTime() - deadlineNs < 0, () -> "admin API not up in 30 s: " + up.logTail());
            Thread.sleep(100);
        }
    }

    /** {@code 198.19.w.0/30}: the API can hand wireguard-go only {@code .1} or {@code .2}. */
    private static String pool(WireguardGoPeer wg) {
        return "198.19." + wg.netns().slot().index() + ".0/30";
    }

    /**
     * The IPv4 address the API allocated to wireguard-go ({@code 198.19.w.1} or {@code .2} from its
     * /30 pool); wireguard-go gets it on its interface, as a client would from its config.
     */
    private static String allocatedAddress(WireguardGoPeer wg, Response created) throws IOException {
        String cidr = JSON.readTree(created.body()).path("addresses").path(0).asText();
        assertTrue(
                cidr.endsWith("/32")
                        && cidr.startsWith("198.19." + wg.netns().slot().index() + "."),
                created::body);
        String address = cidr.substring(0, cidr.length() - 3);
        if (!address.equals(wg.tunnelAddress())) {
            wg.netns().ip("addr", "add", cidr, "dev", wg.interfaceName());
        }
        return address;
    }

    /**
     * {@code [in, out]}: UDP payload bytes through {@code iface} in {@code netns}, i.e. the kernel's
     * byte counters minus 42 header bytes (Ethernet, IPv4, UDP) per packet. Other packets on the link
     * (ARP, neighbour discovery) only make these larger, never smaller.
     */
    private static long[] udpPayloadBytes(Netns netns, String iface) {
        String dir = "/sys/class/net/" + iface + "/statistics/";
        String[] v = netns.exec(
                        5_000, "cat", dir + "rx_bytes", dir + "rx_packets", dir + "tx_bytes", dir + "tx_packets")
                .orThrow()
                .out()
                .strip()
                .split("\\s+");
        return new long[] {
            Long.parseLong(v[0]) - 42 * Long.parseLong(v[1]), Long.parseLong(v[2]) - 42 * Long.parseLong(v[3])
        };
    }

    /** The {@code Udp:} lines of {@code /proc/net/snmp} in {@code netns}, for the record (receive-buffer drops). */
    private static String udpErrors(Netns netns) {
        ExecResult snmp = netns.exec(5_000, "cat", "/proc/net/snmp");
        StringBuilder out = new StringBuilder();
        for (String line : snmp.out().split("\n")) {
            if (line.startsWith("Udp:")) {
                out.append(line.substring(4).strip()).append(" | ");
            }
        }
        return out.toString();
    }

    /** Kills, by pid, the iperf3 clients this test started in {@code netns}. */
    private static void killIperfClients(Netns netns) throws IOException {
        for (String line : Exec.run(5_000, "ip", "netns", "pids", netns.name())
                .orThrow()
                .out()
                .split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            long pid = Long.parseLong(line.strip());
            Path cmdline = Path.of("/proc", Long.toString(pid), "cmdline");
            String command = Files.exists(cmdline) ? Files.readString(cmdline).replace('\0', ' ') : "";
            if (command.startsWith("iperf3 -c ")) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    private static long apiTotal(Netns netns, String path) throws IOException {
        JsonNode peer = JSON.readTree(httpGet(netns, ADMIN_PORT, path));
        return peer.path("rx_bytes").asLong(-1) + peer.path("tx_bytes").asLong(-1);
    }

    /** {@code [rx, tx]} read twice 300 ms apart until both readings agree (bounded). */
    private static long[] quietTransfer(UserspacePeer at, String peerPublicKey) throws InterruptedException {
        long[] previous = transfer(at, peerPublicKey);
        for (int attempt = 0; attempt < 30; attempt++) {
            Thread.sleep(300);
            long[] now = transfer(at, peerPublicKey);
            if (now[0] == previous[0] && now[1] == previous[1]) {
                return now;
            }
            previous = now;
        }
        throw new AssertionError("transfer never stood still");
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    // --- fixture ------------------------------------------------------------------------------

    private static RingGuardUpPeer startUp(Netns netns, String privateKeyBase64, String config) {
        return RingGuardUpPeer.builder()
                .netns(netns)
                .privateKeyBase64(privateKeyBase64)
                .listenPort(PORT)
                .config(config)
                .start();
    }

    private static String interfaceSection(Netns netns, String privateKeyBase64) {
        return "[Interface]\nPrivateKey = " + privateKeyBase64 + "\nListenPort = " + PORT + "\nAddress = "
                + netns.slot().tunnelAddress(1) + "/24, " + netns.slot().tunnelAddress6(1) + "/64\nMTU = " + MTU
                + "\n";
    }

    /** {@code [Gateway]}: SQLite in {@code dbDir}, admin and metrics on the namespace's loopback. */
    private static String gatewaySection(Path dbDir, String addressPoolOrNull) {
        return "\n[Gateway]\nMetricsListen = 127.0.0.1:" + METRICS_PORT + "\nAdminListen = 127.0.0.1:" + ADMIN_PORT
                + "\nStorage = sqlite:" + dbDir.resolve("registry.db") + "\n"
                + (addressPoolOrNull != null ? "AddressPool = " + addressPoolOrNull + "\n" : "");
    }

    private static String subnets(Netns netns) {
        return netns.slot().tunnelSubnet() + "," + netns.slot().tunnelSubnet6();
    }

    private static void routeTo(RingGuardUpPeer up, UserspacePeer peer) {
        up.netns().ip("route", "replace", peer.netns().slot().tunnelSubnet(), "dev", up.interfaceName());
    }

    /** {@code [rx, tx]} of {@code peer} from {@code wg show <iface> transfer} on {@code at}'s UAPI socket. */
    private static long[] transfer(UserspacePeer at, String peerPublicKey) {
        String out = at.wg("show", at.interfaceName(), "transfer").out();
        for (String line : out.split("\n")) {
            String[] fields = line.strip().split("\t");
            if (fields.length == 3 && fields[0].equals(peerPublicKey)) {
                return new long[] {Long.parseLong(fields[1]), Long.parseLong(fields[2])};
            }
        }
        throw new AssertionError("no transfer line for " + peerPublicKey + " at " + at + ": " + out);
    }

    private static String generatePsk() {
        return Exec.run(UserspacePeer.WG_TIMEOUT_MS, "wg", "genpsk")
                .orThrow()
                .out()
                .strip();
    }

    /** URL-safe base64, which the API accepts in paths. */
    private static String urlKey(String publicKeyBase64) {
        return publicKeyBase64.replace('+', '-').replace('/', '_');
    }

    /** {@code <peer key>\t<psk>} from {@code wg show <iface> preshared-keys} on {@code at}. */
    private static String pskLine(UserspacePeer at, UserspacePeer peer) {
        for (String line :
                at.wg("show", at.interfaceName(), "preshared-keys").out().split("\n")) {
            if (line.startsWith(peer.publicKeyBase64() + "\t")) {
                return line.strip();
            }
        }
        return null;
    }

    // --- HTTP through curl inside the namespace ---------------------------------------------------

    private record Response(int status, String body) {}

    private static Response http(Netns netns, int port, String method, String path, String jsonOrNull) {
        List<String> command = new ArrayList<>(List.of(
                "curl", "-sS", "-m", "10", "-X", method, "-w", "\n%{http_code}", "http://127.0.0.1:" + port + path));
        ExecResult result;
        if (jsonOrNull != null) {
            command.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", "@-"));
            result = netns.exec(
                    HTTP_TIMEOUT_MS, jsonOrNull.getBytes(StandardCharsets.UTF_8), command.toArray(String[]::new));
        } else {
            result = netns.exec(HTTP_TIMEOUT_MS, command.toArray(String[]::new));
        }
        result.orThrow();
        String out = result.out();
        int cut = out.lastIndexOf('\n');
        return new Response(Integer.parseInt(out.substring(cut + 1).strip()), out.substring(0, cut));
    }

    private static String httpGet(Netns netns, int port, String path) {
        Response response = http(netns, port, "GET", path, null);
        assertEquals(200, response.status(), () -> "GET " + path + ": " + response.body());
        return response.body();
    }

    // --- iperf3 -----------------------------------------------------------------------------------

    private static void startIperfServer(UserspacePeer at, int port) throws IOException, InterruptedException {
        startIperfServer(at, at.tunnelAddress(), port);
    }

    private static void startIperfServer(UserspacePeer at, String address, int port)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile("rg-iperf3-server-", ".log");
        at.netns().spawn(log, Map.of(), "iperf3", "-s", "-B", address, "-p", Integer.toString(port));
        long deadlineNs = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() - deadlineNs < 0) {
            ExecResult ss = at.netns().exec(5_000, "ss", "-Htln", "sport = :" + port);
            if (ss.ok() && !ss.out().isBlank()) {
                Files.deleteIfExists(log);
                return;
            }
            Thread.sleep(50);
        }
        fail("iperf3 server did not listen within 10 s: " + Files.readString(log));
    }

    /** iperf3 TCP from {@code from}'s namespace to {@code dst}, one-second intervals, JSON output. */
    private static CompletableFuture<ExecResult> iperfClient(UserspacePeer from, String dst, int port, int seconds) {
        long timeoutMs = (seconds + 20) * 1_000L;
        return CompletableFuture.supplyAsync(() -> from.netns()
                .exec(
                        timeoutMs,
                        "iperf3",
                        "-c",
                        dst,
                        "-p",
                        Integer.toString(port),
                        "-t",
                        Integer.toString(seconds),
                        "-i",
                        "1",
                        "-J"));
    }

    /** The bytes of each one-second interval ({@code intervals[].sum.bytes}). */
    private static List<Long> intervalBytes(String json) throws IOException {
        List<Long> bytes = new ArrayList<>();
        for (JsonNode interval : JSON.readTree(json).path("intervals")) {
            bytes.add(interval.path("sum").path("bytes").asLong());
        }
        return bytes;
    }

    private static long totalIntervalBytes(String json) throws IOException {
        return intervalBytes(json).stream().mapToLong(Long::longValue).sum();
    }

    // --- files --------------------------------------------------------------------------------------

    private static Path privateTempDir() throws IOException {
        return Files.createTempDirectory(
                "rg-acct-it-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        }
    }

    /**
     * A strict reader of the Prometheus text format 0.0.4: every line is a {@code # HELP}/{@code # TYPE}
     * line, another comment or a well-formed sample ({@code name{label="value",...} value [timestamp]},
     * only the three escapes the format defines); every sample belongs to a family whose {@code # TYPE}
     * came first; a family's lines are contiguous; no series appears twice; counters are finite and
     * non-negative; the text ends with a newline. Anything else fails with the line.
     */
    static final class Exposition {
        private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
        private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
        private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");
        private static final String[] SUFFIXES = {"_total", "_created", "_sum", "_count", "_bucket"};

        private final Map<String, String> types = new HashMap<>();
        private final Set<String> helped = new HashSet<>();
        private final Set<String> finishedFamilies = new HashSet<>();
        private final Map<String, Double> series = new HashMap<>();
        private String currentFamily;

        private Exposition() {}

        /** Series keyed by {@link #key}; throws {@link AssertionError} naming the first bad line. */
        static Map<String, Double> parse(String text) {
            if (!text.endsWith("\n")) {
                throw new AssertionError("exposition does not end with a newline");
            }
            Exposition e = new Exposition();
            String[] lines = text.split("\n", -1);
            for (int i = 0; i < lines.length - 1; i++) {
                try {
                    e.line(lines[i]);
                } catch (RuntimeException ex) {
                    throw new AssertionError(
                            "invalid exposition, line " + (i + 1) + ": " + ex.getMessage() + ": " + lines[i], ex);
                }
            }
            if (e.series.isEmpty()) {
                throw new AssertionError("exposition without samples");
            }
            return e.series;
        }

        /** {@code name{a="x",b="y"}} with labels sorted, the key of {@link #parse}'s map. */
        static String key(String name, Map<String, String> labels) {
            return name + new TreeMap<>(labels);
        }

        private void line(String line) {
            if (line.contains("\r")) {
                throw new IllegalArgumentException("carriage return");
            }
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ", 2);
                require(NAME.matcher(parts[0]).matches(), "bad metric name");
                if (line.startsWith("# HELP ")) {
                    require(helped.add(parts[0]), "second HELP");
                } else {
                    require(parts.length == 2 && TYPES.contains(parts[1]), "bad type");
                    require(!types.containsKey(parts[0]), "second TYPE");
                    require(
                            !series.keySet().stream()
                                    .anyMatch(k -> familyOf(k.substring(0, k.indexOf('{')))
                                            .equals(parts[0])),
                            "TYPE after its samples");
                    types.put(parts[0], parts[1]);
                }
                enterFamily(parts[0]);
                return;
            }
            if (line.startsWith("#")) {
                return;
            }
            require(!line.isEmpty(), "empty line");
            int i = 0;
            while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
                i++;
            }
            String name = line.substring(0, i);
            require(NAME.matcher(name).matches(), "bad metric name");
            Map<String, String> labels = new TreeMap<>();
            if (i < line.length() && line.charAt(i) == '{') {
                i++;
                while (line.charAt(i) != '}') {
                    int start = i;
                    while (line.charAt(i) != '=') {
                        i++;
                    }
                    String label = line.substring(start, i);
                    require(LABEL_NAME.matcher(label).matches(), "bad label name");
                    require(line.charAt(i + 1) == '"', "label value not quoted");
                    i += 2;
                    StringBuilder value = new StringBuilder();
                    while (line.charAt(i) != '"') {
                        char c = line.charAt(i++);
                        if (c == '\\') {
                            char escaped = line.charAt(i++);
                            require(escaped == 'n' || escaped == '\\' || escaped == '"', "bad escape");
                            value.append(escaped == 'n' ? '\n' : escaped);
                        } else {
                            value.append(c);
                        }
                    }
                    i++;
                    require(labels.put(label, value.toString()) == null, "repeated label");
                    if (line.charAt(i) == ',') {
                        i++;
                    } else {
                        require(line.charAt(i) == '}', "no comma between labels");
                    }
                }
                i++;
            }
            require(i < line.length() && line.charAt(i) == ' ', "no value");
            String[] rest = line.substring(i + 1).split(" ", -1);
            require(rest.length == 1 || (rest.length == 2 && rest[1].matches("-?[0-9]+")), "bad value or timestamp");
            double value = switch (rest[0]) {
                case "NaN" -> Double.NaN;
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> {
                    require(rest[0].matches("[-+]?[0-9.]+([eE][-+]?[0-9]+)?"), "bad value");
                    yield Double.parseDouble(rest[0]);
                }
            };
            String family = familyOf(name);
            require(types.containsKey(family), "sample without a TYPE line");
            enterFamily(family);
            if (types.get(family).equals("counter") && !name.endsWith("_created")) {
                require(Double.isFinite(value) && value >= 0, "counter not finite and non-negative");
            }
            require(series.put(key(name, labels), value) == null, "repeated series");
        }

        /** The TYPE'd family a sample belongs to: itself, or its name without a standard suffix. */
        private String familyOf(String sampleName) {
            if (types.containsKey(sampleName)) {
                return sampleName;
            }
            for (String suffix : SUFFIXES) {
                if (sampleName.endsWith(suffix)) {
                    String base = sampleName.substring(0, sampleName.length() - suffix.length());
                    if (types.containsKey(base)) {
                        return base;
                    }
                }
            }
            return sampleName;
        }

        private void enterFamily(String family) {
            if (family.equals(currentFamily)) {
                return;
            }
            require(!finishedFamilies.contains(family), "family " + family + " is not contiguous");
            if (currentFamily != null) {
                finishedFamilies.add(currentFamily);
            }
            currentFamily = family;
        }

        private static void require(boolean condition, String what) {
            if (!condition) {
                throw new IllegalArgumentException(what);
            }
        }
    }
}
