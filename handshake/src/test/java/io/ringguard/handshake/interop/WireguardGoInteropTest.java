package io.ringguard.handshake.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ringguard.buffers.ip.IcmpEcho;
import io.ringguard.handshake.cookie.CookieChecker;
import io.ringguard.handshake.cookie.CookieMaker;
import io.ringguard.handshake.cookie.MacResult;
import io.ringguard.handshake.crypto.ChaCha20Poly1305;
import io.ringguard.handshake.keys.Keys;
import io.ringguard.handshake.message.InitiationMessage;
import io.ringguard.handshake.message.MessageType;
import io.ringguard.handshake.message.ResponseMessage;
import io.ringguard.handshake.message.TransportMessage;
import io.ringguard.handshake.noise.Handshake;
import io.ringguard.handshake.noise.Keypair;
import io.ringguard.handshake.noise.Keypairs;
import io.ringguard.handshake.noise.Noise;
import io.ringguard.handshake.noise.StaticIdentity;
import io.ringguard.handshake.noise.Tai64n;
import io.ringguard.testkit.Prerequisites;
import io.ringguard.testkit.WireguardGoPeer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * RingGuard's handshake and transport crypto against a real wireguard-go (Debian package), configured
 * with the real {@code wg} tool, over UDP between the root namespace and a namespace the test owns.
 *
 * <p>Each test proves acceptance on both sides with a ping: wireguard-go only answers an echo request
 * it decrypted and routed (so it accepted our handshake and our transport packet), and we only see
 * its answer if we accept its handshake messages and transport packets.
 */
@Tag("integration")
class WireguardGoInteropTest {
    private static final long DEADLINE_MS = 10_000;

    private final SecureRandom random = new SecureRandom();
    private final Noise noise = new Noise(random);
    private final ChaCha20Poly1305 aead = new ChaCha20Poly1305();
    private final UnsafeBuffer none = new UnsafeBuffer(new byte[0]);
    private WireguardGoPeer wg;
    private DatagramChannel channel;
    private Selector selector;
    private StaticIdentity identity;
    private Handshake handshake;
    private CookieMaker macs;
    private CookieChecker checker;
    private InetSocketAddress wgEndpoint;
    private int ourTunnelAddress;
    private int wgTunnelAddress;

    @BeforeEach
    void start() throws IOException {
        Prerequisites.requireRoot();
        Prerequisites.requireTun();
        Prerequisites.requireProgram("wireguard-go");
        Prerequisites.requireProgram("wg");
        Prerequisites.requireProgram("ip");
        Prerequisites.requireProgram("ping");

        wg = WireguardGoPeer.start();
        channel = DatagramChannel.open();
        channel.bind(new InetSocketAddress(InetAddress.getByName(wg.hostAddress()), 0));
        channel.configureBlocking(false);
        selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
        wgEndpoint = new InetSocketAddress(InetAddress.getByName(wg.underlayAddress()), wg.listenPort());

        identity = new StaticIdentity(Keys.generatePrivateKey());
        byte[] wgPublic = Keys.fromBase64(wg.publicKeyBase64());
        byte[] psk = Keys.generatePresharedKey();
        handshake = new Handshake(identity, wgPublic, psk);
        macs = new CookieMaker(wgPublic);
        checker = new CookieChecker(identity, random);

        String ourTunnel = wg.netns().slot().tunnelAddress(2);
        ourTunnelAddress = ipv4(ourTunnel);
        wgTunnelAddress = ipv4(wg.tunnelAddress());
        int port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
        wg.addPeer(
                new String(Keys.toBase64(identity.publicKey())),
                new String(Keys.toBase64(psk)),
                ourTunnel + "/32",
                wg.hostAddress() + ":" + port,
                0);
    }

    @AfterEach
    void stop() throws IOException {
        if (selector != null) {
            selector.close();
        }
        if (channel != null) {
            channel.close();
        }
        if (wg != null) {
            wg.close();
        }
    }

