package io.ringguard.dataplane.sys;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * An in-memory {@link UdpSocket} for pipeline tests without root. The test plays the network: {@link
 * #inject} a datagram for the dataplane to receive, {@link #pollSent} what it sent. {@link #wire} joins two
 * fakes so a datagram sent to the other's {@link #localAddress()} is delivered to it, with this one's
 * address as the source: two gateways in one JVM. Queues are bounded like socket buffers: a full receive
 * queue drops (inject returns false), a full sent queue makes {@link #send} return {@link
 * IoStatus#WOULD_BLOCK}. {@link #failNextSend(int)} makes one datagram fail with an errno.
 *
 * <p>Thread-safe (monitor); being a test double it allocates and locks.
 */
public final class FakeUdp implements UdpSocket {
    /** A datagram as the test sees it: payload, remote end (source or destination), local address or null. */
    public record Datagram(byte[] payload, InetSocketAddress remote, InetAddress local) {}

    private final InetSocketAddress localAddress;
    private final int family;
    private final int queueCapacity;
    private final ArrayDeque<Datagram> received = new ArrayDeque<>();
    private final ArrayDeque<Datagram> sent = new ArrayDeque<>();
    private FakeUdp peer;
    private int failNextSendErrno;
    private int lastSendErrno;
    private long dropped;
    private boolean closed;

    /** A socket "bound" to {@code localAddress}, whose family it takes, with queues of {@code queueCapacity}. */
    public FakeUdp(final InetSocketAddress localAddress, final int queueCapacity) {
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queue capacity must be at least 1, got " + queueCapacity);
        }
        this.localAddress = localAddress;
        this.family = localAddress.getAddress() instanceof Inet4Address ? Posix.AF_INET : Posix.AF_INET6;
        this.queueCapacity = queueCapacity;
    }

    /** Joins {@code a} and {@code b}: each one's sends to the other's local address arrive at the other. */
    public static void wire(final FakeUdp a, final FakeUdp b) {
        synchronized (a) {
            a.peer = b;
        }
        synchronized (b) {
            b.peer = a;
        }
    }

    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** Queues a datagram for the dataplane; false (and counted in {@link #dropped()}) when the queue is full. */
    public synchronized boolean inject(final Datagram datagram) {
        if (closed || received.size() >= queueCapacity) {
            dropped++;
            return false;
        }
        received.add(datagram);
        notifyAll();
        return true;
    }

    /** The oldest datagram sent and not delivered to a wired peer (remote = destination), or null. */
    public synchronized Datagram pollSent() {
        return sent.poll();
    }

    /** Datagrams sent and not yet polled. */
    public synchronized int sentCount() {
        return sent.size();
    }

    /** Datagrams dropped because the receive queue was full. */
    public synchronized long dropped() {
        return dropped;
    }

    /** The next datagram {@link #send} handles fails with {@code errno} ({@link IoStatus#ERROR}). */
    public synchronized void failNextSend(final int errno) {
        failNextSendErrno = errno;
    }

    @Override
    public synchronized int receive(final DatagramBatch batch, final int count) {
        if (closed) {
            return IoStatus.CLOSED;
        }
        int i = 0;
        while (i < count && !received.isEmpty()) {
            final Datagram datagram = received.poll();
            final byte[] payload = datagram.payload();
            final int capacityBytes = batch.payloadCapacity(i);
            if (payload.length > capacityBytes) {
                batch.payloadBuffer().putBytes(batch.payloadOffset(i), payload, 0, capacityBytes);
                batch.length(i, DatagramBatch.TRUNCATED);
            } else {
                batch.payloadBuffer().putBytes(batch.payloadOffset(i), payload);
                batch.length(i, payload.length);
            }
            SockAddr.write(batch.endpoints(), DatagramBatch.remoteOffset(i), datagram.remote());
            final InetAddress local = datagram.local();
            if (local == null) {
                batch.clearLocal(i);
            } else if (local instanceof Inet4Address) {
                batch.localIpv4(i, ByteBuffer.wrap(local.getAddress()).getInt(), 0);
            } else {
                final ByteBuffer bytes = ByteBuffer.wrap(local.getAddress());
                batch.localIpv6(i, bytes.getLong(), bytes.getLong(), 0);
            }
            i++;
        }
        return i == 0 ? IoStatus.WOULD_BLOCK : i;
    }

    @Override
    public int send(final DatagramBatch batch, final int first, final int count) {
        FakeUdp deliverTo;
        synchronized (this) {
            if (closed) {
                return IoStatus.CLOSED;
            }
            deliverTo = peer;
        }
        int k = 0;
        while (k < count) {
            final int entry = first + k;
            final byte[] payload = new byte[batch.length(entry)];
            batch.payloadBuffer().getBytes(batch.payloadOffset(entry), payload);
            final InetSocketAddress destination =
                    SockAddr.toInetSocketAddress(batch.endpoints(), DatagramBatch.remoteOffset(entry));
            final InetAddress source = batch.localFamily(entry) == family ? localOf(batch, entry) : null;
            synchronized (this) {
                final int errno = failNextSendErrno != 0 ? failNextSendErrno : destination == null ? Posix.EINVAL : 0;
                if (errno != 0) {
                    failNextSendErrno = 0;
                    lastSendErrno = errno;
                    return k == 0 ? IoStatus.ERROR : k;
                }
                if (deliverTo != null && destination.equals(deliverTo.localAddress())) {
                    // The network may drop; like UDP, the sender never learns.
                    deliverTo.inject(new Datagram(payload, localAddress, destination.getAddress()));
                } else if (sent.size() >= queueCapacity) {
                    return k == 0 ? IoStatus.WOULD_BLOCK : k;
                } else {
                    sent.add(new Datagram(payload, destination, source));
                }
            }
            k++;
        }
        return k;
    }

    private static InetAddress localOf(final DatagramBatch batch, final int entry) {
        final ByteBuffer bytes;
        if (batch.localFamily(entry) == Posix.AF_INET) {
            bytes = ByteBuffer.allocate(4).putInt(batch.localIpv4Address(entry));
        } else {
            bytes = ByteBuffer.allocate(16)
                    .putLong(batch.localIpv6AddressHigh(entry))
                    .putLong(batch.localIpv6AddressLow(entry));
        }
        try {
            return InetAddress.getByAddress(bytes.array());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("cannot happen for a 4 or 16 byte address", e);
        }
    }

    @Override
    public synchronized int awaitReadable(final int timeoutMs) {
        final long deadlineNs = System.nanoTime() + Math.max(0, timeoutMs) * 1_000_000L;
        while (true) {
            if (closed) {
                return IoStatus.CLOSED;
            }
            if (!received.isEmpty()) {
                return 1;
            }
            final long leftMs = (deadlineNs - System.nanoTime()) / 1_000_000L;
            if (leftMs <= 0) {
                return 0;
            }
            try {
                wait(leftMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
        }
    }

    @Override
    public int lastReceiveErrno() {
        return 0;
    }

    @Override
    public synchronized int lastSendErrno() {
        return lastSendErrno;
    }

    @Override
    public int family() {
        return family;
    }

    @Override
    public int boundPort() {
        return localAddress.getPort();
    }

    @Override
    public int fd() {
        return -1;
    }

    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
    }
}
