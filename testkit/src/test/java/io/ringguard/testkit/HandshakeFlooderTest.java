package io.ringguard.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.testkit.HandshakeFlooder.Result;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bouncycastle.crypto.digests.Blake2sDigest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The flood generator against a fake target on loopback (no root: Linux answers all of 127/8 on lo): what it
 * sends is a well-formed initiation with a valid mac1, it keeps to its schedule, and it counts replies by type.
 */
@Timeout(30)
class HandshakeFlooderTest {
    private static final byte[] PUBLIC_KEY = new byte[32];

    static {
        for (int i = 0; i < PUBLIC_KEY.length; i++) {
            PUBLIC_KEY[i] = (byte) (i * 7 + 1);
        }
    }

    /** Answers each source differently: 127.0.0.2 cookie reply, .3 response, .4 junk, .5 nothing. */
    private static final class FakeTarget implements AutoCloseable {
        final DatagramSocket socket;
        final Thread thread;
        final AtomicBoolean stop = new AtomicBoolean();
        final Set<String> ephemerals = new HashSet<>();
        volatile int wellFormed;
        volatile int malformed;

        FakeTarget() throws IOException {
            socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            socket.setSoTimeout(50);
            thread = new Thread(this::serve, "fake-wireguard-target");
            thread.start();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        private void serve() {
            byte[] key = independentMac1Key();
            byte[] buffer = new byte[2_048];
            long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!stop.get() && System.nanoTime() - deadlineNs < 0) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    continue;
                } catch (IOException e) {
                    return;
                }
                byte[] reply = switch (packet.getAddress().getHostAddress()) {
                    case "127.0.0.2" -> typed(3, 64);
                    case "127.0.0.3" -> typed(2, 92);
                    case "127.0.0.4" -> typed(9, 10);
                    default -> null;
                };
                if (reply != null) {
                    try {
                        socket.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
                    } catch (IOException e) {
                        return;
                    }
                }
                // Checked after replying, so a slow check cannot delay the replies past the flooder's listening.
                byte[] message = Arrays.copyOf(packet.getData(), packet.getLength());
                if (wellFormed(message, key)) {
                    wellFormed++;
                    ephemerals.add(Arrays.toString(Arrays.copyOfRange(message, 8, 40)));
                } else {
                    malformed++;
                }
            }
        }

        /** Stops serving and waits for the thread, so its counts are final and visible. */
        void stop() throws InterruptedException {
            stop.set(true);
            thread.join(5_000);
        }

        @Override
        public void close() {
            stop.set(true);
            socket.close();
        }
    }

    @Test
    void shouldKeepToTheRateSendValidMac1AndCountRepliesByType() throws Exception {
        try (FakeTarget target = new FakeTarget();
                HandshakeFlooder flooder = HandshakeFlooder.open(sources(2, 5), target.address(), PUBLIC_KEY)) {
            long durationNs = TimeUnit.MILLISECONDS.toNanos(300);
            // Listening long enough for a fake target still cold (interpreted) on a loaded machine.
            Result result = flooder.run(2_000, durationNs, TimeUnit.MILLISECONDS.toNanos(4_000));

            assertEquals(600, result.attempted(), result::toString);
            assertEquals(600, result.sent(), result::toString);
            assertEquals(0, result.sendFailures(), result::toString);
            // Packet 599 is due at 599 / 2000 s: a flooder ahead of its schedule would finish sooner.
            assertTrue(result.sendElapsedNs() >= 599L * 1_000_000_000L / 2_000, result::toString);
            assertTrue(result.sendElapsedNs() < TimeUnit.SECONDS.toNanos(10), result::toString);
            target.stop();
            assertEquals(600, target.wellFormed, () -> target.malformed + " malformed; " + result);
            assertEquals(600, target.ephemerals.size(), "the random fields repeat");
            // Round-robin: 150 per source; what came back is counted by type.
            assertEquals(150, result.cookieReplies(), result::toString);
            assertEquals(150, result.responses(), result::toString);
            assertEquals(150, result.others(), result::toString);
            assertTrue(result.firstCookieReplyAfterNs() >= 0, result::toString);
            assertTrue(result.lastCookieReplyAfterNs() >= result.firstCookieReplyAfterNs(), result::toString);
            assertEquals(result, Result.parse("flood", "noise\n" + result.toLine("flood") + " start_late_ms=0\n"));
        }
    }

    @Test
    void shouldSendExactlyOneInitiationForAProbe() throws Exception {
        try (FakeTarget target = new FakeTarget();
                HandshakeFlooder flooder = HandshakeFlooder.open(sources(5, 5), target.address(), PUBLIC_KEY)) {
            Result result = flooder.run(1, 0, TimeUnit.MILLISECONDS.toNanos(200));
            target.stop();
            assertEquals(1, result.sent(), result::toString);
            assertEquals(1, target.wellFormed);
            assertEquals(0, result.cookieReplies() + result.responses() + result.others(), result::toString);
            assertEquals(-1, result.firstCookieReplyAfterNs());
        }
    }

    @Test
    void shouldDeriveTheMac1KeyFromTheLabelAndThePublicKey() {
        assertArrayEquals(independentMac1Key(), HandshakeFlooder.mac1Key(PUBLIC_KEY));
    }

    @Test
    void shouldRefuseAnUnboundedFlood() throws Exception {
        try (FakeTarget target = new FakeTarget();
                HandshakeFlooder flooder = HandshakeFlooder.open(sources(5, 5), target.address(), PUBLIC_KEY)) {
            assertThrows(
                    IllegalArgumentException.class, () -> flooder.run(1_000, HandshakeFlooder.MAX_DURATION_NS + 1, 0));
            assertThrows(IllegalArgumentException.class, () -> flooder.run(0, 1_000, 0));
        }
    }

    /** Whitepaper 5.4.4, written out here rather than through the flooder's code. */
    private static byte[] independentMac1Key() {
        Blake2sDigest hash = new Blake2sDigest(256);
        byte[] label = "mac1----".getBytes(StandardCharsets.US_ASCII);
        hash.update(label, 0, label.length);
        hash.update(PUBLIC_KEY, 0, PUBLIC_KEY.length);
        byte[] key = new byte[32];
        hash.doFinal(key, 0);
        return key;
    }

    /** Type 1, 148 bytes, reserved zero, mac1 = BLAKE2s-128 keyed over bytes 0..116, mac2 zero. */
    private static boolean wellFormed(byte[] message, byte[] key) {
        if (message.length != 148 || message[0] != 1 || message[1] != 0 || message[2] != 0 || message[3] != 0) {
            return false;
        }
        Blake2sDigest mac = new Blake2sDigest(key, 16, null, null);
        mac.update(message, 0, 116);
        byte[] expected = new byte[16];
        mac.doFinal(expected, 0);
        return Arrays.equals(expected, Arrays.copyOfRange(message, 116, 132))
                && Arrays.equals(new byte[16], Arrays.copyOfRange(message, 132, 148));
    }

    private static byte[] typed(int type, int lengthBytes) {
        byte[] message = new byte[lengthBytes];
        message[0] = (byte) type;
        return message;
    }

    private static List<InetAddress> sources(int firstHost, int lastHost) throws IOException {
        List<InetAddress> sources = new ArrayList<>();
        for (int host = firstHost; host <= lastHost; host++) {
            sources.add(InetAddress.getByName("127.0.0." + host));
        }
        return sources;
    }
}
