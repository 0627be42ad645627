package io.ringguard.handshake.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.handshake.cookie.CookieChecker;
import io.ringguard.handshake.cookie.CookieMaker;
import io.ringguard.handshake.cookie.MacResult;
import io.ringguard.handshake.crypto.ChaCha20Poly1305;
import io.ringguard.handshake.keys.Keys;
import io.ringguard.handshake.message.CookieReplyMessage;
import io.ringguard.handshake.message.InitiationMessage;
import io.ringguard.handshake.message.MessageType;
import io.ringguard.handshake.message.ResponseMessage;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** In-process initiator and responder: the whole handshake, then each rejection path. */
class NoiseTest {
    private static final long WALL = 1_700_000_000_000_000_000L;
    private static final byte[] SOURCE = {(byte) 198, 18, 0, 1};

    private final SecureRandom random = new SecureRandom();
    private StaticIdentity alice;
    private StaticIdentity bob;
    private Handshake aliceToBob;
    private Handshake bobToAlice;
    private final Noise aliceNoise = new Noise();
    private final Noise bobNoise = new Noise();
    private CookieMaker aliceMacs;
    private CookieChecker bobChecker;
    private final UnsafeBuffer init = new UnsafeBuffer(new byte[InitiationMessage.LENGTH]);
    private final UnsafeBuffer resp = new UnsafeBuffer(new byte[ResponseMessage.LENGTH]);
    private long nowNs = TimeUnit.SECONDS.toNanos(1000);

    @BeforeEach
    void setUp() {
        alice = new StaticIdentity(Keys.generatePrivateKey());
        bob = new StaticIdentity(Keys.generatePrivateKey());
        byte[] psk = Keys.generatePresharedKey();
        aliceToBob = new Handshake(alice, bob.publicKey(), psk);
        bobToAlice = new Handshake(bob, alice.publicKey(), psk);
        aliceMacs = new CookieMaker(bob.publicKey());
        bobChecker = new CookieChecker(bob, random);
    }

    private Handshake lookupAlice(byte[] key) {
        return java.util.Arrays.equals(key, alice.publicKey()) ? bobToAlice : null;
    }

    private void createInitiation(long wallNs) {
        assertTrue(aliceNoise.createInitiation(alice, aliceToBob, 0x11111111, wallNs, init, 0));
        aliceMacs.addMacs(init, 0, InitiationMessage.LENGTH, nowNs);
    }

    @Test
    void shouldCompleteHandshakeAndExchangeTransportData() {
        createInitiation(WALL);
        assertEquals(MessageType.INITIATION, MessageType.classify(init, 0, InitiationMessage.LENGTH));
        assertEquals(
                MacResult.VALID_MAC_NO_COOKIE,
                bobChecker.validate(init, 0, InitiationMessage.LENGTH, SOURCE, 51820, false, nowNs));
        assertSame(bobToAlice, bobNoise.consumeInitiation(bob, init, 0, this::lookupAlice, nowNs));
        assertEquals(0x11111111, bobToAlice.remoteIndex());

        assertTrue(bobNoise.createResponse(bobToAlice, 0x22222222, resp, 0));
        new CookieMaker(alice.publicKey()).addMacs(resp, 0, ResponseMessage.LENGTH, nowNs);
        assertEquals(0x11111111, ResponseMessage.receiverIndex(resp, 0));
        assertTrue(aliceNoise.consumeResponse(alice, aliceToBob, resp, 0));

        Keypair a = aliceNoise.beginSession(aliceToBob, nowNs);
        Keypair b = bobNoise.beginSession(bobToAlice, nowNs);
        assertNotNull(a);
        assertNotNull(b);
        assertTrue(a.initiator());
        assertFalse(b.initiator());
        assertEquals(0x22222222, a.remoteIndex());
        assertEquals(0x11111111, b.remoteIndex());
        assertEquals(HandshakeState.ZEROED, aliceToBob.state());

        // Both directions of transport data open on the other side.
        ChaCha20Poly1305 aead = new ChaCha20Poly1305();
        UnsafeBuffer packet = new UnsafeBuffer(new byte[64 + 16]);
        UnsafeBuffer none = new UnsafeBuffer(new byte[0]);
        packet.putStringWithoutLengthAscii(0, "hello from alice, padded to 64 bytes................");
        long c = a.nextSendCounter();
        aead.seal(a.sendKey(), c, packet, 0, 64, none, 0, 0);
        assertTrue(aead.open(b.receiveKey(), c, packet, 0, 80, none, 0, 0));
        assertTrue(packet.getStringWithoutLengthAscii(0, 16).startsWith("hello from alice"));
        aead.seal(b.sendKey(), 0, packet, 0, 64, none, 0, 0);
        assertTrue(aead.open(a.receiveKey(), 0, packet, 0, 80, none, 0, 0));

        // The responder's keypair is "next" until the first data packet confirms it.
        Keypairs bobPairs = new Keypairs();
        bobPairs.add(b);
        assertNull(bobPairs.current());
        assertTrue(bobPairs.receivedWith(b));
        assertSame(b, bobPairs.current());
    }

