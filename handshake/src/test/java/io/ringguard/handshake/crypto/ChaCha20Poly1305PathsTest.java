package io.ringguard.handshake.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both ChaCha20-Poly1305 paths (scalar, and Vector API when this JVM has it) against the JDK's
 * cipher and a BigInteger Poly1305, over every buffer kind the vector path treats differently: a
 * heap array at an odd offset, a direct ByteBuffer slice at an odd offset (the packet slab), a heap
 * ByteBuffer, and a raw address (no segment: the Agrona fallback).
 */
class ChaCha20Poly1305PathsTest {
    private static final int MAX_LENGTH = 2000;
    private static final int ODD_OFFSET = 7;

    static List<ChaCha20Poly1305> paths() {
        List<ChaCha20Poly1305> paths = new ArrayList<>();
        paths.add(new ChaCha20Poly1305(false));
        if (ChaCha20Poly1305.isVectorAvailable()) {
            paths.add(new ChaCha20Poly1305(true));
        }
        return paths;
    }

    /** Buffer kinds by name; each returns a zeroed buffer of the capacity asked for. */
    private static final List<String> KINDS = List.of("heap", "direct", "heapByteBuffer", "address");

    /** Keeps the raw-address buffers' memory reachable while they are used. */
    private final List<ByteBuffer> keepAlive = new ArrayList<>();

    private UnsafeBuffer buffer(String kind, int capacity) {
        int n = capacity;
        switch (kind) {
            case "heap":
                return new UnsafeBuffer(new byte[n + 2 * ODD_OFFSET], ODD_OFFSET, n);
            case "direct":
                return new UnsafeBuffer(ByteBuffer.allocateDirect(n + 2 * ODD_OFFSET)
                        .position(ODD_OFFSET)
                        .slice());
            case "heapByteBuffer":
                return new UnsafeBuffer(ByteBuffer.allocate(n + 2 * ODD_OFFSET), ODD_OFFSET, n);
            case "address":
                ByteBuffer memory = ByteBuffer.allocateDirect(n + 2 * ODD_OFFSET);
                keepAlive.add(memory);
                return new UnsafeBuffer(BufferUtil.address(memory) + ODD_OFFSET, n);
            default:
                throw new IllegalArgumentException(kind);
        }
    }

    @Test
    void shouldOfferTheVectorPathWhenTheModuleIsPresent() {
        // The build runs tests with --add-modules jdk.incubator.vector; on a CPU without 256-bit
        // vectors this is the one test that says the fast path was not exercised.
        boolean modulePresent =
                ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        assertEquals(
                modulePresent && ChaCha20Vector.isUsable() && !Boolean.getBoolean("ringguard.crypto.scalar"),
                ChaCha20Poly1305.isVectorAvailable());
        assertEquals(ChaCha20Poly1305.isVectorAvailable(), new ChaCha20Poly1305().isVectorized());
        assertFalse(new ChaCha20Poly1305(false).isVectorized());
    }

