package io.ringguard.handshake.noise;

import static io.ringguard.handshake.noise.FuzzFixture.ALICE_INDEX;
import static io.ringguard.handshake.noise.FuzzFixture.BOB;
import static io.ringguard.handshake.noise.FuzzFixture.INITIATION;
import static io.ringguard.handshake.noise.FuzzFixture.NOW_NS;
import static io.ringguard.handshake.noise.FuzzFixture.SOURCE_ADDRESS;
import static io.ringguard.handshake.noise.FuzzFixture.SOURCE_PORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ringguard.handshake.cookie.CookieChecker;
import io.ringguard.handshake.cookie.CookieMaker;
import io.ringguard.handshake.cookie.MacResult;
import io.ringguard.handshake.message.CookieReplyMessage;
import io.ringguard.handshake.message.InitiationMessage;
import io.ringguard.handshake.message.MessageType;
import io.ringguard.testkit.fuzz.FuzzBytes;
import java.util.Arrays;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target for {@link CookieMaker#consumeReply}: alice sent bob an initiation (so she holds its mac1), bob
 * was under load and answered with a cookie reply, and the reply arrives changed.
 *
 * <p>Input: a mode byte, then XOR patches for modes 1-2. Mode 0: the rest of the input is the datagram.
 * Mode 1: bob's valid reply, patched. Mode 2: the same reply, but alice never sent a mac1 it could answer.
 * Invariants: nothing throws; a reply is accepted only if its nonce and sealed cookie are bob's, only once,
 * and only then does alice's next mac2 pass bob's cookie check.
 */
class CookieReplyFuzzTest {
    /** Bob's cookie checker; its secret is born at {@code NOW_NS} and stays valid for the whole run. */
    private static final CookieChecker CHECKER = new CookieChecker(BOB, FuzzFixture.deterministicRandom("cookie"));

    private static final byte[] REPLY = new byte[CookieReplyMessage.LENGTH];

    static {
        CHECKER.createReply(
                new UnsafeBuffer(INITIATION),
                0,
                InitiationMessage.LENGTH,
                ALICE_INDEX,
                SOURCE_ADDRESS,
                SOURCE_PORT,
                NOW_NS,
                new UnsafeBuffer(REPLY),
                0);
    }

    @Test
    void shouldAcceptTheUnpatchedReplyOnce() {
        assertTrue(consume(new byte[] {1, 0}));
    }

    @Test
    void shouldRejectAReplyNobodyAskedFor() {
        assertFalse(consume(new byte[] {2, 0}));
    }

    @FuzzTest
    void fuzzConsumeCookieReply(final byte[] input) {
        consume(input);
    }

    private static boolean consume(final byte[] input) {
        final FuzzBytes in = new FuzzBytes(input);
        final int mode = in.below(3);
        final byte[] message;
        if (mode == 0) {
            message = in.rest();
        } else {
            message = REPLY.clone();
            in.xorPatches(message, 8);
        }
        final CookieMaker alice = new CookieMaker(BOB.publicKey());
        final UnsafeBuffer init = new UnsafeBuffer(INITIATION.clone());
        if (mode != 2) {
            alice.addMacs(init, 0, InitiationMessage.LENGTH, NOW_NS);
        }
        final UnsafeBuffer msg = new UnsafeBuffer(message);
        // The receiver would drop anything that is not exactly a cookie reply before looking up the peer.
        if (MessageType.classify(msg, 0, message.length) != MessageType.COOKIE_REPLY) {
            return false;
        }
        if (!alice.consumeReply(msg, 0, NOW_NS)) {
            assertFalse(alice.hasFreshCookie(NOW_NS));
            alice.addMacs(init, 0, InitiationMessage.LENGTH, NOW_NS);
            assertTrue(isZero(init.byteArray(), InitiationMessage.MAC2_OFFSET), "no cookie, so no mac2");
            return false;
        }
        assertTrue(mode != 2, "accepted a reply to a mac1 never sent");
        assertTrue(
                FuzzFixture.unchanged(REPLY, message, CookieReplyMessage.NONCE_OFFSET, CookieReplyMessage.LENGTH),
                "accepted a reply whose nonce or sealed cookie was changed");
        assertFalse(alice.consumeReply(msg, 0, NOW_NS), "a reply is taken at most once per mac1");
        assertTrue(alice.hasFreshCookie(NOW_NS));
        alice.addMacs(init, 0, InitiationMessage.LENGTH, NOW_NS);
        assertEquals(
                MacResult.VALID_MAC_WITH_COOKIE,
                CHECKER.validate(init, 0, InitiationMessage.LENGTH, SOURCE_ADDRESS, SOURCE_PORT, true, NOW_NS));
        return true;
    }

    private static boolean isZero(final byte[] bytes, final int from) {
        final byte[] zeros = new byte[bytes.length - from];
        return Arrays.equals(bytes, from, bytes.length, zeros, 0, zeros.length);
    }
}
