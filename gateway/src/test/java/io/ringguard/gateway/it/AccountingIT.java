package io.ringguard.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringguard.testkit.ExecResult;
import io.ringguard.testkit.Netns;
import io.ringguard.testkit.Prerequisites;
import io.ringguard.testkit.RingGuardUpPeer;
import io.ringguard.testkit.UserspacePeer;
import io.ringguard.testkit.WireguardGoPeer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
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
        Path log = Files.createTempFile("rg-iperf3-server-", ".log");
        at.netns().spawn(log, Map.of(), "iperf3", "-s", "-B", at.tunnelAddress(), "-p", Integer.toString(port));
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
