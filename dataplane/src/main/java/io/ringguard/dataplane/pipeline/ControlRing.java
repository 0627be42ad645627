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
 *
 * <p>Messages that carry a mac2 (a peer answering our cookie) go to a small ring of their own that the
 * control thread drains first: under a flood of cookie-less initiations, a legitimate peer's retry
 * must not wait behind (or be dropped with) the flood. Forging a non-zero mac2 gains an attacker
 * nothing but one more MAC check per message in that bounded ring.
 */
public final class ControlRing {
    public static final int ENDPOINT_BYTES = 64;

    private static final int MAC2_BYTES = 16;

    private final ManyToOneRingBuffer ring;
    private final ManyToOneRingBuffer withCookie;
    private final int underLoadBytes;

    public ControlRing(int capacityBytes) {
        int size = Integer.highestOneBit(Math.max(capacityBytes, 4096) - 1) << 1;
        ring = create(size);
        withCookie = create(Math.max(4096, size / 8));
        underLoadBytes = size / 8;
    }

    private static ManyToOneRingBuffer create(int size) {
        return new ManyToOneRingBuffer(
                new UnsafeBuffer(ByteBuffer.allocateDirect(size + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    /** Producer: copies the endpoint record and the message; false when the ring is full. */
    public boolean offer(
            int type, DirectBuffer endpoint, int endpointOffset, DirectBuffer message, int offset, int length) {
        ManyToOneRingBuffer target = hasMac2(type, message, offset, length) ? withCookie : ring;
        int index = target.tryClaim(type, ENDPOINT_BYTES + length);
        if (index < 0) {
            return false;
        }
        MutableDirectBuffer b = target.buffer();
        b.putBytes(index, endpoint, endpointOffset, ENDPOINT_BYTES);
        b.putBytes(index + ENDPOINT_BYTES, message, offset, length);
        target.commit(index);
        return true;
    }

    /** Consumer: hands at most {@code limit} records to {@code handler}; returns how many. */
    public int drain(org.agrona.concurrent.MessageHandler handler, int limit) {
        int n = withCookie.read(handler, limit);
        return n + ring.read(handler, Math.max(0, limit - n));
    }

    private static boolean hasMac2(int type, DirectBuffer message, int offset, int length) {
        if (type != io.ringguard.handshake.message.MessageType.INITIATION
                && type != io.ringguard.handshake.message.MessageType.RESPONSE) {
            return false;
        }
        int mac2 = offset + length - MAC2_BYTES;
        return message.getLong(mac2) != 0 || message.getLong(mac2 + 8) != 0;
    }

    /** True while the backlog is above the under-load threshold; any thread. */
    public boolean overThreshold() {
        return ring.size() > underLoadBytes;
    }

    public RingBuffer ring() {
        return ring;
    }
}
