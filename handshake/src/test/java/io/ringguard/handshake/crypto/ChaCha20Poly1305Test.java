package io.ringguard.handshake.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class ChaCha20Poly1305Test {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] SUNSCREEN = ("Ladies and Gentlemen of the class of '99: If I could offer you only one"
                    + " tip for the future, sunscreen would be it.")
            .getBytes(StandardCharsets.US_ASCII);

    private static byte[] range(int from, int count) {
        byte[] b = new byte[count];
        for (int i = 0; i < count; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    @Test
    void shouldMatchRfc8439AeadVector() {
        byte[] key = range(0x80, 32);
        byte[] aad = HEX.parseHex("50515253c0c1c2c3c4c5c6c7");
        byte[] nonce = HEX.parseHex("070000004041424344454647");
        byte[] buf = new byte[SUNSCREEN.length + 16];
        System.arraycopy(SUNSCREEN, 0, buf, 0, SUNSCREEN.length);
        int[] k = new int[8];
        ChaCha20.loadKey(new UnsafeBuffer(key), 0, k);
        UnsafeBuffer n = new UnsafeBuffer(nonce);
        ChaCha20Poly1305 aead = new ChaCha20Poly1305();
        aead.sealWithNonce(
                k,
                n.getInt(0, java.nio.ByteOrder.LITTLE_ENDIAN),
                n.getInt(4, java.nio.ByteOrder.LITTLE_ENDIAN),
                n.getInt(8, java.nio.ByteOrder.LITTLE_ENDIAN),
                new UnsafeBuffer(buf),
                0,
                SUNSCREEN.length,
                new UnsafeBuffer(aad),
                0,
                aad.length);
        String expected =
                "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b"
                        + "1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
                        + "3ff4def08e4b7a9de576d26586cec64b6116"
                        + "1ae10b594f09e26a7e902ecbd0600691";
        assertArrayEquals(HEX.parseHex(expected), buf);
    }

    @Test
    void shouldMatchXChaCha20Poly1305DraftVector() {
        byte[] key = range(0x80, 32);
        byte[] aad = HEX.parseHex("50515253c0c1c2c3c4c5c6c7");
        byte[] nonce = HEX.parseHex("404142434445464748494a4b4c4d4e4f5051525354555657");
        byte[] buf = new byte[SUNSCREEN.length + 16];
        System.arraycopy(SUNSCREEN, 0, buf, 0, SUNSCREEN.length);
        XChaCha20Poly1305 x = new XChaCha20Poly1305();
        x.seal(
                new UnsafeBuffer(key),
                0,
                new UnsafeBuffer(nonce),
                0,
                new UnsafeBuffer(buf),
                0,
                SUNSCREEN.length,
                new UnsafeBuffer(aad),
                0,
                aad.length);
        String expected =
                "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39"
                        + "ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
                        + "21f9664c97637da9768812f615c68b13b52e"
                        + "c0875924c1c7987947deafd8780acf49";
        assertArrayEquals(HEX.parseHex(expected), buf);
        assertTrue(x.open(
                new UnsafeBuffer(key),
                0,
                new UnsafeBuffer(nonce),
                0,
                new UnsafeBuffer(buf),
                0,
                buf.length,
                new UnsafeBuffer(aad),
                0,
                aad.length));
        assertArrayEquals(SUNSCREEN, java.util.Arrays.copyOf(buf, SUNSCREEN.length));
    }

    /** Differential test against the JDK's cipher for every length across block boundaries. */
    @Test
    void shouldAgreeWithJdkCipherForAllLengths() throws Exception {
        Random random = new Random(42);
        ChaCha20Poly1305 aead = new ChaCha20Poly1305();
        int[] k = new int[8];
        for (int length = 0; length <= 300; length++) {
            byte[] key = new byte[32];
            random.nextBytes(key);
            byte[] aad = new byte[random.nextInt(40)];
            random.nextBytes(aad);
            byte[] plain = new byte[length];
            random.nextBytes(plain);
            long counter = random.nextLong();
            byte[] nonce = new byte[12];
            new UnsafeBuffer(nonce).putLong(4, counter, java.nio.ByteOrder.LITTLE_ENDIAN);

            Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
            jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
            jdk.updateAAD(aad);
            byte[] expected = jdk.doFinal(plain);

            byte[] buf = new byte[length + 16];
            System.arraycopy(plain, 0, buf, 0, length);
            ChaCha20.loadKey(new UnsafeBuffer(key), 0, k);
            UnsafeBuffer b = new UnsafeBuffer(buf);
            aead.seal(k, counter, b, 0, length, new UnsafeBuffer(aad), 0, aad.length);
            assertArrayEquals(expected, buf, "length " + length);

            assertTrue(aead.open(k, counter, b, 0, buf.length, new UnsafeBuffer(aad), 0, aad.length));
            assertArrayEquals(plain, java.util.Arrays.copyOf(buf, length), "length " + length);
        }
    }

    @Test
    void shouldRejectFlippedBitsWithoutDecrypting() {
        int[] k = {1, 2, 3, 4, 5, 6, 7, 8};
        ChaCha20Poly1305 aead = new ChaCha20Poly1305();
        byte[] buf = new byte[100 + 16];
        UnsafeBuffer b = new UnsafeBuffer(buf);
        UnsafeBuffer empty = new UnsafeBuffer(new byte[0]);
        aead.seal(k, 7, b, 0, 100, empty, 0, 0);
        for (int bit = 0; bit < buf.length * 8; bit += 13) {
            byte[] sealed = buf.clone();
            sealed[bit / 8] ^= (byte) (1 << (bit % 8));
            byte[] before = sealed.clone();
            assertFalse(aead.open(k, 7, new UnsafeBuffer(sealed), 0, sealed.length, empty, 0, 0), "bit " + bit);
            assertArrayEquals(before, sealed, "rejected input must stay untouched");
        }
        assertFalse(aead.open(k, 8, b, 0, buf.length, empty, 0, 0), "wrong counter");
        assertFalse(aead.open(k, 7, b, 0, 15, empty, 0, 0), "shorter than a tag");
        assertTrue(aead.open(k, 7, b, 0, buf.length, empty, 0, 0));
    }

    @Test
    void shouldMatchRfc8439Poly1305Vector() {
        byte[] key = HEX.parseHex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
        byte[] msg = "Cryptographic Forum Research Group".getBytes(StandardCharsets.US_ASCII);
        Poly1305 p = new Poly1305();
        p.init(new UnsafeBuffer(key), 0);
        p.update(new UnsafeBuffer(msg), 0, 5);
        p.update(new UnsafeBuffer(msg), 5, msg.length - 5);
        byte[] tag = new byte[16];
        p.finish(new UnsafeBuffer(tag), 0);
        assertArrayEquals(HEX.parseHex("a8061dc1305136c6c22b8baf0c0127a9"), tag);
    }
}
