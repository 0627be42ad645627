package io.ringguard.gateway.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringguard.gateway.config.GatewayConfigWriter;
import io.ringguard.gateway.daemon.SignalHandling;
import io.ringguard.gateway.demo.DemoNetwork.Side;
import io.ringguard.handshake.keys.Keys;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * The demo, start to end:
 *
 * <ol>
 *   <li>check root, {@code /dev/net/tun} and the programs (exit 3 naming what is missing);
 *   <li>remove what a crashed demo left, build the namespaces ({@link DemoNetwork});
 *   <li>write both gateways' configs into a 0700 temp dir and start {@code ringguard up} in each
 *       namespace, as children of this JVM with the same java, flags and class path;
 *   <li>wait (bounded) until each is ready: its UAPI socket answers {@code get=1} (a path in the
 *       file system, so the host reaches it) and its {@code /healthz} answers 200 inside its
 *       namespace (through bash's {@code /dev/tcp}, so no curl is needed);
 *   <li>ping through the tunnel (the first echo waits for the handshake), IPv4 and IPv6;
 *   <li>register a client with gateway b's admin API ({@code POST /v1/peers}), run the wg-quick
 *       config it answers with (plus the client's private key) as a third {@code ringguard up} in its
 *       own namespace, ping b from it;
 *   <li>iperf3 TCP each way with a progress line per second;
 *   <li>the summary: throughput, RTT, handshakes, bytes each side accounted (the client's against
 *       b's registry through the admin API), the metrics URLs;
 *   <li>teardown, always: children TERM then KILL, namespaces, sockets, temp dir.
 * </ol>
 *
 * <p>Signals: TERM, INT and HUP set {@link #stopping}, kill the program in the foreground (iperf3's
 * output is read with a blocking read) and interrupt the demo thread; the teardown in {@code
 * finally} then runs on that thread, and the exit code is {@link #EXIT_INTERRUPTED}.
 *
 * <p>One instance per run; everything but the signal handler runs on the demo thread.
 */
final class DemoRun {
    /** 128 + SIGINT: what a shell reports for a program stopped by Ctrl-C. */
    static final int EXIT_INTERRUPTED = 130;

    private static final Path LOCK_FILE = Path.of("/run/ringguard-demo.lock");
    private static final String TEMP_PREFIX = "ringguard-demo-";
    /** A gateway JVM on a busy 2-core machine can take a while to start. */
    private static final long READY_TIMEOUT_MS = 90_000;

    private static final long POLL_MS = 250;
    private static final long PROBE_TIMEOUT_MS = 5_000;
    private static final long PING_TIMEOUT_MS = 20_000;
    private static final long STOP_GRACE_MS = 15_000;
    private static final long SETTLE_TIMEOUT_MS = 5_000;
    private static final int PING_COUNT = 5;
    private static final int IPERF_PORT = 5201;
    private static final int LOG_TAIL_LINES = 5;
    private static final int STEPS = 7;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintWriter out;
    private final PrintWriter err;
    private final int seconds;
    private final boolean keep;
    private final boolean terminal;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicReference<Process> foreground = new AtomicReference<>();
    private final List<Process> children = new ArrayList<>();
    private final Thread demoThread = Thread.currentThread();
    private Path dir;
    /** The gateways' public keys in hex, to pick each one's peer out of the other's UAPI reply. */
    private String keyHexA;

    private String keyHexB;

    DemoRun(PrintWriter out, PrintWriter err, int seconds, boolean keep) {
        this.out = out;
        this.err = err;
        this.seconds = seconds;
        this.keep = keep;
        this.terminal = System.console() != null && System.console().isTerminal();
    }

    /** Runs the demo; returns the exit code. Call once, on the thread that owns the run. */
    int run() {
        try {
            Preflight.check();
        } catch (DemoFailure f) {
            return fail(f);
        }
        try (FileChannel lockChannel =
                        FileChannel.open(LOCK_FILE, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = tryLock(lockChannel)) {
            if (lock == null) {
                return fail(new DemoFailure(1, "another ringguard demo is running (it holds " + LOCK_FILE + ")"));
            }
            return runLocked();
        } catch (IOException e) {
            return fail(new DemoFailure(1, "cannot take " + LOCK_FILE + ": " + e.getMessage()));
        }
    }

    private int runLocked() {
        Runnable stop = () -> {
            stopping.set(true);
            Process p = foreground.get();
            if (p != null) {
                p.destroy();
            }
            demoThread.interrupt();
        };
        SignalHandling.install(stop, stop);
        try {
            steps();
            return 0;
        } catch (DemoFailure f) {
            return stopping.get() ? interrupted() : fail(f);
        } catch (InterruptedException e) {
            return interrupted();
        } catch (IOException e) {
            return stopping.get() ? interrupted() : fail(new DemoFailure(1, e.getMessage()));
        } finally {
            teardown();
        }
    }

    private void steps() throws DemoFailure, InterruptedException, IOException {
        out.println("ringguard demo: two RingGuard gateways in network namespaces, end to end");
        List<String> stale = removeLeftovers();
        if (!stale.isEmpty()) {
            out.println("  removed leftovers of an earlier demo: " + String.join("; ", stale));
        }
        step(
                1,
                "network: namespaces " + DemoNetwork.A.namespace() + ", " + DemoNetwork.B.namespace() + " and "
                        + DemoNetwork.C.namespace() + " (a client), veth " + DemoNetwork.A.underlay4() + " <-> "
                        + DemoNetwork.B.underlay4() + " and " + DemoNetwork.CLIENT_LINK_B4 + " <-> "
                        + DemoNetwork.C.underlay4());
        DemoNetwork.create();

        dir = Files.createTempDirectory(
                TEMP_PREFIX, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        step(2, "gateways: ringguard up in each namespace (configs and logs in " + dir + ")");
        writeConfigs();
        long startNs = System.nanoTime();
        for (Side side : List.of(DemoNetwork.A, DemoNetwork.B)) {
            children.add(startGateway(side));
        }
        awaitReady(DemoNetwork.A, children.get(0), startNs);
        awaitReady(DemoNetwork.B, children.get(1), startNs);

        Side a = DemoNetwork.A;
        Side b = DemoNetwork.B;
        long handshakeNs = System.nanoTime();
        PingStats first = ping(a, b.tunnel4(), 1, "handshake");
        step(
                3,
                String.format(
                        Locale.ROOT,
                        "handshake: first echo %s -> %s after %.1f ms (%.1f ms round trip in ping)",
                        a.tunnel4(),
                        b.tunnel4(),
                        (System.nanoTime() - handshakeNs) / 1e6,
                        first.maxMs()));
        PingStats ping4 = ping(a, b.tunnel4(), PING_COUNT, "IPv4");
        PingStats ping6 = ping(a, b.tunnel6(), PING_COUNT, "IPv6");
        step(4, "ping " + b.tunnel4() + ": " + ping4.describe());
        out.println("         ping " + b.tunnel6() + ": " + ping6.describe());

        Client client = registerClient();

        step(6, "iperf3: TCP for " + seconds + " s each way through the tunnel");
        startIperfServer(b);
        double forward = iperf(a, b, false);
        double reverse = iperf(a, b, true);

        step(7, "summary");
        printSummary(forward, reverse, ping4, ping6, client);
        if (keep) {
            out.println();
            out.println("  --keep: both gateways stay up; press Ctrl-C to stop and clean up.");
            out.flush();
            while (true) {
                Thread.sleep(60_000); // until the signal handler interrupts this thread
            }
        }
    }

    // ---------------------------------------------------------------- gateways

    // ---------------------------------------------------------------- the registered client

    /**
     * What step 5 leaves for the summary: the client's public key (URL-safe base64, for the admin API's
     * path), the addresses gateway b's pool gave it, and its ping.
     */
    private record Client(String publicKeyUrl, List<String> addresses, PingStats ping) {}

    /**
     * Registers a fresh key with gateway b through {@code POST /v1/peers}, completes the wg-quick
     * config b answers with (the private key replaces the placeholder line; it never becomes a
     * String), runs it as {@code ringguard up} in the client's namespace, and pings b's pool address
     * through the new tunnel.
     */
    private Client registerClient() throws DemoFailure, InterruptedException, IOException {
        Side b = DemoNetwork.B;
        Side c = DemoNetwork.C;
        step(5, "client: registered at gateway b through its admin API, then run with the config b answers with");
        byte[] privateKey = Keys.generatePrivateKey();
        byte[] publicKey;
        List<String> addresses = new ArrayList<>();
        try {
            publicKey = Keys.publicKey(privateKey);
            String body = "{\"public_key\": \"" + Base64.getEncoder().encodeToString(publicKey) + "\"}";
            String response = http(b, b.adminPort(), "POST", "/v1/peers", DemoNetwork.CLIENT_LINK_B4, body);
            int status = status(response);
            if (status != 201) {
                throw new DemoFailure(
                        1,
                        "registering the client at gateway b answered " + (status < 0 ? "nothing" : status) + ": "
                                + body(response).strip() + "; gateway b: " + logTail(b));
            }
            JsonNode answer = JSON.readTree(body(response));
            answer.path("addresses").forEach(a -> addresses.add(a.asText()));
            String config = answer.path("config").asText("");
            if (addresses.isEmpty() || !config.contains(GatewayConfigWriter.PRIVATE_KEY_PLACEHOLDER)) {
                throw new DemoFailure(1, "gateway b's registration answer has no addresses or no config: " + answer);
            }
            writeClientConfig(c, privateKey, config);
        } finally {
            Arrays.fill(privateKey, (byte) 0);
        }
        out.println("         POST /v1/peers -> 201: " + String.join(", ", addresses) + " from b's pool "
                + DemoNetwork.POOL4 + ", " + DemoNetwork.POOL6);
        long startNs = System.nanoTime();
        Process gateway = startGateway(c);
        children.add(gateway);
        awaitReady(c, gateway, startNs);
        PingStats ping = ping(c, DemoNetwork.POOL_GATEWAY4, PING_COUNT, "client");
        out.println("         ping " + DemoNetwork.POOL_GATEWAY4 + " (gateway b) from the client: " + ping.describe());
        out.flush();
        return new Client(Base64.getUrlEncoder().encodeToString(publicKey), addresses, ping);
    }

    /** The registration's config with {@code PrivateKey} filled in, plus the client's own {@code [Gateway]}. */
    private void writeClientConfig(Side side, byte[] privateKey, String config) throws IOException {
        Path file = configFile(side);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        char[] key = Keys.toBase64(privateKey);
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
            w.write("# ringguard demo: the client, as gateway b's POST /v1/peers answered (plus its private key)\n");
            for (String line : config.split("\n", -1)) {
                if (line.equals(GatewayConfigWriter.PRIVATE_KEY_PLACEHOLDER)) {
                    w.write("PrivateKey = ");
                    w.write(key);
                    w.write("\n");
                } else {
                    w.write(line);
                    w.write("\n");
                }
            }
            w.write("\n[Gateway]\n");
            w.write("MetricsListen = 127.0.0.1:" + side.metricsPort() + "\n");
            w.write("AdminListen = 127.0.0.1:" + side.adminPort() + "\n");
            w.write("Storage = sqlite:" + dir.resolve(side.iface() + ".db") + "\n");
        } finally {
            Arrays.fill(key, '\0');
        }
    }

    /** The status code of an HTTP response, -1 when there is no status line. */
    private static int status(String response) {
        String[] statusLine = response.lines().findFirst().orElse("").split(" ");
        return statusLine.length >= 2 && statusLine[1].matches("\\d{3}") ? Integer.parseInt(statusLine[1]) : -1;
    }

    /** The body of an HTTP response (after the blank line), empty when there is none. */
    private static String body(String response) {
        int end = response.indexOf("\r\n\r\n");
        return end < 0 ? "" : response.substring(end + 4);
    }

    private void writeConfigs() throws IOException {
        byte[] privateA = Keys.generatePrivateKey();
        byte[] privateB = Keys.generatePrivateKey();
        try {
            byte[] publicA = Keys.publicKey(privateA);
            byte[] publicB = Keys.publicKey(privateB);
            keyHexA = HexFormat.of().formatHex(publicA);
            keyHexB = HexFormat.of().formatHex(publicB);
            writeConfig(DemoNetwork.A, privateA, DemoNetwork.B, publicB);
            writeConfig(DemoNetwork.B, privateB, DemoNetwork.A, publicA);
        } finally {
            Arrays.fill(privateA, (byte) 0);
            Arrays.fill(privateB, (byte) 0);
        }
    }

    /** {@code side}'s config: the private key goes from a char[] straight to the 0600 file, never a String. */
    private void writeConfig(Side side, byte[] privateKey, Side peer, byte[] peerPublicKey) throws IOException {
        Path file = configFile(side);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        char[] key = Keys.toBase64(privateKey);
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
            w.write("# ringguard demo: gateway " + side.label() + " in namespace " + side.namespace() + "\n");
            w.write("[Interface]\nPrivateKey = ");
            w.write(key);
            w.write("\nListenPort = " + DemoNetwork.LISTEN_PORT + "\n");
            w.write("Address = " + side.tunnel4() + "/24, " + side.tunnel6() + "/64");
            if (side == DemoNetwork.B) {
                w.write(", " + DemoNetwork.POOL_GATEWAY4 + "/24, " + DemoNetwork.POOL_GATEWAY6 + "/64");
            }
            w.write("\n");
            w.write("MTU = " + DemoNetwork.MTU + "\n\n");
            w.write("[Gateway]\n");
            w.write("MetricsListen = 127.0.0.1:" + side.metricsPort() + "\n");
            w.write("AdminListen = 127.0.0.1:" + side.adminPort() + "\n");
            w.write("Storage = sqlite:" + dir.resolve(side.iface() + ".db") + "\n");
            if (side == DemoNetwork.B) {
                w.write("AddressPool = " + DemoNetwork.POOL4 + ", " + DemoNetwork.POOL6 + "\n");
            }
            w.write("\n");
            w.write("[Peer]\nPublicKey = ");
            w.write(Keys.toBase64(peerPublicKey));
            w.write("\nAllowedIPs = " + peer.tunnel4() + "/32, " + peer.tunnel6() + "/128\n");
            w.write("Endpoint = " + peer.underlay4() + ":" + DemoNetwork.LISTEN_PORT + "\n");
        } finally {
            Arrays.fill(key, '\0');
        }
    }

    private Path configFile(Side side) {
        return dir.resolve(side.iface() + ".conf");
    }

    private Path log(Side side) {
        return dir.resolve(side.iface() + ".log");
    }

    /** {@code ip netns exec NS java FLAGS -cp CLASSPATH io.ringguard.gateway.Main up CONFIG}: this JVM again. */
    private Process startGateway(Side side) throws DemoFailure {
        List<String> command = new ArrayList<>(jvmCommand());
        command.add("up");
        command.add(configFile(side).toString());
        try {
            return new ProcessBuilder(Exec.inNamespaceCommand(side.namespace(), command))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(log(side).toFile())
                    .start();
        } catch (IOException e) {
            throw new DemoFailure(1, "cannot start gateway " + side.label() + ": " + e.getMessage());
        }
    }

    /**
     * This JVM's java, its flags (minus a debugger agent, whose port the children would fight over)
     * and class path: the gateways run exactly the code the demo runs, whether from the shaded jar
     * or from a build's classes.
     */
    static List<String> jvmCommand() throws DemoFailure {
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>();
        command.add(java);
        for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!flag.startsWith("-agentlib:jdwp") && !flag.startsWith("-Xrunjdwp")) {
                command.add(flag);
            }
        }
        String classPath = System.getProperty("java.class.path", "");
        if (classPath.isEmpty()) {
            throw new DemoFailure(1, "cannot find this program's class path to start the gateways");
        }
        List<String> absolute = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            absolute.add(Path.of(entry).toAbsolutePath().toString());
        }
        command.add("-cp");
        command.add(String.join(File.pathSeparator, absolute));
        command.add("io.ringguard.gateway.Main");
        return command;
    }

    private void awaitReady(Side side, Process gateway, long startNs) throws DemoFailure, InterruptedException {
        long deadlineNs = startNs + READY_TIMEOUT_MS * 1_000_000;
        String lastProblem = "not started";
        while (true) {
            if (!gateway.isAlive()) {
                throw new DemoFailure(
                        1,
                        "gateway " + side.label() + " exited with code " + gateway.exitValue() + " while starting: "
                                + logTail(side));
            }
            try {
                if (Files.exists(side.uapiSocket()) && UapiPeer.query(side.uapiSocket()) != null) {
                    int status = httpStatus(side, "/healthz");
                    if (status == 200) {
                        out.println(String.format(
                                Locale.ROOT,
                                "         %s %s (%s in %s) healthy after %.1f s",
                                side == DemoNetwork.C ? "client" : "gateway",
                                side.label(),
                                side.iface(),
                                side.namespace(),
                                (System.nanoTime() - startNs) / 1e9));
                        out.flush();
                        return;
                    }
                    lastProblem = "/healthz answered " + status;
                } else {
                    lastProblem = "no UAPI socket yet";
                }
            } catch (IOException e) {
                lastProblem = e.getMessage();
            }
            if (System.nanoTime() > deadlineNs) {
                throw new DemoFailure(
                        1,
                        "gateway " + side.label() + " not ready within " + READY_TIMEOUT_MS / 1000 + " s ("
                                + lastProblem + "): " + logTail(side));
            }
            Thread.sleep(POLL_MS);
        }
    }

    /**
     * GET {@code path} from {@code side}'s metrics listener, inside its namespace, through bash's
     * {@code /dev/tcp}: the host cannot reach a listener inside a namespace, and bash is everywhere
     * curl may not be. Returns the whole response, status line first; empty when it could not connect.
     */
    private static String httpGet(Side side, String path) throws InterruptedException {
        return http(side, side.metricsPort(), "GET", path, "127.0.0.1", "");
    }

    /**
     * One HTTP/1.0 request to {@code 127.0.0.1:port} inside {@code side}'s namespace, through bash's
     * {@code /dev/tcp}; {@code body} (ASCII JSON) is sent when not empty. Returns the whole response,
     * status line first; empty when it could not connect.
     */
    private static String http(Side side, int port, String method, String path, String host, String body)
            throws InterruptedException {
        String script = "exec 3<>/dev/tcp/127.0.0.1/\"$1\" || exit 7; "
                + "printf '%s %s HTTP/1.0\\r\\nHost: %s\\r\\n' \"$2\" \"$3\" \"$4\" >&3; "
                + "if [ -n \"$5\" ]; then printf 'Content-Type: application/json\\r\\nContent-Length: %d\\r\\n' "
                + "\"${#5}\" >&3; fi; printf '\\r\\n%s' \"$5\" >&3; cat <&3";
        Exec.Result result = Exec.inNamespace(
                side.namespace(),
                PROBE_TIMEOUT_MS,
                "bash",
                "-c",
                script,
                "probe",
                Integer.toString(port),
                method,
                path,
                host,
                body);
        return result.ok() ? result.output() : "";
    }

    private static int httpStatus(Side side, String path) throws InterruptedException {
        return status(httpGet(side, path));
    }

    private String logTail(Side side) {
        try {
            List<String> lines = Files.readAllLines(log(side), StandardCharsets.UTF_8);
            List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
            return tail.isEmpty() ? "(its log " + log(side) + " is empty)" : String.join(" | ", tail);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    // ---------------------------------------------------------------- traffic

    private PingStats ping(Side from, String destination, int count, String what)
            throws DemoFailure, InterruptedException {
        Exec.Result result = Exec.inNamespace(
                from.namespace(),
                PING_TIMEOUT_MS,
                "ping",
                "-n",
                "-c",
                Integer.toString(count),
                "-i",
                "0.2",
                "-w",
                Long.toString(PING_TIMEOUT_MS / 1000 - 5),
                destination);
        PingStats stats = PingStats.parse(result.output());
        if (stats == null || stats.received() == 0) {
            throw new DemoFailure(
                    1,
                    "no echo came back from " + destination + " through the tunnel (" + what + "): " + result.lastLine()
                            + "; gateway a: " + logTail(DemoNetwork.A));
        }
        return stats;
    }

    private void startIperfServer(Side side) throws DemoFailure, InterruptedException, IOException {
        Path serverLog = dir.resolve("iperf3-server.log");
        Process server = new ProcessBuilder(Exec.inNamespaceCommand(
                        side.namespace(),
                        List.of(
                                "iperf3",
                                "-s",
                                "-B",
                                side.tunnel4(),
                                "-p",
                                Integer.toString(IPERF_PORT),
                                "--forceflush")))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(serverLog.toFile())
                .start();
        children.add(server);
        long deadlineNs = System.nanoTime() + PROBE_TIMEOUT_MS * 2_000_000;
        while (!Files.readString(serverLog).contains("Server listening")) {
            if (!server.isAlive() || System.nanoTime() > deadlineNs) {
                throw new DemoFailure(
                        1,
                        "iperf3 server did not start: "
                                + Files.readString(serverLog).strip());
            }
            Thread.sleep(100);
        }
    }

    /**
     * One iperf3 run from {@code client}'s namespace, a progress line per interval; returns the
     * receiver's average in Mbit/s.
     */
    private double iperf(Side client, Side server, boolean reverse)
            throws DemoFailure, InterruptedException, IOException {
        String direction =
                reverse ? server.label() + " -> " + client.label() : client.label() + " -> " + server.label();
        List<String> command = new ArrayList<>(List.of(
                "iperf3",
                "-c",
                server.tunnel4(),
                "-p",
                Integer.toString(IPERF_PORT),
                "-t",
                Integer.toString(seconds),
                "-i",
                "1",
                "-f",
                "m",
                "--forceflush"));
        if (reverse) {
            command.add("-R");
        }
        Process process = new ProcessBuilder(Exec.inNamespaceCommand(client.namespace(), command))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .start();
        foreground.set(process);
        if (stopping.get()) {
            process.destroy(); // the signal came between the check above and set(): do its part
        }
        CompletableFuture.delayedExecutor(seconds + 30L, TimeUnit.SECONDS).execute(process::destroyForcibly);
        IperfLine receiver = null;
        IperfLine sender = null;
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.add(line);
                IperfLine parsed = IperfLine.parse(line);
                if (parsed == null) {
                    continue;
                }
                if (parsed.kind() == IperfLine.Kind.INTERVAL) {
                    progress(direction, parsed);
                } else if (parsed.kind() == IperfLine.Kind.SENDER) {
                    sender = parsed;
                } else {
                    receiver = parsed;
                }
            }
        } finally {
            foreground.set(null);
        }
        int code = process.waitFor();
        if (stopping.get()) {
            throw new InterruptedException();
        }
        IperfLine total = receiver != null ? receiver : sender;
        if (code != 0 || total == null) {
            String last = lines.isEmpty() ? "no output" : lines.getLast().strip();
            throw new DemoFailure(1, "iperf3 " + direction + " failed (exit " + code + "): " + last);
        }
        String result = String.format(
                Locale.ROOT,
                "         %s  %5.1f s  %9.1f Mbit/s  average",
                direction,
                total.endSec(),
                total.megabitsPerSecond());
        out.print(terminal ? "\r" + result + "\033[K\n" : result + "\n");
        out.flush();
        return total.megabitsPerSecond();
    }

    private void progress(String direction, IperfLine interval) {
        if (stopping.get()) {
            return; // iperf3 prints a last partial interval when it is stopped: not worth a line
        }
        int done = (int) Math.min(seconds, Math.round(interval.endSec()));
        String bar = "#".repeat(done) + ".".repeat(Math.max(0, seconds - done));
        String text = String.format(
                Locale.ROOT,
                "         %s  %5.1f s  %9.1f Mbit/s  [%s]",
                direction,
                interval.endSec(),
                interval.megabitsPerSecond(),
                bar);
        // On a terminal one line updates in place; in a log each second is a line of its own.
        out.print(terminal ? "\r" + text + "\033[K" : text + "\n");
        out.flush();
    }

    // ---------------------------------------------------------------- summary

    private void printSummary(double forwardMbps, double reverseMbps, PingStats ping4, PingStats ping6, Client client)
            throws InterruptedException, IOException {
        Side a = DemoNetwork.A;
        Side b = DemoNetwork.B;
        UapiPeer[] settled = settledCounters();
        UapiPeer atA = settled[0];
        UapiPeer atB = settled[1];
        String metricsA = httpGet(a, "/metrics");
        String metricsB = httpGet(b, "/metrics");
        long nowSec = System.currentTimeMillis() / 1000;

        SummaryTable table = new SummaryTable();
        table.row(
                "throughput a -> b",
                String.format(Locale.ROOT, "%.1f Mbit/s", forwardMbps),
                "TCP, iperf3, " + seconds + " s");
        table.row("throughput b -> a", String.format(Locale.ROOT, "%.1f Mbit/s", reverseMbps), "");
        table.row("ping IPv4", ping4.describe(), "");
        table.row("ping IPv6", ping6.describe(), "");
        table.blank();
        table.row("", "gateway a", "gateway b");
        table.row("interface", a.iface() + " in " + a.namespace(), b.iface() + " in " + b.namespace());
        table.row("tunnel address", a.tunnel4(), b.tunnel4());
        table.row(
                "sessions started",
                count(metricsA, "ringguard_sessions_started_total"),
                count(metricsB, "ringguard_sessions_started_total"));
        table.row(
                "latest handshake", ago(nowSec, atA.lastHandshakeEpochSec()), ago(nowSec, atB.lastHandshakeEpochSec()));
        table.row("bytes sent", SummaryTable.bytes(atA.txBytes()), SummaryTable.bytes(atB.txBytes()));
        table.row("bytes received", SummaryTable.bytes(atA.rxBytes()), SummaryTable.bytes(atB.rxBytes()));
        table.row(
                "packets dropped", count(metricsA, "ringguard_drops_total"), count(metricsB, "ringguard_drops_total"));
        table.blank();
        table.row("accounting a -> b", agreement(atA.txBytes(), atB.rxBytes()), "sent by a, received by b");
        table.row("accounting b -> a", agreement(atB.txBytes(), atA.rxBytes()), "sent by b, received by a");
        table.blank();
        long[] clientCounters = settledClientCounters(client);
        table.row("registered client", String.join(", ", client.addresses()), "at gateway b, from its AddressPool");
        table.row("client ping", client.ping().describe(), "to " + DemoNetwork.POOL_GATEWAY4 + " (gateway b)");
        table.row(
                "accounting client -> b",
                agreement(clientCounters[0], clientCounters[1]),
                "client's counters vs b's GET /v1/peers/{key}");
        table.row("accounting b -> client", agreement(clientCounters[2], clientCounters[3]), "");
        table.blank();
        table.row("metrics a", "sudo ip netns exec " + a.namespace() + " curl -s " + a.metricsUrl(), "");
        table.row("metrics b", "sudo ip netns exec " + b.namespace() + " curl -s " + b.metricsUrl(), "");
        table.print(out);
        out.println("  (the metrics listeners live inside the namespaces, so they are reached through ip netns exec,");
        out.println(
                keep
                        ? "   while the demo runs)"
                        : "   while the demo runs: add --keep to leave the gateways up after the summary until Ctrl-C)");
        out.flush();
    }

    /**
     * Both sides' counters once they agree (what a sent is what b received, and back) or the bound
     * passes: a packet still on the veth is counted by its sender only.
     */
    private UapiPeer[] settledCounters() throws InterruptedException, IOException {
        long deadlineNs = System.nanoTime() + SETTLE_TIMEOUT_MS * 1_000_000;
        while (true) {
            UapiPeer atA = UapiPeer.query(DemoNetwork.A.uapiSocket(), keyHexB);
            UapiPeer atB = UapiPeer.query(DemoNetwork.B.uapiSocket(), keyHexA);
            if (atA == null || atB == null) {
                throw new IOException("a gateway lost its peer");
            }
            boolean agree = atA.txBytes() == atB.rxBytes() && atB.txBytes() == atA.rxBytes();
            if (agree || System.nanoTime() > deadlineNs) {
                return new UapiPeer[] {atA, atB};
            }
            Thread.sleep(100);
        }
    }

    /**
     * {client sent, b's API says received, b's API says sent, client received}, once they agree or the
     * bound passes: the client's side from its UAPI socket, b's from the admin API (persisted totals
     * plus what is not synced yet), so this checks the registry's accounting against the client.
     */
    private long[] settledClientCounters(Client client) throws InterruptedException, IOException {
        long deadlineNs = System.nanoTime() + SETTLE_TIMEOUT_MS * 1_000_000;
        while (true) {
            UapiPeer atClient = UapiPeer.query(DemoNetwork.C.uapiSocket(), null);
            String response = http(
                    DemoNetwork.B,
                    DemoNetwork.B.adminPort(),
                    "GET",
                    "/v1/peers/" + client.publicKeyUrl(),
                    "127.0.0.1",
                    "");
            if (atClient == null || status(response) != 200) {
                throw new IOException("the client or its registration is gone: "
                        + response.lines().findFirst().orElse(""));
            }
            JsonNode atGateway = JSON.readTree(body(response));
            long[] counters = {
                atClient.txBytes(), atGateway.path("rx_bytes").asLong(-1),
                atGateway.path("tx_bytes").asLong(-1), atClient.rxBytes()
            };
            if ((counters[0] == counters[1] && counters[2] == counters[3]) || System.nanoTime() > deadlineNs) {
                return counters;
            }
            Thread.sleep(100);
        }
    }

    private static String agreement(long sent, long received) {
        return sent == received
                ? "match: " + SummaryTable.bytes(sent) + " bytes"
                : "differ: sent " + SummaryTable.bytes(sent) + ", received " + SummaryTable.bytes(received);
    }

    private static String count(String metrics, String name) {
        double value = MetricsText.sum(metrics, name);
        return value < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", value);
    }

    private static String ago(long nowSec, long thenSec) {
        return thenSec == 0 ? "never" : Math.max(0, nowSec - thenSec) + " s ago";
    }

    // ---------------------------------------------------------------- endings

    private void step(int n, String text) {
        out.println("  [" + n + "/" + STEPS + "] " + text);
        out.flush();
    }

    private int fail(DemoFailure f) {
        out.flush();
        err.println("ringguard demo: " + f.getMessage() + " (exit " + f.exitCode() + ")");
        err.flush();
        return f.exitCode();
    }

    private int interrupted() {
        if (keep) {
            return 0; // --keep ends with Ctrl-C: that is its normal end
        }
        out.flush();
        err.println();
        err.println("ringguard demo: interrupted; cleaning up (exit " + EXIT_INTERRUPTED + ")");
        err.flush();
        return EXIT_INTERRUPTED;
    }

    /** Stops the children, removes the network and the temp dir; never throws, bounded in time. */
    private void teardown() {
        Thread.interrupted(); // teardown must finish; the run keeps `stopping` for the exit code
        Process current = foreground.getAndSet(null);
        if (current != null) {
            current.destroyForcibly();
        }
        for (Process child : children) {
            child.destroy();
        }
        long deadlineNs = System.nanoTime() + STOP_GRACE_MS * 1_000_000;
        List<String> problems = new ArrayList<>();
        for (Process child : children) {
            if (!awaitExit(child, deadlineNs)) {
                child.destroyForcibly();
                awaitExit(child, System.nanoTime() + 2_000_000_000L);
                problems.add("pid " + child.pid() + " did not stop on TERM; killed");
            }
        }
        for (String removed : DemoNetwork.remove()) {
            if (removed.startsWith("could not")) {
                problems.add(removed);
            }
        }
        if (dir != null) {
            try {
                deleteTree(dir);
            } catch (IOException e) {
                problems.add("could not delete " + dir + ": " + e.getMessage());
            }
        }
        if (problems.isEmpty()) {
            out.println("  cleaned up: gateways stopped, namespaces and temp files removed");
        } else {
            out.println("  cleanup: " + String.join("; ", problems));
        }
        out.flush();
    }

    private static boolean awaitExit(Process process, long deadlineNs) {
        while (true) {
            try {
                return process.waitFor(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                // Teardown goes on; see teardown().
            }
        }
    }

    /** Leftovers of a demo that could not clean up (kill -9, power loss): network and temp dirs. */
    private static List<String> removeLeftovers() throws IOException {
        List<String> removed = new ArrayList<>(DemoNetwork.remove());
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(tmp, TEMP_PREFIX + "*")) {
            for (Path path : stale) {
                deleteTree(path);
                removed.add(path.toString());
            }
        }
        return removed;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }
}
