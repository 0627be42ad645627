package io.ringguard.membership.swim;

import io.ringguard.membership.identity.Endpoint;
import io.ringguard.membership.identity.MeshPrefix;
import io.ringguard.membership.identity.NodeKey;
import java.util.List;

/**
 * One row of {@code GET /v1/members}: exactly the contract's fields ({@code node_key}, {@code
 * wg_public_key}, {@code mesh_addresses}, {@code gossip_endpoint}, {@code observed_endpoint},
 * {@code path}, {@code state}, {@code incarnation}). Immutable snapshot; any thread.
 *
 * @param relayVia the member that relays for this one when {@code path} is relay (not in the JSON;
 *     the gateway needs it to route), or null
 */
public record MemberView(
        NodeKey nodeKey,
        NodeKey wgPublicKey,
        List<MeshPrefix> meshAddresses,
        Endpoint gossipEndpoint,
        Endpoint observedEndpoint,
        Path path,
        MemberState state,
        long incarnation,
        NodeKey relayVia) {
    public MemberView {
        meshAddresses = List.copyOf(meshAddresses);
    }

    /** The endpoint WireGuard should use for this member when the path is direct. */
    public Endpoint bestEndpoint() {
        return observedEndpoint.isNone() ? gossipEndpoint : observedEndpoint;
    }
}
