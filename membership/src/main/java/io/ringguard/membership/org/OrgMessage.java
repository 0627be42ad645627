package io.ringguard.membership.org;

import io.ringguard.membership.identity.Authenticator;
import io.ringguard.membership.identity.NodeKey;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * An org control message, signed by the org key: vouch (admit a node key), revoke (remove it for
 * good) or alias (a display name). Carried as an {@link io.ringguard.membership.wire.Items#KIND_ORG}
 * item in gossip, and printed as base64 by the CLI.
 *
 * <pre>
 *  offset  size  field
 *       0     2  magic 0x524F ("RO")
 *       2     1  version = 1
 *       3     1  kind: 1 vouch, 2 revoke, 3 alias
 *       4     8  sequence (issued-at, unix ms by convention; per subject and kind, a message whose
 *                sequence is not above the last applied one is a replay and does nothing)
 *      12    32  subject node key
 *      44     1  alias length n (0..63, alias only)
 *      45     n  alias, UTF-8
 *    45+n    64  org signature over [0, 45+n)
 * </pre>
 *
 * A member record carries its vouch as just (sequence, signature): the receiver rebuilds the 45
 * signed bytes from the subject key, so a vouch costs 72 bytes in gossip. Immutable; any thread.
 */
public final class OrgMessage {
    public static final int MAGIC = 0x524F;
    public static final int VERSION = 1;
    public static final int KIND_VOUCH = 1;
    public static final int KIND_REVOKE = 2;
    public static final int KIND_ALIAS = 3;
    public static final int KIND_OFFSET = 3;
    public static final int SEQUENCE_OFFSET = 4;
    public static final int SUBJECT_OFFSET = 12;
    public static final int ALIAS_LENGTH_OFFSET = 44;
    public static final int ALIAS_OFFSET = 45;
    public static final int MAX_ALIAS_BYTES = 63;
    public static final int MAX_LENGTH = ALIAS_OFFSET + MAX_ALIAS_BYTES + Authenticator.SIGNATURE_BYTES;

    private final int kind;
    private final long sequence;
    private final NodeKey subject;
    private final byte[] alias;
    private final byte[] signature;

    private OrgMessage(int kind, long sequence, NodeKey subject, byte[] alias, byte[] signature) {
        this.kind = kind;
        this.sequence = sequence;
        this.subject = subject;
        this.alias = alias;
        this.signature = signature;
    }

    /** Admits {@code node}; {@code sequence} is conventionally the issue time in unix ms. */
    public static OrgMessage vouch(Authenticator org, NodeKey node, long sequence) {
        return sign(org, KIND_VOUCH, node, sequence, new byte[0]);
    }

    public static OrgMessage vouch(OrgKeys org, NodeKey node, long sequence) {
        return vouch(org.signer(), node, sequence);
    }

    /** Removes {@code node} from every member, permanently. */
    public static OrgMessage revoke(Authenticator org, NodeKey node, long sequence) {
        return sign(org, KIND_REVOKE, node, sequence, new byte[0]);
    }

    public static OrgMessage revoke(OrgKeys org, NodeKey node, long sequence) {
        return revoke(org.signer(), node, sequence);
    }

    /** Names {@code node}; at most {@value #MAX_ALIAS_BYTES} UTF-8 bytes. */
    public static OrgMessage alias(OrgKeys org, NodeKey node, String name, long sequence) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_ALIAS_BYTES) {
            throw new IllegalArgumentException("alias longer than " + MAX_ALIAS_BYTES + " bytes");
        }
        return sign(org.signer(), KIND_ALIAS, node, sequence, bytes);
    }

    private static OrgMessage sign(Authenticator org, int kind, NodeKey node, long sequence, byte[] alias) {
        byte[] out = new byte[ALIAS_OFFSET + alias.length + Authenticator.SIGNATURE_BYTES];
        int signed = writeSigned(new UnsafeBuffer(out), kind, sequence, node, alias);
        org.sign(out, 0, signed, out, signed);
        return new OrgMessage(kind, sequence, node, alias, Arrays.copyOfRange(out, signed, out.length));
    }

    private static int writeSigned(MutableDirectBuffer b, int kind, long sequence, NodeKey node, byte[] alias) {
        b.putShort(0, (short) MAGIC, ByteOrder.BIG_ENDIAN);
        b.putByte(2, (byte) VERSION);
        b.putByte(KIND_OFFSET, (byte) kind);
        b.putLong(SEQUENCE_OFFSET, sequence, ByteOrder.BIG_ENDIAN);
        node.write(b, SUBJECT_OFFSET);
        b.putByte(ALIAS_LENGTH_OFFSET, (byte) alias.length);
        b.putBytes(ALIAS_OFFSET, alias);
        return ALIAS_OFFSET + alias.length;
    }

    /**
     * Checks a vouch carried in a member record (subject, sequence, signature at {@code
     * signatureOffset}) against the org key. {@code scratch} must hold {@value #ALIAS_OFFSET} bytes.
     */
    public static boolean verifyVouch(
            Authenticator auth,
            NodeKey orgKey,
            NodeKey subject,
            long sequence,
            DirectBuffer buffer,
            int signatureOffset,
            byte[] scratch,
            byte[] signatureScratch) {
        writeSigned(new UnsafeBuffer(scratch), KIND_VOUCH, sequence, subject, new byte[0]);
        buffer.getBytes(signatureOffset, signatureScratch, 0, Authenticator.SIGNATURE_BYTES);
        return auth.verify(orgKey, scratch, 0, ALIAS_OFFSET, signatureScratch, 0);
    }

    /** Decodes the wire form; null when the length, magic, version, kind or alias is malformed. */
    public static OrgMessage read(DirectBuffer buffer, int offset, int lengthBytes) {
        if (lengthBytes < ALIAS_OFFSET + Authenticator.SIGNATURE_BYTES || lengthBytes > MAX_LENGTH) {
            return null;
        }
        if ((buffer.getShort(offset, ByteOrder.BIG_ENDIAN) & 0xFFFF) != MAGIC
                || buffer.getByte(offset + 2) != VERSION) {
            return null;
        }
        int kind = buffer.getByte(offset + KIND_OFFSET);
        int aliasLength = buffer.getByte(offset + ALIAS_LENGTH_OFFSET) & 0xFF;
        boolean kindOk = kind == KIND_ALIAS || ((kind == KIND_VOUCH || kind == KIND_REVOKE) && aliasLength == 0);
        if (!kindOk
                || aliasLength > MAX_ALIAS_BYTES
                || lengthBytes != ALIAS_OFFSET + aliasLength + Authenticator.SIGNATURE_BYTES) {
            return null;
        }
        byte[] alias = new byte[aliasLength];
        buffer.getBytes(offset + ALIAS_OFFSET, alias);
        byte[] sig = new byte[Authenticator.SIGNATURE_BYTES];
        buffer.getBytes(offset + ALIAS_OFFSET + aliasLength, sig);
        return new OrgMessage(
                kind,
                buffer.getLong(offset + SEQUENCE_OFFSET, ByteOrder.BIG_ENDIAN),
                NodeKey.read(buffer, offset + SUBJECT_OFFSET),
                alias,
                sig);
    }

    /** Writes the wire form; returns its length. */
    public int write(MutableDirectBuffer buffer, int offset) {
        byte[] out = toBytes();
        buffer.putBytes(offset, out);
        return out.length;
    }

    public int length() {
        return ALIAS_OFFSET + alias.length + Authenticator.SIGNATURE_BYTES;
    }

    public byte[] toBytes() {
        byte[] out = new byte[length()];
        int signed = writeSigned(new UnsafeBuffer(out), kind, sequence, subject, alias);
        System.arraycopy(signature, 0, out, signed, signature.length);
        return out;
    }

    /** True when the org key signed exactly this message. */
    public boolean verify(NodeKey orgKey, Authenticator auth) {
        byte[] bytes = toBytes();
        int signed = bytes.length - Authenticator.SIGNATURE_BYTES;
        return auth.verify(orgKey, bytes, 0, signed, bytes, signed);
    }

    /** The printable form the CLI prints and {@code POST /v1/org/messages} accepts. */
    public String toBase64() {
        return Base64.getEncoder().encodeToString(toBytes());
    }

    /** Parses {@link #toBase64()}'s output; a malformed message is one clear exception line. */
    public static OrgMessage fromBase64(CharSequence text) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text.toString().trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("org message is not base64", e);
        }
        OrgMessage m = read(new UnsafeBuffer(bytes), 0, bytes.length);
        if (m == null) {
            throw new IllegalArgumentException("malformed org message (" + bytes.length + " bytes)");
        }
        return m;
    }

    public int kind() {
        return kind;
    }

    public long sequence() {
        return sequence;
    }

    public NodeKey subject() {
        return subject;
    }

    public String alias() {
        return new String(alias, StandardCharsets.UTF_8);
    }

    /** A copy of the org signature (vouches travel in member records as sequence + signature). */
    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public String toString() {
        String k = kind == KIND_VOUCH ? "vouch" : kind == KIND_REVOKE ? "revoke" : "alias";
        return k + "(" + subject + ", seq " + sequence + ")";
    }
}
