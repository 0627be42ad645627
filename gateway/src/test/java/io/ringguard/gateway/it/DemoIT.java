package io.ringguard.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ringguard.testkit.Exec;
import io.ringguard.testkit.ExecResult;
import io.ringguard.testkit.Prerequisites;
import io.ringguard.testkit.RingGuardPeer;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code sudo bin/ringguard demo} as a person runs it: it ends with exit 0 and a summary whose
 * throughput is above zero and whose byte counts agree between the two gateways, and it leaves no
 * namespace, interface, socket, process or temp dir behind, also when Ctrl-C (SIGINT) stops it
 * half way.
 */
@Tag("integration")
@Timeout(300)
class DemoIT {
    private static final List<String> NAMESPACES = List.of("rgdemo-a", "rgdemo-b", "rgdemo-c");
    private static final List<String> SOCKETS = List.of(
            "/var/run/wireguard/rgdemo-wg-a.sock",
            "/var/run/wireguard/rgdemo-wg-b.sock",
            "/var/run/wireguard/rgdemo-wg-c.sock");
    /** Two JVM starts, a handshake and 2 x 3 s of iperf3 on a busy 2-core machine, with room to spare. */
    private static final long DEMO_TIMEOUT_MS = 240_000;

    private static final long SIGINT_EXIT_TIMEOUT_MS = 60_000;
    private static final Pattern TEMP_DIR = Pattern.compile("configs and logs in (\\S+)\\)");
    private static final Pattern THROUGHPUT = Pattern.compile("(?m)^  throughput (a -> b|b -> a)\\s+([\\d.]+) Mbit/s");
    private static final Pattern BYTES = Pattern.compile("(?m)^  bytes (sent|received)\\s+([\\d,]+)\\s+([\\d,]+)$");

    private Path launcher;

    @BeforeEach
    void requirePrerequisites() {
        Prerequisites.requireRoot();
        Prerequisites.requireTun();
        Prerequisites.requireProgram("ip");
        Prerequisites.requireProgram("ping");
        Prerequisites.requireProgram("iperf3");
        launcher = RingGuardPeer.defaultLauncher();
    }

    /** A safety net for a failed test, after the assertions on what the demo itself removed. */
    @AfterEach
    void removeWhatADemoLeft() {
        for (String namespace : NAMESPACES) {
            if (Files.exists(Path.of("/var/run/netns", namespace))) {
                ExecResult pids = Exec.run(5_000, "ip", "netns", "pids", namespace);
                for (String pid : pids.out().split("\\s+")) {
                    if (pid.matches("\\d+")) {
                        Exec.run(5_000, "kill", "-KILL", pid);
                    }
                }
                Exec.run(5_000, "ip", "netns", "del", namespace);
            }
        }
    }

    @Test
    void shouldRunEndToEndAndReportAgreeingByteCountsAndLeaveNothing() {
        ExecResult demo = Exec.run(DEMO_TIMEOUT_MS, launcher.toString(), "demo", "--seconds", "3");
        String out = demo.out();
        assertEquals(0, demo.exitCode(), demo::describe);

        Matcher throughput = THROUGHPUT.matcher(out);
        int directions = 0;
        while (throughput.find()) {
            directions++;
            double mbps = Double.parseDouble(throughput.group(2));
            assertTrue(mbps > 0, () -> "no throughput " + throughput.group(1) + ":\n" + out);
        }
        assertEquals(2, directions, () -> "throughput rows missing:\n" + out);

        long[] sent = bytesRow(out, "sent");
        long[] received = bytesRow(out, "received");
        assertTrue(sent[0] > 0 && sent[1] > 0, () -> "no bytes accounted:\n" + out);
        assertEquals(sent[0], received[1], () -> "a sent what b did not receive:\n" + out);
        assertEquals(sent[1], received[0], () -> "b sent what a did not receive:\n" + out);
        assertTrue(
                Pattern.compile("(?m)^  accounting a -> b\\s+match: ")
                        .matcher(out)
                        .find(),
                out);
        // The registered client: an address from b's pool, its pings answered, and b's registry
        // (GET /v1/peers/{key}) agreeing with the client's own counters both ways.
        assertTrue(
                Pattern.compile("POST /v1/peers -> 201: 198\\.19\\.253\\.\\d+/32, fd00:253::\\p{XDigit}+/128")
                        .matcher(out)
                        .find(),
                out);
        assertTrue(
                Pattern.compile("(?m)^  client ping\\s+5/5 received")
                        .matcher(out)
                        .find(),
                out);
        assertTrue(
                Pattern.compile("(?m)^  accounting client -> b\\s+match: [1-9]")
                        .matcher(out)
                        .find(),
                out);
        assertTrue(
                Pattern.compile("(?m)^  accounting b -> client\\s+match: [1-9]")
                        .matcher(out)
                        .find(),
                out);
        assertTrue(out.contains("sudo ip netns exec rgdemo-a curl -s http://127.0.0.1:"), out);
        assertTrue(out.contains("cleaned up: gateways stopped"), out);

        assertNothingLeft(out);
    }

