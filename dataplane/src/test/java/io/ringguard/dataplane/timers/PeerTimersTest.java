package io.ringguard.dataplane.timers;

import static io.ringguard.dataplane.timers.PeerTimers.CLEAR_ENDPOINT_SOURCE;
import static io.ringguard.dataplane.timers.PeerTimers.GIVE_UP;
import static io.ringguard.dataplane.timers.PeerTimers.SEND_INITIATION;
import static io.ringguard.dataplane.timers.PeerTimers.SEND_KEEPALIVE;
import static io.ringguard.dataplane.timers.PeerTimers.ZERO_KEYS;
import static io.ringguard.dataplane.timers.PeerTimers.actionsToString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringguard.handshake.ProtocolConstants;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PeerTimersTest {
    private static final long NEVER = PeerActivity.NEVER;
    private static final long ONE_MS = ms(1);

    /** Jitter draws: the scripted ones in order, then {@code fixedMs}; checks the bound. */
    private static final class Jitter implements RandomGenerator {
        private int[] script = new int[0];
        private int next;
        private int fixedMs;
        private int draws;

        @Override
        public int nextInt(final int bound) {
            assertEquals(PeerTimers.REKEY_TIMEOUT_JITTER_MAX_MS, bound, "jitter bound (wireguard-go: 0..333 ms)");
            draws++;
            return next < script.length ? script[next++] : fixedMs;
        }

        @Override
        public long nextLong() {
            throw new UnsupportedOperationException("PeerTimers draws bounded ints");
        }
    }

    /** What the dataplane would publish for one peer. */
    private static final class Activity implements PeerActivity {
        private long dataSentNs = NEVER;
        private long dataReceivedNs = NEVER;
        private long authenticatedSentNs = NEVER;
        private long authenticatedReceivedNs = NEVER;

        void dataSent(final long atNs) {
            dataSentNs = atNs;
            authenticatedSentNs = atNs;
        }

        void dataReceived(final long atNs) {
            dataReceivedNs = atNs;
            authenticatedReceivedNs = atNs;
        }

        void keepaliveSent(final long atNs) {
            authenticatedSentNs = atNs;
        }

        void keepaliveReceived(final long atNs) {
            authenticatedReceivedNs = atNs;
        }

        @Override
        public long lastDataSentNs() {
            return dataSentNs;
        }

        @Override
        public long lastDataReceivedNs() {
            return dataReceivedNs;
        }

        @Override
        public long lastAuthenticatedSentNs() {
            return authenticatedSentNs;
        }

        @Override
        public long lastAuthenticatedReceivedNs() {
            return authenticatedReceivedNs;
        }
    }

    private record Fired(long atMs, String actions) {
        static Fired at(final long atMs, final int actions) {
            return new Fired(atMs, actionsToString(actions));
        }
    }

    private final Jitter jitter = new Jitter();
    private final Activity activity = new Activity();
    private final PeerTimers timers = new PeerTimers(jitter);

    private static long ms(final long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    private static long sec(final long seconds) {
        return TimeUnit.SECONDS.toNanos(seconds);
    }

    /**
     * Polls every {@code stepNs} over [fromNs, toNs] like the control thread: every initiation it
     * is told to send is reported with handshakeInitiated, every keepalive is published as sent (and
     * so observed by the next poll). Returns the polls that asked for something.
     */
    private List<Fired> run(final long fromNs, final long toNs, final long stepNs) {
        final List<Fired> fired = new ArrayList<>();
        for (long nowNs = fromNs; nowNs <= toNs; nowNs += stepNs) {
            final int actions = timers.poll(nowNs, activity);
            if (actions != 0) {
                fired.add(Fired.at(TimeUnit.NANOSECONDS.toMillis(nowNs), actions));
            }
            if ((actions & SEND_INITIATION) != 0) {
                timers.handshakeInitiated(nowNs);
            }
            if ((actions & SEND_KEEPALIVE) != 0) {
                activity.keepaliveSent(nowNs);
            }
        }
        return fired;
    }

    private void assertPoll(final int expected, final long nowNs) {
        assertEquals(
                actionsToString(expected), actionsToString(timers.poll(nowNs, activity)), "poll at " + nowNs + " ns");
    }

    @Test
    void shouldSendKeepaliveTenSecondsAfterDataReceivedWithNothingSent() {
        activity.dataReceived(sec(1));
        assertPoll(0, sec(1) + ms(50));
        assertPoll(0, sec(11) - 1);
        assertPoll(SEND_KEEPALIVE, sec(11));
        assertPoll(0, sec(60));
    }

    /**
     * Data received at {@code receivedMs} and a packet sent at {@code sentMs}, both first seen by a
     * poll at {@code firstPollMs}, then polls every millisecond: when (if ever) is a keepalive due?
     */
    @ParameterizedTest(name = "received {0} ms, sent {1} ms, seen at {2} ms -> keepalive at {3} ms")
    @CsvSource({
        "1000,  1050,  1090, -1", // we answered within the same batch window
        "1000,  1000,  1090, -1", // same instant: received applies first, so the send answers it
        "1050,  1000,  1090, 11050", // sent before the data came in: the data is still unanswered
        "1000, 10950, 11090, -1", // answered 50 ms before the deadline, seen 90 ms after it
        "1000, 11050, 11090, 11090", // the deadline passed before the send: fires, as wireguard-go
    })
    void shouldOrderReceivedAndSentEventsByTheirTimestamps(
            final long receivedMs, final long sentMs, final long firstPollMs, final long keepaliveAtMs) {
        activity.dataReceived(ms(receivedMs));
        activity.dataSent(ms(sentMs));
        long firstKeepaliveMs = -1;
        for (long nowMs = firstPollMs; nowMs <= 60_000 && firstKeepaliveMs < 0; nowMs++) {
            if ((timers.poll(ms(nowMs), activity) & SEND_KEEPALIVE) != 0) {
                firstKeepaliveMs = nowMs;
            }
        }
        assertEquals(keepaliveAtMs, firstKeepaliveMs);
    }

    @Test
    void shouldNotSendKeepaliveWhenDataWasSentBackInTime() {
        activity.dataReceived(sec(1));
        assertPoll(0, sec(1) + ms(90));
        activity.dataSent(sec(4));
        assertEquals(
                List.of(),
                run(sec(4) + ms(90), sec(60), ms(100)).stream()
                        .filter(f -> f.actions().contains("SEND_KEEPALIVE"))
                        .toList());
    }

    @Test
    void shouldSendAnotherKeepaliveWhenDataArrivedWhileOneWasPending() {
        // wireguard-go's needAnotherKeepalive: the second receive finds the timer pending.
        activity.dataReceived(sec(1));
        assertPoll(0, sec(1) + ms(50));
        activity.dataReceived(sec(5));
        assertPoll(0, sec(5) + ms(50));
        assertPoll(SEND_KEEPALIVE, sec(11));
        // The caller never manages to send it (say there is no session): one more, then no more.
        assertPoll(0, sec(21) - 1);
        assertPoll(SEND_KEEPALIVE, sec(21));
        assertPoll(0, sec(60));
    }

    @Test
    void shouldCancelTheExtraKeepaliveOnceTheFirstOneIsSent() {
        // As in wireguard-go, the re-armed keepalive is deleted when the keepalive itself goes out.
        activity.dataReceived(sec(1));
        assertPoll(0, sec(1) + ms(50));
        activity.dataReceived(sec(5));
        assertEquals(List.of(Fired.at(11_000, SEND_KEEPALIVE)), run(sec(5) + ms(50), sec(60), ms(50)));
    }

    @Test
    void shouldStartNewHandshakeWhenDataSentGetsNoAuthenticatedReply() {
        jitter.fixedMs = 200;
        activity.dataSent(sec(1));
        assertPoll(0, sec(1) + ms(50));
        activity.dataSent(sec(5)); // still unanswered: the deadline stays with the first packet
        assertPoll(0, sec(5) + ms(50));
        assertPoll(0, sec(16) + ms(200) - 1);
        assertPoll(SEND_INITIATION | CLEAR_ENDPOINT_SOURCE, sec(16) + ms(200));
        assertEquals(1, jitter.draws);
    }

    @Test
    void shouldNotStartNewHandshakeWhenAnythingAuthenticatedCameBack() {
        activity.dataSent(sec(1));
        assertPoll(0, sec(1) + ms(50));
        activity.keepaliveReceived(sec(12));
        assertEquals(List.of(), run(sec(12) + ms(50), sec(120), ms(100)));
    }

    @Test
    void shouldRetransmitEveryRekeyTimeoutPlusJitterUntilGivingUp() {
        final int[] jitterMs = new int[PeerTimers.MAX_TIMER_HANDSHAKES + 3];
        for (int i = 0; i < jitterMs.length; i++) {
            jitterMs[i] = (i * 97) % PeerTimers.REKEY_TIMEOUT_JITTER_MAX_MS;
        }
        jitter.script = jitterMs;
        assertEquals(SEND_INITIATION, timers.requestHandshake(0));
        timers.handshakeInitiated(0); // draws jitterMs[0]

        final List<Fired> expected = new ArrayList<>();
        long atMs = 0;
        // wireguard-go: 18 (MAX_TIMER_HANDSHAKES) + 1 retransmissions, then gives up on the next
        // expiry; its log says "did not complete after 20 attempts".
        for (int retry = 1; retry <= PeerTimers.MAX_TIMER_HANDSHAKES + 1; retry++) {
            atMs += 5_000 + jitterMs[retry - 1];
            expected.add(Fired.at(atMs, SEND_INITIATION | CLEAR_ENDPOINT_SOURCE));
        }
        atMs += 5_000 + jitterMs[PeerTimers.MAX_TIMER_HANDSHAKES + 1];
        expected.add(Fired.at(atMs, GIVE_UP));

        assertEquals(expected, run(ONE_MS, sec(200), ONE_MS));
        assertEquals(PeerTimers.MAX_TIMER_HANDSHAKES + 1, timers.handshakeAttempts());
        // Giving up arms the wipe of whatever the partial exchange left.
        final long gaveUpNs = ms(atMs);
        assertPoll(0, gaveUpNs + PeerTimers.ZERO_KEY_MATERIAL_AFTER_NS - 1);
        assertPoll(ZERO_KEYS, gaveUpNs + PeerTimers.ZERO_KEY_MATERIAL_AFTER_NS);
    }

    @Test
    void shouldKeepAnEarlierKeyWipeDeadlineWhenGivingUp() {
        timers.sessionDerived(0);
        timers.handshakeInitiated(sec(1));
        final List<Fired> fired = run(sec(1) + ms(100), sec(600), ms(100));
        assertEquals(Fired.at(540_000, ZERO_KEYS), fired.getLast());
        assertEquals("GIVE_UP", fired.get(fired.size() - 2).actions());
    }

    @Test
    void shouldStopRetransmittingOnceTheHandshakeCompletes() {
        timers.handshakeInitiated(0);
        assertEquals(List.of(Fired.at(5_000, SEND_INITIATION | CLEAR_ENDPOINT_SOURCE)), run(ONE_MS, sec(7), ONE_MS));
        assertEquals(1, timers.handshakeAttempts());
        timers.handshakeComplete(sec(7));
        assertEquals(0, timers.handshakeAttempts());
        assertEquals(List.of(), run(sec(7), sec(200), ms(100)));
    }

    @Test
    void shouldSendAtMostOneInitiationPerRekeyTimeout() {
        final long oldSessionNs = -sec(30); // older than REKEY_AFTER_TIME throughout
        timers.handshakeInitiated(sec(100));
        assertEquals(0, timers.requestHandshake(sec(105) - 1));
        assertEquals(0, timers.keepKeyFreshSending(sec(105) - 1, oldSessionNs, true, 0));
        assertEquals(SEND_INITIATION, timers.requestHandshake(sec(105)));
        assertEquals(SEND_INITIATION, timers.keepKeyFreshSending(sec(105), oldSessionNs, true, 0));
    }

    @Test
    void shouldResetAttemptsWhenANewHandshakeIsRequested() {
        timers.handshakeInitiated(0);
        run(ONE_MS, sec(11), ONE_MS); // two retransmissions
        assertEquals(2, timers.handshakeAttempts());
        assertEquals(0, timers.requestHandshake(sec(11)), "rate-limited: the retry at 10 s is recent");
        assertEquals(0, timers.handshakeAttempts());
    }

    @Test
    void shouldZeroKeysThreeRejectAfterTimesAfterTheLastSession() {
        timers.sessionDerived(sec(10));
        assertPoll(0, sec(550) - 1);
        assertPoll(ZERO_KEYS, sec(550));
        assertPoll(0, sec(5000));

        timers.sessionDerived(sec(6000));
        timers.sessionDerived(sec(6100)); // a newer session pushes the wipe back
        assertPoll(0, sec(6540));
        assertPoll(0, sec(6640) - 1);
        assertPoll(ZERO_KEYS, sec(6640));
    }

    @Test
    void shouldSendPersistentKeepaliveAfterEachIntervalOfSilence() {
        assertEquals(SEND_KEEPALIVE, timers.persistentKeepalive(25), "turning it on sends one at once");
        activity.keepaliveSent(0);
        assertEquals(
                List.of(Fired.at(25_000, SEND_KEEPALIVE), Fired.at(50_000, SEND_KEEPALIVE)),
                run(ms(50), sec(60), ms(50)));
        activity.keepaliveReceived(sec(70)); // traffic either way restarts the interval
        assertEquals(
                List.of(Fired.at(95_000, SEND_KEEPALIVE), Fired.at(120_000, SEND_KEEPALIVE)),
                run(sec(70) + ms(50), sec(130), ms(50)));
        // A new interval applies from the next authenticated packet, as in wireguard-go.
        assertEquals(0, timers.persistentKeepalive(30), "already on: no extra keepalive");
        assertEquals(
                List.of(Fired.at(145_000, SEND_KEEPALIVE), Fired.at(175_000, SEND_KEEPALIVE)),
                run(sec(130) + ms(50), sec(180), ms(50)));
    }

    @Test
    void shouldNotSendPersistentKeepaliveWhenTurnedOff() {
        timers.persistentKeepalive(25);
        activity.keepaliveSent(0);
        assertPoll(0, sec(10));
        assertEquals(0, timers.persistentKeepalive(0));
        assertEquals(List.of(), run(sec(10), sec(300), ms(100)));
        assertEquals(0, timers.persistentKeepaliveSeconds());
    }

    @Test
    void shouldRejectPersistentKeepaliveOutsideTheUapiRange() {
        assertThrows(IllegalArgumentException.class, () -> timers.persistentKeepalive(-1));
        assertThrows(IllegalArgumentException.class, () -> timers.persistentKeepalive(65536));
        assertEquals(SEND_KEEPALIVE, timers.persistentKeepalive(65535));
    }

    @ParameterizedTest(name = "initiator={0} age={1} ns counter={2} -> {3}")
    @CsvSource({
        "true,  120000000000, 0, 0", // REKEY_AFTER_TIME exactly: not yet (wireguard-go uses >)
        "true,  120000000001, 0, 1",
        "false, 120000000001, 0, 0", // only the initiator rekeys on time (no competing sessions)
        "false, 179000000000, 0, 0",
        "true,  1000000000, 1152921504606846976, 0", // REKEY_AFTER_MESSAGES exactly: not yet
        "true,  1000000000, 1152921504606846977, 1",
        "false, 1000000000, 1152921504606846977, 1", // on message count either role rekeys
        "false, 1000000000, -1, 1", // 2^64 - 1 as an unsigned counter
    })
    void shouldRekeyOnSendOnlyWhenTheSessionIsOldAndOursOrUsedUp(
            final boolean initiator, final long ageNs, final long sendCounter, final int expected) {
        final long createdNs = sec(1000);
        assertEquals(
                actionsToString(expected),
                actionsToString(timers.keepKeyFreshSending(createdNs + ageNs, createdNs, initiator, sendCounter)));
    }

    @Test
    void shouldRekeyOnReceiveOnceNearTheEndOfOurSession() {
        final long createdNs = sec(1000);
        final long lastMinuteNs = createdNs + PeerTimers.REKEY_ON_RECEIVE_AGE_NS;
        assertEquals(sec(165), PeerTimers.REKEY_ON_RECEIVE_AGE_NS);
        assertEquals(0, timers.keepKeyFreshReceiving(lastMinuteNs, createdNs, true));
        assertEquals(SEND_INITIATION, timers.keepKeyFreshReceiving(lastMinuteNs + 1, createdNs, true));
        // Once per session, even where the rate limit would allow another.
        assertEquals(0, timers.keepKeyFreshReceiving(lastMinuteNs + sec(6), createdNs, true));
        assertEquals(0, timers.keepKeyFreshReceiving(lastMinuteNs + sec(14), createdNs, true));

        final long nextCreatedNs = createdNs + sec(179);
        timers.handshakeComplete(nextCreatedNs);
        assertEquals(0, timers.keepKeyFreshReceiving(nextCreatedNs + sec(1), nextCreatedNs, true));
        assertEquals(
                SEND_INITIATION,
                timers.keepKeyFreshReceiving(
                        nextCreatedNs + PeerTimers.REKEY_ON_RECEIVE_AGE_NS + 1, nextCreatedNs, true));
    }

    @Test
    void shouldNotRekeyOnReceiveAsResponder() {
        assertEquals(0, timers.keepKeyFreshReceiving(sec(179), 0, false));
        assertEquals(SEND_INITIATION, timers.keepKeyFreshReceiving(sec(179), 0, true), "the flag was not spent");
    }

    @Test
    void shouldCancelEverythingOnStop() {
        // Arm all five: persistent keepalive, new handshake, retransmit, zero keys, keepalive.
        timers.persistentKeepalive(25);
        activity.dataSent(sec(1));
        assertPoll(0, sec(1) + ms(50));
        timers.handshakeInitiated(sec(3));
        timers.sessionDerived(sec(3));
        activity.dataReceivedNs = sec(4); // data only, so the new-handshake deadline stays
        assertPoll(0, sec(4) + ms(50));
        timers.stop();
        activity.dataReceived(sec(100)); // ignored while stopped
        activity.dataSent(sec(101));
        assertEquals(List.of(), run(sec(5), sec(1000), ms(100)));
        timers.sessionDerived(sec(1000));
        timers.handshakeInitiated(sec(1000));
        assertEquals(List.of(), run(sec(1000), sec(2000), ms(100)));

        assertEquals(SEND_KEEPALIVE, timers.start(), "persistent keepalive is on");
        assertEquals(List.of(), run(sec(2000), sec(2100), ms(100)), "activity from before start fires nothing");
        activity.dataReceived(sec(2100) + ms(50));
        assertEquals(List.of(Fired.at(2_110_100, SEND_KEEPALIVE)), run(sec(2100) + ms(100), sec(2111), ms(100)));
    }

    @Test
    void shouldScheduleFromTheEventTimestampWhenObservedLate() {
        activity.dataReceived(sec(1));
        assertPoll(0, sec(1) + ms(90));
        assertPoll(0, sec(11) - 1);
        assertPoll(SEND_KEEPALIVE, sec(11));

        jitter.fixedMs = 100;
        final Activity sent = new Activity();
        final PeerTimers other = new PeerTimers(jitter);
        sent.dataSent(sec(2));
        assertEquals(0, other.poll(sec(2) + ms(90), sent));
        assertEquals(0, other.poll(sec(17) + ms(100) - 1, sent));
        assertEquals(SEND_INITIATION | CLEAR_ENDPOINT_SOURCE, other.poll(sec(17) + ms(100), sent));
    }

    @Test
    void shouldUseTheProtocolConstants() {
        assertEquals(18, PeerTimers.MAX_TIMER_HANDSHAKES);
        assertEquals(3 * ProtocolConstants.REJECT_AFTER_TIME_NS, PeerTimers.ZERO_KEY_MATERIAL_AFTER_NS);
        assertEquals(sec(540), PeerTimers.ZERO_KEY_MATERIAL_AFTER_NS);
    }

    @Test
    void shouldNameActions() {
        assertEquals("none", actionsToString(0));
        assertEquals("SEND_INITIATION|CLEAR_ENDPOINT_SOURCE", actionsToString(SEND_INITIATION | CLEAR_ENDPOINT_SOURCE));
        assertEquals("ZERO_KEYS|GIVE_UP|0x40", actionsToString(ZERO_KEYS | GIVE_UP | 0x40));
    }

    @Test
    void shouldNotAllocateWhenPolling() {
        final java.lang.management.ThreadMXBean generic = ManagementFactory.getThreadMXBean();
        assumeTrue(
                generic instanceof com.sun.management.ThreadMXBean bean && bean.isThreadAllocatedMemorySupported(),
                "this JVM cannot count per-thread allocation");
        final com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) generic;
        final PeerTimers subject = new PeerTimers(RandomGenerator.of("L64X128MixRandom"));
        subject.persistentKeepalive(25);
        final int polls = 200_000;
        int actions = 0;
        final long before = bean.getCurrentThreadAllocatedBytes();
        for (int i = 1; i <= polls; i++) {
            final long nowNs = i * ms(100);
            // Traffic both ways most of the time, silence now and then, so every timer arms and fires.
            if (i % 700 < 500) {
                activity.dataSentNs = nowNs - ms(30);
                activity.authenticatedSentNs = nowNs - ms(30);
            }
            if (i % 900 < 300) {
                activity.dataReceivedNs = nowNs - ms(60);
                activity.authenticatedReceivedNs = nowNs - ms(60);
            }
            final int due = subject.poll(nowNs, activity);
            if ((due & SEND_INITIATION) != 0) {
                subject.handshakeInitiated(nowNs);
                subject.sessionDerived(nowNs);
                subject.handshakeComplete(nowNs);
            }
            actions |= due;
        }
        final long allocatedBytes = bean.getCurrentThreadAllocatedBytes() - before;
        // Any allocation per poll would be >= 16 B x 200k = 3.2 MB; the slack absorbs one-off JVM
        // allocations on this thread (class initialisation, a deoptimisation) on a loaded machine.
        assertTrue(allocatedBytes < 64 * 1024, allocatedBytes + " bytes allocated during " + polls + " polls");
        assertEquals(
                actionsToString(SEND_INITIATION | SEND_KEEPALIVE | CLEAR_ENDPOINT_SOURCE),
                actionsToString(actions & (SEND_INITIATION | SEND_KEEPALIVE | CLEAR_ENDPOINT_SOURCE)));
    }
}
