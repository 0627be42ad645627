package io.ringguard.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringguard.gateway.mesh.KeyFile;
import io.ringguard.membership.identity.Ed25519Authenticator;
import io.ringguard.membership.identity.NodeKey;
import io.ringguard.membership.org.OrgKeys;
import io.ringguard.membership.org.OrgMessage;
import io.ringguard.testkit.ExecResult;
import io.ringguard.testkit.Netns;
import io.ringguard.testkit.Prerequisites;
import io.ringguard.testkit.RingGuardUpPeer;
import io.ringguard.testkit.UserspacePeer;
import io.ringguard.testkit.UserspacePeer.PeerStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gateway mesh in namespaces: three {@code ringguard up} gateways with {@code Gossip} join through
 * a seed, become WireGuard peers of each other from gossip alone (no [Peer] in any file), pass
 * traffic member to member, and drop a revoked member and a member that leaves.
 *
 * <pre>
 *                      rgns&lt;h&gt; (hub, forwards between its links)
 *          198.18.h.5 /         | 198.18.h.9         \ 198.18.h.13
 *   rgns&lt;a&gt; .6:51821      rgns&lt;b&gt; .10:51821      rgns&lt;c&gt; .14:51821    (Gossip; WireGuard :51820)
 *   tunnel 198.19.a.1     198.19.b.1            198.19.c.1           (mesh addresses, /32 each)
 * </pre>
 */
@Tag("integration")
@Timeout(240)
class MeshIT {
    private static final int WG_PORT = UserspacePeer.DEFAULT_LISTEN_PORT;
    private static final int GOSSIP_PORT = 51821;
    private static final int ADMIN_PORT = 9587;
    /** JVM start, join, and the first probes on a loaded 2-core machine. */
    private static final long FORM_TIMEOUT_MS = 60_000;
    /**
     * The gossip bound for an org message or a leave with 3 members: retransmitted 4 * ceil(log10 4) =
     * 4 times at 200 ms gossip intervals to 3 members, so under a second when nothing is lost; the
     * assertion allows for a busy machine.
     */
    private static final long GOSSIP_BOUND_MS = 5_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<AutoCloseable> resources = new ArrayList<>();
    private Path dir;

