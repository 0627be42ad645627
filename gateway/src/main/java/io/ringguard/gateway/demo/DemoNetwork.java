package io.ringguard.gateway.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's two namespaces and the veth pair between them. The names and ranges are the demo's own,
 * so a demo and the test suite (namespaces {@code rgns<k>}, 198.18.k.0 with k up to 250, {@code
 * fd00:18:...}/{@code fd00:19:...}) can never take each other's:
 *
 * <pre>
 *   rgdemo-a: rgdemo-veth-a 198.18.254.1/30 fd00:254::1/64 ==== rgdemo-veth-b 198.18.254.2/30 fd00:254::2/64 :rgdemo-b
 *             rgdemo-wg-a   198.19.254.1/24 fd00:255::1/64      rgdemo-wg-b   198.19.254.2/24 fd00:255::2/64
 *             metrics 127.0.0.1:9590                                          198.19.253.1/24 fd00:253::1/64
 *                                                               pool 198.19.253.0/24, fd00:253::/64
 *                                                               metrics 127.0.0.1:9591, admin 127.0.0.1:9593
 *                                                               rgdemo-veth-bc 198.18.254.5/30 fd00:254:1::1/64
 *                                                                   ||
 *   rgdemo-c (the registered client):                           rgdemo-veth-c  198.18.254.6/30 fd00:254:1::2/64
 *                                                               rgdemo-wg-c    addresses from b's pool
 * </pre>
 *
 * Demo thread only. Every command is bounded in time.
 */
final class DemoNetwork {
    /** One end: its namespace, veth, RingGuard interface and addresses. */
    record Side(
            String label,
            String namespace,
            String veth,
            String iface,
            String underlay4,
            String underlay6,
            String tunnel4,
            String tunnel6,
            int metricsPort,
            int adminPort) {
        Path uapiSocket() {
            return Path.of("/var/run/wireguard", iface + ".sock");
        }

        String metricsUrl() {
            return "http://127.0.0.1:" + metricsPort + "/metrics";
        }
    }

    static final int LISTEN_PORT = 51820;
    static final int MTU = 1420;

    static final Side A = new Side(
            "a",
            "rgdemo-a",
            "rgdemo-veth-a",
            "rgdemo-wg-a",
            "198.18.254.1",
            "fd00:254::1",
            "198.19.254.1",
            "fd00:255::1",
            9590,
            9592);
    static final Side B = new Side(
            "b",
            "rgdemo-b",
            "rgdemo-veth-b",
            "rgdemo-wg-b",
            "198.18.254.2",
            "fd00:254::2",
            "198.19.254.2",
            "fd00:255::2",
            9591,
            9593);

    /**
     * The client, registered with gateway b through its admin API; its tunnel addresses are whatever
     * b's pool hands out, so the tunnel fields here are empty.
     */
    static final Side C = new Side(
            "c", "rgdemo-c", "rgdemo-veth-c", "rgdemo-wg-c", "198.18.254.6", "fd00:254:1::2", "", "", 9594, 9595);

    /** Gateway b's end of the link to the client, and the address clients reach b under. */
    static final String CLIENT_LINK_VETH_B = "rgdemo-veth-bc";

    static final String CLIENT_LINK_B4 = "198.18.254.5";
    static final String CLIENT_LINK_B6 = "fd00:254:1::1";
    /** Gateway b's pool for registered clients, and b's own address in it (never handed out). */
    static final String POOL4 = "198.19.253.0/24";

    static final String POOL6 = "fd00:253::/64";
    static final String POOL_GATEWAY4 = "198.19.253.1";
    static final String POOL_GATEWAY6 = "fd00:253::1";

    static final List<Side> ALL = List.of(A, B, C);

    private static final long IP_TIMEOUT_MS = 10_000;
    private static final long KILL_GRACE_MS = 5_000;

    private DemoNetwork() {}

