package io.ringguard.membership.swim;

import io.ringguard.membership.identity.Endpoint;
import io.ringguard.membership.identity.MeshPrefix;
import io.ringguard.membership.identity.NodeKey;
import io.ringguard.membership.nat.PunchAttempts;
import io.ringguard.membership.org.OrgMessage;
import io.ringguard.membership.wire.Frame;
import io.ringguard.membership.wire.Items;
import io.ringguard.membership.wire.MemberRecord;
import io.ringguard.membership.wire.MessageType;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.agrona.DirectBuffer;

/**
 * The engine's receive path: validate, verify, check replay, apply items, handle the message.
 * Kept apart from the timers for readability; it shares the engine's state and thread.
 */
final class Receiver {
    private final MembershipEngine e;

    Receiver(MembershipEngine engine) {
        this.e = engine;
    }

    void onFrame(DirectBuffer b, int off, int len, long nowMs) {
        int type = Frame.validate(b, off, len);
        if (type < 0) {
            e.drop(DropReason.MALFORMED);
            return;
        }
        int bodyStart = off + Frame.BODY_OFFSET;
        int bodyEnd = bodyStart + Frame.bodyLength(b, off);
        int fixedEnd = bodyStart + MessageType.fixedLength(type);
        int itemCount = 0;
        if (MessageType.hasItems(type)) {
            itemCount = Items.validate(b, fixedEnd, bodyEnd);
            if (itemCount < 0) {
                e.drop(DropReason.MALFORMED);
                return;
            }
        } else if (type == MessageType.RELAY) {
            int payload = b.getShort(bodyStart + MessageType.RELAY_LENGTH_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            if (fixedEnd + payload != bodyEnd) {
                e.drop(DropReason.MALFORMED);
                return;
            }
        } else if (fixedEnd != bodyEnd) {
            e.drop(DropReason.MALFORMED);
            return;
        }
        if (e.self.matches(b, off + Frame.SENDER_OFFSET)) {
            e.drop(DropReason.REPLAY);
            return;
        }
        NodeKey sender = NodeKey.read(b, off + Frame.SENDER_OFFSET);
        if (e.org.isRevoked(sender)) {
            e.drop(DropReason.REVOKED);
            return;
        }
        if (!Frame.verify(b, off, len, sender, e.auth)) {
            e.drop(DropReason.BAD_SIGNATURE);
            return;
        }
        long epoch = Frame.epoch(b, off);
        long seq = Frame.sequence(b, off);
        Member m = e.table.get(sender);
        boolean itemsDone = false;
        if (m == null) {
            // A stranger can only introduce itself: its own vouched, self-signed alive record.
            if (itemCount > 0) {
                processItems(b, fixedEnd, itemCount, null, nowMs);
            }
            m = e.table.get(sender);
            if (m == null || !m.state.isUp()) {
                e.drop(DropReason.NOT_ADMITTED);
                return;
            }
            m.acceptSequence(epoch, seq);
            itemsDone = true;
        } else if (!m.acceptSequence(epoch, seq)) {
            e.drop(DropReason.REPLAY);
            return;
        }
        if (e.rxVia == null) {
            noteDirect(m, nowMs);
        }
        if (!itemsDone && itemCount > 0) {
            processItems(b, fixedEnd, itemCount, m, nowMs);
        }
        if (m.removed) {
            return;
        }
        if (m.state == MemberState.DEAD) {
            noticeDead(m);
        }
        switch (type) {
            case MessageType.PING -> onPing(b, bodyStart, m);
            case MessageType.PING_REQ -> onPingReq(b, bodyStart, m, nowMs);
            case MessageType.ACK -> onAck(b, bodyStart, m, nowMs);
            case MessageType.PUSH_PULL -> {
                if ((b.getByte(bodyStart) & MessageType.PUSH_PULL_FLAG_REPLY) != 0) {
                    onPushPullRequest(m, itemsDone);
                }
            }
            case MessageType.PUNCH_REQUEST -> onPunchRequest(b, bodyStart, m);
            case MessageType.PUNCH_NOTIFY -> onPunchNotify(b, bodyStart, m, nowMs);
            case MessageType.PUNCH -> onPunch(b, bodyStart, m);
            case MessageType.RELAY -> onRelay(b, bodyStart, m, nowMs);
            default -> {
                // NACK and GOSSIP carry nothing beyond their items.
            }
        }
    }

    private void noteDirect(Member m, long nowMs) {
        m.lastDirectRxMs = nowMs;
        if (!e.rxFrom.equals(m.directEndpoint)) {
            m.directEndpoint = e.rxFrom;
            if (m.path == Path.DIRECT && m.state.isUp()) {
                e.listener.onMemberChanged(m.view());
            }
        }
        if (m.path != Path.DIRECT) {
            e.punches.complete(m.key);
            e.setPath(m, Path.DIRECT, null);
        }
    }

    /** Tells a member we consider dead, at most once a probe interval, so that it can refute. */
    private void noticeDead(Member m) {
        if (e.lastNowMs - m.lastOwnProbeMs < e.config.probeIntervalMs()) {
            return;
        }
        m.lastOwnProbeMs = e.lastNowMs;
        int p = e.begin(MessageType.GOSSIP);
        e.out.putByte(p, (byte) 1);
        int at = Items.putItemHeader(e.out, p + 1, Items.KIND_MEMBER, MemberRecord.CLAIM_LENGTH);
        int end = at + MemberRecord.writeClaim(e.out, at, m.key, MemberRecord.STATE_DEAD, m.incarnation);
        e.reply(m, e.seal(end));
    }

    private void processItems(DirectBuffer b, int sectionOffset, int count, Member sender, long nowMs) {
        int p = sectionOffset + 1;
        for (int i = 0; i < count; i++) {
            int kind = Items.kind(b, p);
            int length = Items.length(b, p);
            int item = p + Items.ITEM_HEADER;
            if (kind == Items.KIND_MEMBER) {
                if (MemberRecord.isValid(b, item, length)) {
                    processMember(b, item, length, sender, nowMs);
                } else {
                    e.drop(DropReason.MALFORMED);
                }
            } else {
                OrgMessage message = OrgMessage.read(b, item, length);
                if (message == null) {
                    e.drop(DropReason.BAD_ORG_MESSAGE);
                } else {
                    e.applyOrg(message, nowMs);
                }
            }
            p = item + length;
        }
    }

    private void processMember(DirectBuffer b, int r, int length, Member sender, long nowMs) {
        int state = MemberRecord.state(b, r);
        long inc = MemberRecord.incarnation(b, r);
        if (e.self.matches(b, r + MemberRecord.KEY_OFFSET)) {
            onRecordAboutSelf(b, r, state, inc);
            return;
        }
        NodeKey subject = NodeKey.read(b, r + MemberRecord.KEY_OFFSET);
        if (e.org.isRevoked(subject)) {
            e.drop(DropReason.REVOKED);
            return;
        }
        Member m = e.table.get(subject);
        if (state == MemberRecord.STATE_ALIVE) {
            onAlive(b, r, length, subject, m, inc, nowMs);
            return;
        }
        boolean selfSignedLeave = state == MemberRecord.STATE_LEFT
                && m != null
                && inc >= m.incarnation
                && MemberRecord.verifySelf(b, r, subject, e.auth);
        if (selfSignedLeave) {
            if (m.state != MemberState.LEFT) {
                m.incarnation = inc;
                m.signedRecord = new byte[length];
                b.getBytes(r, m.signedRecord);
                e.setPath(m, Path.NONE, null);
                e.setState(m, MemberState.LEFT, nowMs);
                e.broadcasts.add(subject, Items.KIND_MEMBER, m.signedRecord);
            }
            return;
        }
        // A suspect, dead or unsigned leave claim by a third party.
        if (m == null || sender == null) {
            return;
        }
        if (inc < m.incarnation) {
            e.drop(DropReason.STALE);
            return;
        }
        // Claims never carry a newer incarnation than the subject announced to us: clamp, so a
        // claim at the maximum cannot leave the subject unable to refute.
        if (m.state == MemberState.ALIVE) {
            e.becomeSuspect(m, nowMs, sender.key);
        } else if (m.state == MemberState.SUSPECT) {
            m.addConfirmer(sender.key);
        }
    }

    private void onRecordAboutSelf(DirectBuffer b, int r, int state, long inc) {
        if (state == MemberRecord.STATE_ALIVE) {
            if (inc > e.incarnation && MemberRecord.verifySelf(b, r, e.self, e.auth)) {
                // Our own signature from an earlier life with a higher incarnation: outrank it.
                e.incarnation = inc;
                e.refute();
            }
            return;
        }
        if (inc >= e.incarnation || state == MemberRecord.STATE_LEFT) {
            e.refute();
        }
    }

    private void onAlive(DirectBuffer b, int r, int length, NodeKey subject, Member m, long inc, long nowMs) {
        if (m != null && inc <= m.incarnation) {
            return;
        }
        if (!MemberRecord.verifySelf(b, r, subject, e.auth)) {
            e.drop(DropReason.BAD_SELF_SIGNATURE);
            return;
        }
        long vouchSeq = MemberRecord.vouchSequence(b, r);
        if (!e.org.isVouched(subject, vouchSeq, b, r + MemberRecord.VOUCH_SIGNATURE_OFFSET)) {
            e.drop(DropReason.NOT_VOUCHED);
            return;
        }
        boolean isNew = m == null;
        if (isNew) {
            m = e.table.add(subject, e.evicted);
            if (m == null) {
                e.drop(DropReason.TABLE_FULL);
                return;
            }
            if (e.evicted[0] != null) {
                Member gone = e.evicted[0];
                e.punches.complete(gone.key);
                if (gone.state.isUp()) {
                    e.listener.onMemberDown(gone.view());
                }
            }
            m.stateChangeMs = nowMs;
        }
        int count = MemberRecord.addressCount(b, r);
        List<MeshPrefix> addresses = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            MeshPrefix prefix = MeshPrefix.read(b, r + MemberRecord.ADDRESSES_OFFSET + i * MeshPrefix.ENCODED_BYTES);
            if (prefix != null) {
                addresses.add(prefix);
            }
        }
        Endpoint gossipEp = Endpoint.read(b, r + MemberRecord.GOSSIP_ENDPOINT_OFFSET);
        Endpoint observedEp = Endpoint.read(b, r + MemberRecord.OBSERVED_ENDPOINT_OFFSET);
        m.wgKey = NodeKey.read(b, r + MemberRecord.WG_KEY_OFFSET);
        m.addresses = List.copyOf(addresses);
        m.gossipEndpoint = gossipEp == null ? Endpoint.NONE : gossipEp;
        m.observedEndpoint = observedEp == null ? Endpoint.NONE : observedEp;
        m.incarnation = inc;
        m.signedRecord = new byte[length];
        b.getBytes(r, m.signedRecord);
        e.broadcasts.add(subject, Items.KIND_MEMBER, m.signedRecord);
        if (isNew) {
            m.state = MemberState.DEAD;
            e.setState(m, MemberState.ALIVE, nowMs);
        } else if (m.state == MemberState.SUSPECT) {
            // A refutation clears a suspicion that others raised; one raised by our own failed
            // probe stays until our own probe succeeds.
            if (!m.ownFailure) {
                m.clearSuspicion();
                e.setState(m, MemberState.ALIVE, nowMs);
            } else {
                e.listener.onMemberChanged(m.view());
            }
        } else if (m.state != MemberState.ALIVE) {
            m.clearSuspicion();
            e.setState(m, MemberState.ALIVE, nowMs);
        } else {
            e.listener.onMemberChanged(m.view());
        }
    }

