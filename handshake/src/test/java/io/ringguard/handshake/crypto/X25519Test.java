package io.ringguard.handshake.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class X25519Test {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void shouldMatchRfc7748Section62() {
        byte[] alicePriv = HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] bobPriv = HEX.parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        byte[] alicePub = new byte[32];
        byte[] bobPub = new byte[32];
        X25519.publicKey(alicePriv, alicePub);
        X25519.publicKey(bobPriv, bobPub);
        assertArrayEquals(HEX.parseHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"), alicePub);
        assertArrayEquals(HEX.parseHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"), bobPub);
        byte[] s1 = new byte[32];
        byte[] s2 = new byte[32];
        assertTrue(X25519.dh(s1, alicePriv, bobPub));
        assertTrue(X25519.dh(s2, bobPriv, alicePub));
        assertArrayEquals(HEX.parseHex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"), s1);
        assertArrayEquals(s1, s2);
    }

    @Test
    void shouldRejectLowOrderPublicKeys() {
        byte[] priv = new byte[32];
        X25519.generatePrivateKey(new java.security.SecureRandom(), priv);
        byte[] shared = new byte[32];
        // The zero point and the point of order 8 from the kernel's curve25519 selftest.
        assertFalse(X25519.dh(shared, priv, new byte[32]));
        assertFalse(X25519.dh(
                shared, priv, HEX.parseHex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")));
        assertFalse(X25519.dh(
                shared, priv, HEX.parseHex("0100000000000000000000000000000000000000000000000000000000000000")));
    }
}
