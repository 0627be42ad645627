package io.ringguard.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.ringguard.testkit.Netns;
import io.ringguard.testkit.RingGuardPeer;
import io.ringguard.testkit.WireguardGoPeer;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Roaming (whitepaper section 2.1): RingGuard moves a peer's endpoint to the source of the latest
 * authenticated packet from it, and never because of a packet that failed authentication or replay.
 */
@Tag("integration")
@Timeout(120)
class RoamingIT {
    private static final byte MESSAGE_INITIATION = 1;
    private static final byte MESSAGE_RESPONSE = 2;
    private static final byte MESSAGE_COOKIE_REPLY = 3;
    private static final byte MESSAGE_TRANSPORT = 4;
    private static final int TRANSPORT_HEADER_BYTES = 16;
    private static final int COUNTER_OFFSET = 8;
    private static final int TAG_BYTES = 16;
    /** How long the endpoint is watched after the spoofed packets, polled every 100 ms. */
    private static final long WATCH_MS = 1_000;

    @BeforeEach
    void requirePrerequisites() {
        Tunnels.requirePrerequisites();
    }

    @Test
    void shouldFollowThePeerToItsNewPortAfterItsFirstAuthenticatedPacket() {
        try (RingGuardPeer rg = RingGuardPeer.start();
                WireguardGoPeer wg = WireguardGoPeer.start()) {
            // wireguard-go knows RingGuard's endpoint; RingGuard learns wireguard-go's from its packets.
            Netns.Link link = Tunnels.join(wg, rg, false, false);
            Tunnels.assertPings(wg, rg, rg.tunnelAddress(), 2);
            assertEquals(
                    Tunnels.localEndpoint(link, wg, false),
                    Tunnels.status(rg, wg).endpoint());

            int newPort = wg.listenPort() + 79;
            wg.listenPort(newPort);
            Tunnels.assertPings(wg, rg, rg.tunnelAddress(), 2);
            assertEquals(
                    Tunnels.endpoint(link.localAddress(), newPort),
                    Tunnels.status(rg, wg).endpoint(),
                    () -> Tunnels.logs(rg, wg));
            // RingGuard's own traffic now goes to the new port.
            Tunnels.assertPings(rg, wg, wg.tunnelAddress(), 2);
        }
    }

    @Test
    void shouldNeverMoveTheEndpointOnUnauthenticatedOrReplayedPackets() throws Exception {
        try (RingGuardPeer rg = RingGuardPeer.start();
                WireguardGoPeer wg = WireguardGoPeer.start();
                UdpRelay relay = new UdpRelay(
                        new InetSocketAddress(wg.hostAddress(), 0),
                        new InetSocketAddress(rg.hostAddress(), 0),
                        new InetSocketAddress(rg.underlayAddress(), rg.listenPort()))) {
            rg.addPeer(wg.publicKeyBase64(), null, Tunnels.tunnelSubnets(wg), null, 0);
            wg.addPeer(
                    rg.publicKeyBase64(),
                    null,
                    Tunnels.tunnelSubnets(rg),
                    Tunnels.endpoint(wg.hostAddress(), relay.peerSidePort()),
                    0);
            Tunnels.assertPings(wg, rg, rg.tunnelAddress(), 3);
            String relayed = Tunnels.endpoint(rg.hostAddress(), relay.targetSidePort());
            assertEquals(relayed, Tunnels.status(rg, wg).endpoint());
            byte[] genuine = relay.lastFromPeer(MESSAGE_TRANSPORT, TRANSPORT_HEADER_BYTES + TAG_BYTES);
            assertNotNull(genuine, "the relay saw no transport message from wireguard-go");

            List<byte[]> spoofs = spoofs(genuine, new Random(42));
            // From the relay's address on another port, and from another address family altogether.
            try (DatagramChannel fromV4 = DatagramChannel.open().bind(new InetSocketAddress(rg.hostAddress(), 0));
                    DatagramChannel fromV6 = DatagramChannel.open()
                            .bind(new InetSocketAddress(rg.netns().hostAddress6(), 0))) {
                InetSocketAddress toV4 = new InetSocketAddress(rg.underlayAddress(), rg.listenPort());
                InetSocketAddress toV6 = new InetSocketAddress(rg.netns().nsAddress6(), rg.listenPort());
                for (int round = 0; round < 3; round++) {
                    for (byte[] spoof : spoofs) {
                        fromV4.send(ByteBuffer.wrap(spoof), toV4);
                        fromV6.send(ByteBuffer.wrap(spoof), toV6);
                    }
                }
            }
            long deadlineNs = System.nanoTime() + WATCH_MS * 1_000_000L;
            while (System.nanoTime() - deadlineNs < 0) {
                assertEquals(relayed, Tunnels.status(rg, wg).endpoint(), () -> Tunnels.logs(rg, wg));
                Thread.sleep(100);
            }
            // RingGuard still sends to the relay: its echo requests reach wireguard-go and come back.
            Tunnels.assertPings(rg, wg, wg.tunnelAddress(), 3);
            assertEquals(relayed, Tunnels.status(rg, wg).endpoint());
        }
    }

    /**
     * Datagrams that look like WireGuard but must not authenticate: the genuine transport message
     * again (a replay), the same with a fresh counter and a broken tag, a keepalive-sized message with
     * the live receiver index and a random tag, and random handshake messages of each exact size.
     */
    private static List<byte[]> spoofs(byte[] genuine, Random random) {
        List<byte[]> spoofs = new ArrayList<>();
        spoofs.add(genuine.clone());

        byte[] tampered = genuine.clone();
        ByteBuffer counters = ByteBuffer.wrap(tampered).order(ByteOrder.LITTLE_ENDIAN);
        long counter = counters.getLong(COUNTER_OFFSET);
        counters.putLong(COUNTER_OFFSET, counter + 1_000);
        tampered[tampered.length - 1] ^= 0x5a;
        spoofs.add(tampered);

        byte[] keepalive = new byte[TRANSPORT_HEADER_BYTES + TAG_BYTES];
        System.arraycopy(genuine, 0, keepalive, 0, TRANSPORT_HEADER_BYTES);
        ByteBuffer.wrap(keepalive).order(ByteOrder.LITTLE_ENDIAN).putLong(COUNTER_OFFSET, counter + 2_000);
        fill(keepalive, TRANSPORT_HEADER_BYTES, random);
        spoofs.add(keepalive);

        spoofs.add(handshakeLike(MESSAGE_INITIATION, 148, random));
        spoofs.add(handshakeLike(MESSAGE_RESPONSE, 92, random));
        spoofs.add(handshakeLike(MESSAGE_COOKIE_REPLY, 64, random));
        return spoofs;
    }

    private static byte[] handshakeLike(byte type, int lengthBytes, Random random) {
        byte[] message = new byte[lengthBytes];
        fill(message, 4, random);
        message[0] = type;
        return message;
    }

    private static void fill(byte[] message, int from, Random random) {
        byte[] noise = new byte[message.length - from];
        random.nextBytes(noise);
        System.arraycopy(noise, 0, message, from, noise.length);
    }
}
