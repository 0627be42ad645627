package io.ringguard.dataplane.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.buffers.ip.IcmpEcho;
import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.DeviceConfig;
import io.ringguard.dataplane.config.Endpoint;
import io.ringguard.dataplane.config.PeerConfig;
import io.ringguard.dataplane.config.PublicKey;
import io.ringguard.dataplane.counters.DropReason;
import io.ringguard.dataplane.sys.FakeTun;
import io.ringguard.dataplane.sys.FakeUdp;
import io.ringguard.dataplane.sys.Posix;
import io.ringguard.handshake.keys.Keys;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two devices joined by in-memory UDP and TUN fakes: the whole pipeline without root. */
class DeviceTest {
    private static final int A_TUNNEL = 0xC6130001; // 198.19.0.1
    private static final int B_TUNNEL = 0xC6130002; // 198.19.0.2

    private final byte[] keyA = Keys.generatePrivateKey();
    private final byte[] keyB = Keys.generatePrivateKey();
    private FakeTun tunA;
    private FakeTun tunB;
    private FakeUdp udpA;
    private FakeUdp udpB;
    private Device a;
    private Device b;
    /** Latency samples per device and direction: [count, smallest, largest] in ns. */
    private final Samples outboundB = new Samples();

    private final Samples inboundA = new Samples();

