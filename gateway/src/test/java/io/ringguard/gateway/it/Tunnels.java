package io.ringguard.gateway.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.testkit.Netns;
import io.ringguard.testkit.Prerequisites;
import io.ringguard.testkit.UserspacePeer;
import io.ringguard.testkit.UserspacePeer.PeerStatus;

/**
 * What the interop tests share: the prerequisite gate, and joining two fixtures (each in its own
 * namespace) over a direct veth pair, so traffic between them never touches the root namespace.
 *
 * <pre>
 *   rgns&lt;a&gt;: peer a  rgla&lt;a&gt;x1 198.18.a.5 / fd00:18:a:1::1 ==== rglb&lt;a&gt;x1 198.18.a.6 / fd00:18:a:1::2  peer b :rgns&lt;b&gt;
 *            tunnel 198.19.a.1/24, fd00:19:a::1/64                 tunnel 198.19.b.1/24, fd00:19:b::1/64
 * </pre>
 */
final class Tunnels {
    /** Bound on every single ping run: enough for a handshake and a few echoes on a loaded machine. */
    static final int PING_TIMEOUT_SEC = 10;

    private Tunnels() {}

    /** Root, TUN, wireguard-go, wg, ip and ping: skip with a reason, or fail under CI=true. */
    static void requirePrerequisites() {
        Prerequisites.requireRoot();
        Prerequisites.requireTun();
        Prerequisites.requireProgram("wireguard-go");
        Prerequisites.requireProgram("wg");
        Prerequisites.requireProgram("ip");
        Prerequisites.requireProgram("ping");
    }

    /**
     * Connects {@code a} and {@code b} with a veth pair and makes them peers with each other's tunnel
     * subnets. {@code a} is told {@code b}'s endpoint (its IPv6 underlay address when {@code
     * outerIpv6}); {@code b} is told {@code a}'s only when {@code bKnowsA}, otherwise it learns it from
     * {@code a}'s handshake.
     */
    static Netns.Link join(UserspacePeer a, UserspacePeer b, boolean outerIpv6, boolean bKnowsA) {
        Netns.Link link = a.netns().connect(b.netns());
        a.addPeer(b.publicKeyBase64(), null, tunnelSubnets(b), remoteEndpoint(link, b, outerIpv6), 0);
        b.addPeer(a.publicKeyBase64(), null, tunnelSubnets(a), bKnowsA ? localEndpoint(link, a, outerIpv6) : null, 0);
        return link;
    }

    /** {@code b}'s endpoint as {@code a} sees it across {@code link}: {@code 198.18.a.6:port} or {@code [..::2]:port}. */
    static String remoteEndpoint(Netns.Link link, UserspacePeer b, boolean outerIpv6) {
        return endpoint(outerIpv6 ? link.remoteAddress6() : link.remoteAddress(), b.listenPort());
    }

    /** {@code a}'s endpoint as {@code b} sees it across {@code link}. */
    static String localEndpoint(Netns.Link link, UserspacePeer a, boolean outerIpv6) {
        return endpoint(outerIpv6 ? link.localAddress6() : link.localAddress(), a.listenPort());
    }

    /** {@code host:port}, with IPv6 hosts in brackets as {@code wg} prints them. */
    static String endpoint(String address, int port) {
        return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
    }

    /** The peer's IPv4 and IPv6 tunnel subnets, as an {@code allowed-ips} list. */
    static String tunnelSubnets(UserspacePeer peer) {
        return peer.netns().slot().tunnelSubnet() + "," + peer.netns().slot().tunnelSubnet6();
    }

    /** Pings {@code dst} from {@code from}'s namespace and fails with both daemons' logs when an echo is lost. */
    static void assertPings(UserspacePeer from, UserspacePeer to, String dst, int count) {
        assertTrue(
                from.ping(dst, count, PING_TIMEOUT_SEC),
                () -> "ping " + dst + " from " + from + " to " + to + " failed\n" + logs(from, to));
    }

    /** The status of {@code peer} at {@code at}, failing when {@code at} does not know it. */
    static PeerStatus status(UserspacePeer at, UserspacePeer peer) {
        PeerStatus status = at.peerStatus(peer.publicKeyBase64());
        assertTrue(status != null, () -> at + " has no peer " + peer + ": " + at.wgShow());
        return status;
    }

    /** Both daemons' log tails, labelled, for assertion messages. */
    static String logs(UserspacePeer... peers) {
        StringBuilder out = new StringBuilder();
        for (UserspacePeer peer : peers) {
            out.append("--- ")
                    .append(peer)
                    .append(" log:\n")
                    .append(peer.logTail())
                    .append('\n');
        }
        return out.toString();
    }
}
