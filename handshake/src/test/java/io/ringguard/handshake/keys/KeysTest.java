package io.ringguard.handshake.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class KeysTest {
    @Test
    void shouldRoundTripBase64AndHexLikeWg() {
        for (int i = 0; i < 100; i++) {
            byte[] key = Keys.generatePresharedKey();
            String b64 = new String(Keys.toBase64(key));
            assertEquals(Base64.getEncoder().encodeToString(key), b64);
            assertArrayEquals(key, Keys.fromBase64(b64));
            String hex = new String(Keys.toHex(key));
            assertEquals(HexFormat.of().formatHex(key), hex);
            assertArrayEquals(key, Keys.fromHex(hex));
            assertArrayEquals(key, Keys.fromHex(hex.toUpperCase(java.util.Locale.ROOT)));
        }
    }

    @Test
    void shouldDerivePublicKeyLikeWgPubkey() {
        // RFC 7748 6.1 Alice: wg pubkey of this private key prints the RFC's public key.
        byte[] priv = HexFormat.of().parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        assertEquals(
                "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
                HexFormat.of().formatHex(Keys.publicKey(priv)));
    }

    @Test
    void shouldClampGeneratedPrivateKeys() {
        byte[] k = Keys.generatePrivateKey();
        assertEquals(0, k[0] & 7);
        assertEquals(0x40, k[31] & 0xC0);
    }

    @Test
    void shouldRejectMalformedKeys() {
        assertThrows(IllegalArgumentException.class, () -> Keys.fromBase64("short="));
        assertThrows(
                IllegalArgumentException.class, () -> Keys.fromBase64("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA*="));
        // 'B' in the last position sets a padding bit: not canonical.
        assertThrows(
                IllegalArgumentException.class, () -> Keys.fromBase64("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB="));
        assertThrows(IllegalArgumentException.class, () -> Keys.fromHex("zz" + "0".repeat(62)));
        assertThrows(IllegalArgumentException.class, () -> Keys.fromHex("00"));
        // Arabic-Indic digit zero is a digit to Character.digit, but not hex to wg.
        assertThrows(IllegalArgumentException.class, () -> Keys.fromHex("\u0660" + "0".repeat(63)));
    }
}