    @Test
    void shouldRejectBadMac1() {
        createInitiation(WALL);
        init.putByte(InitiationMessage.MAC1_OFFSET, (byte) (init.getByte(InitiationMessage.MAC1_OFFSET) ^ 1));
        assertEquals(
                MacResult.INVALID_MAC,
                bobChecker.validate(init, 0, InitiationMessage.LENGTH, SOURCE, 51820, false, nowNs));
    }

    @Test
    void shouldRejectMac1ForAnotherResponder() {
        createInitiation(WALL);
        StaticIdentity carol = new StaticIdentity(Keys.generatePrivateKey());
        assertEquals(
                MacResult.INVALID_MAC,
                new CookieChecker(carol, random)
                        .validate(init, 0, InitiationMessage.LENGTH, SOURCE, 51820, false, nowNs));
    }

    @Test
    void shouldRejectTamperedStaticWithoutTouchingPeer() {
        createInitiation(WALL);
        init.putByte(
                InitiationMessage.STATIC_OFFSET + 3, (byte) (init.getByte(InitiationMessage.STATIC_OFFSET + 3) ^ 4));
        assertNull(bobNoise.consumeInitiation(bob, init, 0, this::lookupAlice, nowNs));
        assertEquals(Rejection.BAD_STATIC, bobNoise.lastRejection());
        assertEquals(HandshakeState.ZEROED, bobToAlice.state());
    }

    @Test
    void shouldRejectTamperedTimestamp() {
        createInitiation(WALL);
        init.putByte(InitiationMessage.TIMESTAMP_OFFSET, (byte) (init.getByte(InitiationMessage.TIMESTAMP_OFFSET) ^ 1));
        assertNull(bobNoise.consumeInitiation(bob, init, 0, this::lookupAlice, nowNs));
        assertEquals(Rejection.BAD_TIMESTAMP, bobNoise.lastRejection());
    }

    @Test
    void shouldRejectUnknownPeer() {
        createInitiation(WALL);
        assertNull(bobNoise.consumeInitiation(bob, init, 0, key -> null, nowNs));
        assertEquals(Rejection.UNKNOWN_PEER, bobNoise.lastRejection());
    }

    @Test
    void shouldRejectReplayedInitiationAndKeepSessionState() {
        createInitiation(WALL);
        byte[] copy = new byte[InitiationMessage.LENGTH];
        init.getBytes(0, copy);
        assertNotNull(bobNoise.consumeInitiation(bob, init, 0, this::lookupAlice, nowNs));
        nowNs += TimeUnit.SECONDS.toNanos(1);
        assertNull(bobNoise.consumeInitiation(bob, new UnsafeBuffer(copy), 0, this::lookupAlice, nowNs));
        assertEquals(Rejection.REPLAYED_TIMESTAMP, bobNoise.lastRejection());
        // An older timestamp is refused as well.
        createInitiation(WALL - TimeUnit.SECONDS.toNanos(5));
        assertNull(bobNoise.consumeInitiation(bob, init, 0, this::lookupAlice, nowNs));
        assertEquals(Rejection.REPLAYED_TIMESTAMP, bobNoise.lastRejection());
    }

