package io.ringguard.handshake.noise;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which keypairs a peer still holds, as the control thread's index sweep sees it. */
class KeypairsTest {
    @Test
    void shouldHoldOnlyPreviousCurrentAndNextThroughRotationAndPromotion() {
        Keypairs keypairs = new Keypairs();
        Keypair a = new Keypair(1, 101, true, 0);
        Keypair b = new Keypair(2, 102, true, 0);
        Keypair c = new Keypair(3, 103, true, 0);
        Keypair d = new Keypair(4, 104, false, 0);

        keypairs.add(a);
        keypairs.add(b);
        assertTrue(keypairs.holds(a), "previous");
        assertTrue(keypairs.holds(b), "current");

        keypairs.add(c);
        assertFalse(keypairs.holds(a), "rotated out");
        assertFalse(a.valid());

        keypairs.add(d); // the responder's keypair waits as next; previous (b) is retired
        assertFalse(keypairs.holds(b));
        assertTrue(keypairs.holds(c));
        assertTrue(keypairs.holds(d), "next");

        assertTrue(keypairs.receivedWith(d)); // promoted: next -> current, current -> previous
        assertTrue(keypairs.holds(d));
        assertTrue(keypairs.holds(c));

        keypairs.clear();
        assertFalse(keypairs.holds(c));
        assertFalse(keypairs.holds(d));
    }
}
