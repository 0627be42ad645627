package io.ringguard.membership.sim;

import io.ringguard.membership.identity.Authenticator;
import io.ringguard.membership.identity.Ed25519Authenticator;
import io.ringguard.membership.identity.Endpoint;
import io.ringguard.membership.identity.MeshPrefix;
import io.ringguard.membership.identity.NodeKey;
import io.ringguard.membership.org.OrgMessage;
import io.ringguard.membership.swim.LocalNode;
import io.ringguard.membership.swim.MembershipConfig;
import io.ringguard.membership.swim.MembershipEngine;
import io.ringguard.membership.swim.MembershipListener;
import io.ringguard.membership.wire.Frame;
import io.ringguard.membership.wire.MessageType;
import java.util.ArrayList;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One engine under test, driven by hand with real Ed25519: the test plays every other member,
 * builds their frames with {@link Forge} and reads what the engine sends.
 */
final class Harness {
    /** A member the test plays. */
    static final class Peer {
        final Authenticator auth = Ed25519Authenticator.generate();
        final OrgMessage vouch;
        final Endpoint endpoint;
        long incarnation = 1;
        long sequence;

        Peer(Authenticator org, int index) {
            vouch = OrgMessage.vouch(org, auth.publicKey(), 500 + index);
            endpoint = Endpoint.ipv4(0xC6120100 + index, Simulator.GOSSIP_PORT);
        }

        NodeKey key() {
            return auth.publicKey();
        }
    }

    final Authenticator org = Ed25519Authenticator.generate();
    final Authenticator selfAuth = Ed25519Authenticator.generate();
    final Endpoint selfEndpoint = Endpoint.ipv4(0xC6120001, Simulator.GOSSIP_PORT);
    final MembershipEngine engine;
    final List<byte[]> sent = new ArrayList<>();
    final List<Endpoint> sentTo = new ArrayList<>();
    long nowMs = 1_000;
    private int peers;

    Harness(MembershipConfig config) {
        OrgMessage vouch = OrgMessage.vouch(org, selfAuth.publicKey(), 1);
        LocalNode local = new LocalNode(
                new NodeKey(1, 1, 1, 1), selfEndpoint, List.of(MeshPrefix.ipv4(0x64400001, 32)), vouch, 1, 1);
        engine = new MembershipEngine(
                config,
                selfAuth,
                org.publicKey(),
                local,
                (to, buffer, offset, length) -> {
                    byte[] copy = new byte[length];
                    buffer.getBytes(offset, copy);
                    sent.add(copy);
                    sentTo.add(to);
                },
                MembershipListener.NONE,
                42);
    }

    Peer newPeer() {
        return new Peer(org, ++peers);
    }

    /** Admits {@code p} by delivering its own alive record. */
    Peer introduce(Peer p) {
        deliver(p, MessageType.GOSSIP, new byte[0], List.of(Forge.alive(p.auth, p.incarnation, p.endpoint, p.vouch)));
        return p;
    }

    void deliver(Peer from, int type, byte[] fixed, List<Forge.Item> items) {
        byte[] frame = Forge.frame(from.auth, from.key(), 1, ++from.sequence, type, fixed, items);
        deliverRaw(from.endpoint, frame);
    }

    void deliverRaw(Endpoint from, byte[] frame) {
        engine.onDatagram(from, new UnsafeBuffer(frame), 0, frame.length, nowMs);
    }

    /** Advances time in 50 ms steps, ticking the engine. */
    void advance(long ms) {
        long end = nowMs + ms;
        while (nowMs < end) {
            nowMs += 50;
            engine.tick(nowMs);
        }
    }

    /** The probe sequence of the last PING the engine sent to {@code p}, or -1. */
    int lastPingSeqTo(Peer p) {
        for (int i = sent.size() - 1; i >= 0; i--) {
            byte[] f = sent.get(i);
            UnsafeBuffer b = new UnsafeBuffer(f);
            if (Frame.type(b, 0) == MessageType.PING
                    && p.key().matches(b, Frame.BODY_OFFSET + MessageType.PING_TARGET_OFFSET)) {
                return b.getInt(Frame.BODY_OFFSET + MessageType.PROBE_SEQ_OFFSET, java.nio.ByteOrder.BIG_ENDIAN);
            }
        }
        return -1;
    }

    static byte[] ackBody(int seq) {
        byte[] body = new byte[MessageType.fixedLength(MessageType.ACK)];
        UnsafeBuffer b = new UnsafeBuffer(body);
        b.putInt(0, seq, java.nio.ByteOrder.BIG_ENDIAN);
        Endpoint.NONE.write(b, MessageType.ACK_OBSERVED_OFFSET);
        return body;
    }
}