    /**
     * The three namespaces with loopback up; a and b joined by one veth pair, b and the client c by
     * another, with their addresses (no DAD wait).
     */
    static void create() throws DemoFailure, InterruptedException {
        for (Side side : ALL) {
            Exec.Result added = Exec.run(IP_TIMEOUT_MS, "ip", "netns", "add", side.namespace());
            if (!added.ok()) {
                int code = added.output().contains("Operation not permitted") ? 3 : 1;
                throw new DemoFailure(
                        code, "cannot create network namespace " + side.namespace() + ": " + added.lastLine());
            }
            ip(side, "link", "set", "lo", "up");
        }
        check(Exec.run(
                IP_TIMEOUT_MS,
                "ip",
                "link",
                "add",
                A.veth(),
                "netns",
                A.namespace(),
                "type",
                "veth",
                "peer",
                "name",
                B.veth(),
                "netns",
                B.namespace()));
        check(Exec.run(
                IP_TIMEOUT_MS,
                "ip",
                "link",
                "add",
                CLIENT_LINK_VETH_B,
                "netns",
                B.namespace(),
                "type",
                "veth",
                "peer",
                "name",
                C.veth(),
                "netns",
                C.namespace()));
        for (Side side : ALL) {
            ip(side, "addr", "add", side.underlay4() + "/30", "dev", side.veth());
            ip(side, "-6", "addr", "add", side.underlay6() + "/64", "dev", side.veth(), "nodad");
            ip(side, "link", "set", side.veth(), "up");
        }
        ip(B, "addr", "add", CLIENT_LINK_B4 + "/30", "dev", CLIENT_LINK_VETH_B);
        ip(B, "-6", "addr", "add", CLIENT_LINK_B6 + "/64", "dev", CLIENT_LINK_VETH_B, "nodad");
        ip(B, "link", "set", CLIENT_LINK_VETH_B, "up");
    }

    /**
     * Removes whatever a demo left: processes still inside the namespaces (TERM, then KILL), the
     * namespaces with their interfaces, and UAPI sockets nobody serves any more. Never throws; returns
     * what it removed, and a line for anything it could not remove, for the user.
     */
    static List<String> remove() {
        List<String> done = new ArrayList<>();
        for (Side side : ALL) {
            if (!Files.exists(Path.of("/var/run/netns", side.namespace()))) {
                continue;
            }
            List<String> pids = pids(side);
            if (!pids.isEmpty()) {
                signal("-TERM", pids);
                long deadlineNs = System.nanoTime() + KILL_GRACE_MS * 1_000_000;
                while (!pids(side).isEmpty() && System.nanoTime() < deadlineNs) {
                    pause(100);
                }
                List<String> left = pids(side);
                if (!left.isEmpty()) {
                    signal("-KILL", left);
                    pause(200);
                }
                done.add("stopped processes " + String.join(", ", pids) + " in " + side.namespace());
            }
            Exec.Result deleted = Exec.runToEnd(IP_TIMEOUT_MS, "ip", "netns", "del", side.namespace());
            done.add(
                    deleted.ok()
                            ? "namespace " + side.namespace()
                            : "could not delete namespace " + side.namespace() + ": " + deleted.lastLine());
        }
        for (Side side : ALL) {
            try {
                if (Files.deleteIfExists(side.uapiSocket())) {
                    done.add("socket " + side.uapiSocket());
                }
            } catch (IOException e) {
                done.add("could not delete " + side.uapiSocket() + ": " + e.getMessage());
            }
        }
        return done;
    }

    /** True when no namespace, interface or socket of the demo exists. */
    static boolean gone() {
        for (Side side : ALL) {
            if (Files.exists(Path.of("/var/run/netns", side.namespace())) || Files.exists(side.uapiSocket())) {
                return false;
            }
        }
        return true;
    }

    private static List<String> pids(Side side) {
        Exec.Result result = Exec.runToEnd(IP_TIMEOUT_MS, "ip", "netns", "pids", side.namespace());
        List<String> pids = new ArrayList<>();
        if (result.ok()) {
            for (String line : result.output().split("\n")) {
                if (line.strip().matches("\\d+")) {
                    pids.add(line.strip());
                }
            }
        }
        return pids;
    }

    private static void signal(String signal, List<String> pids) {
        List<String> command = new ArrayList<>(List.of("kill", signal));
        command.addAll(pids);
        Exec.runToEnd(IP_TIMEOUT_MS, command.toArray(String[]::new));
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            // Teardown goes on; the run keeps its own flag for the signal (see Exec.runToEnd).
        }
    }

    private static void ip(Side side, String... args) throws DemoFailure, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip", "-n", side.namespace()));
        command.addAll(List.of(args));
        check(Exec.run(IP_TIMEOUT_MS, command));
    }

    private static void check(Exec.Result result) throws DemoFailure {
        if (!result.ok()) {
            throw new DemoFailure(1, "network setup failed: " + result.lastLine());
        }
    }
}
