package io.ringguard.gateway.metrics;

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
import io.ringguard.dataplane.sys.NativeIoException;
import io.ringguard.dataplane.sys.Posix;
import io.ringguard.handshake.keys.Keys;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Two in-memory devices, {@code rga} and {@code rgb}, peered with each other over fake UDP and TUN
 * (the dataplane's DeviceTest setup): the whole pipeline without root.
 */
final class TwoDevices implements AutoCloseable {
    static final int A_TUNNEL = 0xC6130001; // 198.19.0.1
    static final int B_TUNNEL = 0xC6130002; // 198.19.0.2

    final byte[] keyA = Keys.generatePrivateKey();
    final byte[] keyB = Keys.generatePrivateKey();
    final FakeTun tunA = new FakeTun("rga", 1420, 1024);
    final FakeTun tunB = new FakeTun("rgb", 1420, 1024);
    final FakeUdp udpA = new FakeUdp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 40001), 1024);
    final FakeUdp udpB = new FakeUdp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 40002), 1024);
    final Device a;
    final Device b;

    TwoDevices() throws NativeIoException {
        FakeUdp.wire(udpA, udpB);
        a = device("rga", tunA, udpA);
        b = device("rgb", tunB, udpB);
        a.start();
        b.start();
        configure(a, keyA, keyB, "198.19.0.2/32", 40002);
        configure(b, keyB, keyA, "198.19.0.1/32", 40001);
    }

    List<Device> devices() {
        return List.of(a, b);
    }

    /** A's peer, i.e. B's public key. */
    PublicKey keyOfB() {
        return PublicKey.of(Keys.publicKey(keyB));
    }

    PublicKey keyOfA() {
        return PublicKey.of(Keys.publicKey(keyA));
    }

    /** Removes every peer from {@code device}; returns the UAPI errno (0 = done). */
    static int removePeers(Device device) {
        return device.update(current ->
                new Device.ConfigUpdate(current.toBuilder().clearPeers().build(), Set.of(), 0));
    }

    static byte[] echo(int src, int dst, int seq) {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[128]);
        UnsafeBuffer payload = new UnsafeBuffer("ringguard-metrics-test".getBytes());
        int length = IcmpEcho.writeEchoRequest(buffer, 0, src, dst, 7, seq, payload, 0, payload.capacity());
        byte[] packet = new byte[length];
        buffer.getBytes(0, packet);
        return packet;
    }

    private static Device device(String name, FakeTun tun, FakeUdp v4) {
        FakeUdp v6 = new FakeUdp(new InetSocketAddress("::1", v4.localAddress().getPort()), 16);
        return new Device(
                name,
                new DeviceSettings(
                        1420,
                        2,
                        256,
                        1024,
                        16,
                        64 * 1024,
                        1024,
                        DeviceSettings.RingWait.LITE_BLOCKING,
                        DeviceSettings.DEFAULT_MAX_PEERS),
                tun,
                (family, port, fwmark, batch) -> family == Posix.AF_INET ? v4 : v6);
    }

    private static void configure(Device device, byte[] own, byte[] peerPrivate, String allowed, int port) {
        PeerConfig peer = PeerConfig.builder(PublicKey.of(Keys.publicKey(peerPrivate)))
                .endpoint(Endpoint.of(new byte[] {127, 0, 0, 1}, port))
                .allowedIps(List.of(Cidr.parse(allowed)))
                .build();
        DeviceConfig config =
                DeviceConfig.builder().privateKey(own).putPeer(peer).build();
        int errno = device.update(current -> new Device.ConfigUpdate(config, Set.of(), 0));
        if (errno != 0) {
            throw new IllegalStateException("configuring " + device.name() + " failed: errno " + errno);
        }
    }

    @Override
    public void close() {
        a.close();
        b.close();
    }
}
