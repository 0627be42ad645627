package io.ringguard.bench;

import io.ringguard.handshake.cookie.CookieChecker;
import io.ringguard.handshake.cookie.CookieMaker;
import io.ringguard.handshake.cookie.MacResult;
import io.ringguard.handshake.keys.Keys;
import io.ringguard.handshake.message.InitiationMessage;
import io.ringguard.handshake.message.ResponseMessage;
import io.ringguard.handshake.noise.Handshake;
import io.ringguard.handshake.noise.Keypair;
import io.ringguard.handshake.noise.Noise;
import io.ringguard.handshake.noise.StaticIdentity;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Cost of each step of the Noise_IKpsk2 handshake on the control thread, between an initiator
 * (alice) and a responder (bob) in one process, with a preshared key:
 *
 * <ul>
 *   <li>{@code createInitiation}: alice writes an initiation and puts mac1/mac2 on it (X25519 keygen
 *       and one DH; the static-static DH is precomputed per peer).
 *   <li>{@code validateMac1}: bob checks mac1 of that initiation, not under load (one keyed BLAKE2s);
 *       the part of {@code consumeInitiation} to subtract to get the Noise step alone.
 *   <li>{@code consumeInitiation}: bob checks the MACs, then consumes a fresh initiation (one DH;
 *       static-static is precomputed).
 *   <li>{@code createResponse}: bob writes the response and puts MACs on it (keygen, two DH).
 *   <li>{@code consumeResponse}: alice checks mac1, then consumes the response (two DH).
 *   <li>{@code beginSession}: alice derives the transport keypair from her finished handshake.
 *   <li>{@code fullHandshake}: all of the above in order, both sides, ending with a keypair each.
 * </ul>
 *
 * <p>A consume step cannot run twice on one message (a replayed TAI64N timestamp is refused), and
 * every step after the first needs the handshake in the state the previous step left. Those
 * benchmarks therefore rebuild their input in a {@code @Setup(Level.Invocation)} that runs the
 * earlier steps untimed. JMH warns that per-invocation setup adds timer overhead (tens of ns) and
 * can leave caches cold; next to steps of tens of microseconds that is below the noise. The wall
 * clock and monotonic clock are passed in and move one second per handshake, so the timestamp and
 * the initiation flood guard (20 ms) always pass; a refused step throws, so a benchmark can never
 * silently measure a rejection path instead.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HandshakeBenchmark {
    static final int ALICE_INDEX = 0x11111111;
    static final int BOB_INDEX = 0x22222222;
    static final long STEP_NS = TimeUnit.SECONDS.toNanos(1);

    /** From the benchmarking range (RFC 2544), as the tests use. */
    static final byte[] SOURCE_ADDRESS = {(byte) 198, 18, 0, 1};

    static final int SOURCE_PORT = 51820;

    /** Two configured peers and everything each side of the handshake owns; no step done yet. */
    @State(Scope.Thread)
    public static class Peers {
        StaticIdentity alice;
        StaticIdentity bob;
        Handshake aliceToBob;
        Handshake bobToAlice;
        final Noise aliceNoise = new Noise();
        final Noise bobNoise = new Noise();
        CookieMaker aliceMacs;
        CookieMaker bobMacs;
        CookieChecker aliceChecker;
        CookieChecker bobChecker;
        Noise.PeerLookup bobPeers;
        final UnsafeBuffer initiation = new UnsafeBuffer(new byte[InitiationMessage.LENGTH]);
        final UnsafeBuffer response = new UnsafeBuffer(new byte[ResponseMessage.LENGTH]);
        long wallClockNs = 1_700_000_000_000_000_000L;
        long nowNs = TimeUnit.SECONDS.toNanos(1000);

        @Setup(Level.Trial)
        public void configure() {
            SecureRandom random = new SecureRandom();
            alice = new StaticIdentity(Keys.generatePrivateKey());
            bob = new StaticIdentity(Keys.generatePrivateKey());
            byte[] psk = Keys.generatePresharedKey();
            aliceToBob = new Handshake(alice, bob.publicKey(), psk);
            bobToAlice = new Handshake(bob, alice.publicKey(), psk);
            aliceMacs = new CookieMaker(bob.publicKey());
            bobMacs = new CookieMaker(alice.publicKey());
            aliceChecker = new CookieChecker(alice, random);
            bobChecker = new CookieChecker(bob, random);
            byte[] alicePublic = alice.publicKey();
            Handshake known = bobToAlice;
            bobPeers = key -> Arrays.equals(key, alicePublic) ? known : null;
            Arrays.fill(psk, (byte) 0);
            createInitiation();
        }

        /** Alice: a new initiation, one second after the last, with MACs. */
        final void createInitiation() {
            wallClockNs += STEP_NS;
            nowNs += STEP_NS;
            if (!aliceNoise.createInitiation(alice, aliceToBob, ALICE_INDEX, wallClockNs, initiation, 0)) {
                throw new IllegalStateException("createInitiation refused: " + aliceNoise.lastRejection());
            }
            aliceMacs.addMacs(initiation, 0, InitiationMessage.LENGTH, nowNs);
        }

        /** Bob: checks the MACs and consumes the current initiation. */
        final Handshake consumeInitiation() {
            if (bobChecker.validate(initiation, 0, InitiationMessage.LENGTH, SOURCE_ADDRESS, SOURCE_PORT, false, nowNs)
                    != MacResult.VALID_MAC_NO_COOKIE) {
                throw new IllegalStateException("initiation mac1 refused");
            }
            Handshake hs = bobNoise.consumeInitiation(bob, initiation, 0, bobPeers, nowNs);
            if (hs == null) {
                throw new IllegalStateException("consumeInitiation refused: " + bobNoise.lastRejection());
            }
            return hs;
        }

        /** Bob: answers the consumed initiation, with MACs. */
        final void createResponse() {
            if (!bobNoise.createResponse(bobToAlice, BOB_INDEX, response, 0)) {
                throw new IllegalStateException("createResponse refused: " + bobNoise.lastRejection());
            }
            bobMacs.addMacs(response, 0, ResponseMessage.LENGTH, nowNs);
        }

        /** Alice: checks the MACs and consumes the response. */
        final void consumeResponse() {
            if (aliceChecker.validate(response, 0, ResponseMessage.LENGTH, SOURCE_ADDRESS, SOURCE_PORT, false, nowNs)
                    != MacResult.VALID_MAC_NO_COOKIE) {
                throw new IllegalStateException("response mac1 refused");
            }
            if (!aliceNoise.consumeResponse(alice, aliceToBob, response, 0)) {
                throw new IllegalStateException("consumeResponse refused: " + aliceNoise.lastRejection());
            }
        }

        static Keypair beginSession(Noise noise, Handshake hs, long nowNs) {
            Keypair keypair = noise.beginSession(hs, nowNs);
            if (keypair == null) {
                throw new IllegalStateException("beginSession refused: " + noise.lastRejection());
            }
            return keypair;
        }
    }

    /** A fresh initiation from alice, ready for bob to consume. */
    @State(Scope.Thread)
    public static class InitiationSent extends Peers {
        @Setup(Level.Invocation)
        public void send() {
            createInitiation();
        }
    }

    /** Bob has consumed a fresh initiation and owes a response. */
    @State(Scope.Thread)
    public static class InitiationConsumed extends Peers {
        @Setup(Level.Invocation)
        public void consume() {
            createInitiation();
            consumeInitiation();
        }
    }

    /** Bob has sent a response to alice's current initiation. */
    @State(Scope.Thread)
    public static class ResponseSent extends Peers {
        @Setup(Level.Invocation)
        public void respond() {
            createInitiation();
            consumeInitiation();
            createResponse();
        }
    }

    /** Alice has consumed bob's response: her handshake is ready to become a session. */
    @State(Scope.Thread)
    public static class ResponseConsumed extends Peers {
        @Setup(Level.Invocation)
        public void finish() {
            createInitiation();
            consumeInitiation();
            createResponse();
            consumeResponse();
        }
    }

    @Benchmark
    public UnsafeBuffer createInitiation(final Peers peers) {
        peers.createInitiation();
        return peers.initiation;
    }

    @Benchmark
    public MacResult validateMac1(final Peers peers) {
        return peers.bobChecker.validate(
                peers.initiation, 0, InitiationMessage.LENGTH, SOURCE_ADDRESS, SOURCE_PORT, false, peers.nowNs);
    }

    @Benchmark
    public Handshake consumeInitiation(final InitiationSent peers) {
        return peers.consumeInitiation();
    }

    @Benchmark
    public UnsafeBuffer createResponse(final InitiationConsumed peers) {
        peers.createResponse();
        return peers.response;
    }

    @Benchmark
    public Handshake consumeResponse(final ResponseSent peers) {
        peers.consumeResponse();
        return peers.aliceToBob;
    }

    @Benchmark
    public Keypair beginSession(final ResponseConsumed peers) {
        return Peers.beginSession(peers.aliceNoise, peers.aliceToBob, peers.nowNs);
    }

    /** Both sides, end to end: two messages with MACs checked, four create/consume steps, two keypairs. */
    @Benchmark
    public void fullHandshake(final Peers peers, final Blackhole keypairs) {
        peers.createInitiation();
        peers.consumeInitiation();
        peers.createResponse();
        peers.consumeResponse();
        keypairs.consume(Peers.beginSession(peers.bobNoise, peers.bobToAlice, peers.nowNs));
        keypairs.consume(Peers.beginSession(peers.aliceNoise, peers.aliceToBob, peers.nowNs));
    }
}
