package io.ringguard.membership.wire;

import io.ringguard.membership.identity.Authenticator;
import io.ringguard.membership.identity.Endpoint;
import io.ringguard.membership.identity.MeshPrefix;
import io.ringguard.membership.identity.NodeKey;
import java.nio.ByteOrder;
import java.util.List;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * One membership update, carried as an {@link Items#KIND_MEMBER} item.
 *
 * <pre>
 *  offset  size  field
 *       0    32  subject node key
 *      32     1  state: 1 alive, 2 suspect, 3 dead, 4 left
 *      33     1  mesh address count n (alive only, at most 4)
 *      34     8  incarnation
 *  alive (self-signed by the subject, so only the subject can raise its incarnation or move its
 *  endpoints):
 *      42    32  WireGuard public key
 *      74    19  gossip endpoint (what the node binds)
 *      93    19  observed endpoint (what its members see, behind NAT the public mapping)
 *     112     8  vouch sequence
 *     120    64  org vouch signature (see OrgMessage)
 *     184  18*n  mesh addresses
 *  184+18n   64  subject's signature over [0, 184+18n)
 *  left (self-signed):
 *      42    64  subject's signature over [0, 42)
 *  suspect, dead: nothing more. These are third-party claims; the frame signature says who makes
 *  them, and a receiver treats them as a reason to suspect, never as a verdict.
 * </pre>
 *
 * Stateless; any thread.
 */
public final class MemberRecord {
    public static final int STATE_ALIVE = 1;
    public static final int STATE_SUSPECT = 2;
    public static final int STATE_DEAD = 3;
    public static final int STATE_LEFT = 4;
    public static final int MAX_ADDRESSES = 4;

    public static final int KEY_OFFSET = 0;
    public static final int STATE_OFFSET = 32;
    public static final int ADDRESS_COUNT_OFFSET = 33;
    public static final int INCARNATION_OFFSET = 34;
    public static final int CLAIM_LENGTH = 42;
    public static final int WG_KEY_OFFSET = 42;
    public static final int GOSSIP_ENDPOINT_OFFSET = 74;
    public static final int OBSERVED_ENDPOINT_OFFSET = 93;
    public static final int VOUCH_SEQUENCE_OFFSET = 112;
    public static final int VOUCH_SIGNATURE_OFFSET = 120;
    public static final int ADDRESSES_OFFSET = 184;
    public static final int LEFT_LENGTH = CLAIM_LENGTH + Authenticator.SIGNATURE_BYTES;

    private MemberRecord() {}

    /** The exact length an alive record with {@code addressCount} addresses has. */
    public static int aliveLength(int addressCount) {
        return ADDRESSES_OFFSET + addressCount * MeshPrefix.ENCODED_BYTES + Authenticator.SIGNATURE_BYTES;
    }

    /** True when the record's length matches its state exactly. */
    public static boolean isValid(DirectBuffer buffer, int offset, int lengthBytes) {
        if (lengthBytes < CLAIM_LENGTH) {
            return false;
        }
        int state = state(buffer, offset);
        int count = addressCount(buffer, offset);
        return switch (state) {
            case STATE_ALIVE -> count <= MAX_ADDRESSES && lengthBytes == aliveLength(count);
            case STATE_LEFT -> count == 0 && lengthBytes == LEFT_LENGTH;
            case STATE_SUSPECT, STATE_DEAD -> count == 0 && lengthBytes == CLAIM_LENGTH;
            default -> false;
        };
    }

    public static int state(DirectBuffer buffer, int offset) {
        return buffer.getByte(offset + STATE_OFFSET);
    }

    public static int addressCount(DirectBuffer buffer, int offset) {
        return buffer.getByte(offset + ADDRESS_COUNT_OFFSET) & 0xFF;
    }

    public static long incarnation(DirectBuffer buffer, int offset) {
        return buffer.getLong(offset + INCARNATION_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    public static long vouchSequence(DirectBuffer buffer, int offset) {
        return buffer.getLong(offset + VOUCH_SEQUENCE_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /** Offset of the self signature relative to the record start (alive and left only). */
    public static int selfSignatureOffset(DirectBuffer buffer, int offset) {
        return state(buffer, offset) == STATE_LEFT
                ? CLAIM_LENGTH
                : ADDRESSES_OFFSET + addressCount(buffer, offset) * MeshPrefix.ENCODED_BYTES;
    }

    /** Writes a suspect or dead claim; returns its length. */
    public static int writeClaim(MutableDirectBuffer buffer, int offset, NodeKey subject, int state, long incarnation) {
        subject.write(buffer, offset + KEY_OFFSET);
        buffer.putByte(offset + STATE_OFFSET, (byte) state);
        buffer.putByte(offset + ADDRESS_COUNT_OFFSET, (byte) 0);
        buffer.putLong(offset + INCARNATION_OFFSET, incarnation, ByteOrder.BIG_ENDIAN);
        return CLAIM_LENGTH;
    }

    /** Writes and signs the subject's own alive record; returns its length. */
    public static int writeAlive(
            MutableDirectBuffer buffer,
            int offset,
            Authenticator self,
            NodeKey wgKey,
            long incarnation,
            Endpoint gossip,
            Endpoint observed,
            List<MeshPrefix> addresses,
            long vouchSequence,
            byte[] vouchSignature) {
        if (addresses.size() > MAX_ADDRESSES) {
            throw new IllegalArgumentException("at most " + MAX_ADDRESSES + " mesh addresses");
        }
        self.publicKey().write(buffer, offset + KEY_OFFSET);
        buffer.putByte(offset + STATE_OFFSET, (byte) STATE_ALIVE);
        buffer.putByte(offset + ADDRESS_COUNT_OFFSET, (byte) addresses.size());
        buffer.putLong(offset + INCARNATION_OFFSET, incarnation, ByteOrder.BIG_ENDIAN);
        wgKey.write(buffer, offset + WG_KEY_OFFSET);
        gossip.write(buffer, offset + GOSSIP_ENDPOINT_OFFSET);
        observed.write(buffer, offset + OBSERVED_ENDPOINT_OFFSET);
        buffer.putLong(offset + VOUCH_SEQUENCE_OFFSET, vouchSequence, ByteOrder.BIG_ENDIAN);
        buffer.putBytes(offset + VOUCH_SIGNATURE_OFFSET, vouchSignature, 0, Authenticator.SIGNATURE_BYTES);
        int p = offset + ADDRESSES_OFFSET;
        for (MeshPrefix a : addresses) {
            a.write(buffer, p);
            p += MeshPrefix.ENCODED_BYTES;
        }
        return signSelf(buffer, offset, p - offset, self);
    }

    /** Writes and signs the subject's own leave record; returns its length. */
    public static int writeLeft(MutableDirectBuffer buffer, int offset, Authenticator self, long incarnation) {
        writeClaim(buffer, offset, self.publicKey(), STATE_LEFT, incarnation);
        return signSelf(buffer, offset, CLAIM_LENGTH, self);
    }

    private static int signSelf(MutableDirectBuffer buffer, int offset, int signedLength, Authenticator self) {
        byte[] array = buffer.byteArray();
        int base = (int) (buffer.addressOffset() - org.agrona.BufferUtil.ARRAY_BASE_OFFSET) + offset;
        self.sign(array, base, signedLength, array, base + signedLength);
        return signedLength + Authenticator.SIGNATURE_BYTES;
    }

    /** Verifies an alive or left record's self signature against its subject key. */
    public static boolean verifySelf(DirectBuffer buffer, int offset, NodeKey subject, Authenticator auth) {
        byte[] array = buffer.byteArray();
        if (array == null) {
            return false;
        }
        int base = (int) (buffer.addressOffset() - org.agrona.BufferUtil.ARRAY_BASE_OFFSET) + offset;
        int signed = selfSignatureOffset(buffer, offset);
        return auth.verify(subject, array, base, signed, array, base + signed);
    }
}