    @Test
    void shouldRejectSecondInitiationWithin20Ms() {
        createInitiation(WALL);
        assertNotNull(bobNoise.consumeInitiation(bob, init, 0, this::lookupAlice, nowNs));
        createInitiation(WALL + TimeUnit.SECONDS.toNanos(1));
        nowNs += TimeUnit.MILLISECONDS.toNanos(19);
        assertNull(bobNoise.consumeInitiation(bob, init, 0, this::lookupAlice, nowNs));
        assertEquals(Rejection.INITIATION_FLOOD, bobNoise.lastRejection());
        nowNs += TimeUnit.MILLISECONDS.toNanos(1);
        assertNotNull(bobNoise.consumeInitiation(bob, init, 0, this::lookupAlice, nowNs));
    }

    @Test
    void shouldRejectLowOrderRemoteStatic() {
        Handshake bad = new Handshake(alice, new byte[32], null);
        assertFalse(bad.usable());
        assertFalse(aliceNoise.createInitiation(alice, bad, 1, WALL, init, 0));
        assertEquals(Rejection.LOW_ORDER_KEY, aliceNoise.lastRejection());
    }

    @Test
    void shouldRejectLowOrderEphemeral() {
        createInitiation(WALL);
        init.setMemory(InitiationMessage.EPHEMERAL_OFFSET, 32, (byte) 0);
        assertNull(bobNoise.consumeInitiation(bob, init, 0, this::lookupAlice, nowNs));
        assertEquals(Rejection.LOW_ORDER_KEY, bobNoise.lastRejection());
    }

    @Test
    void shouldRejectResponseInWrongStateOrTampered() {
        createInitiation(WALL);
        assertNotNull(bobNoise.consumeInitiation(bob, init, 0, this::lookupAlice, nowNs));
        assertTrue(bobNoise.createResponse(bobToAlice, 7, resp, 0));
        byte[] good = new byte[ResponseMessage.LENGTH];
        resp.getBytes(0, good);
        resp.putByte(ResponseMessage.EMPTY_OFFSET, (byte) (resp.getByte(ResponseMessage.EMPTY_OFFSET) ^ 1));
        assertFalse(aliceNoise.consumeResponse(alice, aliceToBob, resp, 0));
        assertEquals(Rejection.BAD_RESPONSE, aliceNoise.lastRejection());
        assertEquals(HandshakeState.CREATED_INITIATION, aliceToBob.state());
        assertTrue(aliceNoise.consumeResponse(alice, aliceToBob, new UnsafeBuffer(good), 0));
        // A replayed response after the state moved on changes nothing.
        assertFalse(aliceNoise.consumeResponse(alice, aliceToBob, new UnsafeBuffer(good), 0));
        assertEquals(Rejection.WRONG_STATE, aliceNoise.lastRejection());
    }

    @Test
    void shouldRejectMismatchedPresharedKey() {
        bobToAlice.presharedKey(Keys.generatePresharedKey());
        createInitiation(WALL);
        assertNotNull(bobNoise.consumeInitiation(bob, init, 0, this::lookupAlice, nowNs));
        assertTrue(bobNoise.createResponse(bobToAlice, 7, resp, 0));
        assertFalse(aliceNoise.consumeResponse(alice, aliceToBob, resp, 0));
        assertEquals(Rejection.BAD_RESPONSE, aliceNoise.lastRejection());
    }

