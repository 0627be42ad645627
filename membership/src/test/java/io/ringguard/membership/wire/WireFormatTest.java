package io.ringguard.membership.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.membership.identity.Ed25519Authenticator;
import io.ringguard.membership.identity.Endpoint;
import io.ringguard.membership.identity.MeshPrefix;
import io.ringguard.membership.identity.NodeKey;
import io.ringguard.membership.org.OrgMessage;
import java.nio.ByteOrder;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class WireFormatTest {
    private static final Ed25519Authenticator SIGNER = Ed25519Authenticator.generate();

    @Test
    void shouldAddUpOffsetsToTheSpecifiedSizes() {
        assertEquals(2 + 1 + 1 + 2 + 2 + 32 + 8 + 8, Frame.HEADER_LENGTH);
        assertEquals(4 + 32, MessageType.fixedLength(MessageType.PING));
        assertEquals(4 + 32 + 19, MessageType.fixedLength(MessageType.PING_REQ));
        assertEquals(4 + 1 + 19, MessageType.fixedLength(MessageType.ACK));
        assertEquals(1 + 2 + 2, MessageType.fixedLength(MessageType.PUSH_PULL));
        assertEquals(8 + 32 + 19, MessageType.fixedLength(MessageType.PUNCH_NOTIFY));
        assertEquals(32 + 32 + 1 + 2, MessageType.RELAY_PAYLOAD_OFFSET);
        assertEquals(32 + 1 + 1 + 8, MemberRecord.CLAIM_LENGTH);
        assertEquals(42 + 32 + 19 + 19 + 8 + 64, MemberRecord.ADDRESSES_OFFSET);
        assertEquals(184 + 2 * 18 + 64, MemberRecord.aliveLength(2));
        assertEquals(1 + 16 + 2, Endpoint.ENCODED_BYTES);
        assertEquals(1 + 16 + 1, MeshPrefix.ENCODED_BYTES);
        assertEquals(
                2 + 1 + 1 + 8 + 32 + 1 + 64,
                OrgMessage.vouch(SIGNER, SIGNER.publicKey(), 1).length());
    }

    private static int ping(UnsafeBuffer b) {
        Frame.writeHeader(b, 0, MessageType.PING, SIGNER.publicKey(), 1, 1);
        int p = Frame.BODY_OFFSET + MessageType.fixedLength(MessageType.PING);
        b.putByte(p, (byte) 0);
        return Frame.seal(b, 0, p + 1 - Frame.BODY_OFFSET, SIGNER);
    }

    @Test
    void shouldRejectPartialPaddedAndOversizedFrames() {
        UnsafeBuffer b = new UnsafeBuffer(new byte[2 * Frame.MAX_FRAME_BYTES]);
        int len = ping(b);
        assertEquals(MessageType.PING, Frame.validate(b, 0, len));
        assertTrue(Frame.verify(b, 0, len, SIGNER.publicKey(), SIGNER));
        assertEquals(Frame.INVALID_LENGTH, Frame.validate(b, 0, len - 1), "partial");
        assertEquals(Frame.INVALID_LENGTH, Frame.validate(b, 0, len + 1), "padded");
        assertEquals(Frame.INVALID_LENGTH, Frame.validate(b, 0, Frame.HEADER_LENGTH), "header only");
        assertEquals(Frame.INVALID_LENGTH, Frame.validate(b, 0, Frame.MAX_FRAME_BYTES + 1), "oversized");
        b.putShort(Frame.BODY_LENGTH_OFFSET, (short) 0xFFFF, ByteOrder.BIG_ENDIAN);
        assertEquals(Frame.INVALID_LENGTH, Frame.validate(b, 0, len), "claimed body beyond the datagram");
        len = ping(b);
        b.putByte(Frame.TYPE_OFFSET, (byte) 99);
        assertEquals(Frame.INVALID_TYPE, Frame.validate(b, 0, len));
        len = ping(b);
        b.putByte(Frame.VERSION_OFFSET, (byte) 2);
        assertEquals(Frame.INVALID_VERSION, Frame.validate(b, 0, len));
        len = ping(b);
        b.putByte(0, (byte) 0);
        assertEquals(Frame.INVALID_MAGIC, Frame.validate(b, 0, len));
        len = ping(b);
        b.putByte(Frame.BODY_OFFSET, (byte) 1);
        assertFalse(Frame.verify(b, 0, len, SIGNER.publicKey(), SIGNER), "a flipped body bit breaks the signature");
    }

    @Test
    void shouldRejectItemSectionsWithBadCounts() {
        UnsafeBuffer b = new UnsafeBuffer(new byte[256]);
        b.putByte(0, (byte) 0);
        assertEquals(0, Items.validate(b, 0, 1));
        b.putByte(0, (byte) 255);
        assertEquals(-1, Items.validate(b, 0, 200), "more than MAX_ITEMS");
        b.putByte(0, (byte) 2);
        Items.putItemHeader(b, 1, Items.KIND_MEMBER, 10);
        assertEquals(-1, Items.validate(b, 0, 1 + 3 + 10), "count claims two, bytes hold one");
        b.putByte(0, (byte) 1);
        assertEquals(1, Items.validate(b, 0, 1 + 3 + 10));
        assertEquals(-1, Items.validate(b, 0, 1 + 3 + 9), "item runs past the end");
        assertEquals(-1, Items.validate(b, 0, 1 + 3 + 11), "trailing garbage");
        Items.putItemHeader(b, 1, 7, 10);
        assertEquals(-1, Items.validate(b, 0, 1 + 3 + 10), "unknown kind");
        assertEquals(-1, Items.validate(b, 0, 0), "no count byte");
    }

    @Test
    void shouldRequireRecordLengthsToMatchTheirState() {
        UnsafeBuffer b = new UnsafeBuffer(new byte[512]);
        byte[] vouch = new byte[64];
        int alive = MemberRecord.writeAlive(
                b,
                0,
                SIGNER,
                new NodeKey(1, 2, 3, 4),
                7,
                Endpoint.parse("198.18.0.1:51821"),
                Endpoint.parse("[fd00::1]:4000"),
                List.of(MeshPrefix.parse("100.64.0.1/32"), MeshPrefix.parse("fd00::1/128")),
                5,
                vouch);
        assertEquals(MemberRecord.aliveLength(2), alive);
        assertTrue(MemberRecord.isValid(b, 0, alive));
        assertFalse(MemberRecord.isValid(b, 0, alive - 1));
        assertFalse(MemberRecord.isValid(b, 0, alive + 18));
        assertTrue(MemberRecord.verifySelf(b, 0, SIGNER.publicKey(), SIGNER));
        assertEquals(Endpoint.parse("[fd00::1]:4000"), Endpoint.read(b, MemberRecord.OBSERVED_ENDPOINT_OFFSET));
        b.putByte(MemberRecord.ADDRESS_COUNT_OFFSET, (byte) 200);
        assertFalse(MemberRecord.isValid(b, 0, MemberRecord.aliveLength(200)), "address count above the cap");
        int claim = MemberRecord.writeClaim(b, 0, SIGNER.publicKey(), MemberRecord.STATE_DEAD, 3);
        assertTrue(MemberRecord.isValid(b, 0, claim));
        assertFalse(MemberRecord.isValid(b, 0, claim + 1));
        b.putByte(MemberRecord.STATE_OFFSET, (byte) 9);
        assertFalse(MemberRecord.isValid(b, 0, claim));
    }

    @Test
    void shouldRoundTripEndpointsAndPrefixes() {
        for (String s : List.of("198.18.0.1:51821", "[fd00::1]:51821", "[fd00:0:0:0:0:0:0:abcd]:1")) {
            Endpoint e = Endpoint.parse(s);
            UnsafeBuffer b = new UnsafeBuffer(new byte[Endpoint.ENCODED_BYTES]);
            e.write(b, 0);
            assertEquals(e, Endpoint.read(b, 0));
            assertEquals(e, Endpoint.parse(e.toString()));
            assertEquals(e, Endpoint.of(e.toSocketAddress()));
        }
        assertEquals("100.64.0.1/32", MeshPrefix.parse("100.64.0.1/32").toString());
        UnsafeBuffer bad = new UnsafeBuffer(new byte[Endpoint.ENCODED_BYTES]);
        bad.putByte(0, (byte) 5);
        assertEquals(null, Endpoint.read(bad, 0));
    }
}