    @Test
    void shouldInitiateToWireguardGoAndExchangeTransportPackets() throws Exception {
        Instant started = Instant.now().minusSeconds(1);
        long nowNs = System.nanoTime();
        int localIndex = random.nextInt();
        UnsafeBuffer init = new UnsafeBuffer(new byte[InitiationMessage.LENGTH]);
        assertTrue(noise.createInitiation(identity, handshake, localIndex, Tai64n.wallClockNanos(), init, 0));
        macs.addMacs(init, 0, InitiationMessage.LENGTH, nowNs);
        send(init, InitiationMessage.LENGTH);

        UnsafeBuffer resp = receive(MessageType.RESPONSE);
        assertEquals(localIndex, ResponseMessage.receiverIndex(resp, 0));
        assertEquals(
                MacResult.VALID_MAC_NO_COOKIE,
                checker.validate(
                        resp, 0, ResponseMessage.LENGTH, address(wg.underlayAddress()), wg.listenPort(), false, nowNs));
        assertTrue(noise.consumeResponse(identity, handshake, resp, 0), () -> "rejected: " + noise.lastRejection());
        Keypair keypair = noise.beginSession(handshake, nowNs);
        assertNotNull(keypair);
        assertTrue(keypair.initiator());

        // Our echo request through the tunnel; wireguard-go's kernel side answers only if it accepted it.
        UnsafeBuffer payload = new UnsafeBuffer("ringguard-interop-0123456789".getBytes());
        UnsafeBuffer packet = new UnsafeBuffer(new byte[2048]);
        int ipLength = IcmpEcho.writeEchoRequest(
                packet,
                TransportMessage.DATA_OFFSET,
                ourTunnelAddress,
                wgTunnelAddress,
                0x5247,
                1,
                payload,
                0,
                payload.capacity());
        sendTransport(keypair, packet, ipLength);

        UnsafeBuffer reply = receive(MessageType.TRANSPORT);
        int plainLength = openTransport(keypair, reply);
        int ip = TransportMessage.DATA_OFFSET;
        assertTrue(IcmpEcho.isEchoReply(reply, ip, plainLength), "expected an ICMP echo reply through the tunnel");
        assertEquals(0x5247, IcmpEcho.identifier(reply, ip));
        assertEquals(1, IcmpEcho.sequence(reply, ip));

        WireguardGoPeer.PeerStatus status =
                wg.awaitHandshake(new String(Keys.toBase64(identity.publicKey())), started, 5_000);
        assertTrue(status.rxBytes() > 0 && status.txBytes() > 0, () -> "wg show: " + status + "\n" + wg.logTail());
    }

    @Test
    void shouldRespondToWireguardGoAndExchangeTransportPackets() throws Exception {
        String ourTunnel = wg.netns().slot().tunnelAddress(2);
        // A ping from wireguard-go's side makes it initiate; the echo request waits in its staged queue.
        CompletableFuture<Boolean> ping = CompletableFuture.supplyAsync(() -> wg.ping(ourTunnel, 1, 8));

        UnsafeBuffer init = receive(MessageType.INITIATION);
        long nowNs = System.nanoTime();
        assertEquals(
                MacResult.VALID_MAC_NO_COOKIE,
                checker.validate(
                        init,
                        0,
                        InitiationMessage.LENGTH,
                        address(wg.underlayAddress()),
                        wg.listenPort(),
                        false,
                        nowNs));
        Handshake consumed = noise.consumeInitiation(
                identity, init, 0, key -> Arrays.equals(key, handshake.remoteStatic()) ? handshake : null, nowNs);
        assertSame(handshake, consumed, () -> "rejected: " + noise.lastRejection());

        int localIndex = random.nextInt();
        UnsafeBuffer resp = new UnsafeBuffer(new byte[ResponseMessage.LENGTH]);
        assertTrue(noise.createResponse(handshake, localIndex, resp, 0));
        macs.addMacs(resp, 0, ResponseMessage.LENGTH, nowNs);
        send(resp, ResponseMessage.LENGTH);
        Keypair keypair = noise.beginSession(handshake, nowNs);
        Keypairs keypairs = new Keypairs();
        keypairs.add(keypair);

        // wireguard-go now sends the staged echo request; it confirms our "next" keypair.
        UnsafeBuffer request = null;
        int plainLength = 0;
        long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (request == null && System.currentTimeMillis() < deadline) {
            UnsafeBuffer message = receive(MessageType.TRANSPORT);
            assertEquals(localIndex, TransportMessage.receiverIndex(message, 0));
            int length = openTransport(keypair, message);
            if (IcmpEcho.isEchoRequest(message, TransportMessage.DATA_OFFSET, length)) {
                request = message;
                plainLength = length;
            }
        }
        assertNotNull(request, "no echo request arrived through the tunnel");
        assertTrue(keypairs.receivedWith(keypair));
        assertSame(keypair, keypairs.current());

        int ip = TransportMessage.DATA_OFFSET;
        int dataOffset = IcmpEcho.payloadOffset(request, ip);
        int dataLength = IcmpEcho.payloadLengthBytes(request, ip);
        assertTrue(dataOffset >= ip && dataOffset + dataLength <= ip + plainLength);
        UnsafeBuffer packet = new UnsafeBuffer(new byte[2048]);
        int ipLength = IcmpEcho.writeEchoReply(
                packet,
                TransportMessage.DATA_OFFSET,
                ourTunnelAddress,
                wgTunnelAddress,
                IcmpEcho.identifier(request, ip),
                IcmpEcho.sequence(request, ip),
                request,
                dataOffset,
                dataLength);
        sendTransport(keypair, packet, ipLength);

        assertTrue(ping.get(15, TimeUnit.SECONDS), () -> "ping through RingGuard's reply failed\n" + wg.logTail());
    }

