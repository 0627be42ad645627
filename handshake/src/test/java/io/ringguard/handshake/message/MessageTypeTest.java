package io.ringguard.handshake.message;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class MessageTypeTest {
    @Test
    void shouldMatchSpecificationSizes() {
        assertEquals(148, InitiationMessage.MAC2_OFFSET + 16);
        assertEquals(
                InitiationMessage.LENGTH,
                4 + 4 + 32 + InitiationMessage.STATIC_BYTES + InitiationMessage.TIMESTAMP_BYTES + 16 + 16);
        assertEquals(InitiationMessage.STATIC_OFFSET, InitiationMessage.EPHEMERAL_OFFSET + 32);
        assertEquals(
                InitiationMessage.TIMESTAMP_OFFSET, InitiationMessage.STATIC_OFFSET + InitiationMessage.STATIC_BYTES);
        assertEquals(
                InitiationMessage.MAC1_OFFSET, InitiationMessage.TIMESTAMP_OFFSET + InitiationMessage.TIMESTAMP_BYTES);
        assertEquals(92, ResponseMessage.MAC2_OFFSET + 16);
        assertEquals(ResponseMessage.EMPTY_OFFSET, ResponseMessage.EPHEMERAL_OFFSET + 32);
        assertEquals(ResponseMessage.MAC1_OFFSET, ResponseMessage.EMPTY_OFFSET + ResponseMessage.EMPTY_BYTES);
        assertEquals(64, CookieReplyMessage.COOKIE_OFFSET + CookieReplyMessage.COOKIE_BYTES);
        assertEquals(
                CookieReplyMessage.COOKIE_OFFSET, CookieReplyMessage.NONCE_OFFSET + CookieReplyMessage.NONCE_BYTES);
        assertEquals(32, TransportMessage.MIN_LENGTH);
    }

    @Test
    void shouldClassifyOnlyExactLengthsAndZeroReserved() {
        UnsafeBuffer b = new UnsafeBuffer(new byte[2048]);
        int[][] table = {
            // type, exact length
            {MessageType.INITIATION, 148}, {MessageType.RESPONSE, 92}, {MessageType.COOKIE_REPLY, 64},
        };
        for (int[] row : table) {
            b.setMemory(0, 2048, (byte) 0);
            b.putByte(0, (byte) row[0]);
            assertEquals(row[0], MessageType.classify(b, 0, row[1]));
            assertEquals(MessageType.INVALID, MessageType.classify(b, 0, row[1] - 1), "truncated");
            assertEquals(MessageType.INVALID, MessageType.classify(b, 0, row[1] + 1), "padded");
            for (int reserved = 1; reserved < 4; reserved++) {
                b.putByte(reserved, (byte) 1);
                assertEquals(MessageType.INVALID, MessageType.classify(b, 0, row[1]), "reserved byte " + reserved);
                b.putByte(reserved, (byte) 0);
            }
        }
        b.setMemory(0, 2048, (byte) 0);
        b.putByte(0, (byte) MessageType.TRANSPORT);
        assertEquals(MessageType.INVALID, MessageType.classify(b, 0, 31));
        assertEquals(MessageType.TRANSPORT, MessageType.classify(b, 0, 32));
        assertEquals(MessageType.TRANSPORT, MessageType.classify(b, 0, 1500));
        for (int type : new int[] {0, 5, 255}) {
            b.putByte(0, (byte) type);
            assertEquals(MessageType.INVALID, MessageType.classify(b, 0, 148));
        }
        for (int len = 0; len < 4; len++) {
            assertEquals(MessageType.INVALID, MessageType.classify(b, 0, len), "length " + len);
        }
    }

    @Test
    void shouldPadTransportPlaintextTo16ButNotPastMtu() {
        assertEquals(0, TransportMessage.paddedLength(0, 1420));
        assertEquals(16, TransportMessage.paddedLength(1, 1420));
        assertEquals(96, TransportMessage.paddedLength(84, 1420));
        assertEquals(1420, TransportMessage.paddedLength(1419, 1420));
        assertEquals(1420, TransportMessage.paddedLength(1420, 1420));
    }
}
