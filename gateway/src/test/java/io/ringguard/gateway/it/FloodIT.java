package io.ringguard.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ringguard.testkit.ExecResult;
import io.ringguard.testkit.HandshakeFlooder;
import io.ringguard.testkit.HandshakeFlooder.Result;
import io.ringguard.testkit.Netns;
import io.ringguard.testkit.Prerequisites;
import io.ringguard.testkit.RingGuardPeer;
import io.ringguard.testkit.UserspacePeer.PeerStatus;
import io.ringguard.testkit.WireguardGoPeer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A handshake flood against RingGuard while a legitimate wireguard-go peer pushes an iperf3 TCP stream
 * through it (issue 5, "Done means"): valid-mac1 initiations at {@value #FLOOD_RATE_PER_SECOND}/s from
 * {@value #FLOOD_SOURCES} source addresses for {@value #FLOOD_MS} ms.
 *
 * <pre>
 *   rgns&lt;w&gt; wireguard-go ==== rgns&lt;r&gt; RingGuard ==== rgns&lt;f&gt; HandshakeFlooder (java, own JVM)
 *            iperf3 -c  ----tunnel---->  iperf3 -s        sources 198.19.f.1-253 (+ .254, the probe) on its veth;
 *                                        route 198.19.f.0/24 via the flooder's veth, so cookies find their way back
 * </pre>
 *
 * <p>Timeline, from the iperf3 client's start {@code T} (one TCP stream, wireguard-go to RingGuard, so the data
 * shares RingGuard's UDP receive path with the flood):
 *
 * <ol>
 *   <li>{@code T+3 s .. T+8 s}: baseline, no flood.
 *   <li>{@code F = T+8 s}: the flood starts (the flooder JVM was started and bound before {@code T}; it waits
 *       for a start file, so its start-up costs the baseline nothing).
 *   <li>{@code F .. F+10 s}: flooded throughput.
 *   <li>{@code F+10 s}: wireguard-go's peer entry for RingGuard is removed and added again, so wireguard-go must
 *       complete a new handshake (it initiates: the stream's packets are waiting) in the middle of the flood.
 *   <li>{@code F+20 s}: the flood stops; 2 s after its last send the flooder sends one more valid-mac1
 *       initiation from a fresh source, which must get no cookie reply (under-load mode is over).
 * </ol>
 *
 * <p>Throughput is read from outside RingGuard: the kernel's receive byte counter of RingGuard's TUN interface
 * (what RingGuard delivered after decryption), sampled at the phase boundaries; iperf3's own figure is printed
 * too. The flooded figure is the 10 s before the forced re-handshake: removing the peer drops wireguard-go's
 * session, and the stream then waits for the new handshake (under load it needs a cookie round trip, wireguard-go
 * retries after 5 s), a stall the test causes itself, not the flood. The whole flood's figure is printed.
 *
 * <p>What this sees of RingGuard's under-load mode is what a client sees: cookie replies (type 3, 64 bytes) to
 * the flood, never a handshake response (type 2).
 */
@Tag("integration")
@Timeout(240)
// About 40 s, and sensitive to what else shares the 2 cores (the flooder's JVM is one of them): measured
// flooded/baseline 51-92 % on a development VM at load 8-9 from other builds.
class FloodIT {
    /** Asked a little above the 20,000/s, so that what is measured reaches it. */
    static final int FLOOD_RATE_PER_SECOND = 21_000;

    static final int FLOOD_SOURCES = 253;
    static final long FLOOD_MS = 20_000;
    /** The figure: the flood must really be this fast, not just asked to be. */
    private static final double MIN_SENT_PER_SECOND = 20_000;

    private static final int IPERF_PORT = 5201;
    private static final long WARM_UP_MS = 3_000;
    private static final long BASELINE_MS = 5_000;
    private static final long FLOODED_WINDOW_MS = 10_000;
    private static final long AFTER_FLOOD_MS = 6_000;
    private static final long PROBE_AFTER_MS = 2_000;
    private static final long PROBE_LISTEN_MS = 1_000;
    private static final long HANDSHAKE_TIMEOUT_MS = 10_000;
    private static final long FLOODER_READY_TIMEOUT_MS = 30_000;
    private static final long COOKIE_WITHIN_NS = TimeUnit.SECONDS.toNanos(1);

    private static final Pattern TUN_RX_BYTES = Pattern.compile("\"rx\"\\s*:\\s*\\{\\s*\"bytes\"\\s*:\\s*(\\d+)");
    private static final Pattern SUM_RECEIVED =
            Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([-0-9.eE+]+)");
    private static final Pattern END_OBJECT = Pattern.compile("\"end\"\\s*:\\s*\\{");
    private static final Pattern INTERVAL_SUM =
            Pattern.compile("\"sum\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([-0-9.eE+]+)");

    /** One reading of RingGuard's TUN receive counter. */
    private record Sample(long atNs, long rxBytes) {
        double megabitsPerSecondSince(Sample earlier) {
            return (rxBytes - earlier.rxBytes) * 8.0 / 1e6 / ((atNs - earlier.atNs) / 1e9);
        }
    }

    @BeforeEach
    void requirePrerequisites() {
        Tunnels.requirePrerequisites();
        Prerequisites.requireProgram("iperf3");
        Prerequisites.requireProgram("ss");
    }

    @Test
    void shouldKeepServingTheLegitimatePeerWhileFloodedWithValidMac1Initiations() throws IOException {
        Path serverLog = Files.createTempFile("rg-flood-iperf3-server-", ".log");
        Path clientLog = Files.createTempFile("rg-flood-iperf3-client-", ".json");
        Path flooderLog = Files.createTempFile("rg-flood-flooder-", ".log");
        Path startFile = flooderLog.resolveSibling(flooderLog.getFileName() + ".start");
        try (RingGuardPeer rg = RingGuardPeer.start();
                WireguardGoPeer wg = WireguardGoPeer.start();
                Netns flooderNs = Netns.create()) {
            Netns.Link link = Tunnels.join(rg, wg, false, true);
            Tunnels.assertPings(wg, rg, rg.tunnelAddress(), 1);

            Netns.Link floodLink = rg.netns().connect(flooderNs);
            String prefix = "198.19." + flooderNs.slot().index() + ".";
            List<String> sources = HandshakeFlooder.addressRange(prefix, 1, FLOOD_SOURCES);
            String probeSource = prefix + (FLOOD_SOURCES + 1);
            List<String> all = new ArrayList<>(sources);
            all.add(probeSource);
            HandshakeFlooder.addAddresses(flooderNs, floodLink.remoteInterface(), all);
            rg.netns().ip("route", "add", prefix + "0/24", "via", floodLink.remoteAddress());

            rg.netns().spawn(serverLog, Map.of(), "iperf3", "-s", "-B", rg.tunnelAddress(), "-p", "" + IPERF_PORT);
            awaitListening(rg, serverLog);

            Process flooder = flooderNs.spawn(
                    flooderLog,
                    Map.of(),
                    HandshakeFlooder.javaCommand(
                            "--target",
                            floodLink.localAddress() + ":" + rg.listenPort(),
                            "--public-key",
                            rg.publicKeyBase64(),
                            "--sources",
                            String.join(",", sources),
                            "--rate",
                            "" + FLOOD_RATE_PER_SECOND,
                            "--duration-ms",
                            "" + FLOOD_MS,
                            "--start-file",
                            startFile.toString(),
                            "--probe-source",
                            probeSource,
                            "--probe-after-ms",
                            "" + PROBE_AFTER_MS,
                            "--probe-listen-ms",
                            "" + PROBE_LISTEN_MS));
            awaitLine(flooderLog, "ready", flooder, FLOODER_READY_TIMEOUT_MS);

            long iperfSeconds = (WARM_UP_MS + BASELINE_MS + FLOOD_MS + AFTER_FLOOD_MS) / 1_000 + 1;
            long startNs = System.nanoTime();
            Process client = wg.netns()
                    .spawn(
                            clientLog,
                            Map.of(),
                            "iperf3",
                            "-c",
                            rg.tunnelAddress(),
                            "-p",
                            "" + IPERF_PORT,
                            "-t",
                            "" + iperfSeconds,
                            "--connect-timeout",
                            "5000",
                            "-J");

            pauseUntil(startNs + ms(WARM_UP_MS));
            Sample baselineStart = sample(rg);
            pauseUntil(startNs + ms(WARM_UP_MS + BASELINE_MS));
            Sample floodStart = sample(rg);
            Files.createFile(startFile);
            long floodStartNs = System.nanoTime();

            pauseUntil(floodStartNs + ms(FLOODED_WINDOW_MS));
            Sample beforeRekey = sample(rg);
            long rekeyNs = System.nanoTime();
            wg.removePeer(rg.publicKeyBase64());
            wg.addPeer(
                    rg.publicKeyBase64(), null, Tunnels.tunnelSubnets(rg), Tunnels.localEndpoint(link, rg, false), 0);
            long handshakeAfterMs = awaitFreshHandshake(wg, rg, rekeyNs);

            pauseUntil(floodStartNs + ms(FLOOD_MS));
            Sample floodEnd = sample(rg);
            pauseUntil(floodStartNs + ms(FLOOD_MS + AFTER_FLOOD_MS));
            Sample afterFlood = sample(rg);

            boolean flooderDone = waitFor(flooder, PROBE_AFTER_MS + PROBE_LISTEN_MS + 20_000);
            boolean clientDone = waitFor(client, iperfSeconds * 1_000 + 20_000);
            String flooderOutput = read(flooderLog);
            String clientJson = read(clientLog);
            String context =
                    "\n" + Tunnels.logs(rg, wg) + "flooder:\n" + flooderOutput + "iperf3 server:\n" + read(serverLog);
            assertTrue(flooderDone && flooder.exitValue() == 0, "flooder did not finish cleanly" + context);
            assertTrue(clientDone && client.exitValue() == 0, "iperf3 client failed:\n" + clientJson + context);

            Result flood = Result.parse("flood", flooderOutput);
            Result probe = Result.parse("probe", flooderOutput);
            double baseline = floodStart.megabitsPerSecondSince(baselineStart);
            double flooded = beforeRekey.megabitsPerSecondSince(floodStart);
            double wholeFlood = floodEnd.megabitsPerSecondSince(floodStart);
            double after = afterFlood.megabitsPerSecondSince(floodEnd);
            String figures = String.format(
                    "flood asked %d/s from %d sources, sent %d of %d (%.0f/s, %d refused by the kernel);"
                            + " back: %d cookie replies (%.1f %% of sent, first after %.1f ms, last after %.1f ms),"
                            + " %d responses, %d other, %d read errors; probe 2 s after: %d cookie replies,"
                            + " %d responses; throughput through RingGuard (TUN rx): baseline %.1f Mbit/s,"
                            + " flooded %.1f Mbit/s (%.0f %%) before the forced re-handshake, %.1f Mbit/s over"
                            + " the whole flood, %.1f Mbit/s after; re-handshake under flood after %d ms;"
                            + " iperf3 %.1f Mbit/s over %d s, per second: %s; %s",
                    FLOOD_RATE_PER_SECOND,
                    flood.sources(),
                    flood.sent(),
                    flood.attempted(),
                    flood.sentPerSecond(),
                    flood.sendFailures(),
                    flood.cookieReplies(),
                    100.0 * flood.cookieReplies() / Math.max(1, flood.sent()),
                    flood.firstCookieReplyAfterNs() / 1e6,
                    flood.lastCookieReplyAfterNs() / 1e6,
                    flood.responses(),
                    flood.others(),
                    flood.readErrors(),
                    probe.cookieReplies(),
                    probe.responses(),
                    baseline,
                    flooded,
                    100 * flooded / baseline,
                    wholeFlood,
                    after,
                    handshakeAfterMs,
                    iperfMegabitsPerSecond(clientJson),
                    iperfSeconds,
                    intervals(clientJson),
                    timeline(flooderOutput));
            System.out.println("FloodIT: " + figures);
            context = "\n" + figures + context;

            assertTrue(
                    flood.sentPerSecond() >= MIN_SENT_PER_SECOND,
                    "the flooder did not reach " + MIN_SENT_PER_SECOND + "/s" + context);
            assertTrue(
                    flood.firstCookieReplyAfterNs() >= 0 && flood.firstCookieReplyAfterNs() < COOKIE_WITHIN_NS,
                    "no cookie reply within 1 s of the flood's start" + context);
            assertEquals(0, flood.responses() + probe.responses(), "the flood got handshake responses" + context);
            assertTrue(
                    handshakeAfterMs >= 0,
                    "wireguard-go completed no handshake within " + HANDSHAKE_TIMEOUT_MS + " ms under flood" + context);
            assertTrue(baseline > 0 && flooded >= baseline / 2, "throughput fell below half under flood" + context);
            assertTrue(after > 0, "no traffic after the flood" + context);
            assertEquals(
                    0,
                    probe.cookieReplies(),
                    "still under load " + PROBE_AFTER_MS + " ms after the flood stopped" + context);
            assertTrue(rg.process().isAlive(), "RingGuard died" + context);
        } finally {
            Files.deleteIfExists(serverLog);
            Files.deleteIfExists(clientLog);
            Files.deleteIfExists(flooderLog);
            Files.deleteIfExists(startFile);
        }
    }

    /**
     * Polls wireguard-go (every 200 ms: the machine is busy enough) until its re-added peer entry has a
     * handshake; the entry is new, so any handshake is one completed after {@code sinceNs}. Returns the
     * milliseconds it took, or -1 when none came within {@value #HANDSHAKE_TIMEOUT_MS} ms.
     */
    private static long awaitFreshHandshake(WireguardGoPeer wg, RingGuardPeer rg, long sinceNs) {
        long deadlineNs = sinceNs + ms(HANDSHAKE_TIMEOUT_MS);
        while (true) {
            PeerStatus status = wg.peerStatus(rg.publicKeyBase64());
            long nowNs = System.nanoTime();
            if (status != null && status.hasHandshake()) {
                return TimeUnit.NANOSECONDS.toMillis(nowNs - sinceNs);
            }
            if (nowNs - deadlineNs > 0) {
                return -1;
            }
            pause(200);
        }
    }

    /** RingGuard's TUN receive bytes, from the kernel ({@code ip -s -j link}), and when they were read. */
    private static Sample sample(RingGuardPeer rg) {
        long beforeNs = System.nanoTime();
        String json = rg.netns()
                .ip("-s", "-j", "link", "show", "dev", rg.interfaceName())
                .out();
        long afterNs = System.nanoTime();
        Matcher rx = TUN_RX_BYTES.matcher(json);
        if (!rx.find()) {
            fail("no rx bytes in: " + json);
        }
        return new Sample(beforeNs + (afterNs - beforeNs) / 2, Long.parseLong(rx.group(1)));
    }

    /** Where iperf3's top-level {@code "end": { ... }} starts (intervals have an {@code "end"} number too). */
    private static int endObject(String json) {
        Matcher matcher = END_OBJECT.matcher(json);
        return matcher.find() ? matcher.start() : -1;
    }

    private static double iperfMegabitsPerSecond(String json) {
        int end = endObject(json);
        Matcher matcher = SUM_RECEIVED.matcher(json);
        return end >= 0 && matcher.find(end) ? Double.parseDouble(matcher.group(1)) / 1e6 : -1;
    }

    /** iperf3's per-second figures in Mbit/s, for the record. */
    private static String intervals(String json) {
        int end = endObject(json);
        Matcher matcher = INTERVAL_SUM.matcher(end >= 0 ? json.substring(0, end) : json);
        List<String> figures = new ArrayList<>();
        while (matcher.find()) {
            figures.add(String.format("%.0f", Double.parseDouble(matcher.group(1)) / 1e6));
        }
        return String.join(",", figures);
    }

    private static String timeline(String flooderOutput) {
        for (String line : flooderOutput.split("\n")) {
            if (line.startsWith("flood_timeline ")) {
                return line.substring("flood_timeline ".length());
            }
        }
        return "(no flood timeline)";
    }

    /** Polls {@code ss} (bounded) until the iperf3 server accepts connections. */
    private static void awaitListening(RingGuardPeer rg, Path serverLog) throws IOException {
        long deadlineNs = System.nanoTime() + ms(10_000);
        while (System.nanoTime() - deadlineNs < 0) {
            ExecResult ss = rg.netns().exec(5_000, "ss", "-Htln", "sport = :" + IPERF_PORT);
            if (ss.ok() && !ss.out().isBlank()) {
                return;
            }
            pause(50);
        }
        fail("iperf3 server did not listen within 10 s: " + read(serverLog));
    }

    /** Waits (bounded) until a line of {@code log} starts with {@code prefix}; fails if the process ends first. */
    private static void awaitLine(Path log, String prefix, Process process, long timeoutMs) throws IOException {
        long deadlineNs = System.nanoTime() + ms(timeoutMs);
        while (System.nanoTime() - deadlineNs < 0) {
            for (String line : read(log).split("\n")) {
                if (line.startsWith(prefix)) {
                    return;
                }
            }
            if (!process.isAlive()) {
                fail("flooder exited with " + process.exitValue() + ": " + read(log));
            }
            pause(50);
        }
        fail("flooder not ready within " + timeoutMs + " ms: " + read(log));
    }

    private static boolean waitFor(Process process, long timeoutMs) {
        try {
            return process.waitFor(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "(no " + file + ")";
    }

    private static void pauseUntil(long deadlineNs) {
        long leftNs = deadlineNs - System.nanoTime();
        if (leftNs > 0) {
            pause(TimeUnit.NANOSECONDS.toMillis(leftNs) + 1);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
