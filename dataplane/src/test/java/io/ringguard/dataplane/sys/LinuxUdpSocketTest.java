package io.ringguard.dataplane.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ringguard.buffers.PacketSlab;
import io.ringguard.testkit.Prerequisites;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The real sockets over loopback. Needs no root (only the SO_MARK and SO_RCVBUFFORCE checks change with
 * it), so it runs in every build: it is the test that proves the mmsghdr, iovec and cmsg layouts.
 */
class LinuxUdpSocketTest {
    private static final int BATCH = 32;
    private static final long DEADLINE_MS = 5_000;

    private final List<LinuxUdpSocket> sockets = new ArrayList<>();
    private final PacketSlab slab = new PacketSlab(BATCH, 1500);
    private final DatagramBatch batch = new DatagramBatch(BATCH, slab.buffer());

    LinuxUdpSocketTest() {
        for (int i = 0; i < BATCH; i++) {
            batch.payload(i, slab.payloadOffset(i), slab.maxPayloadBytes());
        }
    }

    @AfterEach
    void closeSockets() {
        sockets.forEach(LinuxUdpSocket::close);
    }

    private LinuxUdpSocket open(final int family, final String host, final int port) throws Exception {
        final LinuxUdpSocket socket =
                LinuxUdpSocket.open(family, host == null ? null : InetAddress.getByName(host), port, BATCH);
        sockets.add(socket);
        return socket;
    }

    @Test
    void shouldExchangeABatchOf32DatagramsOverIpv4Loopback() throws Exception {
        exchangeBatch(Posix.AF_INET, "127.0.0.1");
    }

    @Test
    void shouldExchangeABatchOf32DatagramsOverIpv6Loopback() throws Exception {
        Prerequisites.require(
                Files.readString(Path.of("/proc/net/if_inet6")).contains("00000000000000000000000000000001"),
                "needs IPv6 loopback ::1");
        exchangeBatch(Posix.AF_INET6, "::1");
    }

    private void exchangeBatch(final int family, final String host) throws Exception {
        final LinuxUdpSocket sender = open(family, host, 0);
        final LinuxUdpSocket receiver = open(family, host, 0);
        assertNotEquals(0, sender.boundPort());
        assertNotEquals(sender.boundPort(), receiver.boundPort());
        final InetSocketAddress destination = new InetSocketAddress(InetAddress.getByName(host), receiver.boundPort());
        for (int i = 0; i < BATCH; i++) {
            final int lengthBytes = 100 + i;
            slab.buffer().setMemory(slab.payloadOffset(i), lengthBytes, (byte) i);
            batch.length(i, lengthBytes);
            SockAddr.write(batch.endpoints(), DatagramBatch.remoteOffset(i), destination);
            batch.clearLocal(i);
        }

        sendAll(sender, BATCH);
        slab.buffer().setMemory(0, slab.capacityBytes(), (byte) 0xFF);
        SockAddr.clear(batch.endpoints(), 0);
        final int received = receiveAll(receiver, BATCH);

        assertEquals(BATCH, received);
        final InetSocketAddress expectedSource = new InetSocketAddress(InetAddress.getByName(host), sender.boundPort());
        for (int i = 0; i < BATCH; i++) {
            // Loopback keeps order within one socket pair, so datagram i lands in entry i.
            assertEquals(100 + i, batch.length(i), "length of " + i);
            for (int b = 0; b < batch.length(i); b++) {
                assertEquals((byte) i, slab.buffer().getByte(slab.payloadOffset(i) + b), "byte " + b + " of " + i);
            }
            assertEquals(
                    expectedSource,
                    SockAddr.toInetSocketAddress(batch.endpoints(), DatagramBatch.remoteOffset(i)),
                    "source of " + i);
            assertEquals(family, batch.localFamily(i), "pktinfo of " + i);
            assertEquals(InetAddress.getByName(host), localAddress(batch, i), "local destination of " + i);
            assertTrue(batch.localIfindex(i) > 0, "ifindex of lo");
        }
    }

