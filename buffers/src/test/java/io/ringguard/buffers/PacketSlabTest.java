package io.ringguard.buffers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class PacketSlabTest {
    @Test
    void shouldSizeMtuSlotWithRoomForHeaderPaddingAndTag() {
        final PacketSlab slab = new PacketSlab(4, 1500);

        // 1500 rounds up to 1504 for WireGuard's 16-byte padding; 16 + 1504 + 16 = 1536 = 24 cache lines.
        assertEquals(1504, slab.payloadCapacityBytes());
        assertEquals(1536, slab.slotStrideBytes());
        assertEquals(4 * 1536, slab.capacityBytes());
        assertEquals(1500, slab.maxPayloadBytes());
        assertEquals(4, slab.slotCount());
    }

    @Test
    void shouldSizeSuperPacketSlot() {
        final PacketSlab slab = new PacketSlab(2, PacketSlab.MAX_IP_PACKET_BYTES);

        assertEquals(65_536, slab.payloadCapacityBytes());
        assertEquals(65_600, slab.slotStrideBytes());
    }

    @Test
    void shouldPutEverySlotOnItsOwnCacheLines() {
        final PacketSlab slab = new PacketSlab(7, 100);

        assertEquals(0, slab.addressOffset() % PacketSlab.CACHE_LINE_BYTES);
        for (int slot = 0; slot < slab.slotCount(); slot++) {
            assertEquals(0, (slab.addressOffset() + slab.slotOffset(slot)) % PacketSlab.CACHE_LINE_BYTES);
            assertEquals(slab.slotOffset(slot) + PacketSlab.HEADROOM_BYTES, slab.payloadOffset(slot));
            assertEquals(slab.addressOffset() + slab.payloadOffset(slot), slab.payloadAddress(slot));
            // Header, padded payload and tag end at or before the next slot's start.
            final int endOfTag = slab.payloadOffset(slot) + slab.payloadCapacityBytes() + PacketSlab.TAILROOM_BYTES;
            assertTrue(endOfTag <= slab.slotOffset(slot) + slab.slotStrideBytes(), "slot " + slot);
        }
        final int lastSlot = slab.slotCount() - 1;
        assertEquals(slab.capacityBytes(), slab.slotOffset(lastSlot) + slab.slotStrideBytes());
    }

    @Test
    void shouldKeepSlotBytesDisjoint() {
        final PacketSlab slab = new PacketSlab(5, 1500);
        final UnsafeBuffer buffer = slab.buffer();

        // Fill whole slots, header through tag, each with its own byte; any overlap would overwrite a neighbour.
        for (int slot = 0; slot < slab.slotCount(); slot++) {
            final int messageBytes =
                    PacketSlab.HEADROOM_BYTES + slab.payloadCapacityBytes() + PacketSlab.TAILROOM_BYTES;
            buffer.setMemory(slab.slotOffset(slot), messageBytes, (byte) (slot + 1));
        }
        for (int slot = 0; slot < slab.slotCount(); slot++) {
            assertEquals(slot + 1, buffer.getByte(slab.slotOffset(slot)));
            assertEquals(slot + 1, buffer.getByte(slab.payloadOffset(slot) + slab.payloadCapacityBytes() + 15));
        }
    }

    @Test
    void shouldKeepPayloadLengthPerSlot() {
        final PacketSlab slab = new PacketSlab(3, 1500);

        slab.payloadLengthBytes(0, 60);
        slab.payloadLengthBytes(2, 1500);

        assertEquals(60, slab.payloadLengthBytes(0));
        assertEquals(0, slab.payloadLengthBytes(1));
        assertEquals(1500, slab.payloadLengthBytes(2));
    }

    @Test
    void shouldShareOneByteBufferWithTheUnsafeView() {
        final PacketSlab slab = new PacketSlab(2, 64);

        // ByteBuffer reads big-endian by default; write the same order through the Agrona view.
        slab.buffer().putInt(slab.payloadOffset(1), 0x45000054, ByteOrder.BIG_ENDIAN);

        assertEquals(slab.capacityBytes(), slab.byteBuffer().capacity());
        assertEquals(0x45000054, slab.byteBuffer().getInt(slab.payloadOffset(1)));
    }

    @Test
    void shouldRejectSizesOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> new PacketSlab(0, 1500));
        assertThrows(IllegalArgumentException.class, () -> new PacketSlab(1, 0));
        assertThrows(IllegalArgumentException.class, () -> new PacketSlab(1, PacketSlab.MAX_IP_PACKET_BYTES + 1));
        // 40,000 super-packet slots would need 2.6 GB: refused before anything is allocated.
        assertThrows(IllegalArgumentException.class, () -> new PacketSlab(40_000, PacketSlab.MAX_IP_PACKET_BYTES));
    }
}