    @Test
    void shouldCleanUpWhenInterruptedDuringTheThroughputRun() throws IOException, InterruptedException {
        Path output = Files.createTempFile("rg-demo-it-", ".out");
        try {
            // The launcher execs java, so the process started here is the demo's JVM itself.
            Process demo = new ProcessBuilder(launcher.toString(), "demo", "--seconds", "20")
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            try {
                long deadlineNs = System.nanoTime() + DEMO_TIMEOUT_MS * 1_000_000;
                while (!read(output).contains("a -> b ")) {
                    if (!demo.isAlive() || System.nanoTime() > deadlineNs) {
                        fail("the demo never reached its throughput run:\n" + read(output));
                    }
                    Thread.sleep(100);
                }
                assertEquals(
                        0,
                        Exec.run(5_000, "kill", "-INT", Long.toString(demo.pid()))
                                .exitCode());
                assertTrue(
                        demo.waitFor(SIGINT_EXIT_TIMEOUT_MS, TimeUnit.MILLISECONDS),
                        () -> "the demo did not exit within " + SIGINT_EXIT_TIMEOUT_MS + " ms of SIGINT:\n"
                                + read(output));
                String out = read(output);
                assertEquals(130, demo.exitValue(), out);
                assertTrue(out.contains("ringguard demo: interrupted; cleaning up (exit 130)"), out);
                assertTrue(out.contains("cleaned up: gateways stopped"), out);
                assertFalse(out.contains("Exception"), out);
                assertNothingLeft(out);
            } finally {
                demo.destroyForcibly();
            }
        } finally {
            Files.deleteIfExists(output);
        }
    }

    @Test
    void shouldExitThreeNamingRootWhenNotRoot() {
        Prerequisites.requireProgram("setpriv");
        ExecResult demo = Exec.run(
                60_000, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", launcher.toString(), "demo");
        assertEquals(3, demo.exitCode(), demo::describe);
        assertTrue(demo.err().contains("ringguard demo: needs root"), demo::describe);
        assertTrue(NAMESPACES.stream().noneMatch(ns -> Files.exists(Path.of("/var/run/netns", ns))));
    }

    /** No namespace, link, UAPI socket, process or temp dir of the demo is left. */
    private static void assertNothingLeft(String out) {
        for (String namespace : NAMESPACES) {
            assertFalse(Files.exists(Path.of("/var/run/netns", namespace)), () -> namespace + " left:\n" + out);
        }
        for (String socket : SOCKETS) {
            assertFalse(Files.exists(Path.of(socket)), () -> socket + " left:\n" + out);
        }
        String links = Exec.run(5_000, "ip", "-o", "link", "show").out();
        assertFalse(links.contains("rgdemo"), () -> "links left: " + links);
        String processes = Exec.run(5_000, "ps", "-eo", "args").out();
        assertFalse(
                processes.lines().anyMatch(line -> line.contains("/ringguard-demo-") || line.contains("rgdemo-")),
                () -> "processes left:\n" + processes);
        Matcher dir = TEMP_DIR.matcher(out);
        assertTrue(dir.find(), () -> "no temp dir named:\n" + out);
        assertFalse(Files.exists(Path.of(dir.group(1))), () -> dir.group(1) + " left");
    }

    private static long[] bytesRow(String out, String which) {
        Matcher row = BYTES.matcher(out);
        while (row.find()) {
            if (row.group(1).equals(which)) {
                return new long[] {
                    Long.parseLong(row.group(2).replace(",", "")),
                    Long.parseLong(row.group(3).replace(",", ""))
                };
            }
        }
        return fail("no 'bytes " + which + "' row:\n" + out);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