    @BeforeEach
    void setUp() throws IOException {
        Tunnels.requirePrerequisites();
        Prerequisites.requireProgram("curl");
        dir = Files.createTempDirectory(
                "rg-mesh-it-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    @AfterEach
    void tearDown() throws Exception {
        Exception failure = null;
        for (AutoCloseable r : resources.reversed()) {
            try {
                r.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** One gateway of the mesh: its namespace, its node key and its daemon. */
    private record Node(Netns netns, String underlay, NodeKey nodeKey, RingGuardUpPeer up) {}

    @Test
    void shouldFormAMeshFromSeedsPassTrafficAndDropRevokedAndLeavingMembers() throws Exception {
        OrgKeys org = OrgKeys.generate();
        Netns hub = track(Netns.create());
        hub.exec(5_000, "sysctl", "-qw", "net.ipv4.ip_forward=1").orThrow();
        List<Node> nodes = new ArrayList<>();
        String seed = null;
        for (int i = 0; i < 3; i++) {
            Netns netns = track(Netns.create());
            Netns.Link link = hub.connect(netns);
            netns.ip("route", "add", hubSubnet(hub), "via", link.localAddress());
            String underlay = link.remoteAddress();
            Node node = start(org, netns, underlay, seed);
            nodes.add(node);
            if (seed == null) {
                seed = underlay + ":" + GOSSIP_PORT;
            }
        }
        Node a = nodes.get(0);
        Node b = nodes.get(1);
        Node c = nodes.get(2);

        // 1. The mesh forms: every gateway gets the two others as WireGuard peers, from gossip alone.
        long formStartNs = System.nanoTime();
        for (Node n : nodes) {
            Set<String> others = keysOf(nodes, n);
            await(
                    "mesh peers on " + n.up().interfaceName(),
                    FORM_TIMEOUT_MS,
                    () -> peerKeys(n).equals(others),
                    nodes);
        }
        long formedMs = (System.nanoTime() - formStartNs) / 1_000_000L;
        System.out.println("MeshIT: mesh of 3 formed " + formedMs + " ms after the last gateway was up");

        // 2. Member to member over the mesh addresses, both families, every pair.
        for (Node from : nodes) {
            for (Node to : nodes) {
                if (from != to) {
                    Tunnels.assertPings(from.up(), to.up(), to.up().tunnelAddress(), 3);
                }
            }
        }
        Tunnels.assertPings(a.up(), c.up(), c.up().tunnelAddress6(), 3);
        PeerStatus toB = a.up().peerStatus(b.up().publicKeyBase64());
        assertEquals(
                b.up().tunnelAddress() + "/32," + b.up().tunnelAddress6() + "/128", toB.allowedIps(), toB::toString);
        assertEquals(b.underlay() + ":" + WG_PORT, toB.endpoint(), toB::toString);

        // 3. GET /v1/members: this node first, then the others, alive and direct, exactly the contract fields.
        JsonNode members = JSON.readTree(http(a.netns(), "GET", "/v1/members", null, 200));
        assertEquals(3, members.size(), members::toString);
        // The same view on /metrics (the contract's "gossip members by state"), every state exposed.
        String metrics = a.netns()
                .exec(15_000, "curl", "-sS", "-m", "10", "http://127.0.0.1:9586/metrics")
                .orThrow()
                .out();
        for (String state : List.of("alive 3", "suspect 0", "dead 0", "left 0")) {
            String[] parts = state.split(" ");
            assertTrue(
                    java.util.regex.Pattern.compile("(?m)^ringguard_gossip_members\\{interface=\"[^\"]+\",state=\""
                                    + parts[0] + "\"} " + parts[1] + "(\\.0)?$")
                            .matcher(metrics)
                            .find(),
                    () -> "no ringguard_gossip_members " + state + " in:\n" + metrics);
        }
        Set<String> fields = new TreeSet<>();
        members.get(0).fieldNames().forEachRemaining(fields::add);
        assertEquals(
                new TreeSet<>(List.of(
                        "node_key",
                        "wg_public_key",
                        "mesh_addresses",
                        "gossip_endpoint",
                        "observed_endpoint",
                        "path",
                        "state",
                        "incarnation")),
                fields);
        assertEquals(a.nodeKey().toBase64(), members.get(0).get("node_key").asText());
        for (JsonNode m : members) {
            assertEquals("alive", m.get("state").asText(), m::toString);
        }
        for (int i = 1; i < 3; i++) {
            assertEquals("direct", members.get(i).get("path").asText(), members::toString);
        }

        // 4. A revocation signed by another key is refused and changes nothing.
        OrgKeys impostor = OrgKeys.generate();
        String forged = OrgMessage.revoke(impostor, c.nodeKey(), System.currentTimeMillis())
                .toBase64();
        http(a.netns(), "POST", "/v1/org/messages", "{\"message\":\"" + forged + "\"}", 400);
        http(a.netns(), "POST", "/v1/org/messages", "{\"message\":\"bm90IGEgbWVzc2FnZQ==\"}", 400);
        assertEquals(keysOf(nodes, a), peerKeys(a), "a refused message changed the peers");

        // 5. The org revokes c at a: a drops it at once, b through gossip within the bound.
        String revoke =
                OrgMessage.revoke(org, c.nodeKey(), System.currentTimeMillis()).toBase64();
        long revokeNs = System.nanoTime();
        String answer = http(a.netns(), "POST", "/v1/org/messages", "{\"message\":\"" + revoke + "\"}", 200);
        assertTrue(answer.contains("\"applied\""), answer);
        String cKey = c.up().publicKeyBase64();
        await(
                "c gone from a and b",
                GOSSIP_BOUND_MS,
                () -> !peerKeys(a).contains(cKey) && !peerKeys(b).contains(cKey),
                nodes);
        long revokedMs = (System.nanoTime() - revokeNs) / 1_000_000L;
        System.out.println(
                "MeshIT: revoked member removed from every other member's WireGuard peers in " + revokedMs + " ms");
        Tunnels.assertPings(a.up(), b.up(), b.up().tunnelAddress(), 2);
        // c is cut off (members drop its frames): it drops its mesh peers, by the revocation if it hears
        // of it, else when its failure detector declares the silent members dead.
        await(
                "c without peers after its revocation",
                FORM_TIMEOUT_MS,
                () -> peerKeys(c).isEmpty(),
                nodes);
        System.out.println("MeshIT: the revoked member dropped its own mesh peers "
                + (System.nanoTime() - revokeNs) / 1_000_000L + " ms after the revocation ("
                + (c.up().logTail().contains("the org revoked this node") ? "told by gossip" : "members declared dead")
                + ")");

        // 6. b shuts down gracefully: its leave reaches a, which drops the peer within the bound.
        long leaveNs = System.nanoTime();
        b.up().signal("TERM");
        assertEquals(0, b.up().awaitExit(15_000).orElse(-1), () -> b.up().logTail());
        String bKey = b.up().publicKeyBase64();
        await(
                "b gone from a after its leave",
                GOSSIP_BOUND_MS,
                () -> !peerKeys(a).contains(bKey),
                nodes);
        System.out.println(
                "MeshIT: leaving member removed " + (System.nanoTime() - leaveNs) / 1_000_000L + " ms after SIGTERM");
    }

    /**
     * b and c each sit behind their own NAT router (nftables masquerade on the router's hub side); a is
     * public and the seed. With plain masquerade (Linux keeps the source port: endpoint-independent
     * mapping) b and c reach each other directly; with {@code masquerade random} (a new port per
     * destination, like a symmetric NAT) they cannot, and WireGuard goes through a's relay.
     *
     * <pre>
     *   rgns&lt;a&gt; ---- hub ---- router b (NAT) ---- rgns&lt;b&gt;
     *                    \---- router c (NAT) ---- rgns&lt;c&gt;
     * </pre>
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"masquerade", "masquerade random"})
    void shouldConnectMembersBehindNatsDirectlyOrThroughTheRelay(String nat) throws Exception {
        Prerequisites.requireProgram("nft");
        boolean symmetric = nat.contains("random");
        OrgKeys org = OrgKeys.generate();
        Netns hub = track(Netns.create());
        hub.exec(5_000, "sysctl", "-qw", "net.ipv4.ip_forward=1").orThrow();
        Netns aNetns = track(Netns.create());
        Netns.Link aLink = hub.connect(aNetns);
        aNetns.ip("route", "add", hubSubnet(hub), "via", aLink.localAddress());
        Node a = start(org, aNetns, aLink.remoteAddress(), null);
        String seed = aLink.remoteAddress() + ":" + GOSSIP_PORT;
        String[] publicAddress = new String[2];
        List<Node> natted = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Netns router = track(Netns.create());
            Netns.Link wan = hub.connect(router);
            Netns inside = track(Netns.create());
            Netns.Link lan = router.connect(inside);
            router.exec(5_000, "sysctl", "-qw", "net.ipv4.ip_forward=1").orThrow();
            router.ip("route", "add", hubSubnet(hub), "via", wan.localAddress());
            router.exec(5_000, "nft", "add table ip nat").orThrow();
            router.exec(5_000, "nft", "add chain ip nat postrouting { type nat hook postrouting priority 100 ; }")
                    .orThrow();
            router.exec(5_000, "nft", "add rule ip nat postrouting oifname " + wan.remoteInterface() + " " + nat)
                    .orThrow();
            // Like a home router's firewall: unsolicited packets from outside are dropped before their
            // conntrack entry is confirmed. Without this, a punch packet that arrives before the inside
            // node's own one leaves a confirmed entry that makes masquerade pick another port.
            router.exec(5_000, "nft", "add table ip filter").orThrow();
            router.exec(5_000, "nft", "add chain ip filter input { type filter hook input priority 0 ; }")
                    .orThrow();
            router.exec(
                            5_000,
                            "nft",
                            "add rule ip filter input iifname " + wan.remoteInterface() + " ct state new drop")
                    .orThrow();
            inside.ip("route", "add", hubSubnet(hub), "via", lan.localAddress());
            publicAddress[i] = wan.remoteAddress();
            natted.add(start(org, inside, lan.remoteAddress(), seed));
        }
        Node b = natted.get(0);
        Node c = natted.get(1);
        List<Node> nodes = List.of(a, b, c);

        long startNs = System.nanoTime();
        String expectedPath = symmetric ? "relay" : "direct";
        await(
                "b and c see each other on a " + expectedPath + " path",
                FORM_TIMEOUT_MS,
                () -> expectedPath.equals(pathTo(b, c)) && expectedPath.equals(pathTo(c, b)),
                nodes);
        System.out.println("MeshIT (" + nat + "): b and c " + expectedPath + " after "
                + (System.nanoTime() - startNs) / 1_000_000L + " ms");
        Tunnels.assertPings(b.up(), c.up(), c.up().tunnelAddress(), 3);
        Tunnels.assertPings(c.up(), b.up(), b.up().tunnelAddress(), 3);
        Tunnels.assertPings(b.up(), a.up(), a.up().tunnelAddress(), 3);
        System.out.println("MeshIT (" + nat + "): b and c ping each other " + (System.nanoTime() - startNs) / 1_000_000L
                + " ms after the start");

        String bToC = b.up().peerStatus(c.up().publicKeyBase64()).endpoint();
        String cToB = c.up().peerStatus(b.up().publicKeyBase64()).endpoint();
        if (symmetric) {
            // Both sides send to a's forwarder for the pair: a's address, one port that is neither
            // a's WireGuard nor its gossip port.
            assertEquals(bToC, cToB, "both sides must use the same relay socket");
            assertTrue(bToC.startsWith(a.underlay() + ":"), bToC);
            assertTrue(!bToC.endsWith(":" + WG_PORT) && !bToC.endsWith(":" + GOSSIP_PORT), bToC);
        } else {
            // Straight to the other NAT's public address (the mapping of its WireGuard port).
            assertEquals(publicAddress[1] + ":" + WG_PORT, bToC);
            assertEquals(publicAddress[0] + ":" + WG_PORT, cToB);
        }
    }

    /** The {@code path} {@code from}'s /v1/members shows for {@code to}, or null when it is not listed. */
    private static String pathTo(Node from, Node to) {
        try {
            for (JsonNode m : JSON.readTree(http(from.netns(), "GET", "/v1/members", null, 200))) {
                if (m.get("node_key").asText().equals(to.nodeKey().toBase64())) {
                    return m.get("path").asText();
                }
            }
            return null;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Node start(OrgKeys org, Netns netns, String underlay, String seed) throws IOException {
        byte[] nodePrivate = new byte[KeyFile.KEY_BYTES];
        new SecureRandom().nextBytes(nodePrivate);
        String name = netns.slot().ringguardInterfaceName();
        Path nodeKeyFile = dir.resolve(name + ".nodekey");
        KeyFile.create(nodeKeyFile, nodePrivate);
        NodeKey nodeKey = Ed25519Authenticator.fromPrivateKey(nodePrivate).publicKey();
        Path vouchFile = dir.resolve(name + ".vouch");
        Files.writeString(
                vouchFile,
                OrgMessage.vouch(org, nodeKey, System.currentTimeMillis()).toBase64() + "\n");
        String key = UserspacePeer.generatePrivateKey();
        String config = "[Interface]\nPrivateKey = " + key + "\nListenPort = " + WG_PORT + "\nAddress = "
                + netns.slot().tunnelAddress(1) + "/24, " + netns.slot().tunnelAddress6(1) + "/64\n"
                + "\n[Gateway]\nStorage = sqlite:" + dir.resolve(name + ".db") + "\nAdminListen = 127.0.0.1:"
                + ADMIN_PORT + "\nGossip = " + underlay + ":" + GOSSIP_PORT + "\n"
                + (seed == null ? "" : "GossipSeeds = " + seed + "\n")
                + "OrgPublicKey = " + org.publicKey().toBase64() + "\nNodeKeyFile = " + nodeKeyFile
                + "\nVouchFile = " + vouchFile + "\n";
        RingGuardUpPeer up = RingGuardUpPeer.builder()
                .netns(netns)
                .privateKeyBase64(key)
                .listenPort(WG_PORT)
                .config(config)
                .start();
        resources.add(up);
        return new Node(netns, underlay, nodeKey, up);
    }

    private Netns track(Netns netns) {
        resources.add(netns);
        return netns;
    }

    private static String hubSubnet(Netns hub) {
        String host = hub.nsAddress(); // 198.18.h.2
        return host.substring(0, host.lastIndexOf('.')) + ".0/24";
    }

    private static Set<String> keysOf(List<Node> nodes, Node except) {
        Set<String> keys = new TreeSet<>();
        for (Node n : nodes) {
            if (n != except) {
                keys.add(n.up().publicKeyBase64());
            }
        }
        return keys;
    }

    private static Set<String> peerKeys(Node node) {
        Set<String> keys = new TreeSet<>();
        for (PeerStatus s : node.up().wgShow()) {
            keys.add(s.publicKeyBase64());
        }
        return keys;
    }

    private static void await(String what, long timeoutMs, BooleanSupplier done, List<Node> nodes)
            throws InterruptedException {
        long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadlineNs > 0) {
                StringBuilder logs = new StringBuilder();
                for (Node n : nodes) {
                    logs.append("\n--- ")
                            .append(n.up().interfaceName())
                            .append(": ")
                            .append(n.up().logTail());
                }
                throw new AssertionError("not within " + timeoutMs + " ms: " + what + logs);
            }
            Thread.sleep(100);
        }
    }

    /** curl inside {@code netns} against the gateway's admin API; asserts the status, returns the body. */
    private static String http(Netns netns, String method, String path, String json, int expectedStatus) {
        List<String> command = new ArrayList<>(List.of(
                "curl",
                "-sS",
                "-m",
                "10",
                "-X",
                method,
                "-w",
                "\n%{http_code}",
                "http://127.0.0.1:" + ADMIN_PORT + path));
        ExecResult result;
        if (json != null) {
            command.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", "@-"));
            result = netns.exec(15_000, json.getBytes(StandardCharsets.UTF_8), command.toArray(String[]::new));
        } else {
            result = netns.exec(15_000, command.toArray(String[]::new));
        }
        result.orThrow();
        String out = result.out();
        int cut = out.lastIndexOf('\n');
        int status = Integer.parseInt(out.substring(cut + 1).strip());
        String body = out.substring(0, cut);
        assertEquals(expectedStatus, status, () -> method + " " + path + ": " + body);
        return body;
    }
}
