package io.ringguard.dataplane.sys;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A layer-3 TUN interface without packet information headers: each read returns one whole IPv4 or IPv6
 * packet and each write injects one. {@link LinuxTun} is the real one, {@link FakeTun} the in-memory one
 * for pipeline tests.
 *
 * <p>Packet-path calls ({@link #read}, {@link #readBatch}, {@link #write}, {@link #awaitReadable}) never
 * block longer than asked, never throw and never allocate: they return a length/count {@code >= 0} or an
 * {@link IoStatus} code. Buffers passed to a native device must be off-heap (a {@code PacketSlab}'s buffer).
 *
 * <p>Threading: one reader thread calls {@code read}, {@code readBatch} and {@code awaitReadable}; one
 * writer thread calls {@code write}; they may be different threads. {@link #close} is called after both
 * have stopped (a reader learns to stop from its own flag, checked each time {@code awaitReadable} times
 * out), so a descriptor is never closed under a running call and then reused by the kernel for another file.
 */
public interface TunDevice extends AutoCloseable {
    /** Default MTU of a WireGuard interface: 1500 minus the IPv6 + UDP + WireGuard overhead (80 bytes). */
    int DEFAULT_MTU = 1420;

    /**
     * Reads one packet into {@code buffer[offset, offset + capacityBytes)} without blocking.
     *
     * @return the packet length in bytes, or {@link IoStatus#WOULD_BLOCK} when no packet is queued, {@link
     *     IoStatus#DEVICE_GONE}, {@link IoStatus#CLOSED} or {@link IoStatus#ERROR}. A packet longer than
     *     {@code capacityBytes} is truncated by the kernel; size slots for the MTU.
     */
    int read(MutableDirectBuffer buffer, int offset, int capacityBytes);

    /**
     * Reads up to {@code count} packets, packet {@code i} into {@code buffer} at {@code offsets[i]} with room
     * {@code capacityBytes}, its length into {@code lengths[i]}; stops at the first would-block. A TUN has no
     * batched read syscall without vnet headers, so this is {@code read} in a loop; it exists so the reader
     * stage has the same batch shape as the UDP receiver.
     *
     * @return the number of packets read ({@code >= 1}), or the status of the first read when it read none.
     */
    default int readBatch(MutableDirectBuffer buffer, int[] offsets, int capacityBytes, int[] lengths, int count) {
        // One read per packet until the queue is empty; a vnet_hdr/offload device can do better.
        int i = 0;
        while (i < count) {
            final int n = read(buffer, offsets[i], capacityBytes);
            if (n < 0) {
                return i == 0 ? n : i;
            }
            lengths[i++] = n;
        }
        return i;
    }

    /**
     * Writes one packet {@code buffer[offset, offset + lengthBytes)} into the interface.
     *
     * @return {@code lengthBytes}, or an {@link IoStatus} code ({@link IoStatus#ERROR} e.g. for a malformed
     *     packet the kernel rejects, {@link IoStatus#WOULD_BLOCK} when the interface's queue is full).
     */
    int write(DirectBuffer buffer, int offset, int lengthBytes);

    /**
     * Writes whatever {@link #write} held back to merge with the next packet (a device with offloads coalesces
     * consecutive TCP segments); the writer calls it at the end of each batch. Writer thread.
     *
     * @return bytes written ({@code 0}: nothing was pending), or an {@link IoStatus} code.
     */
    default int flush() {
        return 0;
    }

    /**
     * Waits until a packet can be read or {@code timeoutMs} passes ({@code 0}: just check; negative: no
     * limit, which a reader that must stop cleanly should not use).
     *
     * @return {@code 1} when readable, {@code 0} on timeout (or a signal), {@link IoStatus#DEVICE_GONE} when
     *     the kernel reports an error on the descriptor, {@link IoStatus#CLOSED}.
     */
    int awaitReadable(int timeoutMs);

    /** The errno of the last {@link IoStatus#ERROR} or {@link IoStatus#DEVICE_GONE} on the read side; reader thread. */
    int lastReadErrno();

    /** The errno of the last failed write; writer thread. */
    int lastWriteErrno();

    /** The file descriptor, or {@code -1} for a fake or after close. */
    int fd();

    /** The interface name the kernel gave the device (it may differ from the one asked for, e.g. "tun%d"). */
    String name();

    /** The MTU last set through this object. */
    int mtu();

    /** Closes the descriptor, which deletes the interface unless it is persistent. Idempotent. */
    @Override
    void close();
}
