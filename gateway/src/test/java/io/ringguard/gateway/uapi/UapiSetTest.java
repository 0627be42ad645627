package io.ringguard.gateway.uapi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.DeviceConfig;
import io.ringguard.dataplane.config.Endpoint;
import io.ringguard.dataplane.config.PeerConfig;
import io.ringguard.dataplane.config.PublicKey;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UapiSetTest {
    /** RFC 7748 section 6.1 Alice, and the public key {@code wg pubkey} derives from it. */
    static final String PRIVATE_KEY = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";

    static final String OWN_PUBLIC_KEY = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
    static final String A = "aa".repeat(32);
    static final String B = "bb".repeat(32);
    static final String C = "cc".repeat(32);
    static final String PSK = "5a".repeat(32);
    static final String ZERO = "00".repeat(32);

    /** A device with two peers, as the starting point of most tests. */
    static final DeviceConfig BASE = applied(
            DeviceConfig.EMPTY,
            "private_key=" + PRIVATE_KEY,
            "listen_port=51820",
            "public_key=" + A,
            "preshared_key=" + PSK,
            "endpoint=198.18.0.2:51820",
            "persistent_keepalive_interval=25",
            "allowed_ip=198.18.1.0/24",
            "allowed_ip=fd00:1::/64",
            "public_key=" + B,
            "allowed_ip=198.18.2.0/24");

    static SetResult set(DeviceConfig current, ListenPortHook hook, String... lines) {
        String text = "set=1\n" + String.join("\n", lines) + "\n\n";
        UapiRequest request = UapiRequestParser.parse(text, UapiLimits.DEFAULT);
        return UapiSet.apply(current, assertInstanceOf(UapiRequest.Set.class, request, request.toString()), hook);
    }

    static SetResult.Applied appliedResult(DeviceConfig current, String... lines) {
        SetResult result = set(current, ListenPortHook.ACCEPT_ALL, lines);
        return assertInstanceOf(SetResult.Applied.class, result, result.toString());
    }

    static DeviceConfig applied(DeviceConfig current, String... lines) {
        return appliedResult(current, lines).config();
    }

    static PublicKey key(String hex) {
        return PublicKey.fromHex(hex);
    }

    static PeerConfig peer(DeviceConfig config, String hex) {
        return config.peer(key(hex)).orElseThrow(() -> new AssertionError("no peer " + hex + " in " + config));
    }

    static List<String> allowedIps(DeviceConfig config, String hex) {
        return peer(config, hex).allowedIps().stream().map(Cidr::toString).toList();
    }

    @Test
    void shouldSetEveryDeviceKey() {
        DeviceConfig c =
                applied(DeviceConfig.EMPTY, "private_key=" + PRIVATE_KEY, "listen_port=51820", "fwmark=4294967295");
        assertArrayEquals(HexFormat.of().parseHex(PRIVATE_KEY), c.privateKey());
        assertEquals(key(OWN_PUBLIC_KEY), c.publicKey().orElseThrow());
        assertEquals(51820, c.listenPort());
        assertEquals(-1, c.fwmark());
        DeviceConfig off = applied(c, "private_key=" + ZERO, "listen_port=0", "fwmark=0");
        assertFalse(off.hasPrivateKey());
        assertTrue(off.publicKey().isEmpty());
        assertEquals(0, off.listenPort());
        assertEquals(0, off.fwmark());
        assertEquals(DeviceConfig.EMPTY, off);
    }

    @Test
    void shouldCreateAPeerWithEveryPeerKey() {
        PeerConfig a = peer(BASE, A);
        assertArrayEquals(HexFormat.of().parseHex(PSK), a.presharedKey());
        assertEquals(Endpoint.parse("198.18.0.2:51820"), a.endpoint().orElseThrow());
        assertEquals(25, a.persistentKeepaliveSeconds());
        assertEquals(List.of("198.18.1.0/24", "fd00:1::/64"), allowedIps(BASE, A));
        PeerConfig b = peer(BASE, B);
        assertFalse(b.hasPresharedKey());
        assertTrue(b.endpoint().isEmpty());
        assertEquals(0, b.persistentKeepaliveSeconds());
        assertEquals(List.of(key(A), key(B)), List.copyOf(BASE.peers().keySet()));
    }

    @Test
    void shouldChangeOnlyTheNamedSettingsOfAnExistingPeer() {
        DeviceConfig c = applied(
                BASE,
                "public_key=" + A,
                "endpoint=[fd00::2]:7",
                "persistent_keepalive_interval=0",
                "allowed_ip=198.18.3.0/24");
        PeerConfig a = peer(c, A);
        assertEquals(Endpoint.parse("[fd00::2]:7"), a.endpoint().orElseThrow());
        assertEquals(0, a.persistentKeepaliveSeconds());
        assertTrue(a.hasPresharedKey());
        assertEquals(List.of("198.18.1.0/24", "198.18.3.0/24", "fd00:1::/64"), allowedIps(c, A));
        assertEquals(peer(BASE, B), peer(c, B));
        assertEquals(51820, c.listenPort());
        assertArrayEquals(BASE.privateKey(), c.privateKey());
    }

    @Test
    void shouldRemoveThePresharedKeyWithZeros() {
        DeviceConfig c = applied(BASE, "public_key=" + A, "preshared_key=" + ZERO);
        assertFalse(peer(c, A).hasPresharedKey());
    }

    @Test
    void shouldReplacePeersAndReportThemRemoved() {
        SetResult.Applied r = appliedResult(BASE, "replace_peers=true", "public_key=" + A, "allowed_ip=198.18.9.0/24");
        assertEquals(List.of(key(A)), List.copyOf(r.config().peers().keySet()));
        PeerConfig a = peer(r.config(), A);
        assertFalse(a.hasPresharedKey(), "a replaced peer starts from nothing");
        assertEquals(List.of("198.18.9.0/24"), allowedIps(r.config(), A));
        assertEquals(Set.of(key(A), key(B)), r.removedPeers(), "A was re-created: its sessions end too");
        assertEquals(51820, r.config().listenPort(), "replace_peers keeps the device settings");
    }

    @Test
    void shouldRemoveAPeerAndIgnoreItsFollowingLines() {
        SetResult.Applied r = appliedResult(
                BASE, "public_key=" + A, "remove=true", "allowed_ip=198.18.2.0/24", "endpoint=198.18.0.9:1");
        assertEquals(List.of(key(B)), List.copyOf(r.config().peers().keySet()));
        assertEquals(List.of("198.18.2.0/24"), allowedIps(r.config(), B), "ignored line did not take B's prefix");
        assertEquals(Set.of(key(A)), r.removedPeers());
        // Its prefixes are free again.
        DeviceConfig c = applied(r.config(), "public_key=" + B, "allowed_ip=198.18.1.0/24");
        assertEquals(List.of("198.18.1.0/24", "198.18.2.0/24"), allowedIps(c, B));
        SetResult.Applied unknown = appliedResult(BASE, "public_key=" + C, "remove=true");
        assertEquals(BASE, unknown.config());
        assertEquals(Set.of(), unknown.removedPeers());
    }

    @Test
    void shouldIgnoreUpdateOnlyForAMissingPeerLikeWireguardGo() {
        SetResult.Applied r = appliedResult(
                BASE, "public_key=" + C, "update_only=true", "allowed_ip=198.18.2.0/24", "endpoint=198.18.0.9:1");
        assertEquals(BASE, r.config());
        assertEquals(List.of("198.18.2.0/24"), allowedIps(r.config(), B));
        DeviceConfig c = applied(BASE, "public_key=" + A, "update_only=true", "persistent_keepalive_interval=5");
        assertEquals(5, peer(c, A).persistentKeepaliveSeconds());
    }

    @Test
    void shouldRemoveOnePrefixOnlyFromTheSelectedPeer() {
        DeviceConfig c = applied(
                BASE,
                "public_key=" + A,
                "allowed_ip=-198.18.1.0/24",
                "allowed_ip=-198.18.2.0/24",
                "allowed_ip=-198.19.0.0/16");
        assertEquals(List.of("fd00:1::/64"), allowedIps(c, A));
        assertEquals(List.of("198.18.2.0/24"), allowedIps(c, B), "B's prefix is not A's to remove");
    }

    @Test
    void shouldReplaceAllowedIps() {
        DeviceConfig c = applied(
                BASE,
                "public_key=" + A,
                "allowed_ip=198.19.0.0/16",
                "replace_allowed_ips=true",
                "allowed_ip=fd00:2::/64");
        assertEquals(List.of("fd00:2::/64"), allowedIps(c, A));
        DeviceConfig none = applied(BASE, "public_key=" + A, "replace_allowed_ips=true");
        assertEquals(List.of(), allowedIps(none, A));
    }

    @Test
    void shouldMoveAPrefixFromItsOwnerLikeTheTrie() {
        DeviceConfig c = applied(BASE, "public_key=" + A, "allowed_ip=198.18.2.7/24");
        assertEquals(List.of("198.18.1.0/24", "198.18.2.0/24", "fd00:1::/64"), allowedIps(c, A));
        assertEquals(List.of(), allowedIps(c, B));
        // Moved back in the same request: B has it, A does not.
        DeviceConfig back = applied(c, "public_key=" + B, "allowed_ip=198.18.2.0/24");
        assertEquals(allowedIps(BASE, A), allowedIps(back, A));
        assertEquals(BASE, back);
    }

    @Test
    void shouldIgnoreAPeerWithTheDevicesOwnKey() {
        SetResult.Applied r = appliedResult(BASE, "public_key=" + OWN_PUBLIC_KEY, "allowed_ip=198.18.2.0/24");
        assertEquals(BASE, r.config());
        // A new private key whose public key is a peer's removes that peer, as wireguard-go does.
        DeviceConfig withOwnAsPeer =
                applied(BASE, "private_key=" + ZERO, "public_key=" + OWN_PUBLIC_KEY, "allowed_ip=198.18.7.0/24");
        SetResult.Applied rekeyed = appliedResult(withOwnAsPeer, "private_key=" + PRIVATE_KEY);
        assertTrue(rekeyed.config().peer(key(OWN_PUBLIC_KEY)).isEmpty());
        assertEquals(Set.of(key(OWN_PUBLIC_KEY)), rekeyed.removedPeers());
        assertEquals(BASE, rekeyed.config());
    }

    @Test
    void shouldGiveEqualConfigsForARepeatedSetLikeSyncconf() {
        // What wg syncconf sends for peers it keeps: every setting, allowed IPs replaced whole.
        String[] sync = {
            "private_key=" + PRIVATE_KEY,
            "listen_port=51820",
            "public_key=" + B,
            "replace_allowed_ips=true",
            "allowed_ip=198.18.2.0/24",
            "public_key=" + A,
            "preshared_key=" + PSK,
            "endpoint=198.18.0.2:51820",
            "persistent_keepalive_interval=25",
            "replace_allowed_ips=true",
            "allowed_ip=fd00:1::/64",
            "allowed_ip=198.18.1.0/24",
        };
        SetResult.Applied once = appliedResult(BASE, sync);
        SetResult.Applied twice = appliedResult(once.config(), sync);
        assertEquals(BASE, once.config());
        assertEquals(once.config(), twice.config());
        assertEquals(once.config().hashCode(), twice.config().hashCode());
        for (PeerConfig peer : BASE.peers().values()) {
            assertEquals(peer, once.config().peer(peer.publicKey()).orElseThrow());
        }
        assertEquals(Set.of(), once.removedPeers());
        assertEquals(List.of(key(A), key(B)), List.copyOf(once.config().peers().keySet()), "order kept");
        DeviceConfig empty = applied(DeviceConfig.EMPTY, sync);
        assertEquals(applied(empty, sync), empty);
    }

    @Test
    void shouldRejectWholeWhenTheListenPortHookVetoes() {
        List<Integer> asked = new ArrayList<>();
        ListenPortHook taken = port -> {
            asked.add(port);
            return UapiErrno.EADDRINUSE;
        };
        SetResult r = set(BASE, taken, "listen_port=51821", "public_key=" + C, "allowed_ip=198.18.4.0/24");
        SetResult.Rejected rejected = assertInstanceOf(SetResult.Rejected.class, r);
        assertEquals(UapiErrno.EADDRINUSE, rejected.errno());
        assertTrue(rejected.message().contains("51821"), rejected.message());
        assertEquals(List.of(51821), asked);
        // Not asked when the port does not change.
        SetResult same = set(BASE, taken, "listen_port=51820", "public_key=" + C);
        assertEquals(UapiErrno.OK, same.errno());
        assertEquals(List.of(51821), asked);
    }

    @Test
    void shouldApplyAnEmptySetAsNoChange() {
        SetResult.Applied r = appliedResult(BASE);
        assertEquals(BASE, r.config());
        assertEquals(Set.of(), r.removedPeers());
        assertNotEquals(BASE, applied(BASE, "fwmark=1"));
    }
}
