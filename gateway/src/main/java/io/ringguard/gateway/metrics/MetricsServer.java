package io.ringguard.gateway.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.ringguard.dataplane.device.Device;
import io.ringguard.membership.swim.MemberView;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The HTTP endpoint Prometheus scrapes: {@code GET /metrics} (the text format 0.0.4 unless the
 * scraper asks for OpenMetrics or protobuf in {@code Accept}) and {@code GET /healthz}.
 *
 * <p>One daemon thread serves every request, so scrapes never run concurrently and never compete
 * with the dataplane for more than one core. A scrape reads the devices through the supplier each
 * time, so devices and peers that come and go need no registration.
 *
 * <p>Any thread may start and close a server; {@link #close()} is idempotent.
 */
public final class MetricsServer implements AutoCloseable {
    /** How long {@link #close()} lets an in-flight scrape finish. */
    private static final int STOP_DELAY_SECONDS = 1;

    private final HttpServer server;
    private final ExecutorService executor;
    private volatile boolean closed;

    private MetricsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Like {@link #start(InetSocketAddress, Supplier, Supplier, BooleanSupplier)} without stage latencies. */
    public static MetricsServer start(
            InetSocketAddress listen, Supplier<? extends Collection<Device>> devices, BooleanSupplier health)
            throws IOException {
        return start(listen, devices, List::of, health);
    }

    /**
     * Binds {@code listen} (the caller's choice; the gateway's default is loopback {@code
     * 127.0.0.1:9586}) and starts serving.
     *
     * @param devices the interfaces to expose, asked at every scrape
     * @param stages stage latency recorders to expose, asked at every scrape
     * @param health true while the dataplane threads are alive: {@code /healthz} answers 200, else
     *     503 (also when the check itself throws)
     * @throws BindException with the address in the message when it is taken or not local
     */
    public static MetricsServer start(
            InetSocketAddress listen,
            Supplier<? extends Collection<Device>> devices,
            Supplier<? extends Collection<StageLatency>> stages,
            BooleanSupplier health)
            throws IOException {
        return start(listen, devices, stages, null, () -> null, health);
    }

    /**
     * Like {@link #start(InetSocketAddress, Supplier, Supplier, BooleanSupplier)}, plus the gateway
     * mesh's members by state ({@code ringguard_gossip_members}) for {@code meshInterface}.
     *
     * @param members the mesh's members at scrape time, or null while (or when) there is no mesh
     */
    public static MetricsServer start(
            InetSocketAddress listen,
            Supplier<? extends Collection<Device>> devices,
            Supplier<? extends Collection<StageLatency>> stages,
            String meshInterface,
            Supplier<? extends Collection<MemberView>> members,
            BooleanSupplier health)
            throws IOException {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(health, "health");
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new DeviceCollector(devices));
        registry.register(new StageLatencyCollector(stages));
        if (meshInterface != null) {
            registry.register(new MembersCollector(meshInterface, members));
        }
        JvmMetrics.builder().register(registry);

        HttpServer server;
        try {
            server = HttpServer.create(listen, 16);
        } catch (BindException e) {
            BindException clear = new BindException("metrics endpoint: cannot listen on " + describe(listen) + ": "
                    + e.getMessage() + " (is another gateway or exporter using it? set MetricsListen)");
            clear.initCause(e);
            throw clear;
        }
        server.createContext("/metrics", new MetricsHandler(registry));
        server.createContext("/healthz", exchange -> health(exchange, health));
        server.createContext("/", exchange -> reply(exchange, 404, "not found: try /metrics or /healthz\n"));
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ringguard-metrics-" + describe(listen));
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        return new MetricsServer(server, executor);
    }

    /** The bound address; with port 0 requested, the port the system chose. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop(STOP_DELAY_SECONDS);
        executor.shutdownNow();
    }

    private static void health(HttpExchange exchange, BooleanSupplier health) throws IOException {
        boolean alive;
        try {
            alive = health.getAsBoolean();
        } catch (RuntimeException e) {
            // A check that cannot tell is not a healthy answer.
            alive = false;
        }
        reply(exchange, alive ? 200 : 503, alive ? "ok\n" : "unhealthy: dataplane threads are not running\n");
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        try (exchange) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    private static String describe(InetSocketAddress address) {
        String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
