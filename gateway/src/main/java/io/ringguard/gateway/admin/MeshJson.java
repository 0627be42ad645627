package io.ringguard.gateway.admin;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringguard.dataplane.config.Cidr;
import io.ringguard.membership.identity.Endpoint;
import io.ringguard.membership.identity.MeshPrefix;
import io.ringguard.membership.swim.MemberView;
import java.util.List;

/**
 * {@code GET /v1/members} rows, exactly the contract's fields (CONTRACTS.md section 6): {@code
 * node_key}, {@code wg_public_key}, {@code mesh_addresses}, {@code gossip_endpoint}, {@code
 * observed_endpoint} (null when unknown), {@code path}, {@code state}, {@code incarnation}. Stateless.
 */
final class MeshJson {
    private MeshJson() {}

    static ArrayNode members(JsonMapper json, List<MemberView> members) {
        ArrayNode out = json.createArrayNode();
        for (MemberView m : members) {
            ObjectNode row = json.createObjectNode();
            row.put("node_key", m.nodeKey().toBase64());
            row.put("wg_public_key", m.wgPublicKey().toBase64());
            ArrayNode addresses = row.putArray("mesh_addresses");
            for (MeshPrefix p : m.meshAddresses()) {
                // Cidr prints IPv6 compressed (fd00::1/128), as /v1/peers and wg(8) do.
                addresses.add(Cidr.parse(p.toString()).toString());
            }
            endpoint(row, "gossip_endpoint", m.gossipEndpoint());
            endpoint(row, "observed_endpoint", m.observedEndpoint());
            row.put("path", m.path().jsonName());
            row.put("state", m.state().jsonName());
            row.put("incarnation", m.incarnation());
            out.add(row);
        }
        return out;
    }

    private static void endpoint(ObjectNode row, String field, Endpoint e) {
        if (e.isNone()) {
            row.putNull(field);
        } else {
            row.put(field, e.toString());
        }
    }
}
