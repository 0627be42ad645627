package io.ringguard.handshake.noise;

import static io.ringguard.handshake.noise.FuzzFixture.BOB;
import static io.ringguard.handshake.noise.FuzzFixture.BOB_INDEX;
import static io.ringguard.handshake.noise.FuzzFixture.INITIATION;
import static io.ringguard.handshake.noise.FuzzFixture.NOW_NS;
import static io.ringguard.handshake.noise.FuzzFixture.SOURCE_ADDRESS;
import static io.ringguard.handshake.noise.FuzzFixture.SOURCE_PORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ringguard.handshake.cookie.CookieChecker;
import io.ringguard.handshake.cookie.CookieMaker;
import io.ringguard.handshake.cookie.MacResult;
import io.ringguard.handshake.message.CookieReplyMessage;
import io.ringguard.handshake.message.InitiationMessage;
import io.ringguard.handshake.message.MessageType;
import io.ringguard.handshake.message.ResponseMessage;
import io.ringguard.testkit.fuzz.FuzzBytes;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target for the responder's path for a datagram (classify, MAC1 check, cookie reply when under load,
 * {@link Noise#consumeInitiation}, response), with bob's fixed identity and alice as the only peer.
 *
 * <p>Input: a mode byte, then XOR patches ({@link FuzzBytes#xorPatches}) for modes 1-3. Mode 0: the rest of
 * the input is the datagram as is. Mode 1: alice's valid initiation, patched, MACs as they are. Mode 2: the
 * same with mac1 recomputed after patching, so the fuzzer gets past MAC1 into the Noise steps. Mode 3: as 2,
 * but bob is under load. Invariants: nothing throws; a message is accepted only if everything the
 * handshake authenticates (type, ephemeral, encrypted static, encrypted timestamp) is alice's, and then the
 * same bytes again are a replay.
 */
class ResponderFuzzTest {

    @Test
    void shouldAcceptTheUnpatchedInitiation() {
        assertTrue(respond(new byte[] {2, 0}));
    }

    @Test
    void shouldRejectAFlippedTimestampBit() {
        // Mode 2, one patch: byte 100 (inside the encrypted timestamp) ^= 0x01; mac1 recomputed.
        assertFalse(respond(new byte[] {2, 1, 0, 100, 1}));
    }

    @FuzzTest
    void fuzzConsumeInitiation(final byte[] input) {
        respond(input);
    }

    /** Runs one datagram through bob's responder path; true if it was accepted as an initiation. */
    private static boolean respond(final byte[] input) {
        final FuzzBytes in = new FuzzBytes(input);
        final int mode = in.below(4);
        final byte[] message;
        if (mode == 0) {
            message = in.rest();
        } else {
            message = INITIATION.clone();
            in.xorPatches(message, 8);
            if (mode >= 2) {
                new CookieMaker(BOB.publicKey()).addMacs(new UnsafeBuffer(message), 0, message.length, NOW_NS);
            }
        }
        final boolean underLoad = mode == 3;
        final UnsafeBuffer msg = new UnsafeBuffer(message);
        final int type = MessageType.classify(msg, 0, message.length);
        if (type != MessageType.INITIATION) {
            assertFalse(
                    message.length == InitiationMessage.LENGTH
                            && message[0] == 1
                            && message[1] == 0
                            && message[2] == 0
                            && message[3] == 0,
                    "a well-formed initiation was not classified as one");
            return false;
        }
        final CookieChecker checker = new CookieChecker(BOB, FuzzFixture.deterministicRandom("bob-cookie"));
        final MacResult mac = checker.validate(msg, 0, message.length, SOURCE_ADDRESS, SOURCE_PORT, underLoad, NOW_NS);
        if (mac == MacResult.INVALID_MAC) {
            return false;
        }
        assertTrue(FuzzFixture.unchanged(macRecomputed(message), message, 0, InitiationMessage.MAC2_OFFSET));
        if (underLoad && mac != MacResult.VALID_MAC_WITH_COOKIE) {
            final UnsafeBuffer reply = new UnsafeBuffer(new byte[CookieReplyMessage.LENGTH]);
            checker.createReply(
                    msg,
                    0,
                    message.length,
                    InitiationMessage.senderIndex(msg, 0),
                    SOURCE_ADDRESS,
                    SOURCE_PORT,
                    NOW_NS,
                    reply,
                    0);
            assertEquals(MessageType.COOKIE_REPLY, MessageType.classify(reply, 0, CookieReplyMessage.LENGTH));
            return false;
        }

        final Handshake bobToAlice = FuzzFixture.bobHandshake();
        final Noise noise = new Noise(FuzzFixture.deterministicRandom("bob"));
        final Handshake consumed = noise.consumeInitiation(BOB, msg, 0, FuzzFixture.aliceLookup(bobToAlice), NOW_NS);
        if (consumed == null) {
            assertNotEquals(Rejection.NONE, noise.lastRejection());
            assertEquals(HandshakeState.ZEROED, bobToAlice.state(), "a rejected initiation changes nothing");
            return false;
        }
        assertSame(bobToAlice, consumed);
        // Everything from the ephemeral to the end of the encrypted timestamp is authenticated.
        assertTrue(
                FuzzFixture.unchanged(INITIATION, message, 0, 4)
                        && FuzzFixture.unchanged(
                                INITIATION, message, InitiationMessage.EPHEMERAL_OFFSET, InitiationMessage.MAC1_OFFSET),
                "accepted an initiation whose authenticated bytes were changed");
        assertEquals(InitiationMessage.senderIndex(msg, 0), bobToAlice.remoteIndex());
        assertEquals(HandshakeState.CONSUMED_INITIATION, bobToAlice.state());
        final UnsafeBuffer response = new UnsafeBuffer(new byte[ResponseMessage.LENGTH]);
        assertTrue(noise.createResponse(bobToAlice, BOB_INDEX, response, 0));
        assertEquals(InitiationMessage.senderIndex(msg, 0), ResponseMessage.receiverIndex(response, 0));

        assertNull(noise.consumeInitiation(
                BOB, msg, 0, FuzzFixture.aliceLookup(bobToAlice), NOW_NS + TimeUnit.SECONDS.toNanos(1)));
        assertEquals(Rejection.REPLAYED_TIMESTAMP, noise.lastRejection());
        return true;
    }

    /** The message with its mac1 as alice would compute it, to check that a VALID_MAC is a real one. */
    private static byte[] macRecomputed(final byte[] message) {
        final byte[] copy = message.clone();
        new CookieMaker(BOB.publicKey()).addMacs(new UnsafeBuffer(copy), 0, copy.length, NOW_NS);
        return copy;
    }
}
