package io.ringguard.dataplane.sys;

import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Messages received with {@code UDP_GRO} on, each of which may carry a run of coalesced datagrams, and the
 * cursor that splits them into a caller's {@link DatagramBatch}, one datagram per entry (per slab slot).
 *
 * <p>With {@code UDP_GRO} the kernel hands one {@code recvmsg} a whole run of datagrams from one source to
 * one destination: every datagram {@code segmentBytes} long except a shorter last one, concatenated, with
 * the segment size in a {@code SOL_UDP}/{@code UDP_GRO} control message (udp(7); what wireguard-go's
 * {@code splitCoalescedMessages} undoes). A run can be up to 64 KiB, larger than a slot, so such messages
 * land in this object's own 64 KiB buffers and each datagram is copied into its entry's payload range, with
 * the message's endpoint record (source, local destination) copied beside it. A copy of a ~1.4 KB datagram
 * costs tens of nanoseconds, against the kernel's per-datagram cost of a microsecond or more that GRO saves.
 *
 * <p>A run that does not fit the entries given stays here ({@link #pending()}) and is handed out by the next
 * {@link #split} call, so no datagram is lost to a short batch. Bad input is never an exception: a message
 * the kernel cut ({@code MSG_TRUNC}) gives one {@link DatagramBatch#TRUNCATED} entry, a message with a
 * broken or zero segment size one {@link DatagramBatch#MALFORMED} entry, a segment larger than its entry
 * one {@code TRUNCATED} entry per segment; the receiver counts each as a drop.
 *
 * <p>Threading: the receiver thread of one socket only. Nothing is allocated after construction.
 */
public final class CoalescedMessages {
    /** Room for the largest UDP payload (65,535 minus the UDP header) and so for any coalesced run. */
    public static final int MESSAGE_BYTES = 65_536;

    /** {@link #segmentBytes(int, int)}: no {@code UDP_GRO} control message, the message is one datagram. */
    public static final int SINGLE = 0;

    /** {@link #segmentBytes(int, int)}: the control message was unreadable or gave a size below 1. */
    public static final int BAD_SEGMENT = -1;

    private final UnsafeBuffer buffer;
    private final DatagramBatch messages;
    private final int[] segmentBytes;
    private int loaded;
    // Cursor: the message being split and the byte offset of its next datagram.
    private int message;
    private int positionBytes;

    /**
     * Allocates {@code capacity} message buffers of {@link #MESSAGE_BYTES}; setup only.
     *
     * @param capacity messages per receive call, 1..1024.
     */
    public CoalescedMessages(final int capacity) {
        if (capacity < 1 || capacity > LinuxUdpSocket.MAX_BATCH) {
            throw new IllegalArgumentException("capacity must be 1.." + LinuxUdpSocket.MAX_BATCH + ", got " + capacity);
        }
        this.buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(capacity * MESSAGE_BYTES, 64));
        this.messages = new DatagramBatch(capacity, buffer);
        this.segmentBytes = new int[capacity];
        for (int m = 0; m < capacity; m++) {
            messages.payload(m, m * MESSAGE_BYTES, MESSAGE_BYTES);
        }
    }

    /** The batch the socket receives whole messages into: lengths and endpoint records per message. */
    public DatagramBatch messages() {
        return messages;
    }

    public int capacity() {
        return messages.capacity();
    }

    /** Records message {@code m}'s segment size from its control message, {@link #SINGLE} or {@link #BAD_SEGMENT}. */
    public void segmentBytes(final int m, final int bytes) {
        segmentBytes[m] = bytes;
    }

    /** Makes messages {@code 0 .. count - 1} (lengths, endpoints, segment sizes set) the ones to split. */
    public void loaded(final int count) {
        loaded = count;
        message = 0;
        positionBytes = 0;
    }

    /** Whether datagrams of the last loaded messages are still to be handed out. */
    public boolean pending() {
        return message < loaded;
    }

    /**
     * Splits pending datagrams into entries {@code first .. first + count - 1} of {@code batch}, in order,
     * each into the payload range the caller set; receiver thread.
     *
     * @return entries filled, {@code 0 .. count}; fewer than {@code count} only when nothing is pending.
     */
    public int split(final DatagramBatch batch, final int first, final int count) {
        final MutableDirectBuffer target = batch.payloadBuffer();
        int filled = 0;
        while (filled < count && message < loaded) {
            final int entry = first + filled;
            final int m = message;
            final int lengthBytes = messages.length(m);
            final int segment = segmentBytes[m];
            batch.endpoints()
                    .putBytes(
                            entry * DatagramBatch.ENDPOINT_RECORD_BYTES,
                            messages.endpoints(),
                            m * DatagramBatch.ENDPOINT_RECORD_BYTES,
                            DatagramBatch.ENDPOINT_RECORD_BYTES);
            filled++;
            if (lengthBytes < 0 || segment == BAD_SEGMENT) {
                // How many datagrams a cut or unreadable run held is unknown: it counts as one drop.
                batch.length(entry, lengthBytes < 0 ? lengthBytes : DatagramBatch.MALFORMED);
                nextMessage();
                continue;
            }
            final int size = segment == SINGLE ? lengthBytes : Math.min(segment, lengthBytes - positionBytes);
            if (size > batch.payloadCapacity(entry)) {
                batch.length(entry, DatagramBatch.TRUNCATED);
            } else {
                target.putBytes(batch.payloadOffset(entry), buffer, m * MESSAGE_BYTES + positionBytes, size);
                batch.length(entry, size);
            }
            positionBytes += size;
            // ">=" also ends an empty (zero-length) message after its one empty datagram.
            if (positionBytes >= lengthBytes) {
                nextMessage();
            }
        }
        return filled;
    }

    private void nextMessage() {
        message++;
        positionBytes = 0;
    }
}
