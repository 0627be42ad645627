package io.ringguard.gateway.uapi;

import static io.ringguard.gateway.uapi.UapiSetTest.A;
import static io.ringguard.gateway.uapi.UapiSetTest.B;
import static io.ringguard.gateway.uapi.UapiSetTest.BASE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.ringguard.dataplane.config.DeviceConfig;
import io.ringguard.dataplane.config.Endpoint;
import io.ringguard.dataplane.config.PeerConfig;
import io.ringguard.dataplane.config.PublicKey;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Requests exactly as the real {@code wg} (wireguard-tools v1.0.20210914) wrote them to a socket
 * that answered {@code get=1} with the golden reply of {@link UapiResponseWriterTest}: {@code wg
 * showconf} then {@code wg setconf} of its output, {@code wg set ... remove}, and {@code wg set}
 * with several peer options.
 */
class WgCapturedRequestsTest {
    private static final String SETCONF_OF_SHOWCONF = """
            set=1
            private_key=77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a
            listen_port=51820
            fwmark=0
            replace_peers=true
            public_key=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
            preshared_key=5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a
            endpoint=198.18.0.2:51820
            persistent_keepalive_interval=25
            replace_allowed_ips=true
            allowed_ip=198.18.1.0/24
            allowed_ip=fd00:1::/64
            public_key=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
            replace_allowed_ips=true
            allowed_ip=198.18.2.0/24

            """;

    private static final String SET_PEER_REMOVE = """
            set=1
            public_key=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
            remove=true

            """;

    private static final String SET_PEER_OPTIONS = """
            set=1
            listen_port=0
            public_key=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
            endpoint=[fd00::5]:7
            persistent_keepalive_interval=0
            replace_allowed_ips=true
            allowed_ip=198.18.5.0/24

            """;

    private static SetResult.Applied apply(DeviceConfig current, String text) {
        UapiRequest request = UapiRequestParser.parse(text, UapiLimits.DEFAULT);
        SetResult result = UapiSet.apply(current, assertInstanceOf(UapiRequest.Set.class, request, request.toString()));
        return assertInstanceOf(SetResult.Applied.class, result, result.toString());
    }

    @Test
    void shouldRebuildTheSameDeviceFromSetconfOfShowconf() {
        assertEquals(BASE, apply(DeviceConfig.EMPTY, SETCONF_OF_SHOWCONF).config());
        assertEquals(BASE, apply(BASE, SETCONF_OF_SHOWCONF).config());
        // setconf replaces peers, so wireguard-go would restart their sessions; the result says so.
        assertEquals(
                Set.of(PublicKey.fromHex(A), PublicKey.fromHex(B)),
                apply(BASE, SETCONF_OF_SHOWCONF).removedPeers());
    }

    @Test
    void shouldApplyWgSetPeerRemove() {
        SetResult.Applied r = apply(BASE, SET_PEER_REMOVE);
        assertEquals(
                List.of(PublicKey.fromHex(A)), List.copyOf(r.config().peers().keySet()));
        assertEquals(Set.of(PublicKey.fromHex(B)), r.removedPeers());
    }

    @Test
    void shouldApplyWgSetPeerOptions() {
        SetResult.Applied r = apply(BASE, SET_PEER_OPTIONS);
        PeerConfig a = r.config().peer(PublicKey.fromHex(A)).orElseThrow();
        assertEquals(Endpoint.parse("[fd00::5]:7"), a.endpoint().orElseThrow());
        assertEquals(0, a.persistentKeepaliveSeconds());
        assertEquals("[198.18.5.0/24]", a.allowedIps().toString());
        assertEquals(0, r.config().listenPort());
        assertEquals(Set.of(), r.removedPeers(), "an update keeps the session");
        assertEquals(BASE.peer(PublicKey.fromHex(A)).orElseThrow().hasPresharedKey(), a.hasPresharedKey());
    }
}
