package io.ringguard.dataplane.sys;

import java.util.ArrayDeque;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * An in-memory {@link TunDevice} for pipeline tests without root: the test plays the kernel, {@link #inject}
 * a packet for the dataplane to read and {@link #pollWritten} what it wrote. Both queues are bounded:
 * injecting into a full read queue fails (the kernel would drop), writing into a full written queue returns
 * {@link IoStatus#WOULD_BLOCK}, so back-pressure paths can be tested. {@link #delete()} acts like {@code ip
 * link del}: every later call returns {@link IoStatus#DEVICE_GONE}.
 *
 * <p>Thread-safe (monitor): the dataplane's reader and writer threads and the test thread may all call it.
 * Being a test double, it allocates and locks; the waits are bounded by the caller's timeout.
 */
public final class FakeTun implements TunDevice {
    private final String name;
    private final int mtu;
    private final int queueCapacity;
    private final ArrayDeque<byte[]> toRead = new ArrayDeque<>();
    private final ArrayDeque<byte[]> written = new ArrayDeque<>();
    private boolean deleted;
    private boolean closed;

    /** A device named {@code name} with MTU {@code mtu} whose two queues hold {@code queueCapacity} packets each. */
    public FakeTun(final String name, final int mtu, final int queueCapacity) {
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queue capacity must be at least 1, got " + queueCapacity);
        }
        this.name = name;
        this.mtu = mtu;
        this.queueCapacity = queueCapacity;
    }

    /** Queues a packet for the dataplane to read; false when the read queue is full or the device is gone. */
    public synchronized boolean inject(final byte[] packet) {
        if (deleted || closed || toRead.size() >= queueCapacity) {
            return false;
        }
        toRead.add(packet.clone());
        notifyAll();
        return true;
    }

    /** The oldest packet the dataplane wrote, or null. */
    public synchronized byte[] pollWritten() {
        final byte[] packet = written.poll();
        notifyAll();
        return packet;
    }

    /** Waits up to {@code timeoutMs} for a written packet; null if none came. */
    public synchronized byte[] awaitWritten(final long timeoutMs) throws InterruptedException {
        final long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
        while (written.isEmpty()) {
            final long leftMs = (deadlineNs - System.nanoTime()) / 1_000_000L;
            if (leftMs <= 0) {
                return null;
            }
            wait(leftMs);
        }
        return pollWritten();
    }

    /** Packets written and not yet polled. */
    public synchronized int writtenCount() {
        return written.size();
    }

    /** Packets injected and not yet read. */
    public synchronized int pendingReadCount() {
        return toRead.size();
    }

    /** Simulates {@code ip link del}: later calls return {@link IoStatus#DEVICE_GONE}; waiters wake up. */
    public synchronized void delete() {
        deleted = true;
        notifyAll();
    }

    @Override
    public synchronized int read(final MutableDirectBuffer buffer, final int offset, final int capacityBytes) {
        final int status = status();
        if (status != 0) {
            return status;
        }
        final byte[] packet = toRead.poll();
        if (packet == null) {
            return IoStatus.WOULD_BLOCK;
        }
        // Like a short read(2) buffer: the rest of the packet is lost.
        final int lengthBytes = Math.min(packet.length, capacityBytes);
        buffer.putBytes(offset, packet, 0, lengthBytes);
        return lengthBytes;
    }

    @Override
    public synchronized int write(final DirectBuffer buffer, final int offset, final int lengthBytes) {
        final int status = status();
        if (status != 0) {
            return status;
        }
        if (written.size() >= queueCapacity) {
            return IoStatus.WOULD_BLOCK;
        }
        final byte[] packet = new byte[lengthBytes];
        buffer.getBytes(offset, packet);
        written.add(packet);
        notifyAll();
        return lengthBytes;
    }

    @Override
    public synchronized int awaitReadable(final int timeoutMs) {
        final long deadlineNs = System.nanoTime() + Math.max(0, timeoutMs) * 1_000_000L;
        while (true) {
            final int status = status();
            if (status != 0) {
                return status;
            }
            if (!toRead.isEmpty()) {
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

    private int status() {
        if (closed) {
            return IoStatus.CLOSED;
        }
        return deleted ? IoStatus.DEVICE_GONE : 0;
    }

    @Override
    public synchronized int lastReadErrno() {
        return deleted ? Posix.EBADFD : 0;
    }

    @Override
    public synchronized int lastWriteErrno() {
        return deleted ? Posix.EBADFD : 0;
    }

    @Override
    public int fd() {
        return -1;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
    }
}
