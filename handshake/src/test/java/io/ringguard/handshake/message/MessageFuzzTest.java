package io.ringguard.handshake.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ringguard.testkit.fuzz.FuzzBytes;
import java.util.Arrays;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Fuzz target for {@link MessageType#classify} and the four message flyweights, against a reference written
 * from the whitepaper (section 5.4) over a plain array.
 *
 * <p>Input: one byte that says where the datagram starts in the buffer (0-7), two bytes of plaintext length
 * and two of MTU for the padding check, then the datagram. The
 * buffer ends exactly at the datagram, so a read past it fails Agrona's bounds check. Invariants: classify
 * never throws, agrees with the reference and with every {@code isValid}; a classified message's index and
 * counter fields read as the little-endian bytes at the documented offsets; {@link
 * TransportMessage#paddedLength} pads to 16 without passing the MTU (unless the plaintext does).
 */
class MessageFuzzTest {
    private static final int MIN_MTU = 576;
    private static final int MAX_MTU = 65_535;

    @FuzzTest
    void fuzzClassify(final byte[] input) {
        final FuzzBytes in = new FuzzBytes(input);
        final int offset = in.below(8);
        final int plaintextBytes = in.u16();
        final int mtu = MIN_MTU + in.u16() % (MAX_MTU - MIN_MTU + 1);
        final byte[] datagram = in.rest();
        final byte[] backing = new byte[offset + datagram.length];
        Arrays.fill(backing, 0, offset, (byte) MessageType.INITIATION);
        System.arraycopy(datagram, 0, backing, offset, datagram.length);
        final UnsafeBuffer buffer = new UnsafeBuffer(backing);

        final int type = MessageType.classify(buffer, offset, datagram.length);
        assertEquals(referenceType(datagram), type);
        assertEquals(type == MessageType.INITIATION, InitiationMessage.isValid(buffer, offset, datagram.length));
        assertEquals(type == MessageType.RESPONSE, ResponseMessage.isValid(buffer, offset, datagram.length));
        assertEquals(type == MessageType.COOKIE_REPLY, CookieReplyMessage.isValid(buffer, offset, datagram.length));
        assertEquals(type == MessageType.TRANSPORT, TransportMessage.isValid(buffer, offset, datagram.length));
        switch (type) {
            case MessageType.INITIATION ->
                assertEquals(le32(datagram, 4), InitiationMessage.senderIndex(buffer, offset));
            case MessageType.RESPONSE -> {
                assertEquals(le32(datagram, 4), ResponseMessage.senderIndex(buffer, offset));
                assertEquals(le32(datagram, 8), ResponseMessage.receiverIndex(buffer, offset));
            }
            case MessageType.COOKIE_REPLY ->
                assertEquals(le32(datagram, 4), CookieReplyMessage.receiverIndex(buffer, offset));
            case MessageType.TRANSPORT -> {
                assertEquals(le32(datagram, 4), TransportMessage.receiverIndex(buffer, offset));
                assertEquals(
                        (le32(datagram, 8) & 0xFFFFFFFFL) | ((long) le32(datagram, 12) << 32),
                        TransportMessage.counter(buffer, offset));
            }
            default -> {}
        }

        checkPadding(plaintextBytes, mtu, TransportMessage.paddedLength(plaintextBytes, mtu));
    }

    private static void checkPadding(final int plaintextBytes, final int mtu, final int padded) {
        assertTrue(padded >= plaintextBytes, "padding never cuts");
        assertTrue(padded - plaintextBytes < TransportMessage.PADDING_MULTIPLE, "at most 15 bytes of padding");
        if (plaintextBytes <= mtu) {
            assertTrue(padded <= mtu, "padding never passes the MTU");
            assertTrue(padded % TransportMessage.PADDING_MULTIPLE == 0 || padded == mtu, "pads to 16 or the MTU");
        }
    }

    /** Whitepaper 5.4: type byte, three zero bytes, then an exact length per type (transport: at least 32). */
    private static int referenceType(final byte[] d) {
        if (d.length < 4 || d[1] != 0 || d[2] != 0 || d[3] != 0) {
            return MessageType.INVALID;
        }
        return switch (d[0]) {
            case 1 -> d.length == 148 ? MessageType.INITIATION : MessageType.INVALID;
            case 2 -> d.length == 92 ? MessageType.RESPONSE : MessageType.INVALID;
            case 3 -> d.length == 64 ? MessageType.COOKIE_REPLY : MessageType.INVALID;
            case 4 -> d.length >= 32 ? MessageType.TRANSPORT : MessageType.INVALID;
            default -> MessageType.INVALID;
        };
    }

    private static int le32(final byte[] d, final int i) {
        return (d[i] & 0xFF) | (d[i + 1] & 0xFF) << 8 | (d[i + 2] & 0xFF) << 16 | (d[i + 3] & 0xFF) << 24;
    }
}