    @Test
    void shouldAnswerWithCookieAndAcceptMac2Afterwards() {
        createInitiation(WALL);
        assertEquals(
                MacResult.VALID_MAC_NO_COOKIE,
                bobChecker.validate(init, 0, InitiationMessage.LENGTH, SOURCE, 51820, true, nowNs));
        UnsafeBuffer reply = new UnsafeBuffer(new byte[CookieReplyMessage.LENGTH]);
        bobChecker.createReply(
                init,
                0,
                InitiationMessage.LENGTH,
                InitiationMessage.senderIndex(init, 0),
                SOURCE,
                51820,
                nowNs,
                reply,
                0);
        assertEquals(MessageType.COOKIE_REPLY, MessageType.classify(reply, 0, CookieReplyMessage.LENGTH));
        assertEquals(0x11111111, CookieReplyMessage.receiverIndex(reply, 0));
        byte[] replyCopy = new byte[CookieReplyMessage.LENGTH];
        reply.getBytes(0, replyCopy);
        assertTrue(aliceMacs.consumeReply(reply, 0, nowNs));
        // The same reply cannot be taken twice: it answered one mac1.
        assertFalse(aliceMacs.consumeReply(new UnsafeBuffer(replyCopy), 0, nowNs));

        createInitiation(WALL + 1_000_000_000L);
        assertEquals(
                MacResult.VALID_MAC_WITH_COOKIE,
                bobChecker.validate(init, 0, InitiationMessage.LENGTH, SOURCE, 51820, true, nowNs));
        // From another source port the cookie does not match.
        assertEquals(
                MacResult.VALID_MAC_NO_COOKIE,
                bobChecker.validate(init, 0, InitiationMessage.LENGTH, SOURCE, 51821, true, nowNs));
        // After the secret rotates (120 s) the old cookie stops working.
        nowNs += TimeUnit.SECONDS.toNanos(121);
        assertEquals(
                MacResult.VALID_MAC_NO_COOKIE,
                bobChecker.validate(init, 0, InitiationMessage.LENGTH, SOURCE, 51820, true, nowNs));
    }

    @Test
    void shouldRejectCookieReplyForAMac1WeNeverSent() {
        UnsafeBuffer forged = new UnsafeBuffer(new byte[CookieReplyMessage.LENGTH]);
        assertFalse(aliceMacs.consumeReply(forged, 0, nowNs));
        createInitiation(WALL);
        forged.putByte(0, (byte) MessageType.COOKIE_REPLY);
        assertFalse(aliceMacs.consumeReply(forged, 0, nowNs));
        assertFalse(aliceMacs.hasFreshCookie(nowNs));
    }

    @Test
    void shouldRejectReplayedTransportCounter() {
        createInitiation(WALL);
        bobNoise.consumeInitiation(bob, init, 0, this::lookupAlice, nowNs);
        bobNoise.createResponse(bobToAlice, 9, resp, 0);
        Keypair b = bobNoise.beginSession(bobToAlice, nowNs);
        assertTrue(b.acceptCounter(0));
        assertFalse(b.acceptCounter(0));
        assertTrue(b.acceptCounter(5000));
        assertFalse(b.acceptCounter(5000 - 8200));
    }

    @Test
    void shouldDeriveSameKeysAsInitiatorWhenRolesSwap() {
        // Bob initiates to Alice this time: the keys must still agree.
        Handshake bobToAlice2 = new Handshake(bob, alice.publicKey(), null);
        Handshake aliceToBob2 = new Handshake(alice, bob.publicKey(), null);
        assertTrue(bobNoise.createInitiation(bob, bobToAlice2, 3, WALL, init, 0));
        assertSame(
                aliceToBob2,
                aliceNoise.consumeInitiation(
                        alice, init, 0, k -> java.util.Arrays.equals(k, bob.publicKey()) ? aliceToBob2 : null, nowNs));
        assertTrue(aliceNoise.createResponse(aliceToBob2, 4, resp, 0));
        assertTrue(bobNoise.consumeResponse(bob, bobToAlice2, resp, 0));
        Keypair x = bobNoise.beginSession(bobToAlice2, nowNs);
        Keypair y = aliceNoise.beginSession(aliceToBob2, nowNs);
        assertArrayEquals(x.sendKey(), y.receiveKey());
        assertArrayEquals(x.receiveKey(), y.sendKey());
    }
}