    @Test
    void shouldSendRunsOfEqualDatagramsWithUdpSegmentAndDeliverEachOne() throws Exception {
        final LinuxUdpSocket sender = open(Posix.AF_INET, "127.0.0.1", 0);
        Prerequisites.require(sender.udpGso(true), "needs UDP_SEGMENT (Linux 4.18+)");
        final LinuxUdpSocket first = open(Posix.AF_INET, "127.0.0.1", 0);
        final LinuxUdpSocket second = open(Posix.AF_INET, "127.0.0.1", 0);
        // 0..19 to the first socket (1200 bytes, the last of the run 900), 20..31 to the second (1000 bytes),
        // 20..31 sent from the local address pinned by pktinfo: three GSO messages, 32 datagrams.
        for (int i = 0; i < BATCH; i++) {
            final int lengthBytes = i < 19 ? 1200 : i == 19 ? 900 : 1000;
            for (int b = 0; b < lengthBytes; b++) {
                slab.buffer().putByte(slab.payloadOffset(i) + b, (byte) (i * 7 + b));
            }
            batch.length(i, lengthBytes);
            SockAddr.writeIpv4(
                    batch.endpoints(),
                    DatagramBatch.remoteOffset(i),
                    0x7F000001,
                    i < 20 ? first.boundPort() : second.boundPort());
            if (i < 20) {
                batch.clearLocal(i);
            } else {
                batch.localIpv4(i, 0x7F000001, 0);
            }
        }
        assertEquals(BATCH, sender.send(batch, 0, BATCH), "all 32 in one call");
        assertTrue(sender.udpGso(), "the kernel took the segmented sends");

        slab.buffer().setMemory(0, slab.capacityBytes(), (byte) 0xFF);
        assertEquals(20, receiveAll(first, 20));
        checkSegmentedPayloads(0, 20);
        assertEquals(12, receiveAll(second, 12));
        checkSegmentedPayloads(20, 12);
    }

    /** Entries 0..count-1 of the batch hold datagrams from..from+count-1 of the segmented send. */
    private void checkSegmentedPayloads(final int from, final int count) {
        for (int k = 0; k < count; k++) {
            final int i = from + k;
            final int lengthBytes = i < 19 ? 1200 : i == 19 ? 900 : 1000;
            assertEquals(lengthBytes, batch.length(k), "length of datagram " + i);
            for (int b = 0; b < lengthBytes; b++) {
                assertEquals(
                        (byte) (i * 7 + b),
                        slab.buffer().getByte(slab.payloadOffset(k) + b),
                        "byte " + b + " of datagram " + i);
            }
        }
    }

    @Test
    void shouldReceiveASegmentedSendCoalescedWithGroAndSplitItIntoOneEntryPerDatagram() throws Exception {
        final LinuxUdpSocket sender = open(Posix.AF_INET, "127.0.0.1", 0);
        Prerequisites.require(sender.udpGso(true), "needs UDP_SEGMENT (Linux 4.18+)");
        final LinuxUdpSocket receiver = open(Posix.AF_INET, "127.0.0.1", 0);
        Prerequisites.require(receiver.udpGro(true), "needs UDP_GRO (Linux 5.0+)");
        // 0..29: 1200 bytes, 30: 900 (one GSO message of 31), then 31: 148 bytes, a handshake-sized single.
        for (int i = 0; i < BATCH; i++) {
            final int lengthBytes = groLength(i);
            for (int b = 0; b < lengthBytes; b++) {
                slab.buffer().putByte(slab.payloadOffset(i) + b, (byte) (i * 7 + b));
            }
            batch.length(i, lengthBytes);
            SockAddr.writeIpv4(batch.endpoints(), DatagramBatch.remoteOffset(i), 0x7F000001, receiver.boundPort());
            batch.clearLocal(i);
        }
        sendAll(sender, BATCH);
        slab.buffer().setMemory(0, slab.capacityBytes(), (byte) 0xFF);

        // Five entries per call, so a run must carry over between calls; bounded by the deadline.
        final DatagramBatch five = new DatagramBatch(5, slab.buffer());
        final long deadlineNs = System.nanoTime() + DEADLINE_MS * 1_000_000L;
        int received = 0;
        int mostPerMessage = 0;
        while (received < BATCH && System.nanoTime() < deadlineNs) {
            if (receiver.awaitReadable(100) <= 0) {
                continue;
            }
            final int want = Math.min(5, BATCH - received);
            for (int k = 0; k < want; k++) {
                five.payload(k, slab.payloadOffset(received + k), slab.maxPayloadBytes());
            }
            final int n = receiver.receive(five, want);
            if (n == IoStatus.WOULD_BLOCK) {
                continue;
            }
            assertTrue(n > 0, "receive returned " + IoStatus.name(n) + ", errno " + receiver.lastReceiveErrno());
            mostPerMessage = Math.max(mostPerMessage, receiver.datagramsPerMessage());
            for (int k = 0; k < n; k++) {
                final int i = received + k;
                assertEquals(groLength(i), five.length(k), "length of datagram " + i);
                assertEquals(sender.boundPort(), SockAddr.port(five.endpoints(), DatagramBatch.remoteOffset(k)));
                assertEquals(Posix.AF_INET, five.localFamily(k), "pktinfo of " + i);
                assertEquals(0x7F000001, five.localIpv4Address(k));
                for (int b = 0; b < groLength(i); b++) {
                    assertEquals(
                            (byte) (i * 7 + b),
                            slab.buffer().getByte(slab.payloadOffset(i) + b),
                            "byte " + b + " of datagram " + i);
                }
            }
            received += n;
        }

        assertEquals(BATCH, received, "every datagram, each in its own entry");
        assertTrue(mostPerMessage > 1, "the kernel coalesced the run: " + mostPerMessage + " datagrams per message");
        assertEquals(IoStatus.WOULD_BLOCK, receiver.receive(five, 5), "nothing left over");
    }

