package io.ringguard.handshake.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.bouncycastle.crypto.digests.Blake2sDigest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

class Blake2sTest {
    @Test
    void shouldHashRfc7693Abc() {
        byte[] out = new byte[32];
        Blake2s.hash(out, "abc".getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(
                HexFormat.of().parseHex("508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982"), out);
    }

    @Test
    void shouldAgreeWithBouncyCastleHmac() {
        Random random = new Random(7);
        for (int n = 0; n < 100; n++) {
            byte[] key = new byte[32];
            byte[] input = new byte[random.nextInt(200)];
            random.nextBytes(key);
            random.nextBytes(input);
            HMac reference = new HMac(new Blake2sDigest(256));
            reference.init(new KeyParameter(key));
            reference.update(input, 0, input.length);
            byte[] expected = new byte[32];
            reference.doFinal(expected, 0);
            byte[] actual = new byte[32];
            Blake2s.hmac(actual, key, input, 0, input.length);
            assertArrayEquals(expected, actual);
        }
    }

    @Test
    void shouldDeriveKdfOutputsAsChainedHmacs() {
        byte[] key = new byte[32];
        byte[] input = {1, 2, 3};
        key[0] = 9;
        byte[] o1 = new byte[32];
        byte[] o2 = new byte[32];
        byte[] o3 = new byte[32];
        Blake2s.kdf(o1, o2, o3, key, input, 0, input.length);
        byte[] prk = new byte[32];
        Blake2s.hmac(prk, key, input, 0, input.length);
        byte[] t1 = new byte[32];
        Blake2s.hmac(t1, prk, new byte[] {1}, 0, 1);
        byte[] in2 = java.util.Arrays.copyOf(t1, 33);
        in2[32] = 2;
        byte[] t2 = new byte[32];
        Blake2s.hmac(t2, prk, in2, 0, 33);
        byte[] in3 = java.util.Arrays.copyOf(t2, 33);
        in3[32] = 3;
        byte[] t3 = new byte[32];
        Blake2s.hmac(t3, prk, in3, 0, 33);
        assertArrayEquals(t1, o1);
        assertArrayEquals(t2, o2);
        assertArrayEquals(t3, o3);
        // out1 may alias the key (chaining key replaced in place).
        byte[] ck = key.clone();
        Blake2s.kdf(ck, null, null, ck, input, 0, input.length);
        assertArrayEquals(t1, ck);
    }
}
