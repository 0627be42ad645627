package io.ringguard.gateway.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.DeviceConfig;
import io.ringguard.dataplane.config.Endpoint;
import io.ringguard.dataplane.config.PeerConfig;
import io.ringguard.dataplane.config.PublicKey;
import io.ringguard.handshake.keys.Keys;
import io.ringguard.membership.identity.Ed25519Authenticator;
import io.ringguard.membership.identity.MeshPrefix;
import io.ringguard.membership.identity.NodeKey;
import io.ringguard.membership.org.OrgKeys;
import io.ringguard.membership.org.OrgMessage;
import io.ringguard.membership.org.OrgRegistry;
import io.ringguard.membership.swim.MemberState;
import io.ringguard.membership.swim.MemberView;
import io.ringguard.membership.swim.Path;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /v1/members} and {@code /v1/org/messages}, and mesh members as dataplane peers. */
class MeshApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    java.nio.file.Path dir;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> open = new ArrayList<>();
    private final OrgKeys org = OrgKeys.generate();

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        http.close();
    }

    /** A mesh stand-in: fixed rows, and a real org registry that verifies what is submitted. */
    private final class FakeMesh implements MeshControl {
        final OrgRegistry registry = new OrgRegistry(org.publicKey(), Ed25519Authenticator.generate(), 16);
        final List<OrgMessage> applied = new ArrayList<>();
        List<MemberView> rows = List.of();

        @Override
        public List<MemberView> members() {
            return rows;
        }

        @Override
        public OrgRegistry.Result submit(OrgMessage message) {
            OrgRegistry.Result r = registry.apply(message);
            if (r == OrgRegistry.Result.APPLIED) {
                applied.add(message);
            }
            return r;
        }
    }

    private record Answer(int status, JsonNode body) {}

    private Answer call(AdminServer admin, String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + admin.address().getPort() + path))
                .timeout(Duration.ofSeconds(10))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), JSON.readTree(r.body()));
    }

    private AdminServer admin(Gateway gw, MeshControl mesh) throws Exception {
        AdminServer a =
                AdminServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null, gw.peers, mesh);
        open.add(a);
        return a;
    }

    private Gateway gateway() throws Exception {
        Gateway gw = new Gateway(dir.resolve("rg.db"));
        open.add(gw);
        return gw;
    }

    @Test
    void shouldListMembersWithExactlyTheContractFields() throws Exception {
        FakeMesh mesh = new FakeMesh();
        NodeKey node = Ed25519Authenticator.generate().publicKey();
        NodeKey wg = NodeKey.of(Keys.publicKey(Keys.generatePrivateKey()));
        mesh.rows = List.of(new MemberView(
                node,
                wg,
                List.of(MeshPrefix.parse("198.19.5.1/32"), MeshPrefix.parse("fd00:19:5::1/128")),
                io.ringguard.membership.identity.Endpoint.parse("198.18.5.2:51821"),
                io.ringguard.membership.identity.Endpoint.NONE,
                Path.RELAY,
                MemberState.SUSPECT,
                1234,
                null));
        AdminServer admin = admin(gateway(), mesh);

        Answer a = call(admin, "GET", "/v1/members", null);

        assertEquals(200, a.status(), a.body()::toString);
        JsonNode row = a.body().get(0);
        TreeSet<String> fields = new TreeSet<>();
        row.fieldNames().forEachRemaining(fields::add);
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
        assertEquals(node.toBase64(), row.get("node_key").asText());
        assertEquals(wg.toBase64(), row.get("wg_public_key").asText());
        assertEquals(
                "[\"198.19.5.1/32\",\"fd00:19:5::1/128\"]",
                row.get("mesh_addresses").toString());
        assertEquals("198.18.5.2:51821", row.get("gossip_endpoint").asText());
        assertTrue(row.get("observed_endpoint").isNull());
        assertEquals("relay", row.get("path").asText());
        assertEquals("suspect", row.get("state").asText());
        assertEquals(1234, row.get("incarnation").asLong());
        assertEquals(405, call(admin, "POST", "/v1/members", "{}").status());
    }

    @Test
    void shouldApplyAnOrgSignedMessageAndRefuseForgedOrMalformedOnesWith400() throws Exception {
        FakeMesh mesh = new FakeMesh();
        AdminServer admin = admin(gateway(), mesh);
        NodeKey node = Ed25519Authenticator.generate().publicKey();

        String forged = OrgMessage.revoke(OrgKeys.generate(), node, 5).toBase64();
        Answer bad = call(admin, "POST", "/v1/org/messages", "{\"message\":\"" + forged + "\"}");
        assertEquals(400, bad.status(), bad.body()::toString);
        assertFalse(mesh.registry.isRevoked(node));
        for (String body : List.of(
                "{\"message\":\"bm9wZQ==\"}",
                "{\"message\":\"%%%\"}",
                "{}",
                "{\"message\":1}",
                "{\"message\":\"" + forged + "\",\"x\":1}",
                "not json")) {
            Answer malformed = call(admin, "POST", "/v1/org/messages", body);
            assertEquals(400, malformed.status(), () -> body + " -> " + malformed.body());
            assertEquals("malformed", malformed.body().get("error").asText());
        }
        assertTrue(mesh.applied.isEmpty(), "nothing may be applied: " + mesh.applied);

        String revoke = OrgMessage.revoke(org, node, 6).toBase64();
        Answer ok = call(admin, "POST", "/v1/org/messages", "{\"message\":\"" + revoke + "\"}");
        assertEquals(200, ok.status(), ok.body()::toString);
        assertEquals("applied", ok.body().get("result").asText());
        assertTrue(mesh.registry.isRevoked(node));
        Answer again = call(admin, "POST", "/v1/org/messages", "{\"message\":\"" + revoke + "\"}");
        assertEquals("replayed", again.body().get("result").asText());
        assertEquals(1, mesh.applied.size());
    }

    @Test
    void shouldAnswer404ForMeshCallsOnAStandaloneGateway() throws Exception {
        AdminServer admin = admin(gateway(), null);

        assertEquals(404, call(admin, "GET", "/v1/members", null).status());
        assertEquals(
                404,
                call(admin, "POST", "/v1/org/messages", "{\"message\":\"x\"}").status());
    }

    @Test
    void shouldAddUpdateKeepAcrossReloadAndRemoveAMeshPeer() throws Exception {
        Gateway gw = gateway();
        PublicKey key = PublicKey.of(Keys.publicKey(Keys.generatePrivateKey()));
        PeerConfig peer = PeerConfig.builder(key)
                .allowedIps(List.of(Cidr.parse("198.19.7.1/32")))
                .endpoint(Endpoint.parse("198.18.7.2:51820"))
                .persistentKeepaliveSeconds(25)
                .build();

        assertTrue(gw.peers.putMeshPeer(peer));
        assertNotNull(gw.device.peer(key));
        assertEquals(
                List.of(Cidr.parse("198.19.7.1/32")),
                gw.device.config().peer(key).orElseThrow().allowedIps());

        PeerConfig moved =
                peer.toBuilder().endpoint(Endpoint.parse("198.18.8.2:51820")).build();
        assertTrue(gw.peers.putMeshPeer(moved));
        assertEquals(
                "198.18.8.2:51820",
                gw.device
                        .config()
                        .peer(key)
                        .orElseThrow()
                        .endpoint()
                        .orElseThrow()
                        .toString());

        // A reload (SIGHUP) applies the file again: the mesh's peers stay.
        assertEquals(
                0,
                gw.peers.applyFileConfig(
                        DeviceConfig.builder().privateKey(gw.gatewayKey).build()));
        assertNotNull(gw.device.peer(key), "a reload dropped a mesh member");

        assertTrue(gw.peers.removeMeshPeer(key));
        assertNull(gw.device.peer(key));
        assertFalse(gw.peers.removeMeshPeer(key));
    }

    @Test
    void shouldRefuseAMeshPeerWithTheGatewaysOwnKeyOrTakenAddresses() throws Exception {
        Gateway gw = gateway();
        PublicKey own = PublicKey.of(Keys.publicKey(gw.gatewayKey));
        assertFalse(gw.peers.putMeshPeer(PeerConfig.builder(own)
                .allowedIps(List.of(Cidr.parse("198.19.7.1/32")))
                .build()));

        PublicKey first = PublicKey.of(Keys.publicKey(Keys.generatePrivateKey()));
        PublicKey second = PublicKey.of(Keys.publicKey(Keys.generatePrivateKey()));
        assertTrue(gw.peers.putMeshPeer(PeerConfig.builder(first)
                .allowedIps(List.of(Cidr.parse("198.19.7.1/32")))
                .build()));
        assertFalse(gw.peers.putMeshPeer(PeerConfig.builder(second)
                .allowedIps(List.of(Cidr.parse("198.19.7.1/32")))
                .build()));
        assertNull(gw.device.peer(second));
    }
}