    private static int groLength(final int i) {
        return i < 30 ? 1200 : i == 30 ? 900 : 148;
    }

    @Test
    void shouldAnswerFromTheLocalAddressThePeerContacted() throws Exception {
        // A wildcard socket: 127.0.0.3 and 127.0.0.1 are both its addresses, pktinfo tells which was used.
        final LinuxUdpSocket gateway = open(Posix.AF_INET, null, 0);
        final LinuxUdpSocket peer = open(Posix.AF_INET, "127.0.0.1", 0);
        batch.length(0, 10);
        SockAddr.write(
                batch.endpoints(),
                DatagramBatch.remoteOffset(0),
                new InetSocketAddress(InetAddress.getByName("127.0.0.3"), gateway.boundPort()));
        batch.clearLocal(0);
        sendAll(peer, 1);

        assertEquals(1, receiveAll(gateway, 1));
        assertEquals(InetAddress.getByName("127.0.0.3"), localAddress(batch, 0));

        // Reply with the entry as received: remote = the peer, local = the address it contacted.
        sendAll(gateway, 1);
        batch.clearLocal(0);
        assertEquals(1, receiveAll(peer, 1));
        assertEquals(
                new InetSocketAddress(InetAddress.getByName("127.0.0.3"), gateway.boundPort()),
                SockAddr.toInetSocketAddress(batch.endpoints(), 0));
    }

    @Test
    void shouldReturnWouldBlockWithoutThrowingOnAnEmptySocket() throws Exception {
        final LinuxUdpSocket socket = open(Posix.AF_INET, "127.0.0.1", 0);

        assertEquals(IoStatus.WOULD_BLOCK, socket.receive(batch, BATCH));
        assertEquals(Posix.EAGAIN, socket.lastReceiveErrno());
        assertEquals(0, socket.awaitReadable(0));
    }

    @Test
    void shouldMarkADatagramLargerThanItsSlotTruncated() throws Exception {
        final LinuxUdpSocket sender = open(Posix.AF_INET, "127.0.0.1", 0);
        final LinuxUdpSocket receiver = open(Posix.AF_INET, "127.0.0.1", 0);
        batch.length(0, 200);
        SockAddr.writeIpv4(batch.endpoints(), 0, 0x7F000001, receiver.boundPort());
        batch.clearLocal(0);
        sendAll(sender, 1);
        batch.payload(0, slab.payloadOffset(0), 100);

        assertEquals(1, receiveAll(receiver, 1));
        assertEquals(DatagramBatch.TRUNCATED, batch.length(0));
    }

    @Test
    void shouldRefuseATakenPortWithTheKernelsReason() throws Exception {
        final LinuxUdpSocket first = open(Posix.AF_INET, "127.0.0.1", 0);

        final NativeIoException e =
                assertThrows(NativeIoException.class, () -> open(Posix.AF_INET, "127.0.0.1", first.boundPort()));
        assertEquals(Posix.EADDRINUSE, e.errno());
        assertTrue(e.getMessage().startsWith("bind 127.0.0.1:" + first.boundPort() + ": "), e.getMessage());
    }

    @Test
    void shouldFailSendToAnEmptyEndpointAsAnErrorCode() throws Exception {
        final LinuxUdpSocket socket = open(Posix.AF_INET, "127.0.0.1", 0);
        batch.length(0, 10);
        SockAddr.clear(batch.endpoints(), 0);
        batch.clearLocal(0);

        assertEquals(IoStatus.ERROR, socket.send(batch, 0, 1));
        assertNotEquals(0, socket.lastSendErrno());
    }

    @Test
    void shouldRefuseHeapPayloadBuffersInsteadOfPassingTheKernelABadAddress() throws Exception {
        final LinuxUdpSocket socket = open(Posix.AF_INET, "127.0.0.1", 0);
        final DatagramBatch onHeap = new DatagramBatch(1, new UnsafeBuffer(new byte[1500]));
        onHeap.payload(0, 0, 1500);
        onHeap.length(0, 10);
        SockAddr.writeIpv4(onHeap.endpoints(), 0, 0x7F000001, socket.boundPort());

        assertEquals(IoStatus.ERROR, socket.send(onHeap, 0, 1));
        assertEquals(Posix.EFAULT, socket.lastSendErrno());
        assertEquals(IoStatus.ERROR, socket.receive(onHeap, 1));
        assertEquals(Posix.EFAULT, socket.lastReceiveErrno());
    }

