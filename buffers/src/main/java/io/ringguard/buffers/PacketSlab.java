package io.ringguard.buffers;

import java.nio.ByteBuffer;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One off-heap region cut into fixed-size packet slots, so a packet is read, encrypted and sent without
 * ever being copied or allocated.
 *
 * <pre>
 *  slotOffset(s)          payloadOffset(s)                                          next slot
 *  |                      |                                                          |
 *  +----------------------+--------------------------------+-------------------+-----+
 *  | headroom (16 bytes)  | payload (payloadCapacityBytes) | tailroom (16)     | pad |
 *  | type|receiver|counter| IP packet: plaintext, then the | Poly1305 tag      | to  |
 *  |  4  |   4    |   8   | ciphertext in the same bytes   |                   | 64  |
 *  +----------------------+--------------------------------+-------------------+-----+
 * </pre>
 *
 * <p>The headroom holds the WireGuard transport header (type, receiver index, counter) and the tailroom the
 * 16-byte authentication tag, so encryption writes in place and the whole message {@code headroom + padded
 * ciphertext + tag} is contiguous for the send syscall. The payload area is rounded up to a multiple of 16
 * because WireGuard pads plaintext to 16 bytes before sealing it. Every slot starts on a 64-byte cache line
 * so two threads working on neighbouring slots never share a line.
 *
 * <p>Per-slot metadata (the payload length) lives in an on-heap {@code int[]} beside the slab rather than in
 * the slot, so the packet bytes stay exactly where the I/O and cipher calls want them.
 *
 * <p>Threading: the slab itself is immutable after construction. A slot's bytes and metadata belong to
 * whichever thread currently holds the slot index (claimed from a {@link SlotPool}); an index passes between
 * threads only through a ring whose publish/consume pair orders the writes, so plain reads and writes are
 * enough here. Offset methods do not check the slot index: indices come from the pool, and a check per
 * packet would only hide a bug that the buffer's own bounds checks catch in tests.
 */
public final class PacketSlab {
    /** Room before the payload for the WireGuard transport header: type(4) receiver(4) counter(8). */
    public static final int HEADROOM_BYTES = 16;

    /** Room after the payload for the ChaCha20-Poly1305 authentication tag. */
    public static final int TAILROOM_BYTES = 16;

    /** Slots start on this boundary so that no two slots share a cache line. */
    public static final int CACHE_LINE_BYTES = 64;

    /** WireGuard pads plaintext to a multiple of this before encryption (whitepaper section 5.4.6). */
    public static final int PADDING_MULTIPLE_BYTES = 16;

    /** Largest IP packet (IPv4 total length is 16 bits); also the size of a TSO/GSO super-packet. */
    public static final int MAX_IP_PACKET_BYTES = 65_535;

    private final int slotCount;
    private final int maxPayloadBytes;
    private final int payloadCapacityBytes;
    private final int slotStrideBytes;
    private final ByteBuffer byteBuffer;
    private final UnsafeBuffer buffer;
    private final int[] payloadLengthBytes;

    /**
     * Allocates the slab. Call once at start-up, from any thread; the memory is zeroed and lives as long as
     * the slab is reachable.
     *
     * @param slotCount number of slots, at least 1.
     * @param maxPayloadBytes largest packet a slot must hold, 1 to {@link #MAX_IP_PACKET_BYTES}: the link
     *     MTU (e.g. 1500) for one packet per slot, or 65535 for TSO/GRO super-packets.
     * @throws IllegalArgumentException if a size is out of range or the slab would not fit in 2 GiB.
     */
    public PacketSlab(final int slotCount, final int maxPayloadBytes) {
        if (slotCount < 1) {
            throw new IllegalArgumentException("slot count must be at least 1, got " + slotCount);
        }
        if (maxPayloadBytes < 1 || maxPayloadBytes > MAX_IP_PACKET_BYTES) {
            throw new IllegalArgumentException(
                    "max payload must be 1.." + MAX_IP_PACKET_BYTES + " bytes, got " + maxPayloadBytes);
        }
        this.slotCount = slotCount;
        this.maxPayloadBytes = maxPayloadBytes;
        this.payloadCapacityBytes = BitUtil.align(maxPayloadBytes, PADDING_MULTIPLE_BYTES);
        this.slotStrideBytes = BitUtil.align(HEADROOM_BYTES + payloadCapacityBytes + TAILROOM_BYTES, CACHE_LINE_BYTES);

        // The buffer is int-indexed; allocateDirectAligned over-allocates by one alignment unit.
        final long capacityBytes = (long) slotCount * slotStrideBytes;
        if (capacityBytes > Integer.MAX_VALUE - CACHE_LINE_BYTES) {
            throw new IllegalArgumentException("slab of " + slotCount + " slots x " + slotStrideBytes + " bytes = "
                    + capacityBytes + " bytes does not fit in one 2 GiB buffer");
        }
        this.byteBuffer = BufferUtil.allocateDirectAligned((int) capacityBytes, CACHE_LINE_BYTES);
        this.buffer = new UnsafeBuffer(byteBuffer);
        this.payloadLengthBytes = new int[slotCount];
    }