    private void onPing(DirectBuffer b, int body, Member m) {
        if (!e.self.matches(b, body + MessageType.PING_TARGET_OFFSET)) {
            e.drop(DropReason.MALFORMED);
            return;
        }
        int seq = b.getInt(body + MessageType.PROBE_SEQ_OFFSET, ByteOrder.BIG_ENDIAN);
        e.sendAck(m, seq, 0, e.rxVia == null ? e.rxFrom : Endpoint.NONE, true);
    }

    private void onPingReq(DirectBuffer b, int body, Member requester, long nowMs) {
        int seq = b.getInt(body + MessageType.PROBE_SEQ_OFFSET, ByteOrder.BIG_ENDIAN);
        NodeKey targetKey = NodeKey.read(b, body + MessageType.PING_TARGET_OFFSET);
        Member target = e.table.get(targetKey);
        if (target == null || target == requester || !target.state.isUp()) {
            return;
        }
        int mySeq = ++e.nextProbeSeq;
        if (!e.indirect.add(requester, seq, target, mySeq, nowMs + e.config.probeTimeoutMs())) {
            e.drop(DropReason.PENDING_FULL);
            return;
        }
        e.sendPing(target, mySeq);
    }

    private void onAck(DirectBuffer b, int body, Member m, long nowMs) {
        int seq = b.getInt(body + MessageType.PROBE_SEQ_OFFSET, ByteOrder.BIG_ENDIAN);
        boolean forwarded = (b.getByte(body + MessageType.ACK_FLAGS_OFFSET) & MessageType.ACK_FLAG_FORWARDED) != 0;
        if (e.rxVia == null && !forwarded) {
            Endpoint reported = Endpoint.read(b, body + MessageType.ACK_OBSERVED_OFFSET);
            if (e.vote.report(reported)) {
                e.observed = e.vote.current();
                e.refute();
            }
        }
        if (e.probeTarget != null && seq == e.probeSeq && (forwarded || m == e.probeTarget)) {
            e.onProbeAck(m, forwarded);
            return;
        }
        if (!forwarded) {
            int slot = e.indirect.find(seq, m);
            if (slot >= 0) {
                Member requester = e.indirect.requester(slot);
                int requesterSeq = e.indirect.requesterSeq(slot);
                e.indirect.clear(slot);
                if (!requester.removed) {
                    e.sendAck(requester, requesterSeq, MessageType.ACK_FLAG_FORWARDED, Endpoint.NONE, false);
                }
            }
        }
    }