    private void sendTransport(Keypair keypair, UnsafeBuffer packet, int ipLength) throws IOException {
        int padded = TransportMessage.paddedLength(ipLength, 1420);
        packet.setMemory(TransportMessage.DATA_OFFSET + ipLength, padded - ipLength, (byte) 0);
        long counter = keypair.nextSendCounter();
        MessageType.putType(packet, 0, MessageType.TRANSPORT);
        TransportMessage.receiverIndex(packet, 0, keypair.remoteIndex());
        TransportMessage.counter(packet, 0, counter);
        aead.seal(keypair.sendKey(), counter, packet, TransportMessage.DATA_OFFSET, padded, none, 0, 0);
        send(packet, TransportMessage.HEADER_BYTES + padded + ChaCha20Poly1305.TAG_BYTES);
    }

    /** Opens a transport message in place; returns the plaintext length (padding included). */
    private int openTransport(Keypair keypair, UnsafeBuffer message) {
        int length = message.capacity();
        long counter = TransportMessage.counter(message, 0);
        assertTrue(
                aead.open(
                        keypair.receiveKey(),
                        counter,
                        message,
                        TransportMessage.DATA_OFFSET,
                        length - TransportMessage.HEADER_BYTES,
                        none,
                        0,
                        0),
                "transport packet from wireguard-go did not authenticate");
        assertTrue(keypair.acceptCounter(counter), "replayed counter " + counter);
        return length - TransportMessage.HEADER_BYTES - ChaCha20Poly1305.TAG_BYTES;
    }

    private void send(UnsafeBuffer buffer, int length) throws IOException {
        byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        channel.send(ByteBuffer.wrap(bytes), wgEndpoint);
    }

    /** Waits (bounded) for the next datagram of {@code type}, skipping any other type. */
    private UnsafeBuffer receive(int type) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(65536);
        long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (true) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                fail("no message of type " + type + " from wireguard-go within " + DEADLINE_MS + " ms\n"
                        + wg.logTail());
            }
            selector.select(left);
            selector.selectedKeys().clear();
            in.clear();
            if (channel.receive(in) == null) {
                continue;
            }
            in.flip();
            byte[] bytes = new byte[in.remaining()];
            in.get(bytes);
            UnsafeBuffer message = new UnsafeBuffer(bytes);
            if (MessageType.classify(message, 0, bytes.length) == type) {
                return message;
            }
        }
    }

    private static byte[] address(String ipv4) throws IOException {
        return InetAddress.getByName(ipv4).getAddress();
    }

    private static int ipv4(String address) throws IOException {
        return ByteBuffer.wrap(address(address)).getInt();
    }
}
