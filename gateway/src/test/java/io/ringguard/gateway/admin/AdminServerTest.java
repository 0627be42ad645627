package io.ringguard.gateway.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.PeerConfig;
import io.ringguard.dataplane.config.PublicKey;
import io.ringguard.dataplane.counters.DropReason;
import io.ringguard.dataplane.device.Peer;
import io.ringguard.gateway.config.GatewayConfig;
import io.ringguard.gateway.config.GatewayConfigParser;
import io.ringguard.gateway.config.GatewayConfigWriter;
import io.ringguard.gateway.config.HostResolver;
import io.ringguard.gateway.iface.DeviceUapiService;
import io.ringguard.gateway.registry.PeerRecord;
import io.ringguard.gateway.uapi.UapiLimits;
import io.ringguard.gateway.uapi.UapiRequest;
import io.ringguard.gateway.uapi.UapiRequestParser;
import io.ringguard.handshake.keys.Keys;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API over HTTP against an in-memory gateway and client, with a real SQLite registry. */
class AdminServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CLIENT_TUNNEL = 0xC6130002; // 198.19.0.2, the pool's first free address

    @TempDir
    Path dir;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        http.close();
    }

    private Gateway gateway() throws Exception {
        return track(new Gateway(dir.resolve("rg.db")));
    }

    private <T extends AutoCloseable> T track(T c) {
        open.add(c);
        return c;
    }

    private record Answer(int status, JsonNode body) {}

    private Answer call(Gateway gw, String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gw.url(path)))
                .timeout(Duration.ofSeconds(10))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""), "every answer is JSON");
        return new Answer(r.statusCode(), JSON.readTree(r.body()));
    }

    private Answer register(Gateway gw, String body) throws Exception {
        return call(gw, "POST", "/v1/peers", body);
    }

    private static String registration(PublicKey key) {
        return "{\"public_key\": \"" + key + "\"}";
    }

    private static String path(PublicKey key) {
        return "/v1/peers/"
                + key.toString().replace("+", "%2B").replace("/", "%2F").replace("=", "%3D");
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Waits (bounded) for a condition another thread makes true. */
    private static void await(BooleanSupplier condition, String what) {
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadlineNs, "timed out waiting for " + what);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** A GET taken while the peer's counters stood still, so it can be compared exactly. */
    private JsonNode settledGet(Gateway gw, Peer peer) throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            long rx = peer.rxBytes();
            long tx = peer.txBytes();
            Answer a = call(gw, "GET", path(peer.publicKey()), null);
            assertEquals(200, a.status());
            if (rx == peer.rxBytes() && tx == peer.txBytes()) {
                return a.body();
            }
        }
        throw new AssertionError("counters never settled");
    }

    @Test
    void shouldRegisterAClientAndHandItAConfigThatParses() throws Exception {
        Gateway gw = gateway();
        PublicKey key = gw.clientPublicKey();

        Answer a = register(gw, registration(key));

        assertEquals(201, a.status(), a.body().toString());
        assertEquals(key.toString(), a.body().get("public_key").asText());
        assertEquals(
                List.of("198.19.0.2/32", "fd00:19::2/128"), strings(a.body().get("addresses")));
        assertTrue(a.body().get("allowance_bytes").isNull(), "unlimited");
        Peer peer = gw.device.peer(key);
        assertNotNull(peer, "in the dataplane");
        assertEquals(
                List.of(Cidr.parse("198.19.0.2/32"), Cidr.parse("fd00:19::2/128")),
                peer.config().allowedIps());
        assertEquals(1, gw.registry.list().size(), "persisted");
        assertTrue(gw.reconciled > 0, "routes reconciled");

        String config = a.body().get("config").asText();
        assertFalse(config.contains(new String(Keys.toBase64(gw.clientKey))), "no private key in it");
        GatewayConfig parsed = new GatewayConfigParser(HostResolver.SYSTEM)
                .parse(
                        Path.of("client.conf"),
                        config.replace(
                                        GatewayConfigWriter.PRIVATE_KEY_PLACEHOLDER,
                                        "PrivateKey = " + new String(Keys.toBase64(gw.clientKey)))
                                .toCharArray());
        assertEquals("[198.19.0.2/32, fd00:19::2/128]", parsed.addresses().toString());
        PeerConfig toGateway = parsed.device()
                .peer(PublicKey.of(Keys.publicKey(gw.gatewayKey)))
                .orElseThrow();
        assertEquals(Gateway.POOL, toGateway.allowedIps());
        assertEquals(
                "127.0.0.1:" + gw.device.listenPort(),
                toGateway.endpoint().orElseThrow().toString());
        assertEquals(PeerService.CLIENT_KEEPALIVE_SECONDS, toGateway.persistentKeepaliveSeconds());

        // The client brought up with that config reaches the gateway from its allocated address.
        assertTrue(gw.clientToGateway(CLIENT_TUNNEL, 1), "client traffic arrives");
    }

    @Test
    void shouldAnswerARepeatedRegistrationWith200KeepingAddressesSessionAndCounters() throws Exception {
        Gateway gw = gateway();
        PublicKey key = gw.clientPublicKey();
        assertEquals(201, register(gw, registration(key)).status());
        assertTrue(gw.clientToGateway(CLIENT_TUNNEL, 1));
        Peer peer = gw.device.peer(key);
        await(() -> peer.keypairs().current() != null, "a session");
        Object session = peer.keypairs().current();
        long rxBefore = peer.rxBytes();

        Answer again = register(gw, registration(key));

        assertEquals(200, again.status(), again.body().toString());
        assertEquals(
                List.of("198.19.0.2/32", "fd00:19::2/128"), strings(again.body().get("addresses")));
        assertSame(peer, gw.device.peer(key), "same dataplane peer");
        assertSame(session, peer.keypairs().current(), "same session");
        assertTrue(peer.rxBytes() >= rxBefore, "counters kept");
        assertEquals(1, gw.registry.list().size());
        assertEquals(1, gw.registry.accounting().size(), "one accounting handle");
        // A different preshared key is not the same call.
        Answer other = register(
                gw,
                "{\"public_key\": \"" + key + "\", \"preshared_key\": \""
                        + new String(Keys.toBase64(Keys.generatePrivateKey())) + "\"}");
        assertEquals(409, other.status());
        assertEquals("conflict", other.body().get("error").asText());
    }

    @Test
    void shouldShowLiveCountersThatSyncingDoesNotChange() throws Exception {
        Gateway gw = gateway();
        PublicKey key = gw.clientPublicKey();
        register(gw, registration(key));
        assertTrue(gw.clientToGateway(CLIENT_TUNNEL, 1));
        assertTrue(gw.gatewayToClient(CLIENT_TUNNEL, 2, 5_000));
        Peer peer = gw.device.peer(key);

        JsonNode before = settledGet(gw, peer);
        assertEquals(peer.rxBytes(), before.get("rx_bytes").asLong());
        assertEquals(peer.txBytes(), before.get("tx_bytes").asLong());
        assertTrue(before.get("rx_bytes").asLong() > 0 && before.get("tx_bytes").asLong() > 0, before.toString());
        assertEquals(
                "127.0.0.1:" + gw.udpClient.localAddress().getPort(),
                before.get("endpoint").asText());
        long nowSeconds = System.currentTimeMillis() / 1000;
        long handshake = before.get("latest_handshake_unix").asLong();
        assertTrue(handshake > nowSeconds - 60 && handshake <= nowSeconds, before.toString());
        assertTrue(before.get("remaining_bytes").isNull());

        gw.accounting.sync();

        JsonNode after = settledGet(gw, peer);
        assertEquals(before.get("rx_bytes"), after.get("rx_bytes"), "synced bytes are not counted twice");
        assertEquals(before.get("tx_bytes"), after.get("tx_bytes"));
        PeerRecord stored = gw.registry.get(key).orElseThrow();
        assertEquals(after.get("rx_bytes").asLong(), stored.rxBytes(), "in storage now");
        Answer list = call(gw, "GET", "/v1/peers", null);
        assertEquals(200, list.status());
        assertEquals(1, list.body().size());
        assertEquals(after, list.body().get(0));
    }

    @Test
    void shouldChangeThePresharedKeyWithoutDroppingTheSession() throws Exception {
        Gateway gw = gateway();
        PublicKey key = gw.clientPublicKey();
        register(gw, registration(key));
        assertTrue(gw.clientToGateway(CLIENT_TUNNEL, 1));
        Peer peer = gw.device.peer(key);
        await(() -> peer.keypairs().current() != null, "a session");
        Object session = peer.keypairs().current();
        byte[] psk = Keys.generatePrivateKey();

        Answer a = call(gw, "PATCH", path(key), "{\"preshared_key\": \"" + new String(Keys.toBase64(psk)) + "\"}");

        assertEquals(200, a.status(), a.body().toString());
        assertSame(peer, gw.device.peer(key), "same dataplane peer");
        assertSame(session, peer.keypairs().current(), "same session");
        assertTrue(peer.config().hasPresharedKey(), "the dataplane has the new key");
        assertTrue(
                java.util.Arrays.equals(psk, gw.registry.get(key).orElseThrow().presharedKey()), "stored");
        assertTrue(gw.gatewayToClient(CLIENT_TUNNEL, 2, 5_000), "traffic still flows on the session");
    }

    @Test
    void shouldStopAPeerWhoseAllowanceIsUsedUpAndResumeWhenItIsRaised() throws Exception {
        Gateway gw = gateway();
        PublicKey key = gw.clientPublicKey();
        Answer reg = register(gw, "{\"public_key\": \"" + key + "\", \"allowance_bytes\": 100}");
        assertEquals(100, reg.body().get("allowance_bytes").asLong());
        assertTrue(gw.clientToGateway(CLIENT_TUNNEL, 1), "the first packet is within the allowance");
        Peer peer = gw.device.peer(key);
        assertFalse(peer.blocked());

        gw.accounting.sync();

        assertTrue(peer.blocked(), "used up: blocked");
        JsonNode view = settledGet(gw, peer);
        assertEquals(0, view.get("remaining_bytes").asLong(), view.toString());
        long dropsBefore = gw.device.counters().dropped(DropReason.ALLOWANCE_EXHAUSTED);
        assertFalse(gw.gatewayToClient(CLIENT_TUNNEL, 2, 300), "no traffic while blocked");
        await(
                () -> gw.device.counters().dropped(DropReason.ALLOWANCE_EXHAUSTED) > dropsBefore,
                "an allowance_exhausted drop");

        Answer raised = call(gw, "PATCH", path(key), "{\"allowance_bytes\": 10000000}");

        assertEquals(200, raised.status(), raised.body().toString());
        assertFalse(peer.blocked(), "unblocked at once");
        assertTrue(raised.body().get("remaining_bytes").asLong() > 0);
        assertTrue(gw.gatewayToClient(CLIENT_TUNNEL, 3, 5_000), "traffic resumes");
        assertEquals(10_000_000, gw.registry.get(key).orElseThrow().allowanceBytes());
        Answer unlimited = call(gw, "PATCH", path(key), "{\"allowance_bytes\": null}");
        assertTrue(unlimited.body().get("allowance_bytes").isNull());
    }

    @Test
    void shouldRemoveFromTheDataplaneBeforeReleasingTheAddresses() throws Exception {
        Gateway gw = gateway();
        PublicKey key = gw.clientPublicKey();
        register(gw, registration(key));
        assertTrue(gw.clientToGateway(CLIENT_TUNNEL, 1));
        List<Boolean> goneAtRelease = new ArrayList<>();
        gw.store.onRelease = (owner, addresses) -> goneAtRelease.add(gw.device.peer(owner) == null);

        Answer a = call(gw, "DELETE", path(key), null);

        assertEquals(200, a.status(), a.body().toString());
        assertTrue(a.body().get("rx_bytes").asLong() > 0, "the final accounted bytes");
        assertNull(gw.device.peer(key), "gone from the dataplane");
        assertEquals(List.of(true), goneAtRelease, "released once, after the dataplane let go");
        assertTrue(gw.registry.list().isEmpty());
        assertEquals(404, call(gw, "GET", path(key), null).status());
        // The address is free again: the next client gets it.
        PublicKey next = PublicKey.of(Keys.publicKey(Keys.generatePrivateKey()));
        Answer reuse = register(gw, registration(next));
        assertEquals(201, reuse.status());
        assertEquals("198.19.0.2/32", reuse.body().get("addresses").get(0).asText());
    }

    @Test
    void shouldAnswer409WhenThePoolIsExhausted() throws Exception {
        // A /30 has two host addresses; the gateway has one of them.
        Gateway gw = track(new Gateway(
                dir.resolve("small.db"),
                Keys.generatePrivateKey(),
                Keys.generatePrivateKey(),
                List.of(Cidr.parse("198.19.0.0/30")),
                List.of(),
                null));
        assertEquals(201, register(gw, registration(gw.clientPublicKey())).status());

        Answer a = register(gw, registration(PublicKey.of(Keys.publicKey(Keys.generatePrivateKey()))));

        assertEquals(409, a.status());
        assertEquals("pool_exhausted", a.body().get("error").asText());
        assertEquals(1, gw.registry.list().size());
        assertEquals(1, gw.device.peers().size());
    }

    @Test
    void shouldAnswer409WhenThePeerLimitIsReachedAndRefuseAUapiSetPastItWithEinval() throws Exception {
        // MaxPeers = 2: one peer of the "config file", one registered client, then the cap.
        PeerConfig fromFile = PeerConfig.builder(PublicKey.of(Keys.publicKey(Keys.generatePrivateKey())))
                .allowedIps(List.of(Cidr.parse("198.19.9.0/24")))
                .build();
        Gateway gw = track(new Gateway(
                dir.resolve("capped.db"),
                Keys.generatePrivateKey(),
                Keys.generatePrivateKey(),
                Gateway.POOL,
                List.of(fromFile),
                null,
                2));
        assertEquals(201, register(gw, registration(gw.clientPublicKey())).status());
        Peer registered = gw.device.peer(gw.clientPublicKey());

        PublicKey third = PublicKey.of(Keys.publicKey(Keys.generatePrivateKey()));
        Answer a = register(gw, registration(third));

        assertEquals(409, a.status());
        assertEquals("peer_limit", a.body().get("error").asText());
        assertTrue(
                a.body().get("detail").asText().contains("MaxPeers = 2"),
                a.body().toString());
        assertEquals(1, gw.registry.list().size(), "nothing stored");
        assertEquals(2, gw.device.peers().size(), "nothing added");
        assertEquals(200, register(gw, registration(gw.clientPublicKey())).status(), "a repeat at the cap is fine");

        // The same cap through the UAPI: errno 22 (wireguard-go's answer), and nothing half-applied.
        String set = "set=1\npublic_key=" + new String(third.toHex()) + "\nallowed_ip=198.19.8.0/24\n\n";
        int errno = new DeviceUapiService(gw.device)
                .set((UapiRequest.Set) UapiRequestParser.parse(set, UapiLimits.DEFAULT));
        assertEquals(22, errno);
        assertEquals(2, gw.device.peers().size());
        assertTrue(registered == gw.device.peer(gw.clientPublicKey()), "the registered peer kept its object");
        assertNull(gw.device.peer(third));
    }

    @Test
    void shouldRollBackWhenTheDataplaneOrStorageStepFails() throws Exception {
        PublicKey squatter = PublicKey.of(Keys.publicKey(Keys.generatePrivateKey()));
        // A static peer of the file routes the pool's next address: the dataplane refuses to give it twice.
        Gateway gw = track(new Gateway(
                dir.resolve("rg.db"),
                Keys.generatePrivateKey(),
                Keys.generatePrivateKey(),
                Gateway.POOL,
                List.of(PeerConfig.builder(squatter)
                        .allowedIps(List.of(Cidr.parse("198.19.0.2/32")))
                        .build()),
                null));
        PublicKey key = gw.clientPublicKey();

        Answer clash = register(gw, registration(key));

        assertEquals(409, clash.status(), clash.body().toString());
        assertEquals("conflict", clash.body().get("error").asText());
        assertNull(gw.device.peer(key));
        assertTrue(gw.registry.list().isEmpty(), "nothing persisted");
        assertTrue(gw.store.allocatedAddresses().isEmpty(), "the reservation was released");

        gw.peers.applyFileConfig(gw.device.config().toBuilder().clearPeers().build());
        gw.store.failInsert = true;
        Answer failed = register(gw, registration(key));

        assertEquals(503, failed.status(), failed.body().toString());
        assertEquals("storage_unavailable", failed.body().get("error").asText());
        assertNull(gw.device.peer(key), "taken out of the dataplane again");
        assertTrue(gw.store.allocatedAddresses().isEmpty(), "the reservation was released");

        gw.store.failInsert = false;
        assertEquals(201, register(gw, registration(key)).status());
        gw.store.failUpdate = true;
        Answer patch = call(gw, "PATCH", path(key), "{\"allowed_ips\": [\"198.19.0.2/32\", \"198.19.9.0/24\"]}");
        assertEquals(503, patch.status());
        assertEquals(
                List.of(Cidr.parse("198.19.0.2/32"), Cidr.parse("fd00:19::2/128")),
                gw.device.peer(key).config().allowedIps(),
                "the old allowed IPs are back");
    }

    @Test
    void shouldRefuseMalformedUnknownAndOversizedRequests() throws Exception {
        Gateway gw = gateway();
        PublicKey key = gw.clientPublicKey();
        record Case(String method, String path, String body, int status, String error) {}
        List<Case> cases = List.of(
                new Case("POST", "/v1/peers", "{\"public_key\": ", 400, "malformed"),
                new Case("POST", "/v1/peers", "[]", 400, "malformed"),
                new Case("POST", "/v1/peers", "", 400, "malformed"),
                new Case("POST", "/v1/peers", registration(key) + " {}", 400, "malformed"),
                new Case("POST", "/v1/peers", "{\"public_key\": \"" + key + "\", \"colour\": 1}", 400, "malformed"),
                new Case("POST", "/v1/peers", "{\"public_key\": \"nope\"}", 400, "malformed"),
                new Case(
                        "POST",
                        "/v1/peers",
                        "{\"public_key\": \"" + key + "\", \"public_key\": \"" + key + "\"}",
                        400,
                        "malformed"),
                new Case(
                        "POST",
                        "/v1/peers",
                        "{\"public_key\": \"" + key + "\", \"allowance_bytes\": -1}",
                        400,
                        "malformed"),
                new Case(
                        "POST",
                        "/v1/peers",
                        "{\"public_key\": \"" + key + "\", \"allowance_bytes\": 1.5}",
                        400,
                        "malformed"),
                new Case(
                        "POST",
                        "/v1/peers",
                        "{\"public_key\": \"" + key + "\", \"preshared_key\": \"x\"}",
                        400,
                        "malformed"),
                new Case("GET", "/v1/peers/not-a-key", null, 400, "malformed"),
                new Case("GET", "/v1/peers/%2F%2F", null, 400, "malformed"),
                new Case("GET", path(key), null, 404, "unknown_peer"),
                new Case("PATCH", path(key), "{}", 404, "unknown_peer"),
                new Case("DELETE", path(key), null, 404, "unknown_peer"),
                new Case("GET", "/v2/peers", null, 404, "not_found"),
                new Case("PUT", "/v1/peers", "{}", 405, "method_not_allowed"),
                new Case("POST", path(key), "{}", 405, "method_not_allowed"),
                new Case(
                        "POST",
                        "/v1/peers",
                        "{\"public_key\": \"" + "a".repeat(AdminServer.MAX_BODY_BYTES) + "\"}",
                        413,
                        "too_large"));
        for (Case c : cases) {
            Answer a = call(gw, c.method(), c.path(), c.body());
            assertEquals(c.status(), a.status(), c + " -> " + a.body());
            assertEquals(c.error(), a.body().get("error").asText(), c.toString());
            assertFalse(a.body().get("detail").asText().isEmpty(), c.toString());
        }
        assertThrows(AdminApiException.class, () -> PathKeys.decode("%zz"), "a bad escape (no HTTP client sends one)");
        assertEquals(201, register(gw, registration(key)).status());
        Answer badPatch = call(gw, "PATCH", path(key), "{\"allowed_ips\": [\"198.19.0.2/33\"]}");
        assertEquals(400, badPatch.status());
        Answer unknownField = call(gw, "PATCH", path(key), "{\"endpoint\": \"1.2.3.4:5\"}");
        assertEquals(400, unknownField.status());
        assertTrue(
                gw.registry.list().size() == 1 && gw.store.allocatedAddresses().size() == 2, "nothing else");
    }

    @Test
    void shouldFindAPeerByAnyEncodingOfItsKeyInThePath() throws Exception {
        Gateway gw = gateway();
        PublicKey key = gw.clientPublicKey();
        register(gw, registration(key));
        String base64 = key.toString();
        String urlSafe = base64.replace('+', '-').replace('/', '_').replace("=", "");
        for (String p : List.of(path(key), "/v1/peers/" + base64.replace("+", "%2B"), "/v1/peers/" + urlSafe)) {
            Answer a = call(gw, "GET", p, null);
            assertEquals(200, a.status(), p);
            assertEquals(base64, a.body().get("public_key").asText(), p);
        }
    }

    @Test
    void shouldRequireTheBearerTokenWhenOneIsConfigured() throws Exception {
        byte[] secret = "s3cret-token".getBytes(StandardCharsets.UTF_8);
        Gateway gw = track(new Gateway(
                dir.resolve("rg.db"),
                Keys.generatePrivateKey(),
                Keys.generatePrivateKey(),
                Gateway.POOL,
                List.of(),
                BearerToken.of(secret)));
        String body = registration(gw.clientPublicKey());

        assertEquals(401, call(gw, "POST", "/v1/peers", body).status());
        Answer wrong = call(gw, "POST", "/v1/peers", body, "Authorization", "Bearer s3cret-tokeN");
        assertEquals(401, wrong.status());
        assertEquals("unauthorized", wrong.body().get("error").asText());
        assertEquals(
                401,
                call(gw, "GET", "/v1/peers", null, "Authorization", "Basic czNjcmV0LXRva2Vu")
                        .status());
        assertTrue(gw.registry.list().isEmpty(), "nothing registered without the token");

        assertEquals(
                201,
                call(gw, "POST", "/v1/peers", body, "Authorization", "Bearer s3cret-token")
                        .status());
        assertEquals(
                200,
                call(gw, "GET", "/v1/peers", null, "authorization", "bearer s3cret-token")
                        .status());

        // Beyond loopback a token is not optional.
        assertThrows(
                IllegalArgumentException.class,
                () -> AdminServer.start(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0), null, gw.peers));
    }

    @Test
    void shouldNeverShowCountersGoingBackwardsAcrossARestart() throws Exception {
        byte[] gatewayKey = Keys.generatePrivateKey();
        byte[] clientKey = Keys.generatePrivateKey();
        Path db = dir.resolve("restart.db");
        Gateway first = new Gateway(db, gatewayKey, clientKey, Gateway.POOL, List.of(), null);
        PublicKey key = first.clientPublicKey();
        JsonNode before;
        try {
            register(first, registration(key));
            assertTrue(first.clientToGateway(CLIENT_TUNNEL, 1));
            assertTrue(first.gatewayToClient(CLIENT_TUNNEL, 2, 5_000));
            before = settledGet(first, first.device.peer(key));
            assertTrue(before.get("rx_bytes").asLong() > 0);
        } finally {
            first.close(); // the final sync stores what was counted
        }

        Gateway second = track(new Gateway(db, gatewayKey, clientKey, Gateway.POOL, List.of(), null));
        Peer restored = second.device.peer(key);
        assertNotNull(restored, "restored into the dataplane from the registry");
        JsonNode after = settledGet(second, restored);
        assertEquals(before.get("rx_bytes"), after.get("rx_bytes"), "nothing lost, nothing counted twice");
        assertEquals(before.get("tx_bytes"), after.get("tx_bytes"));
        assertEquals(before.get("addresses"), after.get("addresses"));

        assertTrue(second.clientToGateway(CLIENT_TUNNEL, 3), "the restored peer works");
        JsonNode more = settledGet(second, restored);
        assertTrue(more.get("rx_bytes").asLong() > after.get("rx_bytes").asLong(), more.toString());
        assertEquals(
                Optional.of(true),
                second.registry
                        .get(key)
                        .map(r -> r.rxBytes() <= more.get("rx_bytes").asLong()));
    }
}