    @ParameterizedTest
    @MethodSource("paths")
    void shouldAgreeWithJdkCipherForEveryLengthAndBufferKind(ChaCha20Poly1305 aead) throws Exception {
        Random random = new Random(4);
        int[] keyWords = new int[8];
        Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
        for (String kind : KINDS) {
            UnsafeBuffer buffer = buffer(kind, MAX_LENGTH + ChaCha20Poly1305.TAG_BYTES + 64);
            for (int length = 0; length <= MAX_LENGTH; length++) {
                byte[] key = new byte[32];
                random.nextBytes(key);
                // Mostly the WireGuard case (no AAD); sometimes an AAD, which shifts the MAC's blocks.
                byte[] aad = new byte[random.nextInt(4) == 0 ? random.nextInt(70) : 0];
                random.nextBytes(aad);
                byte[] plain = new byte[length];
                random.nextBytes(plain);
                long counter = random.nextLong();
                // Where in the buffer: both even and odd indices, on top of the odd base offset.
                int at = random.nextInt(64);
                byte[] nonce = new byte[12];
                new UnsafeBuffer(nonce).putLong(4, counter, ByteOrder.LITTLE_ENDIAN);

                jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
                jdk.updateAAD(aad);
                byte[] expected = jdk.doFinal(plain);

                ChaCha20.loadKey(new UnsafeBuffer(key), 0, keyWords);
                buffer.putBytes(at, plain);
                aead.seal(keyWords, counter, buffer, at, length, new UnsafeBuffer(aad), 0, aad.length);
                byte[] sealed = new byte[expected.length];
                buffer.getBytes(at, sealed);
                assertArrayEquals(expected, sealed, kind + " length " + length);

                assertTrue(
                        aead.open(keyWords, counter, buffer, at, sealed.length, new UnsafeBuffer(aad), 0, aad.length),
                        kind + " length " + length);
                byte[] opened = new byte[length];
                buffer.getBytes(at, opened);
                assertArrayEquals(plain, opened, kind + " length " + length);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("paths")
    void shouldRejectEveryBitFlipWithoutTouchingTheBuffer(ChaCha20Poly1305 aead) {
        int[] keyWords = {0x01020304, 5, 6, 7, 8, 9, 10, -1};
        int length = 1420;
        int packetBytes = length + ChaCha20Poly1305.TAG_BYTES;
        byte[] aadBytes = {1, 2, 3, 4, 5};
        UnsafeBuffer aad = new UnsafeBuffer(aadBytes);
        UnsafeBuffer packet = buffer("direct", packetBytes);
        for (int i = 0; i < length; i++) {
            packet.putByte(i, (byte) (i * 31));
        }
        aead.seal(keyWords, 99, packet, 0, length, aad, 0, aadBytes.length);
        byte[] sealed = new byte[packetBytes];
        packet.getBytes(0, sealed);
        byte[] seen = new byte[packetBytes];

        for (int bit = 0; bit < packetBytes * 8; bit++) {
            packet.putBytes(0, sealed);
            packet.putByte(bit / 8, (byte) (sealed[bit / 8] ^ (1 << (bit % 8))));
            assertFalse(aead.open(keyWords, 99, packet, 0, packetBytes, aad, 0, aadBytes.length), "bit " + bit);
            packet.getBytes(0, seen);
            seen[bit / 8] ^= (byte) (1 << (bit % 8));
            assertArrayEquals(sealed, seen, "a rejected packet must stay as it was, bit " + bit);
        }
        packet.putBytes(0, sealed);
        for (int bit = 0; bit < aadBytes.length * 8; bit++) {
            aadBytes[bit / 8] ^= (byte) (1 << (bit % 8));
            assertFalse(aead.open(keyWords, 99, packet, 0, packetBytes, aad, 0, aadBytes.length), "aad bit " + bit);
            aadBytes[bit / 8] ^= (byte) (1 << (bit % 8));
        }
        assertFalse(aead.open(keyWords, 100, packet, 0, packetBytes, aad, 0, aadBytes.length), "wrong counter");
        packet.getBytes(0, seen);
        assertArrayEquals(sealed, seen);
        assertTrue(aead.open(keyWords, 99, packet, 0, packetBytes, aad, 0, aadBytes.length));
    }

    /** Poly1305 straight from the definition, for the carry-heavy inputs below. */
    private static byte[] referenceTag(byte[] key, byte[] message) {
        BigInteger p = BigInteger.ONE.shiftLeft(130).subtract(BigInteger.valueOf(5));
        byte[] rBytes = Arrays.copyOf(key, 16);
        for (int i : new int[] {3, 7, 11, 15}) {
            rBytes[i] &= 15;
        }
        for (int i : new int[] {4, 8, 12}) {
            rBytes[i] &= (byte) 252;
        }
        BigInteger r = littleEndian(rBytes);
        BigInteger s = littleEndian(Arrays.copyOfRange(key, 16, 32));
        BigInteger h = BigInteger.ZERO;
        for (int i = 0; i < message.length; i += 16) {
            byte[] block = Arrays.copyOfRange(message, i, Math.min(i + 16, message.length));
            BigInteger n = littleEndian(block).setBit(8 * block.length);
            h = h.add(n).multiply(r).mod(p);
        }
        byte[] tag = new byte[16];
        byte[] be = h.add(s).toByteArray();
        for (int i = 0; i < 16 && i < be.length; i++) {
            tag[i] = be[be.length - 1 - i];
        }
        return tag;
    }

    private static BigInteger littleEndian(byte[] bytes) {
        byte[] be = new byte[bytes.length + 1];
        for (int i = 0; i < bytes.length; i++) {
            be[bytes.length - i] = bytes[i];
        }
        return new BigInteger(be);
    }

    @Test
    void shouldMatchReferencePoly1305OnCarryHeavyInputs() {
        Random random = new Random(1305);
        byte[][] keyPatterns = {filled(32, 0xFF), filled(32, 0x00), null, null, null};
        for (byte[] keyPattern : keyPatterns) {
            // Messages: all ones (every limb saturated), all zeros, then three random ones.
            for (int m = 0; m < 5; m++) {
                for (int length : new int[] {0, 1, 15, 16, 17, 63, 64, 255, 256, 1024, 1420, 2000}) {
                    byte[] key = keyPattern != null ? keyPattern.clone() : randomBytes(random, 32);
                    byte[] message = switch (m) {
                        case 0 -> filled(length, 0xFF);
                        case 1 -> filled(length, 0x00);
                        default -> randomBytes(random, length);
                    };
                    byte[] expected = referenceTag(key, message);

                    Poly1305 scalar = new Poly1305();
                    scalar.init(new UnsafeBuffer(key), 0);
                    scalar.update(new UnsafeBuffer(message), 0, length);
                    byte[] tag = new byte[16];
                    scalar.finish(new UnsafeBuffer(tag), 0);
                    assertArrayEquals(expected, tag, "scalar, length " + length);

                    if (ChaCha20Poly1305.isVectorAvailable()) {
                        assertArrayEquals(expected, vectorTag(key, message), "vector, length " + length);
                    }
                }
            }
        }
    }

    /**
     * The two carries random data essentially never hits (probability about 2^-64 per block): the
     * message add carrying through an all-ones h1, and folding the bits above 2^130 back in
     * carrying through an all-ones low half. r = 1 makes the product the sum itself.
     */
    @Test
    void shouldCarryThroughAllOnesLimbs() {
        long ones = -1L;
        long[][] states = {
            // h0, h1, h2, m0, m1
            {ones, ones, 0, 1, 0}, // h0 + m0 carries into h1 + m1 = all ones, which carries again
            {ones - 2, ones, 3, 0, 0}, // h2 + 2^128 bit = 4: adds 5 to h0, carry through h1
            {ones - 4, ones - 1, 2, 0, 1}, // both at once
            {ones, ones, 4, ones, ones},
        };
        Random random = new Random(130);
        BigInteger p = BigInteger.ONE.shiftLeft(130).subtract(BigInteger.valueOf(5));
        for (long[] state : states) {
            for (long r0 : new long[] {1, random.nextLong()}) {
                // A lost 2^128 only shows in the tag when h mod p ends below 2^128; the zero
                // blocks after the crafted one (each adds 2^128) make sure one of the runs does.
                for (int zeroBlocks = 0; zeroBlocks < 4; zeroBlocks++) {
                    long pad0 = random.nextLong(), pad1 = random.nextLong();
                    Poly1305 poly = new Poly1305();
                    poly.init(r0, 0, pad0, pad1);
                    poly.h0 = state[0];
                    poly.h1 = state[1];
                    poly.h2 = state[2];
                    byte[] blocks = new byte[16 * (1 + zeroBlocks)];
                    new UnsafeBuffer(blocks).putLong(0, state[3], ByteOrder.LITTLE_ENDIAN);
                    new UnsafeBuffer(blocks).putLong(8, state[4], ByteOrder.LITTLE_ENDIAN);
                    poly.update(new UnsafeBuffer(blocks), 0, blocks.length);
                    byte[] tag = new byte[16];
                    poly.finish(new UnsafeBuffer(tag), 0);

                    BigInteger r = unsigned(r0 & 0x0FFF_FFFC_0FFF_FFFFL);
                    BigInteger h = unsigned(state[0])
                            .add(unsigned(state[1]).shiftLeft(64))
                            .add(BigInteger.valueOf(state[2]).shiftLeft(128));
                    BigInteger m = unsigned(state[3]).add(unsigned(state[4]).shiftLeft(64));
                    h = h.add(m.setBit(128)).multiply(r).mod(p);
                    for (int i = 0; i < zeroBlocks; i++) {
                        h = h.add(BigInteger.ONE.shiftLeft(128)).multiply(r).mod(p);
                    }
                    BigInteger result = h.add(unsigned(pad0)).add(unsigned(pad1).shiftLeft(64));
                    byte[] expected = new byte[16];
                    for (int i = 0; i < 16; i++) {
                        expected[i] = result.shiftRight(8 * i).byteValue();
                    }
                    assertArrayEquals(
                            expected, tag, Arrays.toString(state) + " r0 " + r0 + " zero blocks " + zeroBlocks);
                }
            }
        }
    }

    private static BigInteger unsigned(long value) {
        return new BigInteger(Long.toUnsignedString(value));
    }

    /** The vector path's split: a scalar prefix block, the vector groups, then the scalar rest. */
    private static byte[] vectorTag(byte[] key, byte[] message) {
        Poly1305 poly = new Poly1305();
        poly.init(new UnsafeBuffer(key), 0);
        int prefix = Math.min(16, message.length & ~15);
        UnsafeBuffer buffer = new UnsafeBuffer(message);
        // A prefix block first, so the accumulator entering the vectors is not zero.
        poly.update(buffer, 0, prefix);
        int groups = (message.length - prefix) / 16 / Poly1305Vector.LANES;
        int vectorBytes = groups * 16 * Poly1305Vector.LANES;
        if (groups > 0) {
            new Poly1305Vector().absorb(poly, java.lang.foreign.MemorySegment.ofArray(message), prefix, groups);
        }
        poly.update(buffer, prefix + vectorBytes, message.length - prefix - vectorBytes);
        byte[] tag = new byte[16];
        poly.finish(new UnsafeBuffer(tag), 0);
        return tag;
    }

    private static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}
