package io.ringguard.dataplane.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.handshake.message.InitiationMessage;
import io.ringguard.handshake.message.MessageType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** The control ring is bytes-bounded: a flood fills it, is refused (counted by the caller), and drains. */
class ControlRingTest {
    private final UnsafeBuffer endpoint = new UnsafeBuffer(new byte[ControlRing.ENDPOINT_BYTES]);
    private final UnsafeBuffer initiation = new UnsafeBuffer(new byte[InitiationMessage.LENGTH]);

    @Test
    void shouldRefuseInitiationsOnceFullGoUnderLoadOnTheWayAndTakeThemAgainAfterADrain() {
        ControlRing ring = new ControlRing(8192);
        initiation.putByte(0, (byte) MessageType.INITIATION); // mac2 all zero: the flood's ring
        int accepted = 0;
        boolean sawUnderLoad = false;
        // Bounded: 8 KiB holds fewer than 8192 / 148 records.
        for (int i = 0; i < 1_000; i++) {
            if (!offer(ring)) {
                break;
            }
            accepted++;
            sawUnderLoad |= ring.overThreshold();
        }
        assertTrue(accepted > 1 && accepted < 8192 / InitiationMessage.LENGTH, "accepted " + accepted);
        assertTrue(sawUnderLoad, "past 1/8 of the capacity the gateway is under load");
        assertFalse(offer(ring), "a full ring refuses: the flood costs bytes, not memory");

        int[] drained = {0};
        while (ring.drain((type, buffer, index, length) -> drained[0]++, 64) > 0) {
            // drain everything (bounded by what was accepted)
        }
        assertEquals(accepted, drained[0]);
        assertFalse(ring.overThreshold());
        assertTrue(offer(ring), "room again once the control thread caught up");
    }

    @Test
    void shouldKeepRoomForCookieAnsweringPeersWhenTheFloodFilledItsRing() {
        ControlRing ring = new ControlRing(8192);
        initiation.putByte(0, (byte) MessageType.INITIATION);
        for (int i = 0; i < 1_000 && offer(ring); i++) {
            // fill the flood's ring
        }
        UnsafeBuffer withMac2 = new UnsafeBuffer(initiation.byteArray().clone());
        withMac2.putByte(InitiationMessage.MAC2_OFFSET, (byte) 1);
        assertTrue(ring.offer(MessageType.INITIATION, endpoint, 0, withMac2, 0, InitiationMessage.LENGTH));
    }

    private boolean offer(ControlRing ring) {
        return ring.offer(MessageType.INITIATION, endpoint, 0, initiation, 0, InitiationMessage.LENGTH);
    }
}
