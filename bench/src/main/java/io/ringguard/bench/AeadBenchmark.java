package io.ringguard.bench;

import io.ringguard.handshake.crypto.ChaCha20;
import io.ringguard.handshake.crypto.ChaCha20Poly1305;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.agrona.concurrent.UnsafeBuffer;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of sealing and opening one full-MTU transport payload ({@value #PAYLOAD_BYTES} bytes, the
 * plaintext of a 1420-byte WireGuard MTU, in place, empty AAD as in a type-4 message) with our
 * allocation-free {@link ChaCha20Poly1305}, next to two references measured in the same run:
 *
 * <ul>
 *   <li>{@code ringGuard*}: the default path, ChaCha20 and Poly1305 on the Vector API when the JVM
 *       has {@code jdk.incubator.vector} ({@code bench/run} adds it); {@code ringGuard*Scalar}: the
 *       same class forced onto its scalar fallback (what runs without the module); {@code
 *       legacy*}: the scalar AEAD before issue 4 ({@link io.ringguard.bench.legacy}), for
 *       before/after in one run.
 *   <li>{@code jdk*}: {@code Cipher.getInstance("ChaCha20-Poly1305")} used the way a naive dataplane
 *       would: one {@code init} with a fresh {@link IvParameterSpec} per packet (the JDK refuses to
 *       encrypt twice under one key and nonce, so the cipher cannot stay initialised) and {@code
 *       doFinal} on direct ByteBuffers over the same off-heap memory, in place.
 *   <li>{@code bc*}: BouncyCastle's {@code org.bouncycastle.crypto.modes.ChaCha20Poly1305}, one {@code
 *       init(AEADParameters)} per packet. BouncyCastle only takes {@code byte[]}, so it works in place
 *       on a heap array; the off-heap to heap copies a dataplane would add are <em>not</em> counted,
 *       which flatters it slightly.
 * </ul>
 *
 * <p>Seal runs on a fresh counter every call (a real sender never repeats a nonce, and both
 * references would refuse to). Open needs a valid ciphertext every call, so each {@code open*}
 * first copies a pristine sealed packet (payload and tag, {@value #PACKET_BYTES} bytes) over the
 * working buffer; {@link #copyBaseline} measures that copy alone so it can be subtracted.
 *
 * <p>Bytes per second = {@value #PAYLOAD_BYTES} / (ns/op) GB/s; {@code bench/run} prints the MB/s.
 * Run with {@code -prof gc}: {@code ringGuardSeal} and {@code ringGuardOpen} must show {@code
 * gc.alloc.rate.norm} near 0 B/op.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class AeadBenchmark {
    /** Largest inner packet at the default WireGuard MTU of 1420. */
    static final int PAYLOAD_BYTES = 1420;

    static final int TAG_BYTES = ChaCha20Poly1305.TAG_BYTES;
    static final int PACKET_BYTES = PAYLOAD_BYTES + TAG_BYTES;
    static final int NONCE_BYTES = 12;

    /** The counter the pristine packets were sealed under; open always uses it. */
    static final long OPEN_COUNTER = 42;

    private final byte[] keyBytes = new byte[ChaCha20.KEY_BYTES];
    private final byte[] plaintext = new byte[PAYLOAD_BYTES];
    private final int[] keyWords = new int[8];
    private final ChaCha20Poly1305 aead = new ChaCha20Poly1305();
    private final ChaCha20Poly1305 scalarAead = new ChaCha20Poly1305(false);
    private final io.ringguard.bench.legacy.ChaCha20Poly1305 legacyAead =
            new io.ringguard.bench.legacy.ChaCha20Poly1305();
    private final UnsafeBuffer noAad = new UnsafeBuffer(new byte[0]);

    /** Working packet: off-heap, as a slot of the packet slab would be. */
    private UnsafeBuffer packet;

    private ByteBuffer packetByteBuffer;
    /** Payload and tag sealed once under {@link #OPEN_COUNTER}; copied over {@link #packet} per open. */
    private UnsafeBuffer pristine;

    private long sendCounter;

    private Cipher jdkCipher;
    private SecretKeySpec jdkKey;
    private final byte[] jdkNonce = new byte[NONCE_BYTES];

    private org.bouncycastle.crypto.modes.ChaCha20Poly1305 bcCipher;
    private KeyParameter bcKey;
    private final byte[] bcNonce = new byte[NONCE_BYTES];
    private final byte[] bcPacket = new byte[PACKET_BYTES];
    private final byte[] bcPristine = new byte[PACKET_BYTES];

    @Setup
    public void setUp() throws GeneralSecurityException {
        SplittableRandom random = new SplittableRandom(0x5eedL);
        for (int i = 0; i < keyBytes.length; i++) {
            keyBytes[i] = (byte) random.nextInt(256);
        }
        for (int i = 0; i < plaintext.length; i++) {
            plaintext[i] = (byte) random.nextInt(256);
        }
        ChaCha20.loadKey(new UnsafeBuffer(keyBytes), 0, keyWords);

        packetByteBuffer = ByteBuffer.allocateDirect(PACKET_BYTES);
        packet = new UnsafeBuffer(packetByteBuffer);
        pristine = new UnsafeBuffer(ByteBuffer.allocateDirect(PACKET_BYTES));
        pristine.putBytes(0, plaintext);
        aead.seal(keyWords, OPEN_COUNTER, pristine, 0, PAYLOAD_BYTES, noAad, 0, 0);

        jdkCipher = Cipher.getInstance("ChaCha20-Poly1305");
        jdkKey = new SecretKeySpec(keyBytes, "ChaCha20");

        bcCipher = new org.bouncycastle.crypto.modes.ChaCha20Poly1305();
        bcKey = new KeyParameter(keyBytes);
        pristine.getBytes(0, bcPristine);

        // The three implementations must agree, or the comparison means nothing.
        packet.putBytes(0, pristine, 0, PACKET_BYTES);
        if (!jdkOpen() || !packetHolds(plaintext)) {
            throw new IllegalStateException("the JDK cannot open what ChaCha20Poly1305 sealed");
        }
        if (!bcOpen() || !Arrays.equals(bcPacket, 0, PAYLOAD_BYTES, plaintext, 0, PAYLOAD_BYTES)) {
            throw new IllegalStateException("BouncyCastle cannot open what ChaCha20Poly1305 sealed");
        }
        if (!ringGuardOpen() || !packetHolds(plaintext)) {
            throw new IllegalStateException("ChaCha20Poly1305 cannot open what it sealed");
        }
        if (!ringGuardOpenScalar() || !packetHolds(plaintext)) {
            throw new IllegalStateException("the scalar path cannot open what the default path sealed");
        }
        if (!legacyOpen() || !packetHolds(plaintext)) {
            throw new IllegalStateException("the legacy AEAD cannot open what ChaCha20Poly1305 sealed");
        }
        if (ChaCha20Poly1305.isVectorAvailable() != aead.isVectorized()) {
            throw new IllegalStateException("the default instance did not take the vector path");
        }
        packet.putBytes(0, plaintext);
        sendCounter = 0;
    }

    private boolean packetHolds(byte[] expected) {
        for (int i = 0; i < expected.length; i++) {
            if (packet.getByte(i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /** The WireGuard nonce: 4 zero bytes, then the counter little-endian. */
    private static void putNonce(byte[] nonce, long counter) {
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (counter >>> (8 * i));
        }
    }

    // ---- ours

    @Benchmark
    public long ringGuardSeal() {
        long counter = sendCounter++;
        aead.seal(keyWords, counter, packet, 0, PAYLOAD_BYTES, noAad, 0, 0);
        return counter;
    }

    @Benchmark
    public boolean ringGuardOpen() {
        packet.putBytes(0, pristine, 0, PACKET_BYTES);
        return aead.open(keyWords, OPEN_COUNTER, packet, 0, PACKET_BYTES, noAad, 0, 0);
    }

    @Benchmark
    public long ringGuardSealScalar() {
        long counter = sendCounter++;
        scalarAead.seal(keyWords, counter, packet, 0, PAYLOAD_BYTES, noAad, 0, 0);
        return counter;
    }

    @Benchmark
    public boolean ringGuardOpenScalar() {
        packet.putBytes(0, pristine, 0, PACKET_BYTES);
        return scalarAead.open(keyWords, OPEN_COUNTER, packet, 0, PACKET_BYTES, noAad, 0, 0);
    }

    @Benchmark
    public long legacySeal() {
        long counter = sendCounter++;
        legacyAead.seal(keyWords, counter, packet, 0, PAYLOAD_BYTES, noAad, 0, 0);
        return counter;
    }

    @Benchmark
    public boolean legacyOpen() {
        packet.putBytes(0, pristine, 0, PACKET_BYTES);
        return legacyAead.open(keyWords, OPEN_COUNTER, packet, 0, PACKET_BYTES, noAad, 0, 0);
    }

    /** The pristine-packet copy every {@code open*} benchmark pays; subtract it to get open alone. */
    @Benchmark
    public UnsafeBuffer copyBaseline() {
        packet.putBytes(0, pristine, 0, PACKET_BYTES);
        return packet;
    }

    // ---- the JDK's cipher (intrinsics where the platform has them)

    @Benchmark
    public int jdkSeal() throws GeneralSecurityException {
        putNonce(jdkNonce, sendCounter++);
        jdkCipher.init(Cipher.ENCRYPT_MODE, jdkKey, new IvParameterSpec(jdkNonce));
        ByteBuffer in = packetByteBuffer.duplicate().limit(PAYLOAD_BYTES);
        ByteBuffer out = packetByteBuffer.duplicate();
        return jdkCipher.doFinal(in, out);
    }

    @Benchmark
    public boolean jdkOpen() throws GeneralSecurityException {
        packet.putBytes(0, pristine, 0, PACKET_BYTES);
        putNonce(jdkNonce, OPEN_COUNTER);
        jdkCipher.init(Cipher.DECRYPT_MODE, jdkKey, new IvParameterSpec(jdkNonce));
        ByteBuffer in = packetByteBuffer.duplicate();
        ByteBuffer out = packetByteBuffer.duplicate();
        try {
            return jdkCipher.doFinal(in, out) == PAYLOAD_BYTES;
        } catch (AEADBadTagException ignored) {
            return false;
        }
    }

    // ---- BouncyCastle (pure Java, byte[] only)

    @Benchmark
    public int bcSeal() throws InvalidCipherTextException {
        putNonce(bcNonce, sendCounter++);
        bcCipher.init(true, new AEADParameters(bcKey, TAG_BYTES * 8, bcNonce));
        int n = bcCipher.processBytes(bcPacket, 0, PAYLOAD_BYTES, bcPacket, 0);
        return n + bcCipher.doFinal(bcPacket, n);
    }

    @Benchmark
    public boolean bcOpen() {
        System.arraycopy(bcPristine, 0, bcPacket, 0, PACKET_BYTES);
        putNonce(bcNonce, OPEN_COUNTER);
        bcCipher.init(false, new AEADParameters(bcKey, TAG_BYTES * 8, bcNonce));
        int n = bcCipher.processBytes(bcPacket, 0, PACKET_BYTES, bcPacket, 0);
        try {
            return n + bcCipher.doFinal(bcPacket, n) == PAYLOAD_BYTES;
        } catch (InvalidCipherTextException ignored) {
            return false;
        }
    }

    /** The heap copy {@code bcOpen} pays; subtract it to get BouncyCastle's open alone. */
    @Benchmark
    public byte[] bcCopyBaseline() {
        System.arraycopy(bcPristine, 0, bcPacket, 0, PACKET_BYTES);
        return bcPacket;
    }
}
