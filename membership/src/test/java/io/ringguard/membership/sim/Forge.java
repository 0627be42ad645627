package io.ringguard.membership.sim;

import io.ringguard.membership.identity.Authenticator;
import io.ringguard.membership.identity.Endpoint;
import io.ringguard.membership.identity.MeshPrefix;
import io.ringguard.membership.identity.NodeKey;
import io.ringguard.membership.org.OrgMessage;
import io.ringguard.membership.wire.Frame;
import io.ringguard.membership.wire.Items;
import io.ringguard.membership.wire.MemberRecord;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;

/** Builds frames and records by hand, the way an attacker (or a compromised member) would. */
public final class Forge {
    private Forge() {}

    /** An item: kind and bytes. */
    public record Item(int kind, byte[] bytes) {}

    /**
     * A frame of {@code type} with header sender {@code claimedSender}, signed by {@code signer}
     * (null = all-zero signature), with {@code fixed} then (when {@code items} is non-null) an item
     * section.
     */
    public static byte[] frame(
            Authenticator signer,
            NodeKey claimedSender,
            long epoch,
            long sequence,
            int type,
            byte[] fixed,
            List<Item> items) {
        UnsafeBuffer b = new UnsafeBuffer(new byte[4 * Frame.MAX_FRAME_BYTES]);
        Frame.writeHeader(b, 0, type, claimedSender, epoch, sequence);
        int p = Frame.BODY_OFFSET;
        b.putBytes(p, fixed);
        p += fixed.length;
        if (items != null) {
            b.putByte(p++, (byte) items.size());
            for (Item item : items) {
                int at = Items.putItemHeader(b, p, item.kind(), item.bytes().length);
                b.putBytes(at, item.bytes());
                p = at + item.bytes().length;
            }
        }
        int length;
        if (signer != null) {
            length = Frame.seal(b, 0, p - Frame.BODY_OFFSET, signer);
        } else {
            b.putShort(Frame.BODY_LENGTH_OFFSET, (short) (p - Frame.BODY_OFFSET), java.nio.ByteOrder.BIG_ENDIAN);
            length = p + Frame.SIGNATURE_LENGTH;
        }
        byte[] out = new byte[length];
        b.getBytes(0, out);
        return out;
    }

    public static Item claim(NodeKey subject, int state, long incarnation) {
        byte[] bytes = new byte[MemberRecord.CLAIM_LENGTH];
        MemberRecord.writeClaim(new UnsafeBuffer(bytes), 0, subject, state, incarnation);
        return new Item(Items.KIND_MEMBER, bytes);
    }

    public static Item alive(Authenticator subject, long incarnation, Endpoint endpoint, OrgMessage vouch) {
        return alive(subject, incarnation, endpoint, vouch.sequence(), vouch.signature());
    }

    public static Item alive(
            Authenticator subject, long incarnation, Endpoint endpoint, long vouchSequence, byte[] vouchSignature) {
        UnsafeBuffer b = new UnsafeBuffer(new byte[512]);
        int n = MemberRecord.writeAlive(
                b,
                0,
                subject,
                new NodeKey(7, 7, 7, 7),
                incarnation,
                endpoint,
                Endpoint.NONE,
                List.of(MeshPrefix.ipv4(0x64400001, 32)),
                vouchSequence,
                vouchSignature);
        byte[] bytes = new byte[n];
        b.getBytes(0, bytes);
        return new Item(Items.KIND_MEMBER, bytes);
    }

    public static Item org(OrgMessage message) {
        return new Item(Items.KIND_ORG, message.toBytes());
    }
}
