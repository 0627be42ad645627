package io.ringguard.handshake.noise;

import io.ringguard.handshake.cookie.CookieMaker;
import io.ringguard.handshake.message.InitiationMessage;
import io.ringguard.handshake.message.ResponseMessage;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The fixed test identities the handshake fuzz targets share: an initiator ("alice") and a responder
 * ("bob") with constant private keys and PSK, and a deterministic random so that alice's ephemeral key, and
 * so bob's valid response to it, are the same in every run and every JVM. A fuzz input then only says how to
 * change a valid message, which keeps crash files reproducible.
 */
final class FuzzFixture {
    static final long NOW_NS = TimeUnit.SECONDS.toNanos(1_000);
    static final long WALL_CLOCK_NS = 1_700_000_000_000_000_000L;
    static final byte[] SOURCE_ADDRESS = {(byte) 198, 18, 0, 1};
    static final int SOURCE_PORT = 51820;
    static final int ALICE_INDEX = 0x11111111;
    static final int BOB_INDEX = 0x22222222;

    static final StaticIdentity ALICE = new StaticIdentity(key(1));
    static final StaticIdentity BOB = new StaticIdentity(key(2));
    static final byte[] PSK = key(3);

    /** Alice's initiation to bob with mac1 (mac2 zero), from {@link #aliceNoise()}'s first ephemeral. */
    static final byte[] INITIATION = new byte[InitiationMessage.LENGTH];

    /** Bob's response to {@link #INITIATION} with mac1, as alice's handshake from {@link #aliceStart} expects. */
    static final byte[] RESPONSE = new byte[ResponseMessage.LENGTH];

    static {
        final Handshake aliceToBob = new Handshake(ALICE, BOB.publicKey(), PSK);
        aliceStart(aliceToBob);
        final UnsafeBuffer init = new UnsafeBuffer(INITIATION);
        final Noise aliceNoise = aliceNoise();
        check(aliceNoise.createInitiation(ALICE, aliceToBob, ALICE_INDEX, WALL_CLOCK_NS, init, 0));
        new CookieMaker(BOB.publicKey()).addMacs(init, 0, InitiationMessage.LENGTH, NOW_NS);

        final Handshake bobToAlice = bobHandshake();
        final Noise bobNoise = new Noise(deterministicRandom("bob"));
        check(bobNoise.consumeInitiation(BOB, init, 0, aliceLookup(bobToAlice), NOW_NS) == bobToAlice);
        final UnsafeBuffer resp = new UnsafeBuffer(RESPONSE);
        check(bobNoise.createResponse(bobToAlice, BOB_INDEX, resp, 0));
        new CookieMaker(ALICE.publicKey()).addMacs(resp, 0, ResponseMessage.LENGTH, NOW_NS);
    }

    private FuzzFixture() {}

    /** Bob's peer table: alice only. */
    static Noise.PeerLookup aliceLookup(final Handshake bobToAlice) {
        return key -> Arrays.equals(key, ALICE.publicKey()) ? bobToAlice : null;
    }

    /** A fresh responder-side handshake for alice (nothing consumed yet). */
    static Handshake bobHandshake() {
        return new Handshake(BOB, ALICE.publicKey(), PSK);
    }

    /**
     * Puts a fresh alice-side handshake into CREATED_INITIATION with the same ephemeral key as {@link
     * #INITIATION}, so that {@link #RESPONSE} answers it.
     */
    static Handshake aliceStart(final Handshake aliceToBob) {
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[InitiationMessage.LENGTH]);
        check(aliceNoise().createInitiation(ALICE, aliceToBob, ALICE_INDEX, WALL_CLOCK_NS, scratch, 0));
        return aliceToBob;
    }

    /** Alice's Noise with a random that yields the same ephemeral key every time. */
    static Noise aliceNoise() {
        return new Noise(deterministicRandom("alice"));
    }

    static SecureRandom deterministicRandom(final String seed) {
        try {
            // SHA1PRNG seeded before its first use is a pure function of the seed.
            final SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(seed.getBytes(StandardCharsets.US_ASCII));
            return random;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA1PRNG is part of every JDK", e);
        }
    }

    /** Whether {@code actual[from, to)} still holds the template's bytes. */
    static boolean unchanged(final byte[] template, final byte[] actual, final int from, final int to) {
        return actual.length >= to && Arrays.equals(template, from, to, actual, from, to);
    }

    private static byte[] key(final int fill) {
        final byte[] key = new byte[32];
        Arrays.fill(key, (byte) (0x40 + fill));
        return key;
    }

    private static void check(final boolean ok) {
        if (!ok) {
            throw new IllegalStateException("the fuzz fixture's valid handshake failed");
        }
    }
}