    /**
     * Number of slots. Any thread.
     *
     * @return the slot count given at construction.
     */
    public int slotCount() {
        return slotCount;
    }

    /**
     * Largest payload a slot was sized for. Any thread.
     *
     * @return the max payload given at construction.
     */
    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    /**
     * Bytes available for the payload, {@link #maxPayloadBytes()} rounded up to {@link
     * #PADDING_MULTIPLE_BYTES} so that WireGuard's zero padding always fits. Any thread.
     *
     * @return payload area size in bytes.
     */
    public int payloadCapacityBytes() {
        return payloadCapacityBytes;
    }

    /**
     * Distance between the starts of two neighbouring slots, a multiple of {@link #CACHE_LINE_BYTES}. Any
     * thread.
     *
     * @return slot stride in bytes.
     */
    public int slotStrideBytes() {
        return slotStrideBytes;
    }

    /**
     * Size of the whole slab. Any thread.
     *
     * @return {@code slotCount() * slotStrideBytes()}.
     */
    public int capacityBytes() {
        return buffer.capacity();
    }

    /**
     * View of the whole slab; index it with {@link #slotOffset(int)} and friends. Any thread, but only the
     * bytes of slots it holds.
     *
     * @return the shared buffer over the slab (do not re-wrap it).
     */
    public UnsafeBuffer buffer() {
        return buffer;
    }

    /**
     * The direct {@link ByteBuffer} under {@link #buffer()}, for NIO calls. Any thread; use {@code
     * duplicate()} before changing its position or limit, since the instance is shared.
     *
     * @return the shared, 64-byte aligned direct buffer.
     */
    public ByteBuffer byteBuffer() {
        return byteBuffer;
    }

    /**
     * Native address of slot 0's first byte, for native I/O calls (iovec bases). Any thread.
     *
     * @return absolute address of the slab; stable for the slab's lifetime.
     */
    public long addressOffset() {
        return buffer.addressOffset();
    }

    /**
     * Start of a slot: where the 16-byte WireGuard transport header goes. Any thread.
     *
     * @param slot index from {@link SlotPool#claim()}, {@code 0 <= slot < slotCount()}.
     * @return offset in {@link #buffer()}.
     */
    public int slotOffset(final int slot) {
        return slot * slotStrideBytes;
    }

    /**
     * Start of a slot's payload: where the plaintext IP packet is read to and the ciphertext starts. Any
     * thread.
     *
     * @param slot index from {@link SlotPool#claim()}, {@code 0 <= slot < slotCount()}.
     * @return offset in {@link #buffer()}, always {@code slotOffset(slot) + HEADROOM_BYTES}.
     */
    public int payloadOffset(final int slot) {
        return slot * slotStrideBytes + HEADROOM_BYTES;
    }

    /**
     * Absolute address of a slot's payload, for native I/O. Any thread.
     *
     * @param slot index from {@link SlotPool#claim()}.
     * @return {@code addressOffset() + payloadOffset(slot)}.
     */
    public long payloadAddress(final int slot) {
        return buffer.addressOffset() + payloadOffset(slot);
    }

    /**
     * Length of the packet now in a slot's payload area. Only the thread holding the slot.
     *
     * @param slot index from {@link SlotPool#claim()}.
     * @return bytes written by the last {@link #payloadLengthBytes(int, int)} for this slot.
     */
    public int payloadLengthBytes(final int slot) {
        return payloadLengthBytes[slot];
    }

    /**
     * Records the length of the packet in a slot's payload area. Only the thread holding the slot.
     *
     * @param slot index from {@link SlotPool#claim()}.
     * @param lengthBytes {@code 0 <= lengthBytes <= payloadCapacityBytes()}; not checked, it comes from a
     *     read bounded by the payload capacity.
     */
    public void payloadLengthBytes(final int slot, final int lengthBytes) {
        payloadLengthBytes[slot] = lengthBytes;
    }
}
