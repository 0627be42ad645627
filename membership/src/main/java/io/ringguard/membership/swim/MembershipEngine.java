package io.ringguard.membership.swim;

import io.ringguard.membership.identity.Authenticator;
import io.ringguard.membership.identity.Endpoint;
import io.ringguard.membership.identity.NodeKey;
import io.ringguard.membership.nat.ObservedEndpointVote;
import io.ringguard.membership.nat.PunchAttempts;
import io.ringguard.membership.org.OrgMessage;
import io.ringguard.membership.org.OrgRegistry;
import io.ringguard.membership.wire.Frame;
import io.ringguard.membership.wire.Items;
import io.ringguard.membership.wire.MemberRecord;
import io.ringguard.membership.wire.MessageType;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The mesh protocol engine: SWIM failure detection with Lifeguard-style suspicion, piggy-backed
 * dissemination, push-pull anti-entropy, org control and NAT-traversal coordination. It owns no
 * socket and no clock: the caller passes time in and sends through a {@link Transport}.
 *
 * <pre>
 *  1. tick(now): finish the last probe (no ack = suspect), probe the next member (suspects we have
 *     not probed ourselves first), ask k members to probe indirectly after the probe timeout.
 *  2. tick(now): expire suspicions (dead only if our own probe failed too), resend punch packets,
 *     reap stale punches (relay), retry punching relayed members, gossip, push-pull.
 *  3. onDatagram: validate the frame, verify its signature, check the sender's replay window,
 *     apply piggy-backed records and org messages, then handle the message itself.
 * </pre>
 *
 * Hardening: suspect/dead claims by third parties only make a member suspect here, and only our
 * own failed probe turns suspicion into dead; gossip never clears a suspicion that our own
 * detector raised (only our own successful probe does); alive records are self-signed, so only the
 * subject raises its incarnation, and claims are clamped to the incarnation we know; revoked keys
 * are refused forever; the member table, pending punches and pending indirect probes are bounded.
 *
 * <p>Threading: single-threaded. Every public method must be called from the one thread that owns
 * the engine (the gateway's control thread, or the simulator); listeners run on it synchronously.
 */
public final class MembershipEngine {
    /** Frame bytes a relay adds around an inner frame: header, relay fixed part, signature. */
    static final int RELAY_OVERHEAD = Frame.HEADER_LENGTH + MessageType.fixedLength(MessageType.RELAY) + 64;

    static final int MAX_INCARNATION_STEPS = 1;
    static final long GOSSIP_TO_THE_DEAD_MS = 30_000;

    final MembershipConfig config;
    final Authenticator auth;
    final NodeKey self;
    final LocalNode local;
    final OrgRegistry org;
    final Transport transport;
    final MembershipListener listener;
    final SplittableRandom random;
    final MemberTable table;
    final BroadcastQueue broadcasts = new BroadcastQueue();
    final ObservedEndpointVote vote = new ObservedEndpointVote();
    final PunchAttempts punches;
    final IndirectProbes indirect;
    final long[] drops = new long[DropReason.values().length];
    final UnsafeBuffer out = new UnsafeBuffer(new byte[Frame.MAX_FRAME_BYTES]);
    final UnsafeBuffer relayOut = new UnsafeBuffer(new byte[Frame.MAX_FRAME_BYTES]);
    final UnsafeBuffer rxCopy = new UnsafeBuffer(new byte[Frame.MAX_FRAME_BYTES]);
    final UnsafeBuffer recordScratch = new UnsafeBuffer(new byte[512]);
    final byte[] vouchSignature;
    final Member[] evicted = new Member[1];
    final Member[] picked;
    final List<Member> probeOrder = new ArrayList<>();
    final List<Member> suspects = new ArrayList<>();
    final List<Member> relayed = new ArrayList<>();
    final List<PunchAttempts.Attempt> reaped = new ArrayList<>();

    long incarnation;
    long sequence;
    Endpoint observed = Endpoint.NONE;
    byte[] selfRecord;
    boolean left;
    boolean started;
    long nextProbeMs;
    long nextGossipMs;
    long nextPushPullMs;
    int probeIndex;
    int pushPullCursor;
    int nextProbeSeq;

    Member probeTarget;
    int probeSeq;
    long probeStartMs;
    boolean probeAcked;
    boolean probeDirect;
    boolean indirectSent;
    Member indirectVia;

    Endpoint rxFrom = Endpoint.NONE;
    Member rxVia;

    long framesSent;
    long bytesSent;
    long framesReceived;

    /**
     * @param auth signs our frames and verifies everyone's (Ed25519 in production)
     * @param orgKey the org public key that vouches and revocations must be signed with
     * @param seed seeds the probe order and member picks (any value; tests fix it)
     */
    public MembershipEngine(
            MembershipConfig config,
            Authenticator auth,
            NodeKey orgKey,
            LocalNode local,
            Transport transport,
            MembershipListener listener,
            long seed) {
        this.config = config;
        this.auth = auth;
        this.self = auth.publicKey();
        this.local = local;
        if (!local.vouch().subject().equals(self)) {
            throw new IllegalArgumentException(
                    "the vouch is for " + local.vouch().subject() + ", not " + self);
        }
        this.org = new OrgRegistry(orgKey, auth, 4 * config.maxMembers());
        if (org.apply(local.vouch()) == OrgRegistry.Result.BAD_SIGNATURE) {
            throw new IllegalArgumentException("the vouch is not signed by the org key " + orgKey);
        }
        this.transport = transport;
        this.listener = listener;
        this.random = new SplittableRandom(seed);
        this.table = new MemberTable(config.maxMembers());
        this.punches = new PunchAttempts(config.maxPendingPunches());
        this.indirect = new IndirectProbes(config.maxPendingIndirect());
        this.picked = new Member[Math.max(config.gossipNodes(), config.indirectChecks()) + 1];
        this.vouchSignature = local.vouch().signature();
        this.incarnation = local.initialIncarnation();
        rebuildSelfRecord();
    }

    // ---------------------------------------------------------------- public API

    public NodeKey nodeKey() {
        return self;
    }

    public long incarnation() {
        return incarnation;
    }

    /** Our public endpoint as members report it, or {@link Endpoint#NONE} before any report. */
    public Endpoint observedEndpoint() {
        return observed;
    }

    /** Sends our state to each seed and asks for theirs (memberlist's join by push-pull). */
    public void join(List<Endpoint> seeds, long nowMs) {
        for (Endpoint seed : seeds) {
            int p = begin(MessageType.PUSH_PULL);
            out.putByte(p + MessageType.PUSH_PULL_FLAGS_OFFSET, (byte) MessageType.PUSH_PULL_FLAG_REPLY);
            out.putShort(p + MessageType.PUSH_PULL_TOTAL_OFFSET, (short) 1, ByteOrder.BIG_ENDIAN);
            out.putShort(p + MessageType.PUSH_PULL_INDEX_OFFSET, (short) 0, ByteOrder.BIG_ENDIAN);
            p += MessageType.fixedLength(MessageType.PUSH_PULL);
            out.putByte(p, (byte) 1);
            int at = Items.putItemHeader(out, p + 1, Items.KIND_MEMBER, selfRecord.length);
            out.putBytes(at, selfRecord);
            send(seed, seal(at + selfRecord.length));
        }
    }

    /** Announces a graceful leave; the engine stops probing and gossiping afterwards. */
    public void leave(long nowMs) {
        int length = MemberRecord.writeLeft(recordScratch, 0, auth, incarnation);
        byte[] record = new byte[length];
        recordScratch.getBytes(0, record);
        broadcasts.add(self, Items.KIND_MEMBER, record);
        for (int i = 0; i < 2 * config.gossipNodes(); i++) {
            gossipRound();
        }
        left = true;
    }

    /**
     * Applies an org message (from the admin API or the CLI) and gossips it. Returns what it did:
     * a replay or a bad signature changes nothing.
     */
    public OrgRegistry.Result submitOrgMessage(OrgMessage message, long nowMs) {
        return applyOrg(message, nowMs);
    }

    /**
     * Sends opaque data to a member whose path is a relay, through that relay. Returns false when
     * the member is unknown or not relayed (send directly then).
     */
    public boolean sendRelayedData(NodeKey target, DirectBuffer buffer, int offset, int lengthBytes) {
        Member m = table.get(target);
        if (m == null || !usesRelay(m) || lengthBytes > Frame.MAX_FRAME_BYTES - RELAY_OVERHEAD) {
            return false;
        }
        relayWrap(m.relayVia, target, buffer, offset, lengthBytes, MessageType.RELAY_FLAG_DATA);
        return true;
    }

    /** Snapshot of every member except this node, for {@code GET /v1/members}. */
    public List<MemberView> members() {
        List<MemberView> views = new ArrayList<>(table.size());
        for (int i = 0; i < table.size(); i++) {
            views.add(table.at(i).view());
        }
        return views;
    }

    /** One member's row, or null when unknown. */
    public MemberView member(NodeKey key) {
        Member m = table.get(key);
        return m == null ? null : m.view();
    }

    /** This node's own row (path none, state alive or left). */
    public MemberView selfView() {
        return new MemberView(
                self,
                local.wgPublicKey(),
                local.meshAddresses(),
                local.gossipEndpoint(),
                observed,
                Path.NONE,
                left ? MemberState.LEFT : MemberState.ALIVE,
                incarnation,
                null);
    }

    public int memberCount() {
        return table.size();
    }

    /** Members in {@code state}; O(N), no allocation. */
    public int memberCount(MemberState state) {
        int n = 0;
        for (int i = 0; i < table.size(); i++) {
            if (table.at(i).state == state) {
                n++;
            }
        }
        return n;
    }

    public long drops(DropReason reason) {
        return drops[reason.ordinal()];
    }

    public long framesSent() {
        return framesSent;
    }

    public long bytesSent() {
        return bytesSent;
    }

    public long framesReceived() {
        return framesReceived;
    }

    public int pendingPunches() {
        return punches.size();
    }

    public long deduplicatedPunches() {
        return punches.deduplicated();
    }

    public int pendingBroadcasts() {
        return broadcasts.size();
    }

    public String alias(NodeKey key) {
        return org.alias(key);
    }

    // ---------------------------------------------------------------- timers

    /**
     * Runs every timer that is due at {@code nowMs} (monotonic milliseconds) and returns when it
     * next needs to run.
     */
    public long tick(long nowMs) {
        lastNowMs = nowMs;
        if (!started) {
            started = true;
            nextProbeMs = nowMs + random.nextLong(config.probeIntervalMs());
            nextGossipMs = nowMs + random.nextLong(config.gossipIntervalMs());
            nextPushPullMs = nowMs + config.pushPullIntervalMs() / 2 + random.nextLong(config.pushPullIntervalMs());
        }
        if (left) {
            return nowMs + config.pushPullIntervalMs();
        }
        if (probeTarget != null && !probeAcked && !indirectSent && nowMs >= probeStartMs + config.probeTimeoutMs()) {
            sendIndirectProbes();
        }
        if (nowMs >= nextProbeMs) {
            finishProbe(nowMs);
            startProbe(nowMs);
            nextProbeMs = nowMs + config.probeIntervalMs();
        }
        expireIndirect(nowMs);
        checkSuspects(nowMs);
        runPunches(nowMs);
        if (nowMs >= nextGossipMs) {
            gossipRound();
            nextGossipMs = nowMs + config.gossipIntervalMs();
        }
        if (nowMs >= nextPushPullMs) {
            Member m = pickRandomUp(null);
            if (m != null) {
                pushPull(m, true, false);
            }
            // Reconnect (Serf's idea): also exchange state with one member we hold dead. After a
            // partition heals, each side learns the other holds it dead, refutes, and the halves merge;
            // without this nobody would talk across again once gossip to the dead stops.
            Member dead = pickRandomDead();
            if (dead != null) {
                pushPull(dead, true, false);
            }
            nextPushPullMs = nowMs + config.pushPullIntervalMs();
        }
        long next = Math.min(nextProbeMs, Math.min(nextGossipMs, nextPushPullMs));
        if (probeTarget != null && !indirectSent && !probeAcked) {
            next = Math.min(next, probeStartMs + config.probeTimeoutMs());
        }
        next = Math.min(next, indirect.earliestDeadlineMs());
        if (punches.size() > 0) {
            next = Math.min(next, nowMs + config.punchIntervalMs());
        }
        for (int i = 0; i < suspects.size(); i++) {
            Member s = suspects.get(i);
            long deadline = s.suspectSinceMs + suspicionTimeoutMs(s);
            // An expired suspicion without our own failure waits for our probe, not for a timer.
            if (deadline > nowMs) {
                next = Math.min(next, deadline);
            }
        }
        return Math.max(next, nowMs + 1);
    }

    void startProbe(long nowMs) {
        Member target = pickProbeTarget(nowMs);
        if (target == null) {
            return;
        }
        probeTarget = target;
        probeSeq = ++nextProbeSeq;
        probeStartMs = nowMs;
        probeAcked = false;
        probeDirect = false;
        indirectSent = false;
        indirectVia = null;
        target.lastOwnProbeMs = nowMs;
        sendPing(target, probeSeq);
    }

    /**
     * A ping always carries our own alive record first: a member that learned of us through gossip
     * may ping us before we reach it, and this lets it admit us instead of dropping the ping.
     */
    void sendPing(Member target, int seq) {
        int p = begin(MessageType.PING);
        out.putInt(p + MessageType.PROBE_SEQ_OFFSET, seq, ByteOrder.BIG_ENDIAN);
        target.key.write(out, p + MessageType.PING_TARGET_OFFSET);
        int section = p + MessageType.fixedLength(MessageType.PING);
        int at = Items.putItemHeader(out, section + 1, Items.KIND_MEMBER, selfRecord.length);
        out.putBytes(at, selfRecord);
        int end = broadcasts.fill(
                out, section, at + selfRecord.length, 1, maxFrame(target) - Frame.SIGNATURE_LENGTH, transmitLimit());
        route(target, seal(end));
    }

    void sendIndirectProbes() {
        indirectSent = true;
        int n = pickRandomUp(probeTarget, config.indirectChecks());
        for (int i = 0; i < n; i++) {
            Member relay = picked[i];
            int p = begin(MessageType.PING_REQ);
            out.putInt(p + MessageType.PROBE_SEQ_OFFSET, probeSeq, ByteOrder.BIG_ENDIAN);
            probeTarget.key.write(out, p + MessageType.PING_TARGET_OFFSET);
            probeTarget.sendEndpoint().write(out, p + MessageType.PING_REQ_ENDPOINT_OFFSET);
            route(relay, finishItems(p + MessageType.fixedLength(MessageType.PING_REQ), maxFrame(relay)));
        }
    }

    void finishProbe(long nowMs) {
        Member t = probeTarget;
        probeTarget = null;
        if (t == null || t.removed || !t.state.isUp()) {
            return;
        }
        if (!probeAcked) {
            if (t.state == MemberState.ALIVE) {
                becomeSuspect(t, nowMs, null);
            } else {
                t.ownFailure = true;
            }
            return;
        }
        if (!probeDirect && indirectVia != null) {
            // Others reach it but we do not: our path is broken or was never open. Punch through one
            // of them; until that works (or if it fails) traffic goes through a relay.
            if (t.path == Path.DIRECT) {
                setPath(t, Path.NONE, null);
            }
            startPunch(t, indirectVia, nowMs);
        }
    }

    void onProbeAck(Member from, boolean forwarded) {
        if (forwarded) {
            if (indirectVia == null) {
                indirectVia = from;
            }
        } else {
            probeDirect = true;
        }
        probeAcked = true;
        Member t = probeTarget;
        if (t.state == MemberState.SUSPECT) {
            // Our own detector reached it: the only thing that clears a suspicion.
            t.clearSuspicion();
            setState(t, MemberState.ALIVE, probeStartMs);
        }
    }

    Member pickProbeTarget(long nowMs) {
        for (int i = 0; i < suspects.size(); i++) {
            Member s = suspects.get(i);
            if (s.state == MemberState.SUSPECT
                    && !s.removed
                    && (s.lastOwnProbeMs < s.suspectSinceMs
                            || nowMs - s.lastOwnProbeMs >= 3 * config.probeIntervalMs())) {
                return s;
            }
        }
        for (int tries = 0; tries <= probeOrder.size() + 1; tries++) {
            if (probeIndex >= probeOrder.size()) {
                reshuffleProbeOrder();
                if (probeOrder.isEmpty()) {
                    return null;
                }
            }
            Member m = probeOrder.get(probeIndex++);
            if (!m.removed && m.state.isUp()) {
                return m;
            }
        }
        return null;
    }

    void reshuffleProbeOrder() {
        probeOrder.clear();
        for (int i = 0; i < table.size(); i++) {
            Member m = table.at(i);
            if (m.state.isUp()) {
                probeOrder.add(m);
            }
        }
        for (int i = probeOrder.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Member tmp = probeOrder.get(i);
            probeOrder.set(i, probeOrder.get(j));
            probeOrder.set(j, tmp);
        }
        probeIndex = 0;
    }

    void checkSuspects(long nowMs) {
        for (int i = suspects.size() - 1; i >= 0; i--) {
            Member s = suspects.get(i);
            if (s.removed || s.state != MemberState.SUSPECT) {
                s.inSuspectList = false;
                suspects.remove(i);
                continue;
            }
            if (s.ownFailure && nowMs >= s.suspectSinceMs + suspicionTimeoutMs(s)) {
                s.inSuspectList = false;
                suspects.remove(i);
                declareDead(s, nowMs);
            }
        }
    }

    /**
     * Lifeguard: starts at max = SuspicionMaxTimeoutMult * min and falls towards min =
     * SuspicionMult * log10(N) * ProbeInterval as independent confirmations arrive (K = mult - 2
     * expected). Our own failed probe counts as one.
     */
    long suspicionTimeoutMs(Member s) {
        int n = table.size() + 1;
        double scale = Math.max(1.0, Math.log10(n));
        long min = (long) (config.suspicionMult() * scale * config.probeIntervalMs());
        long max = config.suspicionMaxTimeoutMult() * min;
        int k = config.suspicionMult() - 2;
        if (n - 2 < k || k < 1) {
            return min;
        }
        int sources = s.confirmations + (s.ownFailure ? 1 : 0);
        int c = Math.max(0, sources - 1);
        double frac = Math.log(c + 1.0) / Math.log(k + 1.0);
        long timeout = (long) (max - (max - min) * frac);
        return Math.max(min, timeout);
    }

    void becomeSuspect(Member m, long nowMs, NodeKey claimer) {
        m.clearSuspicion();
        m.suspectSinceMs = nowMs;
        if (claimer == null) {
            m.ownFailure = true;
        } else {
            m.addConfirmer(claimer);
        }
        if (!m.inSuspectList) {
            m.inSuspectList = true;
            suspects.add(m);
        }
        setState(m, MemberState.SUSPECT, nowMs);
        broadcastClaim(m, MemberRecord.STATE_SUSPECT);
    }

    void declareDead(Member m, long nowMs) {
        setPath(m, Path.NONE, null);
        punches.complete(m.key);
        setState(m, MemberState.DEAD, nowMs);
        broadcastClaim(m, MemberRecord.STATE_DEAD);
    }

    void broadcastClaim(Member m, int state) {
        byte[] claim = new byte[MemberRecord.CLAIM_LENGTH];
        MemberRecord.writeClaim(new UnsafeBuffer(claim), 0, m.key, state, m.incarnation);
        broadcasts.add(m.key, Items.KIND_MEMBER, claim);
    }

    void setState(Member m, MemberState state, long nowMs) {
        MemberState before = m.state;
        if (before == state) {
            return;
        }
        m.state = state;
        m.stateChangeMs = nowMs;
        if (state.isUp() && !before.isUp()) {
            probeOrder.add(random.nextInt(probeOrder.size() + 1), m);
            listener.onMemberUp(m.view());
        } else if (!state.isUp() && before.isUp()) {
            listener.onMemberDown(m.view());
        } else {
            listener.onMemberChanged(m.view());
        }
    }

    void setPath(Member m, Path path, Member via) {
        if (m.path == path && m.relayVia == via) {
            return;
        }
        m.path = path;
        m.relayVia = via;
        if (path == Path.RELAY && !m.inRelayList) {
            m.inRelayList = true;
            relayed.add(m);
        }
        if (m.state.isUp()) {
            listener.onMemberChanged(m.view());
        }
    }

    boolean usesRelay(Member m) {
        return m.path == Path.RELAY && m.relayVia != null && !m.relayVia.removed && m.relayVia.state.isUp();
    }

    // ---------------------------------------------------------------- gossip and anti-entropy

    int transmitLimit() {
        int n = table.size() + 1;
        return config.retransmitMult() * (int) Math.ceil(Math.log10(n + 1.0));
    }

    void gossipRound() {
        if (broadcasts.isEmpty()) {
            return;
        }
        int n = pickGossipTargets();
        for (int i = 0; i < n && !broadcasts.isEmpty(); i++) {
            Member m = picked[i];
            int p = begin(MessageType.GOSSIP);
            int max = maxFrame(m);
            int end = broadcasts.fill(out, p, max - Frame.SIGNATURE_LENGTH, transmitLimit());
            if (out.getByte(p) == 0) {
                sequence--;
                return;
            }
            route(m, seal(end));
        }
    }

    /**
     * Sends our state to {@code m}: self first, then a window of the table that rotates between
     * exchanges. {@code full} (the answer to a join) sends the whole table, at most the table cap.
     */
    void pushPull(Member m, boolean replyWanted, boolean full) {
        int max = maxFrame(m) - Frame.SIGNATURE_LENGTH;
        int total = full ? table.size() + 1 : Math.min(table.size() + 1, config.pushPullMaxRecords());
        int sent = 0;
        int frameIndex = 0;
        int scanned = 0;
        boolean selfSent = false;
        while (sent < total && scanned <= table.size()) {
            int p = begin(MessageType.PUSH_PULL);
            out.putByte(p, (byte) (replyWanted && frameIndex == 0 ? MessageType.PUSH_PULL_FLAG_REPLY : 0));
            out.putShort(p + MessageType.PUSH_PULL_TOTAL_OFFSET, (short) total, ByteOrder.BIG_ENDIAN);
            out.putShort(p + MessageType.PUSH_PULL_INDEX_OFFSET, (short) frameIndex, ByteOrder.BIG_ENDIAN);
            int countAt = p + MessageType.fixedLength(MessageType.PUSH_PULL);
            int q = countAt + 1;
            int count = 0;
            while (count < Items.MAX_ITEMS && sent < total) {
                byte[] record;
                if (!selfSent) {
                    record = selfRecord;
                } else {
                    if (scanned >= table.size()) {
                        break;
                    }
                    if (pushPullCursor >= table.size()) {
                        pushPullCursor = 0;
                    }
                    Member r = table.at(pushPullCursor);
                    record = r.state == MemberState.DEAD ? null : r.signedRecord;
                    if (record != null && q + Items.ITEM_HEADER + record.length > max) {
                        break;
                    }
                    pushPullCursor++;
                    scanned++;
                    if (record == null) {
                        continue;
                    }
                }
                if (q + Items.ITEM_HEADER + record.length > max) {
                    break;
                }
                selfSent = true;
                int at = Items.putItemHeader(out, q, Items.KIND_MEMBER, record.length);
                out.putBytes(at, record);
                q = at + record.length;
                count++;
                sent++;
            }
            if (count == 0) {
                sequence--;
                break;
            }
            out.putByte(countAt, (byte) count);
            route(m, seal(q));
            frameIndex++;
        }
    }

    int pickGossipTargets() {
        int n = 0;
        int size = table.size();
        for (int tries = 0; tries < 4 * config.gossipNodes() && n < config.gossipNodes() && size > 0; tries++) {
            Member m = table.at(random.nextInt(size));
            boolean ok = m.state.isUp()
                    || (m.state == MemberState.DEAD && m.stateChangeMs + GOSSIP_TO_THE_DEAD_MS > lastNowMs);
            if (ok && !contains(picked, n, m)) {
                picked[n++] = m;
            }
        }
        return n;
    }

    long lastNowMs;

    Member pickRandomDead() {
        int size = table.size();
        for (int tries = 0; tries < 4 && size > 0; tries++) {
            Member m = table.at(random.nextInt(size));
            if (m.state == MemberState.DEAD) {
                return m;
            }
        }
        return null;
    }

    Member pickRandomUp(Member exclude) {
        return pickRandomUp(exclude, 1) == 1 ? picked[0] : null;
    }

    int pickRandomUp(Member exclude, int k) {
        int n = 0;
        int size = table.size();
        for (int tries = 0; tries < 4 * k + 4 && n < k && size > 0; tries++) {
            Member m = table.at(random.nextInt(size));
            if (m != exclude && m.state == MemberState.ALIVE && !contains(picked, n, m)) {
                picked[n++] = m;
            }
        }
        return n;
    }

    static boolean contains(Member[] array, int n, Member m) {
        for (int i = 0; i < n; i++) {
            if (array[i] == m) {
                return true;
            }
        }
        return false;
    }

    void rebuildSelfRecord() {
        int length = MemberRecord.writeAlive(
                recordScratch,
                0,
                auth,
                local.wgPublicKey(),
                incarnation,
                local.gossipEndpoint(),
                observed,
                local.meshAddresses(),
                local.vouch().sequence(),
                vouchSignature);
        selfRecord = new byte[length];
        recordScratch.getBytes(0, selfRecord);
        broadcasts.add(self, Items.KIND_MEMBER, selfRecord);
    }

    /** Answers a claim about us with a higher incarnation (saturating: see the README). */
    void refute() {
        if (incarnation < Long.MAX_VALUE) {
            incarnation += MAX_INCARNATION_STEPS;
        }
        rebuildSelfRecord();
    }

    // ---------------------------------------------------------------- NAT traversal

    void startPunch(Member target, Member via, long nowMs) {
        if (via == null || via.removed || !via.state.isUp() || via == target) {
            return;
        }
        if (punches.get(target.key) != null) {
            punches.start(target.key, 0, nowMs, via.key, null);
            return;
        }
        long round = PunchAttempts.roundId(self, target.key, nowMs / Math.max(1, config.punchRetryMs()));
        PunchAttempts.Attempt a = punches.start(target.key, round, nowMs, via.key, target.observedEndpoint);
        if (a == null) {
            drop(DropReason.PENDING_FULL);
            return;
        }
        target.nextPunchMs = nowMs + config.punchRetryMs();
        if (target.path == Path.NONE || (target.path == Path.RELAY && !usesRelay(target))) {
            // Relay at once so the member is usable while the punch runs; upgraded if it succeeds.
            setPath(target, Path.RELAY, via);
        }
        int p = begin(MessageType.PUNCH_REQUEST);
        out.putLong(p + MessageType.ROUND_OFFSET, round, ByteOrder.BIG_ENDIAN);
        target.key.write(out, p + MessageType.PUNCH_KEY_OFFSET);
        route(via, finishItems(p + MessageType.fixedLength(MessageType.PUNCH_REQUEST), maxFrame(via)));
    }

    void runPunches(long nowMs) {
        reaped.clear();
        punches.reapStale(nowMs, config.punchTimeoutMs(), reaped);
        for (int i = 0; i < reaped.size(); i++) {
            PunchAttempts.Attempt a = reaped.get(i);
            Member t = table.get(a.target);
            Member via = a.via == null ? null : table.get(a.via);
            if (t != null && t.state.isUp() && t.path != Path.DIRECT && via != null && via.state.isUp()) {
                setPath(t, Path.RELAY, via);
                t.nextPunchMs = nowMs + config.punchRetryMs();
            }
        }
        for (int i = 0; i < punches.size(); i++) {
            PunchAttempts.Attempt a = punches.at(i);
            if (nowMs - a.lastSendMs >= config.punchIntervalMs()) {
                sendPunch(a, nowMs);
            }
        }
        for (int i = relayed.size() - 1; i >= 0; i--) {
            Member m = relayed.get(i);
            if (m.removed || m.path != Path.RELAY || !m.state.isUp()) {
                m.inRelayList = false;
                relayed.remove(i);
            } else if (nowMs >= m.nextPunchMs && usesRelay(m)) {
                startPunch(m, m.relayVia, nowMs);
            }
        }
    }

    void sendPunch(PunchAttempts.Attempt a, long nowMs) {
        a.lastSendMs = nowMs;
        a.sent++;
        if (a.endpoint == null || a.endpoint.isNone()) {
            return;
        }
        int p = begin(MessageType.PUNCH);
        out.putLong(p + MessageType.ROUND_OFFSET, a.roundId, ByteOrder.BIG_ENDIAN);
        out.putByte(p + MessageType.PUNCH_FLAGS_OFFSET, (byte) 0);
        send(a.endpoint, seal(p + MessageType.fixedLength(MessageType.PUNCH)));
    }

    void relayWrap(Member via, NodeKey target, DirectBuffer inner, int offset, int length, int flags) {
        Frame.writeHeader(relayOut, 0, MessageType.RELAY, self, local.epoch(), ++sequence);
        int p = Frame.BODY_OFFSET;
        self.write(relayOut, p + MessageType.RELAY_ORIGIN_OFFSET);
        target.write(relayOut, p + MessageType.RELAY_TARGET_OFFSET);
        relayOut.putByte(p + MessageType.RELAY_FLAGS_OFFSET, (byte) flags);
        relayOut.putShort(p + MessageType.RELAY_LENGTH_OFFSET, (short) length, ByteOrder.BIG_ENDIAN);
        relayOut.putBytes(p + MessageType.RELAY_PAYLOAD_OFFSET, inner, offset, length);
        int len = Frame.seal(relayOut, 0, MessageType.RELAY_PAYLOAD_OFFSET + length, auth);
        send(via.sendEndpoint(), relayOut, len);
    }

    // ---------------------------------------------------------------- sending helpers

    int begin(int type) {
        Frame.writeHeader(out, 0, type, self, local.epoch(), ++sequence);
        return Frame.BODY_OFFSET;
    }

    int finishItems(int p, int maxFrame) {
        return seal(broadcasts.fill(out, p, maxFrame - Frame.SIGNATURE_LENGTH, transmitLimit()));
    }

    int seal(int end) {
        return Frame.seal(out, 0, end - Frame.BODY_OFFSET, auth);
    }

    int maxFrame(Member target) {
        return usesRelay(target) ? Frame.MAX_FRAME_BYTES - RELAY_OVERHEAD : Frame.MAX_FRAME_BYTES;
    }

    int replyMaxFrame() {
        return rxVia != null ? Frame.MAX_FRAME_BYTES - RELAY_OVERHEAD : Frame.MAX_FRAME_BYTES;
    }

    void route(Member target, int length) {
        if (usesRelay(target)) {
            relayWrap(target.relayVia, target.key, out, 0, length, 0);
        } else {
            send(target.sendEndpoint(), out, length);
        }
    }

    void reply(Member target, int length) {
        if (rxVia != null) {
            relayWrap(rxVia, target.key, out, 0, length, 0);
        } else {
            send(rxFrom, out, length);
        }
    }

    void send(Endpoint to, int length) {
        send(to, out, length);
    }

    void send(Endpoint to, UnsafeBuffer buffer, int length) {
        if (to.isNone()) {
            return;
        }
        framesSent++;
        bytesSent += length;
        transport.send(to, buffer, 0, length);
    }

    void drop(DropReason reason) {
        drops[reason.ordinal()]++;
    }

    // ---------------------------------------------------------------- receiving

    /**
     * Handles one datagram received from {@code from} on the gossip socket. Never throws for bad
     * input: every rejection is counted under a {@link DropReason}.
     */
    public void onDatagram(Endpoint from, DirectBuffer buffer, int offset, int lengthBytes, long nowMs) {
        lastNowMs = nowMs;
        framesReceived++;
        if (left) {
            return;
        }
        DirectBuffer b = buffer;
        int off = offset;
        if (b.byteArray() == null || b.wrapAdjustment() != 0) {
            if (lengthBytes > Frame.MAX_FRAME_BYTES || lengthBytes < 0) {
                drop(DropReason.MALFORMED);
                return;
            }
            rxCopy.putBytes(0, buffer, offset, lengthBytes);
            b = rxCopy;
            off = 0;
        }
        rxFrom = from;
        rxVia = null;
        receiver.onFrame(b, off, lengthBytes, nowMs);
    }

    final Receiver receiver = new Receiver(this);

    void sendAck(Member to, int seq, int flags, Endpoint observedOfPinger, boolean asReply) {
        int p = begin(MessageType.ACK);
        out.putInt(p + MessageType.PROBE_SEQ_OFFSET, seq, ByteOrder.BIG_ENDIAN);
        out.putByte(p + MessageType.ACK_FLAGS_OFFSET, (byte) flags);
        observedOfPinger.write(out, p + MessageType.ACK_OBSERVED_OFFSET);
        int end = p + MessageType.fixedLength(MessageType.ACK);
        if (asReply) {
            reply(to, finishItems(end, replyMaxFrame()));
        } else {
            route(to, finishItems(end, maxFrame(to)));
        }
    }

    void expireIndirect(long nowMs) {
        for (int slot = 0; slot < indirect.capacity(); slot++) {
            if (indirect.isExpired(slot, nowMs)) {
                Member requester = indirect.requester(slot);
                int requesterSeq = indirect.requesterSeq(slot);
                indirect.clear(slot);
                if (!requester.removed && requester.state.isUp()) {
                    int p = begin(MessageType.NACK);
                    out.putInt(p + MessageType.PROBE_SEQ_OFFSET, requesterSeq, ByteOrder.BIG_ENDIAN);
                    route(requester, finishItems(p + MessageType.fixedLength(MessageType.NACK), maxFrame(requester)));
                }
            }
        }
    }

    OrgRegistry.Result applyOrg(OrgMessage message, long nowMs) {
        OrgRegistry.Result result = org.apply(message);
        switch (result) {
            case APPLIED -> {
                broadcasts.add(new OrgSubject(message.subject(), message.kind()), Items.KIND_ORG, message.toBytes());
                if (message.kind() == OrgMessage.KIND_REVOKE) {
                    revoke(message.subject(), nowMs);
                }
            }
            case BAD_SIGNATURE -> drop(DropReason.BAD_ORG_MESSAGE);
            default -> {
                // A replay or a vouch for a revoked key: nothing changes.
            }
        }
        return result;
    }

    void revoke(NodeKey subject, long nowMs) {
        if (subject.equals(self)) {
            left = true;
            return;
        }
        Member m = table.get(subject);
        if (m == null) {
            return;
        }
        punches.complete(subject);
        boolean wasUp = m.state.isUp();
        m.state = MemberState.LEFT;
        m.stateChangeMs = nowMs;
        m.path = Path.NONE;
        table.remove(m);
        org.forget(subject);
        if (wasUp) {
            listener.onMemberDown(m.view());
        }
    }

    /** The identity of an org message in the broadcast queue: one per subject and kind. */
    record OrgSubject(NodeKey subject, int kind) {}
}
