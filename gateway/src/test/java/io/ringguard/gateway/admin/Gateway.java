package io.ringguard.gateway.admin;

import io.ringguard.buffers.ip.IcmpEcho;
import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.DeviceConfig;
import io.ringguard.dataplane.config.Endpoint;
import io.ringguard.dataplane.config.PeerConfig;
import io.ringguard.dataplane.config.PublicKey;
import io.ringguard.dataplane.device.Device;
import io.ringguard.dataplane.device.DeviceSettings;
import io.ringguard.dataplane.sys.FakeTun;
import io.ringguard.dataplane.sys.FakeUdp;
import io.ringguard.dataplane.sys.Posix;
import io.ringguard.gateway.config.Storage;
import io.ringguard.gateway.registry.AddressPool;
import io.ringguard.gateway.registry.JdbcRegistryStore;
import io.ringguard.gateway.registry.PeerRegistry;
import io.ringguard.handshake.keys.Keys;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A gateway (in-memory device {@code rgw}, SQLite registry, accounting, admin API on loopback) and one
 * client device {@code rgc} that can be registered with it, joined by fake UDP and TUN: the whole
 * registration path without root.
 */
final class Gateway implements AutoCloseable {
    static final int GATEWAY_TUNNEL = 0xC6130001; // 198.19.0.1
    static final List<Cidr> POOL = List.of(Cidr.parse("198.19.0.0/24"), Cidr.parse("fd00:19::/120"));

    final byte[] gatewayKey;
    final byte[] clientKey;
    final FakeTun tunGateway = new FakeTun("rgw", 1420, 1024);
    final FakeTun tunClient = new FakeTun("rgc", 1420, 1024);
    final FakeUdp udpGateway;
    final FakeUdp udpClient;
    final Device device;
    final Device client;
    final CheckedStore store;
    final PeerRegistry registry;
    final GatewayAccounting accounting;
    final PeerService peers;
    final AdminServer admin;
    int reconciled;

    /**
     * @param db the SQLite file (kept across instances to model a restart)
     * @param pool the address pool's ranges
     * @param staticPeers peers of the "config file"
     * @param token the bearer token the API requires, or null
     */
    Gateway(
            Path db,
            byte[] gatewayKey,
            byte[] clientKey,
            List<Cidr> pool,
            List<PeerConfig> staticPeers,
            BearerToken token)
            throws Exception {
        this(db, gatewayKey, clientKey, pool, staticPeers, token, DeviceSettings.DEFAULT_MAX_PEERS);
    }

    /** As above, with the gateway device's peer cap ({@code MaxPeers}). */
    Gateway(
            Path db,
            byte[] gatewayKey,
            byte[] clientKey,
            List<Cidr> pool,
            List<PeerConfig> staticPeers,
            BearerToken token,
            int maxPeers)
            throws Exception {
        this.gatewayKey = gatewayKey;
        this.clientKey = clientKey;
        int base = 40011; // in-memory sockets: no port is really bound
        udpGateway = new FakeUdp(new InetSocketAddress(InetAddress.getLoopbackAddress(), base), 1024);
        udpClient = new FakeUdp(new InetSocketAddress(InetAddress.getLoopbackAddress(), base + 1), 1024);
        FakeUdp.wire(udpGateway, udpClient);
        device = device("rgw", tunGateway, udpGateway, maxPeers);
        client = device("rgc", tunClient, udpClient, DeviceSettings.DEFAULT_MAX_PEERS);
        device.start();
        client.start();
        store = new CheckedStore(JdbcRegistryStore.open(new Storage.Sqlite(db), System::currentTimeMillis));
        AddressPool addressPool = new AddressPool(
                store,
                pool,
                List.of(InetAddress.getByName("198.19.0.1"), InetAddress.getByName("fd00:19::1")),
                System::currentTimeMillis);
        registry = new PeerRegistry(store, addressPool, System::currentTimeMillis);
        accounting = new GatewayAccounting(registry.accounting(), device, System::currentTimeMillis);
        peers = new PeerService(registry, device, accounting, pool, () -> reconciled++);
        DeviceConfig.Builder file = DeviceConfig.builder().privateKey(gatewayKey);
        staticPeers.forEach(file::putPeer);
        check(peers.applyFileConfig(file.build()));
        // The client knows the gateway from its (future) config: the pool routed to it.
        PeerConfig gw = PeerConfig.builder(PublicKey.of(Keys.publicKey(gatewayKey)))
                .endpoint(Endpoint.of(new byte[] {127, 0, 0, 1}, base))
                .allowedIps(pool)
                .build();
        DeviceConfig clientConfig =
                DeviceConfig.builder().privateKey(clientKey).putPeer(gw).build();
        check(client.update(current -> new Device.ConfigUpdate(clientConfig, Set.of(), 0)));
        admin = AdminServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), token, peers);
    }

    Gateway(Path db) throws Exception {
        this(db, Keys.generatePrivateKey(), Keys.generatePrivateKey(), POOL, List.of(), null);
    }

    PublicKey clientPublicKey() {
        return PublicKey.of(Keys.publicKey(clientKey));
    }

    String url(String path) {
        return "http://127.0.0.1:" + admin.address().getPort() + path;
    }

    /** Client to gateway: one echo request from {@code clientAddress}; true if it arrived. */
    boolean clientToGateway(int clientAddress, int seq) throws InterruptedException {
        if (!tunClient.inject(echo(clientAddress, GATEWAY_TUNNEL, seq))) {
            throw new IllegalStateException("client TUN queue full");
        }
        return tunGateway.awaitWritten(5_000) != null;
    }

    /** Gateway to client; {@code timeoutMs} bounds the wait for it to arrive. */
    boolean gatewayToClient(int clientAddress, int seq, long timeoutMs) throws InterruptedException {
        if (!tunGateway.inject(echo(GATEWAY_TUNNEL, clientAddress, seq))) {
            throw new IllegalStateException("gateway TUN queue full");
        }
        return tunClient.awaitWritten(timeoutMs) != null;
    }

    static byte[] echo(int src, int dst, int seq) {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[128]);
        UnsafeBuffer payload = new UnsafeBuffer("ringguard-admin-test".getBytes());
        int length = IcmpEcho.writeEchoRequest(buffer, 0, src, dst, 7, seq, payload, 0, payload.capacity());
        byte[] packet = new byte[length];
        buffer.getBytes(0, packet);
        return packet;
    }

    private static void check(int errno) {
        if (errno != 0) {
            throw new IllegalStateException("configuring a device failed: errno " + errno);
        }
    }

    private static Device device(String name, FakeTun tun, FakeUdp v4, int maxPeers) {
        FakeUdp v6 = new FakeUdp(new InetSocketAddress("::1", v4.localAddress().getPort()), 16);
        return new Device(
                name,
                new DeviceSettings(
                        1420, 2, 256, 1024, 16, 64 * 1024, 1024, DeviceSettings.RingWait.LITE_BLOCKING, maxPeers),
                tun,
                (family, port, fwmark, batch) -> family == Posix.AF_INET ? v4 : v6);
    }

    /** Shuts down in the gateway's order: API, final sync, registry, dataplane. */
    @Override
    public void close() {
        admin.close();
        accounting.close();
        store.close();
        device.close();
        client.close();
    }
}
