package io.ringguard.membership.swim;

import io.ringguard.membership.identity.Endpoint;
import io.ringguard.membership.identity.MeshPrefix;
import io.ringguard.membership.identity.NodeKey;
import io.ringguard.membership.org.OrgMessage;
import java.util.List;

/**
 * What this node announces about itself.
 *
 * @param wgPublicKey its WireGuard public key
 * @param gossipEndpoint the endpoint its gossip socket binds (behind NAT, the private one)
 * @param meshAddresses its tunnel addresses, at most 4
 * @param vouch the org's vouch for its node key (admission)
 * @param epoch grows on every start (e.g. wall-clock ms at start); frames of an older epoch are
 *     replays
 * @param initialIncarnation where the incarnation starts; wall-clock ms at start lets a restarted
 *     node outrank its previous life without learning incarnations from third parties
 */
public record LocalNode(
        NodeKey wgPublicKey,
        Endpoint gossipEndpoint,
        List<MeshPrefix> meshAddresses,
        OrgMessage vouch,
        long epoch,
        long initialIncarnation) {
    public LocalNode {
        meshAddresses = List.copyOf(meshAddresses);
        if (vouch.kind() != OrgMessage.KIND_VOUCH) {
            throw new IllegalArgumentException("the local node needs a vouch, got " + vouch);
        }
    }
}