    /**
     * Answers at most one push-pull per member per quarter interval (a join always), so that a
     * member cannot turn one small request after another into our whole table.
     */
    private void onPushPullRequest(Member m, boolean joining) {
        long nowMs = e.lastNowMs;
        if (!joining && nowMs - m.lastPushPullReplyMs < e.config.pushPullIntervalMs() / 4) {
            return;
        }
        m.lastPushPullReplyMs = nowMs;
        e.pushPull(m, false, joining);
    }

    private void onPunchRequest(DirectBuffer b, int body, Member initiator) {
        long round = b.getLong(body + MessageType.ROUND_OFFSET, ByteOrder.BIG_ENDIAN);
        Member target = e.table.get(NodeKey.read(b, body + MessageType.PUNCH_KEY_OFFSET));
        if (target == null || target == initiator || !target.state.isUp() || e.usesRelay(target)) {
            e.drop(DropReason.RELAY_REFUSED);
            return;
        }
        Endpoint initiatorEp = e.rxVia == null ? e.rxFrom : initiator.sendEndpoint();
        sendNotify(target, round, initiator.key, initiatorEp, false);
        sendNotify(initiator, round, target.key, target.sendEndpoint(), true);
    }

    private void sendNotify(Member to, long round, NodeKey peer, Endpoint peerEp, boolean asReply) {
        int p = e.begin(MessageType.PUNCH_NOTIFY);
        e.out.putLong(p + MessageType.ROUND_OFFSET, round, ByteOrder.BIG_ENDIAN);
        peer.write(e.out, p + MessageType.PUNCH_KEY_OFFSET);
        peerEp.write(e.out, p + MessageType.PUNCH_NOTIFY_ENDPOINT_OFFSET);
        int end = p + MessageType.fixedLength(MessageType.PUNCH_NOTIFY);
        if (asReply) {
            e.reply(to, e.finishItems(end, e.replyMaxFrame()));
        } else {
            e.route(to, e.finishItems(end, e.maxFrame(to)));
        }
    }

