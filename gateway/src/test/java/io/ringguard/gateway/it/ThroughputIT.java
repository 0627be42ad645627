package io.ringguard.gateway.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ringguard.testkit.ExecResult;
import io.ringguard.testkit.Prerequisites;
import io.ringguard.testkit.RingGuardPeer;
import io.ringguard.testkit.WireguardGoPeer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * iperf3 through RingGuard <-> wireguard-go: TCP both ways and UDP. Asserts only that each run
 * completes and moves data; the figures are printed for the record, not judged (absolute speeds on a
 * shared 2-core machine prove nothing; perf-ci compares against wireguard-go in the same run).
 */
@Tag("integration")
@Timeout(180)
class ThroughputIT {
    private static final int IPERF_PORT = 5201;
    private static final int SECONDS_PER_RUN = 3;
    /** Per run: the test itself, connection setup, and the final exchange of results. */
    private static final long RUN_TIMEOUT_MS = (SECONDS_PER_RUN + 15) * 1_000L;

    private static final Pattern SUM_RECEIVED = Pattern.compile("\"sum_received\"\\s*:\\s*\\{([^}]*)}");

    @BeforeEach
    void requirePrerequisites() {
        Tunnels.requirePrerequisites();
        Prerequisites.requireProgram("iperf3");
        Prerequisites.requireProgram("ss");
    }

    @Test
    void shouldCarryIperfTcpBothWaysAndUdpThroughRingGuard() throws IOException {
        Path serverLog = Files.createTempFile("rg-iperf3-server-", ".log");
        try (RingGuardPeer rg = RingGuardPeer.start();
                WireguardGoPeer wg = WireguardGoPeer.start()) {
            Tunnels.join(rg, wg, false, false);
            Tunnels.assertPings(rg, wg, wg.tunnelAddress(), 1);
            // The server lives in wireguard-go's namespace and dies with it.
            wg.netns().spawn(serverLog, Map.of(), "iperf3", "-s", "-B", wg.tunnelAddress(), "-p", "" + IPERF_PORT);
            awaitListening(wg, serverLog);

            List<String> figures = new ArrayList<>();
            String[][] runs = {
                {"TCP RingGuard -> wireguard-go"},
                {"TCP wireguard-go -> RingGuard", "-R"},
                {"UDP RingGuard -> wireguard-go", "-u", "-b", "200M", "-l", "1300"},
            };
            for (String[] run : runs) {
                List<String> command = new ArrayList<>(List.of(
                        "iperf3",
                        "-c",
                        wg.tunnelAddress(),
                        "-p",
                        "" + IPERF_PORT,
                        "-t",
                        "" + SECONDS_PER_RUN,
                        "--connect-timeout",
                        "5000",
                        "-J"));
                command.addAll(List.of(run).subList(1, run.length));
                ExecResult result = rg.netns().exec(RUN_TIMEOUT_MS, command.toArray(String[]::new));
                String context = run[0] + ": " + result.describe() + "\n" + Tunnels.logs(rg, wg) + "iperf3 server:\n"
                        + Files.readString(serverLog);
                assertTrue(result.ok(), context);
                Map<String, Double> received = sumReceived(result.out(), context);
                double bitsPerSecond = received.getOrDefault("bits_per_second", 0.0);
                assertTrue(bitsPerSecond > 0 && received.getOrDefault("bytes", 0.0) > 0, context);
                String figure = String.format(
                        "%s: %.1f Mbit/s received%s",
                        run[0],
                        bitsPerSecond / 1e6,
                        received.containsKey("lost_percent")
                                ? String.format(", %.1f %% lost", received.get("lost_percent"))
                                : "");
                figures.add(figure);
                System.out.println("ThroughputIT: " + figure);
            }
            System.out.println("ThroughputIT summary: " + String.join("; ", figures));
        } finally {
            Files.deleteIfExists(serverLog);
        }
    }

    /** Polls {@code ss} (bounded) until the iperf3 server accepts connections. */
    private static void awaitListening(WireguardGoPeer wg, Path serverLog) throws IOException {
        long deadlineNs = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() - deadlineNs < 0) {
            ExecResult ss = wg.netns().exec(5_000, "ss", "-Htln", "sport = :" + IPERF_PORT);
            if (ss.ok() && !ss.out().isBlank()) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        fail("iperf3 server did not listen within 10 s: " + Files.readString(serverLog));
    }

    /** The numeric fields of iperf3's {@code end.sum_received} (the receiver's view, TCP and UDP alike). */
    private static Map<String, Double> sumReceived(String json, String context) {
        int end = json.indexOf("\"end\"");
        Matcher matcher = SUM_RECEIVED.matcher(json);
        if (end < 0 || !matcher.find(end)) {
            fail("no end.sum_received in iperf3's JSON: " + context + "\n" + json);
        }
        Matcher field = Pattern.compile("\"(\\w+)\"\\s*:\\s*([-0-9.eE+]+)").matcher(matcher.group(1));
        Map<String, Double> fields = new HashMap<>();
        while (field.find()) {
            fields.put(field.group(1), Double.parseDouble(field.group(2)));
        }
        return fields;
    }
}
