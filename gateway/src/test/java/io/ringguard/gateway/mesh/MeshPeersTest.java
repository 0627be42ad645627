package io.ringguard.gateway.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.PeerConfig;
import io.ringguard.membership.identity.Ed25519Authenticator;
import io.ringguard.membership.identity.Endpoint;
import io.ringguard.membership.identity.MeshPrefix;
import io.ringguard.membership.identity.NodeKey;
import io.ringguard.membership.swim.MemberState;
import io.ringguard.membership.swim.MemberView;
import io.ringguard.membership.swim.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a member becomes a WireGuard peer: its key, its mesh addresses, and the endpoint its path gives. */
class MeshPeersTest {
    private static final Endpoint RELAY = Endpoint.parse("198.18.3.1:45000");
    private final NodeKey wg = NodeKey.of(new byte[32]);

    private MemberView member(Path path, Endpoint gossip, Endpoint observed) {
        return new MemberView(
                Ed25519Authenticator.generate().publicKey(),
                wg,
                List.of(MeshPrefix.parse("198.19.1.1/32"), MeshPrefix.parse("fd00:19:1::1/128")),
                gossip,
                observed,
                path,
                MemberState.ALIVE,
                1,
                null);
    }

    @Test
    void shouldSendToTheMembersObservedAddressAtTheMeshWireguardPort() {
        MeshPeers peers = new MeshPeers(null, 51820, m -> Endpoint.NONE);

        assertEquals(
                Endpoint.parse("198.18.9.9:51820"),
                peers.endpointOf(
                        member(Path.DIRECT, Endpoint.parse("198.18.9.2:51821"), Endpoint.parse("198.18.9.9:3333"))));
        assertEquals(
                Endpoint.parse("198.18.9.2:51820"),
                peers.endpointOf(member(Path.NONE, Endpoint.parse("198.18.9.2:51821"), Endpoint.NONE)));
        assertEquals(Endpoint.NONE, peers.endpointOf(member(Path.NONE, Endpoint.NONE, Endpoint.NONE)));
    }

    @Test
    void shouldUseTheRelaysForwarderWhileThePairIsRelayed() {
        MeshPeers peers = new MeshPeers(null, 51820, m -> m.path() == Path.DIRECT ? Endpoint.NONE : RELAY);

        assertEquals(RELAY, peers.endpointOf(member(Path.RELAY, Endpoint.parse("198.18.9.2:51821"), Endpoint.NONE)));
        assertEquals(
                Endpoint.parse("198.18.9.2:51820"),
                peers.endpointOf(member(Path.DIRECT, Endpoint.parse("198.18.9.2:51821"), Endpoint.NONE)));
    }

    @Test
    void shouldAllowExactlyTheMeshAddressesWithAKeepalive() {
        PeerConfig peer = MeshPeers.peerConfig(
                member(Path.DIRECT, Endpoint.NONE, Endpoint.NONE), Endpoint.parse("198.18.9.9:51820"));

        assertEquals(List.of(Cidr.parse("198.19.1.1/32"), Cidr.parse("fd00:19:1::1/128")), peer.allowedIps());
        assertEquals("198.18.9.9:51820", peer.endpoint().orElseThrow().toString());
        assertEquals(MeshPeers.KEEPALIVE_SECONDS, peer.persistentKeepaliveSeconds());
    }
}
