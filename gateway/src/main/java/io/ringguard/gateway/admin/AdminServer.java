package io.ringguard.gateway.admin;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.PublicKey;
import io.ringguard.gateway.config.HostPort;
import io.ringguard.gateway.registry.PeerRecord;
import io.ringguard.gateway.registry.RegistrationRequest;
import io.ringguard.gateway.registry.StorageException;
import io.ringguard.handshake.keys.Keys;
import io.ringguard.membership.org.OrgMessage;
import io.ringguard.membership.org.OrgRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin and registration API (CONTRACTS.md section 5): JSON over HTTP on {@code AdminListen}.
 *
 * <pre>
 * request -> 1. bearer token, when one is configured (always when bound beyond loopback): else 401
 *            2. route: /v1/peers (GET, POST), /v1/peers/{key} (GET, PATCH, DELETE), with a mesh
 *               /v1/members (GET) and /v1/org/messages (POST); else 404 / 405
 *            3. body: at most 64 KiB (413), one JSON object, no unknown or duplicate fields (400)
 *            4. PeerService does the work; its refusals carry their status (404, 409, 503)
 * </pre>
 *
 * Errors are {@code {"error": code, "detail": line}}. Unlimited allowances are JSON {@code null} in
 * {@code allowance_bytes} and {@code remaining_bytes}.
 *
 * <p>Two daemon threads serve requests; changes are serialized by {@link PeerService}. Any thread may
 * start and close a server; {@link #close()} stops accepting and lets running calls finish (1 s).
 */
public final class AdminServer implements AutoCloseable {
    /** The largest request body accepted; a registration is well under 1 KiB. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    /** How much of a refused body is read and dropped so the 413 reaches the client (see discardUpTo). */
    private static final long DRAIN_LIMIT_BYTES = 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private static final String PEERS = "/v1/peers";
    private static final String MEMBERS = "/v1/members";
    private static final String ORG_MESSAGES = "/v1/org/messages";
    private static final int STOP_DELAY_SECONDS = 1;
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final HttpServer server;
    private final ExecutorService executor;
    private final PeerService peers;
    private final BearerToken token; // null: no token required (loopback without AdminTokenFile)
    private final MeshControl mesh; // null: standalone (no Gossip)
    private volatile boolean closed;

    private AdminServer(
            HttpServer server, ExecutorService executor, PeerService peers, BearerToken token, MeshControl mesh) {
        this.mesh = mesh;
        this.server = server;
        this.executor = executor;
        this.peers = peers;
        this.token = token;
    }

    /**
     * Binds {@code listen} and starts serving.
     *
     * @param token the bearer token every request must carry; null only for a loopback address
     * @throws IllegalArgumentException when {@code listen} is not loopback and there is no token
     * @throws BindException with the address in the message when it is taken
     */
    public static AdminServer start(InetSocketAddress listen, BearerToken token, PeerService peers) throws IOException {
        return start(listen, token, peers, null);
    }

    /**
     * Like {@link #start(InetSocketAddress, BearerToken, PeerService)}, also serving the mesh's calls
     * ({@code /v1/members}, {@code /v1/org/messages}) when {@code mesh} is not null.
     */
    public static AdminServer start(InetSocketAddress listen, BearerToken token, PeerService peers, MeshControl mesh)
            throws IOException {
        Objects.requireNonNull(peers, "peers");
        InetAddress address = listen.getAddress();
        if (token == null && (address == null || !address.isLoopbackAddress())) {
            throw new IllegalArgumentException(
                    "the admin API on " + listen + " is not loopback, so it needs a bearer token (AdminTokenFile)");
        }
        HttpServer server;
        try {
            server = HttpServer.create(listen, 16);
        } catch (BindException e) {
            BindException clear = new BindException("admin API: cannot listen on " + listen + ": " + e.getMessage()
                    + " (is another gateway using it? set AdminListen)");
            clear.initCause(e);
            throw clear;
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "ringguard-admin-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        AdminServer admin = new AdminServer(server, executor, peers, token, mesh);
        server.createContext("/", admin::serve);
        server.setExecutor(executor);
        server.start();
        return admin;
    }

    /** The bound address; with port 0 requested, the port the system chose. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Stops accepting calls; running ones get a moment to finish. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop(STOP_DELAY_SECONDS);
        executor.shutdownNow();
    }

    private record Reply(int status, JsonNode body) {}

    private void serve(HttpExchange exchange) {
        try (exchange) {
            Reply reply;
            try {
                reply = route(exchange);
            } catch (AdminApiException e) {
                reply = error(e.status(), e.error(), e.detail());
            } catch (StorageException e) {
                LOG.warn("admin API: storage failed: " + e.getMessage());
                reply = error(503, "storage_unavailable", "the registry's storage failed; nothing was changed");
            } catch (RuntimeException e) {
                LOG.error("admin API: " + exchange.getRequestMethod() + " failed", e);
                reply = error(500, "internal", "internal error; see the gateway's log");
            }
            send(exchange, reply);
        } catch (IOException e) {
            LOG.debug("admin API: client went away: " + e);
        }
    }

    private Reply route(HttpExchange exchange) throws IOException {
        if (token != null && !token.matches(exchange.getRequestHeaders().getFirst("Authorization"))) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            throw new AdminApiException(401, "unauthorized", "a valid 'Authorization: Bearer <token>' is required");
        }
        String path = exchange.getRequestURI().getRawPath();
        String method = exchange.getRequestMethod();
        if (path.equals(PEERS) || path.equals(PEERS + "/")) {
            return switch (method) {
                case "GET" -> new Reply(200, list());
                case "POST" -> register(exchange);
                default -> throw notAllowed(exchange, "GET, POST");
            };
        }
        if (path.startsWith(PEERS + "/")) {
            PublicKey key = PathKeys.decode(path.substring(PEERS.length() + 1));
            return switch (method) {
                case "GET" -> new Reply(200, view(peers.get(key)));
                case "PATCH" -> new Reply(200, view(peers.update(key, patch(readObject(exchange)))));
                case "DELETE" -> new Reply(200, view(peers.remove(key)));
                default -> throw notAllowed(exchange, "GET, PATCH, DELETE");
            };
        }
        if (path.equals(MEMBERS) || path.equals(ORG_MESSAGES)) {
            if (mesh == null) {
                throw new AdminApiException(404, "not_found", "this gateway is not in a mesh (no Gossip)");
            }
            if (path.equals(MEMBERS)) {
                if (!method.equals("GET")) {
                    throw notAllowed(exchange, "GET");
                }
                return new Reply(200, MeshJson.members(JSON, mesh.members()));
            }
            if (!method.equals("POST")) {
                throw notAllowed(exchange, "POST");
            }
            return submitOrgMessage(readObject(exchange));
        }
        throw new AdminApiException(404, "not_found", "no such resource: try " + PEERS);
    }

    /** {@code POST /v1/org/messages} {@code {"message": "<base64>"}}: verified before anything acts on it. */
    private Reply submitOrgMessage(ObjectNode body) {
        only(body, Set.of("message"));
        JsonNode node = body.get("message");
        if (node == null || !node.isTextual()) {
            throw AdminApiException.malformed("message is required: a base64 org message (ringguard org ...)");
        }
        OrgMessage message;
        try {
            message = OrgMessage.fromBase64(node.textValue());
        } catch (IllegalArgumentException e) {
            throw AdminApiException.malformed("message: " + e.getMessage());
        }
        OrgRegistry.Result result = mesh.submit(message);
        if (result == OrgRegistry.Result.BAD_SIGNATURE) {
            throw AdminApiException.malformed("message: not signed by this mesh's OrgPublicKey; nothing applied");
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("result", result.name().toLowerCase(java.util.Locale.ROOT));
        out.put("message", message.toString());
        return new Reply(200, out);
    }

    private static AdminApiException notAllowed(HttpExchange exchange, String allow) {
        exchange.getResponseHeaders().set("Allow", allow);
        return new AdminApiException(
                405, "method_not_allowed", exchange.getRequestMethod() + " is not allowed here; use " + allow);
    }

    private JsonNode list() {
        ArrayNode out = JSON.createArrayNode();
        for (PeerView v : peers.list()) {
            out.add(view(v));
        }
        return out;
    }

    private Reply register(HttpExchange exchange) throws IOException {
        ObjectNode body = readObject(exchange);
        only(body, Set.of("public_key", "preshared_key", "allowance_bytes"));
        JsonNode keyNode = body.get("public_key");
        if (keyNode == null || !keyNode.isTextual()) {
            throw AdminApiException.malformed("public_key is required: the client's base64 public key");
        }
        PublicKey key;
        try {
            key = PublicKey.fromBase64(keyNode.textValue());
        } catch (IllegalArgumentException e) {
            throw AdminApiException.malformed("public_key: " + e.getMessage());
        }
        byte[] psk = presharedKey(body);
        boolean allowanceGiven = body.has("allowance_bytes");
        long allowance = allowanceGiven ? allowance(body) : PeerRecord.UNLIMITED;
        PeerService.Registered done = peers.register(
                new RegistrationRequest(key, psk, allowance, null, null), allowanceGiven, endpointHost(exchange));
        ObjectNode out = JSON.createObjectNode();
        out.put("public_key", done.peer().publicKey().toString());
        out.set("addresses", addresses(done.peer().addresses()));
        allowanceFields(out, done.peer(), false);
        out.put("config", done.clientConfig());
        return new Reply(done.created() ? 201 : 200, out);
    }

    private static PeerService.Patch patch(ObjectNode body) {
        only(body, Set.of("preshared_key", "allowance_bytes", "allowed_ips"));
        boolean setPsk = body.has("preshared_key");
        byte[] psk = setPsk ? presharedKey(body) : null;
        boolean setAllowance = body.has("allowance_bytes");
        long allowance = setAllowance ? allowance(body) : 0;
        List<Cidr> allowedIps = null;
        if (body.has("allowed_ips")) {
            JsonNode node = body.get("allowed_ips");
            if (!node.isArray()) {
                throw AdminApiException.malformed("allowed_ips must be an array of prefixes, e.g. [\"100.64.0.2/32\"]");
            }
            allowedIps = new ArrayList<>();
            for (JsonNode item : node) {
                if (!item.isTextual()) {
                    throw AdminApiException.malformed("allowed_ips must hold strings like \"100.64.0.2/32\"");
                }
                try {
                    allowedIps.add(Cidr.parse(item.textValue()));
                } catch (IllegalArgumentException e) {
                    throw AdminApiException.malformed("allowed_ips: " + item.textValue() + ": " + e.getMessage());
                }
            }
        }
        return new PeerService.Patch(setPsk, psk, setAllowance, allowance, allowedIps);
    }

    /** The preshared key field: base64 32 bytes, or null (none). */
    private static byte[] presharedKey(ObjectNode body) {
        JsonNode node = body.get("preshared_key");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw AdminApiException.malformed("preshared_key must be a base64 string or null");
        }
        try {
            return Keys.fromBase64(node.textValue());
        } catch (IllegalArgumentException e) {
            throw AdminApiException.malformed("preshared_key: " + e.getMessage());
        }
    }

    /** The allowance field: a whole number of bytes, at least 0, or null (unlimited). */
    private static long allowance(ObjectNode body) {
        JsonNode node = body.get("allowance_bytes");
        if (node.isNull()) {
            return PeerRecord.UNLIMITED;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
            throw AdminApiException.malformed("allowance_bytes must be a whole number of bytes >= 0, or null");
        }
        return node.longValue();
    }

    private static void only(ObjectNode body, Set<String> allowed) {
        for (Map.Entry<String, JsonNode> field : body.properties()) {
            if (!allowed.contains(field.getKey())) {
                throw AdminApiException.malformed("unknown field '" + field.getKey() + "'; allowed: " + allowed);
            }
        }
    }

    private static ObjectNode readObject(HttpExchange exchange) throws IOException {
        byte[] body = readBody(exchange);
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (JacksonException e) {
            throw AdminApiException.malformed("the body is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw AdminApiException.malformed("the body must be one JSON object");
        }
        return (ObjectNode) node;
    }

    private static byte[] readBody(HttpExchange exchange) throws IOException {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        long declared;
        try {
            declared = length == null ? -1 : Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            throw AdminApiException.malformed("bad Content-Length");
        }
        try (InputStream in = exchange.getRequestBody()) {
            if (declared > MAX_BODY_BYTES) {
                discardUpTo(in, DRAIN_LIMIT_BYTES);
                throw tooLarge();
            }
            byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                discardUpTo(in, DRAIN_LIMIT_BYTES);
                throw tooLarge();
            }
            return body;
        }
    }

    /**
     * Reads and drops what the client is still sending of a refused body, up to {@code limitBytes}: a
     * connection closed with unread bytes in its receive buffer is reset by the kernel, and the reset
     * can destroy the 413 before the client reads it. Beyond the limit the connection just closes.
     */
    private static void discardUpTo(InputStream in, long limitBytes) throws IOException {
        byte[] scratch = new byte[8192];
        long left = limitBytes;
        int n;
        while (left > 0 && (n = in.read(scratch, 0, (int) Math.min(scratch.length, left))) > 0) {
            left -= n;
        }
    }

    private static AdminApiException tooLarge() {
        return new AdminApiException(413, "too_large", "the body is larger than " + MAX_BODY_BYTES + " bytes");
    }

    /**
     * The host clients reach this gateway under, for their config's Endpoint: the request's Host header
     * (the name the caller used), else the address the request came in on.
     */
    private static String endpointHost(HttpExchange exchange) {
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (host != null && !host.isBlank()) {
            String h = host.strip();
            boolean hasPort = h.startsWith("[") ? h.contains("]:") : h.indexOf(':') >= 0;
            try {
                return HostPort.parse(hasPort ? h : h + ":0", 0).host();
            } catch (IllegalArgumentException e) {
                // A Host header that is no host: fall back to the local address.
            }
        }
        return exchange.getLocalAddress().getAddress().getHostAddress();
    }

    private static ObjectNode view(PeerView v) {
        ObjectNode out = JSON.createObjectNode();
        out.put("public_key", v.publicKey().toString());
        out.set("addresses", addresses(v.addresses()));
        if (v.endpoint() == null) {
            out.putNull("endpoint");
        } else {
            out.put("endpoint", v.endpoint());
        }
        out.put("rx_bytes", v.rxBytes());
        out.put("tx_bytes", v.txBytes());
        allowanceFields(out, v, true);
        out.put("latest_handshake_unix", v.latestHandshakeUnix());
        return out;
    }

    private static void allowanceFields(ObjectNode out, PeerView v, boolean withRemaining) {
        if (v.unlimited()) {
            out.putNull("allowance_bytes");
        } else {
            out.put("allowance_bytes", v.allowanceBytes());
        }
        if (withRemaining) {
            if (v.unlimited()) {
                out.putNull("remaining_bytes");
            } else {
                out.put("remaining_bytes", v.remainingBytes());
            }
        }
    }

    private static ArrayNode addresses(List<Cidr> addresses) {
        ArrayNode out = JSON.createArrayNode();
        addresses.forEach(a -> out.add(a.toString()));
        return out;
    }

    private static Reply error(int status, String code, String detail) {
        ObjectNode out = JSON.createObjectNode();
        out.put("error", code);
        out.put("detail", detail);
        return new Reply(status, out);
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(reply.body());
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(reply.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
