package io.ringguard.membership.org;

import io.ringguard.membership.identity.Authenticator;
import io.ringguard.membership.identity.NodeKey;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.agrona.DirectBuffer;

/**
 * What the org has said, as far as this node knows: who is revoked (forever), the newest applied
 * sequence per subject and kind (so replays do nothing), aliases, and a cache of verified vouches
 * so a known member's record is not re-verified on every gossip round.
 *
 * <p>Revocations are org-signed, so only the org can grow that set; the vouch cache is bounded by
 * {@code maxCachedVouches} (beyond it vouches are verified every time, which costs CPU, not memory).
 *
 * <p>Threading: single writer, the membership engine's thread.
 */
public final class OrgRegistry {
    /** What {@link #apply} did. */
    public enum Result {
        APPLIED,
        REPLAYED,
        BAD_SIGNATURE,
        REVOKED
    }

    private final NodeKey orgKey;
    private final Authenticator auth;
    private final int maxCachedVouches;
    private final Set<NodeKey> revoked = new HashSet<>();
    private final Map<NodeKey, Long> vouchSequence = new HashMap<>();
    private final Map<NodeKey, Long> aliasSequence = new HashMap<>();
    private final Map<NodeKey, String> aliases = new HashMap<>();
    private final byte[] scratch = new byte[OrgMessage.ALIAS_OFFSET];
    private final byte[] signatureScratch = new byte[Authenticator.SIGNATURE_BYTES];

    public OrgRegistry(NodeKey orgKey, Authenticator auth, int maxCachedVouches) {
        this.orgKey = orgKey;
        this.auth = auth;
        this.maxCachedVouches = maxCachedVouches;
    }

    public NodeKey orgKey() {
        return orgKey;
    }

    /** Verifies and applies one org message. */
    public Result apply(OrgMessage message) {
        if (!message.verify(orgKey, auth)) {
            return Result.BAD_SIGNATURE;
        }
        NodeKey subject = message.subject();
        switch (message.kind()) {
            case OrgMessage.KIND_REVOKE -> {
                if (!revoked.add(subject)) {
                    return Result.REPLAYED;
                }
                vouchSequence.remove(subject);
                return Result.APPLIED;
            }
            case OrgMessage.KIND_VOUCH -> {
                if (revoked.contains(subject)) {
                    return Result.REVOKED;
                }
                Long last = vouchSequence.get(subject);
                if (last != null && message.sequence() <= last) {
                    return Result.REPLAYED;
                }
                if (last != null || vouchSequence.size() < maxCachedVouches) {
                    vouchSequence.put(subject, message.sequence());
                }
                return Result.APPLIED;
            }
            default -> {
                Long last = aliasSequence.get(subject);
                if (last != null && message.sequence() <= last) {
                    return Result.REPLAYED;
                }
                if (revoked.contains(subject)) {
                    return Result.REVOKED;
                }
                if (last == null && aliasSequence.size() >= maxCachedVouches) {
                    return Result.REPLAYED;
                }
                aliasSequence.put(subject, message.sequence());
                aliases.put(subject, message.alias());
                return Result.APPLIED;
            }
        }
    }

    public boolean isRevoked(NodeKey node) {
        return revoked.contains(node);
    }

    public String alias(NodeKey node) {
        return aliases.get(node);
    }

    /**
     * True when the vouch (sequence + signature at {@code signatureOffset}) admits {@code subject}. A
     * revoked subject is never admitted, whatever it carries.
     */
    public boolean isVouched(NodeKey subject, long sequence, DirectBuffer buffer, int signatureOffset) {
        if (revoked.contains(subject)) {
            return false;
        }
        Long cached = vouchSequence.get(subject);
        if (cached != null && cached == sequence) {
            // Same subject and sequence as a vouch already verified: the same statement by the org.
            return true;
        }
        if (!OrgMessage.verifyVouch(
                auth, orgKey, subject, sequence, buffer, signatureOffset, scratch, signatureScratch)) {
            return false;
        }
        if ((cached == null && vouchSequence.size() < maxCachedVouches) || (cached != null && sequence > cached)) {
            vouchSequence.put(subject, sequence);
        }
        return true;
    }

    /** Forgets cached state of a departed member (keeps revocations). */
    public void forget(NodeKey node) {
        vouchSequence.remove(node);
    }

    public int revokedCount() {
        return revoked.size();
    }
}
