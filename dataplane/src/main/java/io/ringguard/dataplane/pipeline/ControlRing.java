package io.ringguard.dataplane.pipeline;

import java.nio.ByteBuffer;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The bounded queue of handshake messages from the UDP receivers to the control thread: each
 * record is the 64-byte source endpoint followed by the message, typed by WireGuard message type.
 *
 * <p>Many producers (one per socket), one consumer (the control thread). Full means the message is
 * dropped and counted; above a threshold (1/8 of the capacity, as the kernel and wireguard-go use) the
 * gateway is under load and answers with cookies instead of doing Diffie-Hellman.
 */
public final class ControlRing {
    public static final int ENDPOINT_BYTES = 64;

    private final ManyToOneRingBuffer ring;
    private final int underLoadBytes;

    public ControlRing(int capacityBytes) {
        int size = Integer.highestOneBit(Math.max(capacityBytes, 4096) - 1) << 1;
        ring = new ManyToOneRingBuffer(
                new UnsafeBuffer(ByteBuffer.allocateDirect(size + RingBufferDescriptor.TRAILER_LENGTH)));
        underLoadBytes = size / 8;
    }

    /** Producer: copies the endpoint record and the message; false when the ring is full. */
    public boolean offer(
            int type, DirectBuffer endpoint, int endpointOffset, DirectBuffer message, int offset, int length) {
        int index = ring.tryClaim(type, ENDPOINT_BYTES + length);
        if (index < 0) {
            return false;
        }
        MutableDirectBuffer b = ring.buffer();
        b.putBytes(index, endpoint, endpointOffset, ENDPOINT_BYTES);
        b.putBytes(index + ENDPOINT_BYTES, message, offset, length);
        ring.commit(index);
        return true;
    }

    /** Consumer: hands at most {@code limit} records to {@code handler}; returns how many. */
    public int drain(org.agrona.concurrent.MessageHandler handler, int limit) {
        return ring.read(handler, limit);
    }

    /** True while the backlog is above the under-load threshold; any thread. */
    public boolean overThreshold() {
        return ring.size() > underLoadBytes;
    }

    public RingBuffer ring() {
        return ring;
    }
}
