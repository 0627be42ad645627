package io.ringguard.dataplane.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.dataplane.sys.FakeUdp.Datagram;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class FakeUdpTest {
    private final UnsafeBuffer payloads = new UnsafeBuffer(new byte[4 * 128]);
    private final DatagramBatch batch = new DatagramBatch(4, payloads);

    FakeUdpTest() {
        for (int i = 0; i < 4; i++) {
            batch.payload(i, i * 128, 128);
        }
    }

    private static InetSocketAddress address(final String host, final int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    @Test
    void shouldReceiveInjectedDatagramsWithSourceAndLocalAddress() throws Exception {
        final FakeUdp udp = new FakeUdp(address("198.18.1.1", 51820), 8);
        udp.inject(new Datagram(new byte[] {1, 2}, address("198.18.1.2", 40000), InetAddress.getByName("198.18.1.1")));
        udp.inject(new Datagram(new byte[] {3}, address("198.18.1.3", 40001), null));

        assertEquals(1, udp.awaitReadable(0));
        assertEquals(2, udp.receive(batch, 4));
        assertEquals(2, batch.length(0));
        assertEquals(2, payloads.getByte(1));
        assertEquals(address("198.18.1.2", 40000), SockAddr.toInetSocketAddress(batch.endpoints(), 0));
        assertEquals(Posix.AF_INET, batch.localFamily(0));
        assertEquals(0xC6120101, batch.localIpv4Address(0));
        assertEquals(1, batch.length(1));
        assertEquals(40001, SockAddr.port(batch.endpoints(), DatagramBatch.remoteOffset(1)));
        assertEquals(0, batch.localFamily(1));
        assertEquals(IoStatus.WOULD_BLOCK, udp.receive(batch, 4));
    }

    @Test
    void shouldMarkDatagramsLargerThanTheSlotTruncated() throws Exception {
        final FakeUdp udp = new FakeUdp(address("198.18.1.1", 51820), 8);
        udp.inject(new Datagram(new byte[200], address("198.18.1.2", 1), null));

        assertEquals(1, udp.receive(batch, 1));
        assertEquals(DatagramBatch.TRUNCATED, batch.length(0));
    }

    @Test
    void shouldRecordSentDatagramsWithDestinationAndChosenSource() throws Exception {
        final FakeUdp udp = new FakeUdp(address("fd00:18:1::1", 51820), 8);
        payloads.putBytes(0, new byte[] {5, 6, 7});
        batch.length(0, 3);
        SockAddr.write(batch.endpoints(), DatagramBatch.remoteOffset(0), address("fd00:18:1::2", 1000));
        batch.localIpv6(0, 0xfd00001800010000L, 1L, 0);
        batch.length(1, 0);
        SockAddr.write(batch.endpoints(), DatagramBatch.remoteOffset(1), address("fd00:18:1::3", 1001));
        batch.clearLocal(1);

        assertEquals(2, udp.send(batch, 0, 2));
        final Datagram first = udp.pollSent();
        assertArrayEquals(new byte[] {5, 6, 7}, first.payload());
        assertEquals(address("fd00:18:1::2", 1000), first.remote());
        assertEquals(InetAddress.getByName("fd00:18:1::1"), first.local());
        assertNull(udp.pollSent().local());
    }

    @Test
    void shouldDeliverBetweenWiredSocketsWithTheSendersAddressAsSource() throws Exception {
        final FakeUdp a = new FakeUdp(address("198.18.2.1", 1111), 8);
        final FakeUdp b = new FakeUdp(address("198.18.2.2", 2222), 8);
        FakeUdp.wire(a, b);
        payloads.putByte(0, (byte) 42);
        batch.length(0, 1);
        SockAddr.write(batch.endpoints(), 0, b.localAddress());

        assertEquals(1, a.send(batch, 0, 1));
        assertEquals(0, a.sentCount(), "delivered, not recorded");
        payloads.putByte(0, (byte) 0);
        assertEquals(1, b.receive(batch, 1));
        assertEquals(42, payloads.getByte(0));
        assertEquals(a.localAddress(), SockAddr.toInetSocketAddress(batch.endpoints(), 0));
        assertEquals(0xC6120202, batch.localIpv4Address(0));
    }

    @Test
    void shouldFailOneSendWhenToldAndPushBackWhenFull() throws Exception {
        final FakeUdp udp = new FakeUdp(address("198.18.1.1", 1), 2);
        for (int i = 0; i < 4; i++) {
            batch.length(i, 1);
            SockAddr.write(batch.endpoints(), DatagramBatch.remoteOffset(i), address("198.18.1.2", 2));
        }
        udp.failNextSend(Posix.EPERM);

        assertEquals(IoStatus.ERROR, udp.send(batch, 0, 4));
        assertEquals(Posix.EPERM, udp.lastSendErrno());
        assertEquals(2, udp.send(batch, 1, 3), "two fit, the third would block");
        assertEquals(IoStatus.WOULD_BLOCK, udp.send(batch, 3, 1));
    }

    @Test
    void shouldDropInjectionsBeyondItsBoundAndCountThem() throws Exception {
        final FakeUdp udp = new FakeUdp(address("198.18.1.1", 1), 1);
        assertTrue(udp.inject(new Datagram(new byte[1], address("198.18.1.2", 2), null)));
        assertFalse(udp.inject(new Datagram(new byte[1], address("198.18.1.2", 2), null)));
        assertEquals(1, udp.dropped());
        udp.close();
        assertEquals(IoStatus.CLOSED, udp.receive(batch, 1));
        assertEquals(IoStatus.CLOSED, udp.send(batch, 0, 1));
    }
}