    @Test
    void shouldReturnClosedAfterClose() throws Exception {
        final LinuxUdpSocket socket = open(Posix.AF_INET, "127.0.0.1", 0);
        socket.close();
        socket.close();

        assertEquals(-1, socket.fd());
        assertEquals(IoStatus.CLOSED, socket.receive(batch, 1));
        assertEquals(IoStatus.CLOSED, socket.send(batch, 0, 1));
        assertEquals(IoStatus.CLOSED, socket.awaitReadable(0));
    }

    @Test
    void shouldGrowSocketBuffersForcedAsRootAndCappedOtherwise() throws Exception {
        final LinuxUdpSocket socket = open(Posix.AF_INET, "127.0.0.1", 0);
        final int requested = 4 << 20;

        final int receive = socket.receiveBufferBytes(requested);
        final int send = socket.sendBufferBytes(requested);

        assertEquals(receive, socket.receiveBufferBytes());
        assertEquals(send, socket.sendBufferBytes());
        if (Prerequisites.isRoot()) {
            // SO_*BUFFORCE bypasses rmem_max/wmem_max; the kernel doubles the request for its bookkeeping.
            assertEquals(2 * requested, receive);
            assertEquals(2 * requested, send);
        } else {
            assertTrue(receive > 0 && send > 0);
        }
    }

    @Test
    void shouldSetTheFwmarkAsRootAndExplainWhyNotOtherwise() throws Exception {
        final LinuxUdpSocket socket = open(Posix.AF_INET6, null, 0);
        if (Prerequisites.isRoot()) {
            socket.fwmark(0x51820);
            assertEquals(0x51820, socket.fwmark());
            socket.fwmark(0);
            assertEquals(0, socket.fwmark());
        } else {
            final NativeIoException e = assertThrows(NativeIoException.class, () -> socket.fwmark(1));
            assertTrue(e.getMessage().contains("CAP_NET_ADMIN"), e.getMessage());
        }
    }

    private void sendAll(final LinuxUdpSocket socket, final int count) {
        final long deadlineNs = System.nanoTime() + DEADLINE_MS * 1_000_000L;
        int sent = 0;
        while (sent < count) {
            final int n = socket.send(batch, sent, count - sent);
            if (n > 0) {
                sent += n;
            } else if (n != IoStatus.WOULD_BLOCK) {
                fail("send returned " + IoStatus.name(n) + ", errno " + socket.lastSendErrno());
            } else if (System.nanoTime() > deadlineNs) {
                fail("send still blocked after " + DEADLINE_MS + " ms, sent " + sent);
            }
        }
    }

    /** Receives into entries 0.. until {@code count} arrived or the deadline; the batch's entries fill in order. */
    private int receiveAll(final LinuxUdpSocket socket, final int count) {
        final long deadlineNs = System.nanoTime() + DEADLINE_MS * 1_000_000L;
        int received = 0;
        final DatagramBatch rest = new DatagramBatch(BATCH, slab.buffer());
        while (received < count && System.nanoTime() < deadlineNs) {
            if (socket.awaitReadable(100) <= 0) {
                continue;
            }
            // Receive into a scratch batch positioned after what already arrived, then copy the records over.
            for (int i = 0; i < count - received; i++) {
                rest.payload(i, batch.payloadOffset(received + i), batch.payloadCapacity(received + i));
            }
            final int n = socket.receive(rest, count - received);
            if (n == IoStatus.WOULD_BLOCK) {
                continue;
            }
            assertTrue(n > 0, "receive returned " + IoStatus.name(n) + ", errno " + socket.lastReceiveErrno());
            for (int i = 0; i < n; i++) {
                batch.length(received + i, rest.length(i));
                batch.endpoints()
                        .putBytes(
                                (received + i) * DatagramBatch.ENDPOINT_RECORD_BYTES,
                                rest.endpoints(),
                                i * DatagramBatch.ENDPOINT_RECORD_BYTES,
                                DatagramBatch.ENDPOINT_RECORD_BYTES);
            }
            received += n;
        }
        return received;
    }

    private static InetAddress localAddress(final DatagramBatch batch, final int i) throws Exception {
        final byte[] bytes = new byte[batch.localFamily(i) == Posix.AF_INET ? 4 : 16];
        batch.endpoints().getBytes(i * DatagramBatch.ENDPOINT_RECORD_BYTES + DatagramBatch.LOCAL_ADDRESS_OFFSET, bytes);
        return InetAddress.getByAddress(bytes);
    }
}
