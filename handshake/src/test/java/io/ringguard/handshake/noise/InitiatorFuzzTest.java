package io.ringguard.handshake.noise;

import static io.ringguard.handshake.noise.FuzzFixture.ALICE;
import static io.ringguard.handshake.noise.FuzzFixture.BOB;
import static io.ringguard.handshake.noise.FuzzFixture.NOW_NS;
import static io.ringguard.handshake.noise.FuzzFixture.PSK;
import static io.ringguard.handshake.noise.FuzzFixture.RESPONSE;
import static io.ringguard.handshake.noise.FuzzFixture.SOURCE_ADDRESS;
import static io.ringguard.handshake.noise.FuzzFixture.SOURCE_PORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ringguard.handshake.cookie.CookieChecker;
import io.ringguard.handshake.cookie.CookieMaker;
import io.ringguard.handshake.cookie.MacResult;
import io.ringguard.handshake.message.MessageType;
import io.ringguard.handshake.message.ResponseMessage;
import io.ringguard.testkit.fuzz.FuzzBytes;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target for the initiator's path for a response (classify, MAC1 check, receiver index,
 * {@link Noise#consumeResponse}, session), with alice's handshake to bob freshly in CREATED_INITIATION.
 *
 * <p>Input: a mode byte, then XOR patches for modes 1-2. Mode 0: the rest of the input is the datagram. Mode
 * 1: bob's valid response, patched. Mode 2: the same with mac1 recomputed after patching. Invariants: nothing
 * throws; a response is accepted only if the bytes the handshake authenticates (type, ephemeral, empty
 * payload's tag; the sender index is not) are bob's; a rejected response leaves the handshake as it was; an accepted
 * one gives a session and cannot be consumed twice.
 */
class InitiatorFuzzTest {

    @Test
    void shouldAcceptTheUnpatchedResponse() {
        assertTrue(consume(new byte[] {1, 0}));
    }

    @Test
    void shouldRejectAFlippedEphemeralBit() {
        // Mode 2, one patch: byte 20 (inside the ephemeral key) ^= 0x80; mac1 recomputed.
        assertFalse(consume(new byte[] {2, 1, 0, 20, (byte) 0x80}));
    }

    @FuzzTest
    void fuzzConsumeResponse(final byte[] input) {
        consume(input);
    }

    private static boolean consume(final byte[] input) {
        final FuzzBytes in = new FuzzBytes(input);
        final int mode = in.below(3);
        final byte[] message;
        if (mode == 0) {
            message = in.rest();
        } else {
            message = RESPONSE.clone();
            in.xorPatches(message, 8);
            if (mode == 2) {
                new CookieMaker(ALICE.publicKey()).addMacs(new UnsafeBuffer(message), 0, message.length, NOW_NS);
            }
        }
        final UnsafeBuffer msg = new UnsafeBuffer(message);
        if (MessageType.classify(msg, 0, message.length) != MessageType.RESPONSE) {
            assertFalse(message.length == ResponseMessage.LENGTH
                    && message[0] == 2
                    && message[1] == 0
                    && message[2] == 0
                    && message[3] == 0);
            return false;
        }
        final CookieChecker checker = new CookieChecker(ALICE, FuzzFixture.deterministicRandom("alice-cookie"));
        if (checker.validate(msg, 0, message.length, SOURCE_ADDRESS, SOURCE_PORT, false, NOW_NS)
                == MacResult.INVALID_MAC) {
            return false;
        }
        final Handshake aliceToBob = FuzzFixture.aliceStart(new Handshake(ALICE, BOB.publicKey(), PSK));
        // The index table routes a response by its receiver index; anything else never reaches Noise.
        if (ResponseMessage.receiverIndex(msg, 0) != aliceToBob.localIndex()) {
            return false;
        }
        final Noise noise = FuzzFixture.aliceNoise();
        if (!noise.consumeResponse(ALICE, aliceToBob, msg, 0)) {
            assertNotEquals(Rejection.NONE, noise.lastRejection());
            assertEquals(HandshakeState.CREATED_INITIATION, aliceToBob.state(), "a rejected response changes nothing");
            return false;
        }
        assertTrue(
                FuzzFixture.unchanged(RESPONSE, message, 0, ResponseMessage.SENDER_OFFSET)
                        && FuzzFixture.unchanged(
                                RESPONSE, message, ResponseMessage.EPHEMERAL_OFFSET, ResponseMessage.MAC1_OFFSET),
                "accepted a response whose authenticated bytes were changed");
        assertEquals(HandshakeState.CONSUMED_RESPONSE, aliceToBob.state());
        assertEquals(ResponseMessage.senderIndex(msg, 0), aliceToBob.remoteIndex());
        assertFalse(noise.consumeResponse(ALICE, aliceToBob, msg, 0), "a response is consumed once");
        assertEquals(Rejection.WRONG_STATE, noise.lastRejection());
        assertNotNull(noise.beginSession(aliceToBob, NOW_NS));
        return true;
    }
}
