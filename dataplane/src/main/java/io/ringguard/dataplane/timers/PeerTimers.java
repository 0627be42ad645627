package io.ringguard.dataplane.timers;

import static io.ringguard.handshake.ProtocolConstants.KEEPALIVE_TIMEOUT_NS;
import static io.ringguard.handshake.ProtocolConstants.REJECT_AFTER_TIME_NS;
import static io.ringguard.handshake.ProtocolConstants.REKEY_AFTER_MESSAGES;
import static io.ringguard.handshake.ProtocolConstants.REKEY_AFTER_TIME_NS;
import static io.ringguard.handshake.ProtocolConstants.REKEY_ATTEMPT_TIME_NS;
import static io.ringguard.handshake.ProtocolConstants.REKEY_TIMEOUT_NS;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * One peer's WireGuard timers (whitepaper section 6, wireguard-go {@code device/timers.go}) as a
 * state machine that the control thread drives with the time it passes in.
 *
 * <pre>
 * 1. dataplane stages publish per-peer timestamps once per batch      (PeerActivity)
 * 2. poll(nowNs, activity) turns each changed timestamp into an event (timersDataSent, ...)
 *    and applies events and expired deadlines in time order
 * 3. it returns the actions due now as a bitmask                       (SEND_INITIATION, ...)
 * 4. the control thread acts, and reports handshakes it makes          (handshakeInitiated, ...)
 * </pre>
 *
 * <p>The five wireguard-go timers are deadlines here: retransmit handshake (REKEY_TIMEOUT + jitter
 * after an initiation), send keepalive (KEEPALIVE_TIMEOUT after data received with nothing sent
 * back), new handshake (KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + jitter after data sent with nothing
 * authenticated heard back), zero key material (3 x REJECT_AFTER_TIME after the last session) and
 * persistent keepalive (the configured interval after the last authenticated packet either way).
 *
 * <p><b>Late observation.</b> Timestamps reach the control thread up to a poll interval late. An
 * event's deadline is computed from the event's own timestamp, never from {@code nowNs}, and within
 * one poll the events and the deadlines that expired since the last poll are processed as one
 * timeline ordered by time: a deadline at or before an event fires first, at its own deadline (that
 * is also the time its re-arming and rate limiting use). Events with equal timestamps apply
 * received before sent, and within each direction "any authenticated packet" before "data", the
 * order wireguard-go's receive and send paths call them in. Time order rather than a fixed order
 * matters: a data packet received after our last send in the same batch window must still arm the
 * keepalive, or the peer starts a needless handshake 15 s later.
 *
 * <p>Each timestamp is the last of its kind, so several packets of one kind in one window count as
 * one event at the last one: a keepalive owed for data received at 1.00 s and 1.05 s is due at
 * 11.05 s instead of wireguard-go's 11.00 s plus a second "need another keepalive" one. That costs
 * at most one poll interval and one redundant keepalive, both harmless in the protocol.
 *
 * <p><b>Initiation rate.</b> This class applies wireguard-go's rule that at most one initiation is
 * sent per REKEY_TIMEOUT: a {@link #SEND_INITIATION} it returns is already allowed. The rule is
 * measured from the last {@link #handshakeInitiated} call, so the caller must call it for every
 * initiation it creates, including ones it starts itself through {@link #requestHandshake}.
 *
 * <p>Threads: every method is for the control thread only; nothing here is safe to share. No
 * method allocates, locks or throws on valid input.
 */
public final class PeerTimers {
    /** Create and send a handshake initiation now (a new handshake or a retransmission). */
    public static final int SEND_INITIATION = 1;

    /** Send an empty transport packet (a keepalive) now. */
    public static final int SEND_KEEPALIVE = 1 << 1;

    /** Wipe all keypairs and the handshake state and drop staged packets. */
    public static final int ZERO_KEYS = 1 << 2;

    /** Handshake attempts exhausted: drop the packets staged for this peer and stop retrying. */
    public static final int GIVE_UP = 1 << 3;

    /** Forget the cached local source address of the endpoint; it may be why nothing answers. */
    public static final int CLEAR_ENDPOINT_SOURCE = 1 << 4;

    /** Retransmissions before giving up: REKEY_ATTEMPT_TIME / REKEY_TIMEOUT, as wireguard-go. */
    public static final int MAX_TIMER_HANDSHAKES = (int) (REKEY_ATTEMPT_TIME_NS / REKEY_TIMEOUT_NS);

    /** Jitter added to handshake deadlines is drawn from 0 to this, exclusive (wireguard-go). */
    public static final int REKEY_TIMEOUT_JITTER_MAX_MS = 334;

    /** Keys left without a new session for this long are wiped. */
    public static final long ZERO_KEY_MATERIAL_AFTER_NS = 3 * REJECT_AFTER_TIME_NS;

    /**
     * The initiator of an old session rekeys on receive at this age, so the new session exists
     * before the old one stops being accepted (REJECT_AFTER_TIME) even if the first try is lost.
     */
    public static final long REKEY_ON_RECEIVE_AGE_NS = REJECT_AFTER_TIME_NS - KEEPALIVE_TIMEOUT_NS - REKEY_TIMEOUT_NS;

    /** Largest persistent keepalive interval the UAPI accepts (a 16-bit value, as in wg(8)). */
    public static final int MAX_PERSISTENT_KEEPALIVE_SECONDS = 65535;

    // Timers, by index into deadlineNs/pending.
    private static final int RETRANSMIT_HANDSHAKE = 0;
    private static final int SEND_KEEPALIVE_TIMER = 1;
    private static final int NEW_HANDSHAKE = 2;
    private static final int ZERO_KEY_MATERIAL = 3;
    private static final int PERSISTENT_KEEPALIVE = 4;
    private static final int TIMER_COUNT = 5;

    // Events, by index into eventNs; the index is also the tie-break rank at equal timestamps.
    private static final int AUTHENTICATED_RECEIVED = 0;
    private static final int DATA_RECEIVED = 1;
    private static final int AUTHENTICATED_SENT = 2;
    private static final int DATA_SENT = 3;
    private static final int EVENT_COUNT = 4;

    private static final int NONE = -1;

    private final RandomGenerator random;
    private final long[] deadlineNs = new long[TIMER_COUNT];
    private final boolean[] pending = new boolean[TIMER_COUNT];
    private final long[] eventNs = new long[EVENT_COUNT];
    private final long[] seenNs = {PeerActivity.NEVER, PeerActivity.NEVER, PeerActivity.NEVER, PeerActivity.NEVER};

    private boolean active = true;
    private int handshakeAttempts;
    private boolean needAnotherKeepalive;
    private boolean sentLastMinuteHandshake;
    private int persistentKeepaliveSeconds;
    private boolean initiationSent;
    private long lastInitiationSentNs;

    /**
     * Timers for one peer, started (wireguard-go's {@code timersInit} plus {@code Start}), with no
     * deadline pending and persistent keepalive off.
     *
     * @param random the source of handshake jitter; the control thread's own generator.
     */
    public PeerTimers(final RandomGenerator random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * Applies the activity published since the last poll and fires every deadline that has passed,
     * in time order (see the class comment), and returns the actions to take now. Call at least
     * every 100 ms and right after handling a handshake event for this peer, before the event
     * method. Control thread.
     *
     * @return a bitmask of {@link #SEND_INITIATION}, {@link #SEND_KEEPALIVE}, {@link #ZERO_KEYS},
     *     {@link #GIVE_UP} and {@link #CLEAR_ENDPOINT_SOURCE}; 0 when nothing is due.
     */
    public int poll(final long nowNs, final PeerActivity activity) {
        int unapplied = observe(AUTHENTICATED_RECEIVED, activity.lastAuthenticatedReceivedNs());
        unapplied |= observe(DATA_RECEIVED, activity.lastDataReceivedNs());
        unapplied |= observe(AUTHENTICATED_SENT, activity.lastAuthenticatedSentNs());
        unapplied |= observe(DATA_SENT, activity.lastDataSentNs());

        int actions = 0;
        // Bounded: each step applies one event or fires one timer; a fired timer re-arms at most
        // once per poll (the keepalive, when another is needed) and only to a later deadline.
        while (true) {
            final int event = earliestEvent(unapplied);
            final int timer = earliestExpiredTimer(nowNs);
            if (timer != NONE && (event == NONE || deadlineNs[timer] - eventNs[event] <= 0)) {
                pending[timer] = false;
                actions |= fire(timer, deadlineNs[timer]);
            } else if (event != NONE) {
                unapplied &= ~(1 << event);
                apply(event, eventNs[event]);
            } else {
                return actions;
            }
        }
    }

    /**
     * We created a handshake initiation at {@code nowNs} (new or retransmitted), whether or not its
     * send succeeded, as wireguard-go's {@code SendHandshakeInitiation}: it counts as an
     * authenticated packet sent, and the retransmit deadline is REKEY_TIMEOUT + jitter away.
     * Control thread.
     */
    public void handshakeInitiated(final long nowNs) {
        initiationSent = true;
        lastInitiationSentNs = nowNs;
        anyAuthenticatedPacketTraversal(nowNs);
        anyAuthenticatedPacketSent();
        if (active) {
            arm(RETRANSMIT_HANDSHAKE, nowNs + REKEY_TIMEOUT_NS + jitterNs());
        }
    }

    /**
     * A handshake we initiated completed: we consumed the peer's response, or, as responder, the
     * first data packet on the new session confirmed its keys. Stops retransmissions and resets
     * the attempt count and the last-minute rekey. {@code nowNs} is the time of the event; no
     * deadline depends on it. Control thread.
     */
    public void handshakeComplete(final long nowNs) {
        if (active) {
            pending[RETRANSMIT_HANDSHAKE] = false;
        }
        handshakeAttempts = 0;
        sentLastMinuteHandshake = false;
    }

    /**
     * New session keys exist (we created a response, or consumed one): the key material is wiped
     * 3 x REJECT_AFTER_TIME later unless another session replaces it. Control thread.
     */
    public void sessionDerived(final long nowNs) {
        if (active) {
            arm(ZERO_KEY_MATERIAL, nowNs + ZERO_KEY_MATERIAL_AFTER_NS);
        }
    }

    /**
     * Sets the persistent keepalive interval, 0 to turn it off. Turning it on from off asks for one
     * keepalive right away, as wireguard-go's UAPI {@code persistent_keepalive_interval} does; a
     * changed non-zero interval applies from the next authenticated packet. Control thread.
     *
     * @return {@link #SEND_KEEPALIVE} when it was just turned on (and timers run), else 0.
     * @throws IllegalArgumentException outside 0..65535 (a configuration error).
     */
    public int persistentKeepalive(final int seconds) {
        if (seconds < 0 || seconds > MAX_PERSISTENT_KEEPALIVE_SECONDS) {
            throw new IllegalArgumentException(
                    "persistent keepalive must be 0.." + MAX_PERSISTENT_KEEPALIVE_SECONDS + " seconds, got " + seconds);
        }
        final int previousSeconds = persistentKeepaliveSeconds;
        persistentKeepaliveSeconds = seconds;
        if (seconds == 0) {
            pending[PERSISTENT_KEEPALIVE] = false;
        }
        return previousSeconds == 0 && seconds != 0 && active ? SEND_KEEPALIVE : 0;
    }

    /** The persistent keepalive interval in seconds, 0 when off. Control thread. */
    public int persistentKeepaliveSeconds() {
        return persistentKeepaliveSeconds;
    }

    /**
     * The peer was removed or the interface went down: every deadline is cancelled and none is
     * armed until {@link #start}. Activity keeps being observed (and ignored) by {@link #poll}, so
     * packets from before a restart never fire afterwards. Control thread.
     */
    public void stop() {
        active = false;
        for (int timer = 0; timer < TIMER_COUNT; timer++) {
            pending[timer] = false;
        }
    }

    /**
     * The interface came (back) up: timers run again from a clean slate, as wireguard-go's
     * {@code timersInit}. The persistent keepalive setting and the initiation rate limit are kept.
     * Control thread.
     *
     * @return {@link #SEND_KEEPALIVE} when persistent keepalive is on (wireguard-go sends one when the
     *     device comes up, so a peer behind NAT learns our address at once), else 0.
     */
    public int start() {
        active = true;
        handshakeAttempts = 0;
        sentLastMinuteHandshake = false;
        needAnotherKeepalive = false;
        return persistentKeepaliveSeconds > 0 ? SEND_KEEPALIVE : 0;
    }

    /** False between {@link #stop} and {@link #start}. Control thread. */
    public boolean active() {
        return active;
    }

    /** Retransmissions of the current handshake so far (0 after a new one starts). Control thread. */
    public int handshakeAttempts() {
        return handshakeAttempts;
    }

    /**
     * The control thread wants a new handshake for its own reasons (packets staged and no usable
     * session). Resets the attempt count like wireguard-go's {@code SendHandshakeInitiation(false)}.
     * Control thread.
     *
     * @return {@link #SEND_INITIATION}, or 0 when an initiation went out less than REKEY_TIMEOUT ago
     *     (its retransmit deadline takes care of it).
     */
    public int requestHandshake(final long nowNs) {
        return initiate(nowNs, false);
    }

    /**
     * wireguard-go's {@code keepKeyFreshSending}: rekey once the current session has sealed more than
     * REKEY_AFTER_MESSAGES packets (either role), or is older than REKEY_AFTER_TIME and we
     * initiated it. Only the initiator rekeys on time, so both ends do not start competing
     * handshakes at the same moment. Call it only when this peer sent transport packets since the
     * last call (wireguard-go checks on every send), never on an idle peer: an idle session is not
     * renewed. Control thread.
     *
     * @param createdNs {@code Keypair.createdNs()} of the current keypair.
     * @param initiator {@code Keypair.initiator()} of the current keypair.
     * @param sendCounter {@code Keypair.sendCounter()}, an unsigned 64-bit count.
     * @return {@link #SEND_INITIATION} or 0.
     */
    public int keepKeyFreshSending(
            final long nowNs, final long createdNs, final boolean initiator, final long sendCounter) {
        if (Long.compareUnsigned(sendCounter, REKEY_AFTER_MESSAGES) > 0
                || (initiator && nowNs - createdNs > REKEY_AFTER_TIME_NS)) {
            return initiate(nowNs, false);
        }
        return 0;
    }

    /**
     * wireguard-go's {@code keepKeyFreshReceiving}: if we initiated the current session and it is
     * older than REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT (165 s), rekey once, so a
     * peer that only receives still gets a new session before the old one is rejected. "Once"
     * lasts until {@link #handshakeComplete}. Call it when this peer received transport packets
     * since the last call. Control thread.
     *
     * @return {@link #SEND_INITIATION} or 0.
     */
    public int keepKeyFreshReceiving(final long nowNs, final long createdNs, final boolean initiator) {
        if (sentLastMinuteHandshake || !initiator || nowNs - createdNs <= REKEY_ON_RECEIVE_AGE_NS) {
            return 0;
        }
        sentLastMinuteHandshake = true;
        return initiate(nowNs, false);
    }

    /** "SEND_INITIATION|CLEAR_ENDPOINT_SOURCE", or "none": for logs and test messages. */
    public static String actionsToString(final int actions) {
        if (actions == 0) {
            return "none";
        }
        final StringBuilder text = new StringBuilder();
        append(text, actions, SEND_INITIATION, "SEND_INITIATION");
        append(text, actions, SEND_KEEPALIVE, "SEND_KEEPALIVE");
        append(text, actions, ZERO_KEYS, "ZERO_KEYS");
        append(text, actions, GIVE_UP, "GIVE_UP");
        append(text, actions, CLEAR_ENDPOINT_SOURCE, "CLEAR_ENDPOINT_SOURCE");
        final int unknown = actions & ~(SEND_INITIATION | SEND_KEEPALIVE | ZERO_KEYS | GIVE_UP | CLEAR_ENDPOINT_SOURCE);
        if (unknown != 0) {
            text.append(text.isEmpty() ? "" : "|").append("0x").append(Integer.toHexString(unknown));
        }
        return text.toString();
    }

    private static void append(final StringBuilder text, final int actions, final int bit, final String name) {
        if ((actions & bit) != 0) {
            text.append(text.isEmpty() ? "" : "|").append(name);
        }
    }

    /** Records a published timestamp; returns the event's bit when it changed to a real time. */
    private int observe(final int event, final long timestampNs) {
        if (timestampNs == seenNs[event]) {
            return 0;
        }
        seenNs[event] = timestampNs;
        if (timestampNs == PeerActivity.NEVER) {
            return 0;
        }
        eventNs[event] = timestampNs;
        return 1 << event;
    }

    private int earliestEvent(final int unapplied) {
        int earliest = NONE;
        for (int event = 0; event < EVENT_COUNT; event++) {
            // Strictly earlier only: at equal times the lower index (received, then sent) wins.
            if ((unapplied & (1 << event)) != 0 && (earliest == NONE || eventNs[event] - eventNs[earliest] < 0)) {
                earliest = event;
            }
        }
        return earliest;
    }

    private int earliestExpiredTimer(final long nowNs) {
        int earliest = NONE;
        for (int timer = 0; timer < TIMER_COUNT; timer++) {
            if (pending[timer]
                    && deadlineNs[timer] - nowNs <= 0
                    && (earliest == NONE || deadlineNs[timer] - deadlineNs[earliest] < 0)) {
                earliest = timer;
            }
        }
        return earliest;
    }

    private void apply(final int event, final long atNs) {
        switch (event) {
            case AUTHENTICATED_RECEIVED -> {
                anyAuthenticatedPacketTraversal(atNs);
                if (active) {
                    // The peer is alive: the "no reply to our data" handshake is not needed.
                    pending[NEW_HANDSHAKE] = false;
                }
            }
            case DATA_RECEIVED -> {
                if (active) {
                    if (!pending[SEND_KEEPALIVE_TIMER]) {
                        arm(SEND_KEEPALIVE_TIMER, atNs + KEEPALIVE_TIMEOUT_NS);
                    } else {
                        needAnotherKeepalive = true;
                    }
                }
            }
            case AUTHENTICATED_SENT -> {
                anyAuthenticatedPacketTraversal(atNs);
                anyAuthenticatedPacketSent();
            }
            case DATA_SENT -> {
                // Measured from the first unanswered packet, not the last: not re-armed while pending.
                if (active && !pending[NEW_HANDSHAKE]) {
                    arm(NEW_HANDSHAKE, atNs + KEEPALIVE_TIMEOUT_NS + REKEY_TIMEOUT_NS + jitterNs());
                }
            }
            default -> throw new IllegalStateException("no such event " + event);
        }
    }

    private int fire(final int timer, final long atNs) {
        switch (timer) {
            case RETRANSMIT_HANDSHAKE -> {
                if (handshakeAttempts > MAX_TIMER_HANDSHAKES) {
                    pending[SEND_KEEPALIVE_TIMER] = false;
                    // Wipe whatever a partial exchange left, unless a session's own wipe is due.
                    if (!pending[ZERO_KEY_MATERIAL]) {
                        arm(ZERO_KEY_MATERIAL, atNs + ZERO_KEY_MATERIAL_AFTER_NS);
                    }
                    return GIVE_UP;
                }
                handshakeAttempts++;
                return CLEAR_ENDPOINT_SOURCE | initiate(atNs, true);
            }
            case SEND_KEEPALIVE_TIMER -> {
                if (needAnotherKeepalive) {
                    needAnotherKeepalive = false;
                    arm(SEND_KEEPALIVE_TIMER, atNs + KEEPALIVE_TIMEOUT_NS);
                }
                return SEND_KEEPALIVE;
            }
            case NEW_HANDSHAKE -> {
                return CLEAR_ENDPOINT_SOURCE | initiate(atNs, false);
            }
            case ZERO_KEY_MATERIAL -> {
                return ZERO_KEYS;
            }
            case PERSISTENT_KEEPALIVE -> {
                return persistentKeepaliveSeconds > 0 ? SEND_KEEPALIVE : 0;
            }
            default -> throw new IllegalStateException("no such timer " + timer);
        }
    }

    /** wireguard-go's SendHandshakeInitiation up to the point of creating the message. */
    private int initiate(final long atNs, final boolean retry) {
        if (!retry) {
            handshakeAttempts = 0;
        }
        if (initiationSent && atNs - lastInitiationSentNs < REKEY_TIMEOUT_NS) {
            return 0;
        }
        return SEND_INITIATION;
    }

    private void anyAuthenticatedPacketTraversal(final long atNs) {
        if (active && persistentKeepaliveSeconds > 0) {
            arm(PERSISTENT_KEEPALIVE, atNs + TimeUnit.SECONDS.toNanos(persistentKeepaliveSeconds));
        }
    }

    private void anyAuthenticatedPacketSent() {
        if (active) {
            // Whatever we sent tells the peer we are alive; a keepalive would add nothing.
            pending[SEND_KEEPALIVE_TIMER] = false;
        }
    }

    private void arm(final int timer, final long atNs) {
        deadlineNs[timer] = atNs;
        pending[timer] = true;
    }

    private long jitterNs() {
        return TimeUnit.MILLISECONDS.toNanos(random.nextInt(REKEY_TIMEOUT_JITTER_MAX_MS));
    }
}