    /** A sink that keeps count and range; written by one pipeline thread, read by the test. */
    static final class Samples implements io.ringguard.dataplane.counters.LatencySink {
        final java.util.concurrent.atomic.AtomicLong count = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong min = new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);
        final java.util.concurrent.atomic.AtomicLong max = new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);

        @Override
        public void record(long latencyNs) {
            min.accumulateAndGet(latencyNs, Math::min);
            max.accumulateAndGet(latencyNs, Math::max);
            count.incrementAndGet();
        }
    }

    @BeforeEach
    void start() throws Exception {
        tunA = new FakeTun("rga", 1420, 1024);
        tunB = new FakeTun("rgb", 1420, 1024);
        udpA = new FakeUdp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 40001), 1024);
        udpB = new FakeUdp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 40002), 1024);
        FakeUdp.wire(udpA, udpB);
        a = device("rga", tunA, udpA);
        b = device("rgb", tunB, udpB);
        a.latencySinks(io.ringguard.dataplane.counters.LatencySink.NONE, inboundA);
        b.latencySinks(outboundB, io.ringguard.dataplane.counters.LatencySink.NONE);
        a.start();
        b.start();
        configure(a, keyA, keyB, "198.19.0.2/32", 40002);
        configure(b, keyB, keyA, "198.19.0.1/32", 40001);
    }

    @AfterEach
    void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    /** Crypto workers per device; {@link FusedDeviceTest} runs the same tests with one (fused stages). */
    int workers() {
        return 2;
    }

    /** How stages wait; {@link InlineDeviceTest} runs them on the producers' threads instead. */
    DeviceSettings.RingWait ringWait() {
        return DeviceSettings.RingWait.BLOCKING;
    }

    private Device device(String name, FakeTun tun, FakeUdp v4) {
        FakeUdp v6 = new FakeUdp(new InetSocketAddress("::1", v4.localAddress().getPort()), 16);
        return new Device(
                name,
                new DeviceSettings(
                        1420, workers(), 256, 1024, 16, 64 * 1024, 1024, ringWait(), DeviceSettings.DEFAULT_MAX_PEERS),
                tun,
                (family, port, fwmark, batch) -> family == Posix.AF_INET ? v4 : v6);
    }

    private static void configure(Device device, byte[] own, byte[] peerPrivate, String allowed, int port) {
        PeerConfig peer = PeerConfig.builder(PublicKey.of(Keys.publicKey(peerPrivate)))
                .endpoint(Endpoint.of(new byte[] {127, 0, 0, 1}, port))
                .allowedIps(java.util.List.of(Cidr.parse(allowed)))
                .build();
        DeviceConfig config =
                DeviceConfig.builder().privateKey(own).putPeer(peer).build();
        assertEquals(0, device.update(current -> new Device.ConfigUpdate(config, Set.of(), 0)));
    }

    static String describe(Device d) {
        StringBuilder sb = new StringBuilder(d.name()).append(':');
        for (DropReason r : DropReason.values()) {
            if (d.counters().dropped(r) > 0) {
                sb.append(' ').append(r.label()).append('=').append(d.counters().dropped(r));
            }
        }
        for (var e : io.ringguard.dataplane.counters.DataplaneCounters.HandshakeEvent.values()) {
            if (d.counters().handshakes(e) > 0) {
                sb.append(' ').append(e).append('=').append(d.counters().handshakes(e));
            }
        }
        return sb.toString();
    }

    private static byte[] echo(int src, int dst, int seq) {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[128]);
        UnsafeBuffer payload = new UnsafeBuffer("ringguard-device-test".getBytes());
        int length = IcmpEcho.writeEchoRequest(buffer, 0, src, dst, 7, seq, payload, 0, payload.capacity());
        byte[] packet = new byte[length];
        buffer.getBytes(0, packet);
        return packet;
    }

    @Test
    void shouldHandshakeOnFirstPacketAndDeliverBothWays() throws Exception {
        byte[] first = echo(A_TUNNEL, B_TUNNEL, 1);
        assertTrue(tunA.inject(first));
        assertArrayEquals(
                first,
                tunB.awaitWritten(5_000),
                () -> "A -> B through a fresh handshake\n" + describe(a) + "\n" + describe(b) + " sentA="
                        + udpA.sentCount() + " sentB=" + udpB.sentCount());

        byte[] back = echo(B_TUNNEL, A_TUNNEL, 2);
        assertTrue(tunB.inject(back));
        assertArrayEquals(back, tunA.awaitWritten(5_000), "B -> A on the established session");

        Peer bAtA = a.peer(PublicKey.of(Keys.publicKey(keyB)));
        Peer aAtB = b.peer(PublicKey.of(Keys.publicKey(keyA)));
        // B's finisher hands the confirmation of its next keypair to B's control thread, which promotes it
        // a moment after the packet reached the TUN (a long moment on a loaded machine): wait, bounded.
        long deadline = System.currentTimeMillis() + 2_000;
        while ((bAtA.keypairs().current() == null || aAtB.keypairs().current() == null)
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(1);
        }
        assertNotNull(bAtA.keypairs().current());
        assertNotNull(aAtB.keypairs().current(), "B's next keypair confirmed by A's first data packet");
        // The sender counts right after sendmmsg returns, which may be after the reply already came back.
        deadline = System.currentTimeMillis() + 2_000;
        while (bAtA.txBytes() == 0 && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(bAtA.txBytes() > 0 && bAtA.rxBytes() > 0, "tx " + bAtA.txBytes() + " rx " + bAtA.rxBytes());
        // B's control thread stamps the handshake when it takes the finisher's confirmation, a moment
        // after the keypair was promoted (a loaded machine makes the moment long).
        deadline = System.currentTimeMillis() + 2_000;
        while (aAtB.lastHandshakeEpochNs() == 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(1);
        }
        assertTrue(aAtB.lastHandshakeEpochNs() > 0);
    }

    @Test
    void shouldReportPipelineLatencyForTunnelledPackets() throws Exception {
        assertTrue(tunA.inject(echo(A_TUNNEL, B_TUNNEL, 1)));
        assertNotNull(tunB.awaitWritten(5_000), "A -> B through a fresh handshake");
        assertEquals(0, outboundB.count.get(), "B has sent no TUN packet yet, only handshake messages");

        assertTrue(tunB.inject(echo(B_TUNNEL, A_TUNNEL, 2)));
        assertNotNull(tunA.awaitWritten(5_000), "B -> A on the established session");
        // Recorded after sendmmsg / the TUN write, which may come a moment after the packet was seen.
        long deadline = System.currentTimeMillis() + 2_000;
        while ((outboundB.count.get() == 0 || inboundA.count.get() == 0) && System.currentTimeMillis() < deadline) {
            Thread.sleep(1);
        }
        for (Samples s : java.util.List.of(outboundB, inboundA)) {
            assertTrue(s.count.get() >= 1, "a sample per batch with a tunnelled packet");
            assertTrue(s.min.get() > 0 && s.max.get() < 10_000_000_000L, s.min + ".." + s.max + " ns");
        }
    }

    @Test
    void shouldDeliverManyPacketsInOrderAndCountEveryLoss() throws Exception {
        assertTrue(tunA.inject(echo(A_TUNNEL, B_TUNNEL, 0)));
        assertNotNull(tunB.awaitWritten(5_000));
        int sent = 500;
        for (int seq = 1; seq <= sent; seq++) {
            while (!tunA.inject(echo(A_TUNNEL, B_TUNNEL, seq))) {
                Thread.onSpinWait();
            }
        }
        int received = 0;
        int last = 0;
        byte[] got;
        while ((got = tunB.awaitWritten(2_000)) != null) {
            int seq = IcmpEcho.sequence(new UnsafeBuffer(got), 0);
            assertTrue(seq > last, "reordered: " + seq + " after " + last);
            last = seq;
            received++;
        }
        // A loaded machine may drop a burst, but never silently: every loss is a counted drop.
        long dropped = 0;
        for (DropReason reason : DropReason.values()) {
            dropped += a.counters().dropped(reason) + b.counters().dropped(reason);
        }
        dropped += udpB.dropped() + udpA.dropped();
        assertEquals(sent, received + dropped, () -> describe(a) + " / " + describe(b));
        assertTrue(received >= sent / 2, "most packets arrive: " + received);
    }

    @Test
    void shouldDropPacketsWithoutRouteAndSpoofedSources() throws Exception {
        assertTrue(tunA.inject(echo(A_TUNNEL, 0xC6130063, 1))); // 198.19.0.99: nobody's
        assertTrue(tunA.inject(echo(A_TUNNEL, B_TUNNEL, 2)));
        assertNotNull(tunB.awaitWritten(5_000));
        assertEquals(1, a.counters().dropped(DropReason.NO_ROUTE));
        // B sends a packet whose inner source is not A's allowed IP at B: A's... B's finisher drops it.
        assertTrue(tunA.inject(echo(0xC6130005, B_TUNNEL, 3)));
        long deadline = System.currentTimeMillis() + 5_000;
        while (b.counters().dropped(DropReason.SPOOFED_SOURCE) == 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(1, b.counters().dropped(DropReason.SPOOFED_SOURCE));
        assertNull(tunB.awaitWritten(200));
    }

    @Test
    void shouldKeepSessionWhenTheSameConfigIsSetAgain() throws Exception {
        assertTrue(tunA.inject(echo(A_TUNNEL, B_TUNNEL, 1)));
        assertNotNull(tunB.awaitWritten(5_000));
        Peer peer = a.peer(PublicKey.of(Keys.publicKey(keyB)));
        var keypair = peer.keypairs().current();
        // The sender counts after sendmmsg returns, which may be after B already has the packet: wait
        // (bounded) until the data packet is counted on top of the 148-byte initiation.
        long deadline = System.currentTimeMillis() + 2_000;
        while (peer.txBytes() <= 148 && System.currentTimeMillis() < deadline) {
            Thread.sleep(1);
        }
        long tx = peer.txBytes();
        assertTrue(tx > 148, "tx " + tx);
        configure(a, keyA, keyB, "198.19.0.2/32", 40002);
        assertTrue(peer == a.peer(PublicKey.of(Keys.publicKey(keyB))), "same peer object");
        assertTrue(keypair == peer.keypairs().current(), "session kept");
        assertEquals(tx, peer.txBytes(), "counters kept");
    }

    @Test
    void shouldStopTrafficWhenPeerIsRemoved() throws Exception {
        assertTrue(tunA.inject(echo(A_TUNNEL, B_TUNNEL, 1)));
        assertNotNull(tunB.awaitWritten(5_000));
        assertEquals(
                0,
                a.update(current ->
                        new Device.ConfigUpdate(current.toBuilder().clearPeers().build(), Set.of(), 0)));
        assertTrue(tunA.inject(echo(A_TUNNEL, B_TUNNEL, 2)));
        assertNull(tunB.awaitWritten(300));
        assertNull(a.peer(PublicKey.of(Keys.publicKey(keyB))));
    }

    @Test
    void shouldZeroTheSessionKeysWhenThePeerIsRemoved() throws Exception {
        assertTrue(tunA.inject(echo(A_TUNNEL, B_TUNNEL, 1)));
        assertNotNull(tunB.awaitWritten(5_000));
        Peer peer = a.peer(PublicKey.of(Keys.publicKey(keyB)));
        var keypair = peer.keypairs().current();
        assertNotNull(keypair);
        assertTrue(java.util.Arrays.stream(keypair.sendKey()).anyMatch(w -> w != 0), "a live session has keys");

        assertEquals(
                0,
                a.update(current ->
                        new Device.ConfigUpdate(current.toBuilder().clearPeers().build(), Set.of(), 0)));
        // Invalid at once, wiped after RetiredKeys' grace period (a packet may still be in an encrypt worker).
        assertTrue(!keypair.valid(), "no packet is sealed with a removed peer's keys");
        long deadline = System.currentTimeMillis() + RetiredKeys.GRACE_NS / 1_000_000 + 3_000;
        while (java.util.Arrays.stream(keypair.receiveKey()).anyMatch(w -> w != 0)
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(java.util.Arrays.stream(keypair.sendKey()).allMatch(w -> w == 0), "send key wiped");
        assertTrue(java.util.Arrays.stream(keypair.receiveKey()).allMatch(w -> w == 0), "receive key wiped");
        assertTrue(peer.keypairs().current() == null, "no keypair left on the removed peer");
    }

    @Test
    void shouldCountGarbageDatagramsAndKeepServing() throws Exception {
        InetSocketAddress from = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40999);
        java.util.Random random = new java.util.Random(1);
        byte[] junk = new byte[148];
        random.nextBytes(junk);
        junk[0] = 1;
        junk[1] = junk[2] = junk[3] = 0;
        byte[] transport = new byte[64];
        transport[0] = 4;
        byte[][] garbage = {new byte[0], new byte[3], junk, transport, new byte[] {9, 0, 0, 0, 1, 2, 3, 4}};
        for (byte[] g : garbage) {
            assertTrue(udpB.inject(new FakeUdp.Datagram(g, from, null)));
        }
        long deadline = System.currentTimeMillis() + 5_000;
        while ((b.counters().dropped(DropReason.MALFORMED) < 3
                        || b.counters().dropped(DropReason.BAD_MAC) < 1
                        || b.counters().dropped(DropReason.UNKNOWN_INDEX) < 1)
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(3, b.counters().dropped(DropReason.MALFORMED), describe(b));
        assertEquals(1, b.counters().dropped(DropReason.BAD_MAC), describe(b));
        assertEquals(1, b.counters().dropped(DropReason.UNKNOWN_INDEX), describe(b));
        // Nothing answered the garbage, and real traffic still flows.
        byte[] packet = echo(A_TUNNEL, B_TUNNEL, 1);
        assertTrue(tunA.inject(packet));
        assertArrayEquals(packet, tunB.awaitWritten(5_000));
    }

    @Test
    void shouldDropTunPacketLargerThanASlotAsTooBigInsteadOfSendingItCut() throws Exception {
        // The kernel hands a packet this large to the TUN only when someone raised the link MTU; the
        // read keeps the first 2048 bytes (the slot), so the packet must not leave as a cut one.
        byte[] big = ipv4Packet(A_TUNNEL, B_TUNNEL, 3_000);
        assertTrue(tunA.inject(big));
        awaitDrop(a, DropReason.TOO_BIG, 1);
        assertEquals(1, a.counters().dropped(DropReason.TOO_BIG), describe(a));
        assertEquals(0, a.counters().dropped(DropReason.NO_ROUTE), describe(a));
        assertNull(tunB.awaitWritten(200));
        byte[] packet = echo(A_TUNNEL, B_TUNNEL, 1);
        assertTrue(tunA.inject(packet));
        assertArrayEquals(packet, tunB.awaitWritten(5_000));
    }

    @Test
    void shouldDropDatagramLargerThanASlotAsTooBig() throws Exception {
        InetSocketAddress from = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40999);
        byte[] huge = new byte[65_507];
        huge[0] = 4;
        assertTrue(udpB.inject(new FakeUdp.Datagram(huge, from, null)));
        awaitDrop(b, DropReason.TOO_BIG, 1);
        assertEquals(1, b.counters().dropped(DropReason.TOO_BIG), describe(b));
        assertEquals(0, b.counters().dropped(DropReason.UNKNOWN_INDEX), describe(b));
        assertNull(udpB.pollSent(), "nothing answers it");
    }

    @Test
    void shouldCountCookieReplyForUnknownIndexAsUnknownIndex() throws Exception {
        InetSocketAddress from = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40999);
        byte[] cookie = new byte[64];
        new java.util.Random(3).nextBytes(cookie);
        cookie[0] = 3;
        cookie[1] = cookie[2] = cookie[3] = 0;
        assertTrue(udpB.inject(new FakeUdp.Datagram(cookie, from, null)));
        awaitDrop(b, DropReason.UNKNOWN_INDEX, 1);
        assertEquals(1, b.counters().dropped(DropReason.UNKNOWN_INDEX), describe(b));
        assertEquals(0, b.counters().dropped(DropReason.BAD_MAC), describe(b));
    }

    @Test
    void shouldRefuseAConfigWithMorePeersThanMaxPeersWholeWithEinval() throws Exception {
        FakeUdp v4 = new FakeUdp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 40003), 16);
        FakeUdp v6 = new FakeUdp(new InetSocketAddress("::1", 40003), 16);
        DeviceSettings capped =
                new DeviceSettings(1420, workers(), 256, 1024, 16, 64 * 1024, 1024, ringWait(), 1).withMaxPeers(2);
        assertEquals(2 * DeviceSettings.INDICES_PER_PEER, capped.maxIndices());
        try (Device c = new Device(
                "rgc",
                capped,
                new FakeTun("rgc", 1420, 16),
                (family, port, fwmark, batch) -> family == Posix.AF_INET ? v4 : v6)) {
            c.start();
            DeviceConfig two = DeviceConfig.builder()
                    .privateKey(Keys.generatePrivateKey())
                    .putPeer(peer("198.19.1.0/24"))
                    .putPeer(peer("198.19.2.0/24"))
                    .build();
            assertEquals(0, c.update(current -> new Device.ConfigUpdate(two, Set.of(), 0)));
            Peer first = c.peers().get(0);

            DeviceConfig three = two.toBuilder().putPeer(peer("198.19.3.0/24")).build();
            assertEquals(22, c.update(current -> new Device.ConfigUpdate(three, Set.of(), 0)));

            assertEquals(2, c.peers().size(), "nothing of the refused change applied");
            assertEquals(two.peers().keySet(), c.config().peers().keySet());
            assertTrue(first == c.peers().get(0), "the peers kept their objects");
        }
    }

    @Test
    void shouldNotStagePacketsForAPeerWithoutEndpointSoTheyCannotPinThePool() throws Exception {
        // A registered client that has not called yet: no endpoint, so no handshake can ever start and
        // nothing would release a staged slot. Far more packets than one peer may stage.
        PeerConfig silent = peer("198.19.5.0/24");
        assertEquals(
                0,
                a.update(current -> new Device.ConfigUpdate(
                        current.toBuilder().putPeer(silent).build(), Set.of(), 0)));
        // In rounds of 50, each waited for, so the send ring never fills (ring_full on a loaded machine).
        int rounds = 6;
        int perRound = 50;
        int packets = rounds * perRound;
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < perRound; i++) {
                assertTrue(tunA.inject(echo(A_TUNNEL, 0xC6130507, round * perRound + i)));
            }
            awaitDrop(a, DropReason.NO_ENDPOINT, (long) (round + 1) * perRound);
        }
        assertEquals(packets, a.counters().dropped(DropReason.NO_ENDPOINT), describe(a));
        assertEquals(0, a.peer(silent.publicKey()).staged().size());
        long deadline = System.currentTimeMillis() + 5_000;
        while (a.stats().poolAvailable() != a.stats().poolCapacity() && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(a.stats().poolCapacity(), a.stats().poolAvailable(), "every slot came back");
        byte[] packet = echo(A_TUNNEL, B_TUNNEL, 1);
        assertTrue(tunA.inject(packet));
        assertArrayEquals(packet, tunB.awaitWritten(5_000));
    }

    private static PeerConfig peer(String allowed) {
        return PeerConfig.builder(PublicKey.of(Keys.publicKey(Keys.generatePrivateKey())))
                .allowedIps(java.util.List.of(Cidr.parse(allowed)))
                .build();
    }

    private static void awaitDrop(Device device, DropReason reason, long count) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5_000;
        while (device.counters().dropped(reason) < count && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
    }

    /** An IPv4 header claiming {@code totalLength} bytes, followed by zeros up to that length. */
    private static byte[] ipv4Packet(int src, int dst, int totalLength) {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[totalLength]);
        buffer.putByte(0, (byte) 0x45);
        buffer.putShort(2, (short) totalLength, java.nio.ByteOrder.BIG_ENDIAN);
        buffer.putByte(8, (byte) 64);
        buffer.putByte(9, (byte) 17);
        buffer.putInt(12, src, java.nio.ByteOrder.BIG_ENDIAN);
        buffer.putInt(16, dst, java.nio.ByteOrder.BIG_ENDIAN);
        return buffer.byteArray();
    }

    @Test
    void shouldStopABlockedPeersTrafficBothWaysAndResume() throws Exception {
        assertTrue(tunA.inject(echo(A_TUNNEL, B_TUNNEL, 1)));
        assertNotNull(tunB.awaitWritten(5_000));
        Peer bAtA = a.peer(PublicKey.of(Keys.publicKey(keyB)));
        bAtA.blocked(true);
        assertTrue(tunA.inject(echo(A_TUNNEL, B_TUNNEL, 2)));
        assertTrue(tunB.inject(echo(B_TUNNEL, A_TUNNEL, 3)));
        assertNull(tunB.awaitWritten(300), "A does not send for a blocked peer");
        assertNull(tunA.awaitWritten(300), "A does not deliver from a blocked peer");
        assertEquals(2, a.counters().dropped(DropReason.ALLOWANCE_EXHAUSTED), describe(a));
        bAtA.blocked(false);
        byte[] again = echo(A_TUNNEL, B_TUNNEL, 4);
        assertTrue(tunA.inject(again));
        assertArrayEquals(again, tunB.awaitWritten(5_000), "same session after a top-up");
    }
}
