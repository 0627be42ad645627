package io.ringguard.dataplane.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.handshake.keys.Keys;
import io.ringguard.handshake.message.InitiationMessage;
import io.ringguard.handshake.message.ResponseMessage;
import io.ringguard.handshake.noise.Handshake;
import io.ringguard.handshake.noise.Keypair;
import io.ringguard.handshake.noise.Noise;
import io.ringguard.handshake.noise.StaticIdentity;
import java.util.Arrays;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Retired keypairs keep their keys for the grace period (packets in flight), then lose them. */
class RetiredKeysTest {
    private static final long T0 = 1_000_000_000L;

    @Test
    void shouldKeepRetiredKeysThroughTheGracePeriodThenWipeThem() {
        RetiredKeys retired = new RetiredKeys();
        Keypair old = session();
        Keypair newer = session();
        retired.retire(old, T0);
        retired.retire(newer, T0 + 500_000_000L);

        assertFalse(old.valid(), "retired at once: nothing new is sealed or opened with it");
        assertEquals(0, retired.wipeDue(T0 + RetiredKeys.GRACE_NS - 1));
        assertTrue(hasKeys(old), "a packet stamped before retirement may still be sealing");

        assertEquals(1, retired.wipeDue(T0 + RetiredKeys.GRACE_NS));
        assertFalse(hasKeys(old), "wiped once the grace period is over");
        assertTrue(hasKeys(newer), "retired later, wiped later");
        assertEquals(1, retired.size());

        assertEquals(1, retired.wipeDue(T0 + 500_000_000L + RetiredKeys.GRACE_NS));
        assertFalse(hasKeys(newer));
        assertEquals(0, retired.size());
    }

    @Test
    void shouldWipeEverythingWhenTheDeviceCloses() {
        RetiredKeys retired = new RetiredKeys();
        Keypair k = session();
        retired.retire(k, T0);
        retired.wipeAll();
        assertFalse(hasKeys(k));
        assertEquals(0, retired.size());
    }

    private static boolean hasKeys(Keypair k) {
        return Arrays.stream(k.sendKey()).anyMatch(w -> w != 0)
                && Arrays.stream(k.receiveKey()).anyMatch(w -> w != 0);
    }

    /** The initiator's keypair of one real Noise handshake between two fresh identities. */
    static Keypair session() {
        StaticIdentity alice = new StaticIdentity(Keys.generatePrivateKey());
        StaticIdentity bob = new StaticIdentity(Keys.generatePrivateKey());
        Handshake aliceToBob = new Handshake(alice, bob.publicKey(), null);
        Handshake bobToAlice = new Handshake(bob, alice.publicKey(), null);
        Noise aliceNoise = new Noise();
        Noise bobNoise = new Noise();
        UnsafeBuffer init = new UnsafeBuffer(new byte[InitiationMessage.LENGTH]);
        UnsafeBuffer resp = new UnsafeBuffer(new byte[ResponseMessage.LENGTH]);
        assertTrue(aliceNoise.createInitiation(alice, aliceToBob, 1, System.currentTimeMillis() * 1_000_000L, init, 0));
        assertSame(bobToAlice, bobNoise.consumeInitiation(bob, init, 0, key -> bobToAlice, T0));
        assertTrue(bobNoise.createResponse(bobToAlice, 2, resp, 0));
        assertTrue(aliceNoise.consumeResponse(alice, aliceToBob, resp, 0));
        Keypair k = aliceNoise.beginSession(aliceToBob, T0);
        assertNotNull(k);
        assertTrue(hasKeys(k));
        return k;
    }
}