    private void onPunchNotify(DirectBuffer b, int body, Member coordinator, long nowMs) {
        long round = b.getLong(body + MessageType.ROUND_OFFSET, ByteOrder.BIG_ENDIAN);
        Member peer = e.table.get(NodeKey.read(b, body + MessageType.PUNCH_KEY_OFFSET));
        Endpoint ep = Endpoint.read(b, body + MessageType.PUNCH_NOTIFY_ENDPOINT_OFFSET);
        if (peer == null || peer == coordinator || ep == null || ep.isNone() || !peer.state.isUp()) {
            return;
        }
        if (peer.path == Path.DIRECT && nowMs - peer.lastDirectRxMs < 2 * e.config.probeIntervalMs()) {
            return;
        }
        PunchAttempts.Attempt a = e.punches.start(peer.key, round, nowMs, coordinator.key, ep);
        if (a == null) {
            e.drop(DropReason.PENDING_FULL);
            return;
        }
        a.endpoint = ep;
        if (peer.path == Path.NONE) {
            e.setPath(peer, Path.RELAY, coordinator);
            peer.nextPunchMs = nowMs + e.config.punchRetryMs();
        }
        e.sendPunch(a, nowMs);
    }

    private void onPunch(DirectBuffer b, int body, Member peer) {
        if (e.rxVia != null) {
            return;
        }
        long round = b.getLong(body + MessageType.ROUND_OFFSET, ByteOrder.BIG_ENDIAN);
        e.punches.complete(peer.key);
        if ((b.getByte(body + MessageType.PUNCH_FLAGS_OFFSET) & MessageType.PUNCH_FLAG_ACK) == 0) {
            int p = e.begin(MessageType.PUNCH);
            e.out.putLong(p + MessageType.ROUND_OFFSET, round, ByteOrder.BIG_ENDIAN);
            e.out.putByte(p + MessageType.PUNCH_FLAGS_OFFSET, (byte) MessageType.PUNCH_FLAG_ACK);
            e.send(e.rxFrom, e.seal(p + MessageType.fixedLength(MessageType.PUNCH)));
        }
    }

    private void onRelay(DirectBuffer b, int body, Member from, long nowMs) {
        int flags = b.getByte(body + MessageType.RELAY_FLAGS_OFFSET);
        int length = b.getShort(body + MessageType.RELAY_LENGTH_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        int payload = body + MessageType.RELAY_PAYLOAD_OFFSET;
        if (e.rxVia != null) {
            e.drop(DropReason.RELAY_REFUSED);
            return;
        }
        if (e.self.matches(b, body + MessageType.RELAY_TARGET_OFFSET)) {
            NodeKey origin = NodeKey.read(b, body + MessageType.RELAY_ORIGIN_OFFSET);
            Member o = e.table.get(origin);
            if (o == null || !o.state.isUp()) {
                e.drop(DropReason.NOT_ADMITTED);
                return;
            }
            if ((flags & MessageType.RELAY_FLAG_DATA) != 0) {
                e.listener.onRelayedData(origin, b, payload, length);
                return;
            }
            if (Frame.validate(b, payload, length) == MessageType.RELAY
                    || !o.key.matches(b, payload + Frame.SENDER_OFFSET)) {
                e.drop(DropReason.RELAY_REFUSED);
                return;
            }
            e.rxVia = from;
            onFrame(b, payload, length, nowMs);
            e.rxVia = null;
            return;
        }
        // We are the relay: only for the origin itself, to a member we reach without a relay.
        Member target = e.table.get(NodeKey.read(b, body + MessageType.RELAY_TARGET_OFFSET));
        if (!from.key.matches(b, body + MessageType.RELAY_ORIGIN_OFFSET)
                || target == null
                || !target.state.isUp()
                || e.usesRelay(target)) {
            e.drop(DropReason.RELAY_REFUSED);
            return;
        }
        Frame.writeHeader(e.relayOut, 0, MessageType.RELAY, e.self, e.local.epoch(), ++e.sequence);
        e.relayOut.putBytes(Frame.BODY_OFFSET, b, body, MessageType.RELAY_PAYLOAD_OFFSET + length);
        int len = Frame.seal(e.relayOut, 0, MessageType.RELAY_PAYLOAD_OFFSET + length, e.auth);
        e.send(target.sendEndpoint(), e.relayOut, len);
    }
}
