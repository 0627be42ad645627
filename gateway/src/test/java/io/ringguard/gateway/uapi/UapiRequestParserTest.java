package io.ringguard.gateway.uapi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.Endpoint;
import io.ringguard.dataplane.config.PublicKey;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class UapiRequestParserTest {
    static final String KEY_A = "aa".repeat(32);
    static final String KEY_B = "bb".repeat(32);
    static final String ZERO = "00".repeat(32);

    private static UapiRequest parse(String text) {
        return UapiRequestParser.parse(text, UapiLimits.DEFAULT);
    }

    private static List<SetOp> ops(String... lines) {
        UapiRequest request = parse("set=1\n" + String.join("\n", lines) + "\n\n");
        return assertInstanceOf(UapiRequest.Set.class, request, request.toString())
                .ops();
    }

    private static void assertMalformed(UapiRequest request, String reason) {
        UapiRequest.Malformed m = assertInstanceOf(UapiRequest.Malformed.class, request, String.valueOf(request));
        assertEquals(UapiErrno.EINVAL, m.errno());
        assertTrue(m.message().contains(reason), m.message());
    }

    @Test
    void shouldParseGet() {
        assertEquals(new UapiRequest.Get(), parse("get=1\n\n"));
    }

    @Test
    void shouldRejectGetWithMoreLinesAndUnknownOperations() {
        assertMalformed(parse("get=1\nprivate_key=" + KEY_A + "\n\n"), "followed by an empty line");
        assertMalformed(parse("get=2\n\n"), "invalid UAPI operation");
        assertMalformed(parse("GET=1\n\n"), "invalid UAPI operation");
        assertMalformed(parse("\n"), "invalid UAPI operation");
    }

    static Stream<Arguments> validLines() {
        byte[] a = HexFormat.of().parseHex(KEY_A);
        return Stream.of(
                Arguments.of(List.of("private_key=" + KEY_A), new SetOp.PrivateKey(a)),
                Arguments.of(
                        List.of("private_key=" + KEY_A.toUpperCase(java.util.Locale.ROOT)), new SetOp.PrivateKey(a)),
                Arguments.of(List.of("private_key=" + ZERO), new SetOp.PrivateKey(new byte[32])),
                Arguments.of(List.of("listen_port=51820"), new SetOp.ListenPort(51820)),
                Arguments.of(List.of("listen_port=0"), new SetOp.ListenPort(0)),
                Arguments.of(List.of("listen_port=065535"), new SetOp.ListenPort(65535)),
                Arguments.of(List.of("fwmark=4294967295"), new SetOp.Fwmark(-1)),
                Arguments.of(List.of("fwmark=0"), new SetOp.Fwmark(0)),
                Arguments.of(List.of("replace_peers=true"), new SetOp.ReplacePeers()),
                Arguments.of(List.of("public_key=" + KEY_B), new SetOp.Peer(PublicKey.fromHex(KEY_B))),
                Arguments.of(List.of("public_key=" + KEY_B, "remove=true"), new SetOp.RemovePeer()),
                Arguments.of(List.of("public_key=" + KEY_B, "update_only=true"), new SetOp.UpdateOnly()),
                Arguments.of(List.of("public_key=" + KEY_B, "preshared_key=" + KEY_A), new SetOp.PresharedKey(a)),
                Arguments.of(
                        List.of("public_key=" + KEY_B, "endpoint=198.18.0.2:51820"),
                        new SetOp.SetEndpoint(Endpoint.parse("198.18.0.2:51820"))),
                Arguments.of(
                        List.of("public_key=" + KEY_B, "endpoint=[fd00::2]:1"),
                        new SetOp.SetEndpoint(Endpoint.parse("[fd00::2]:1"))),
                Arguments.of(
                        List.of("public_key=" + KEY_B, "persistent_keepalive_interval=25"),
                        new SetOp.PersistentKeepalive(25)),
                Arguments.of(List.of("public_key=" + KEY_B, "replace_allowed_ips=true"), new SetOp.ReplaceAllowedIps()),
                Arguments.of(
                        List.of("public_key=" + KEY_B, "allowed_ip=198.18.0.9/24"),
                        new SetOp.AddAllowedIp(Cidr.parse("198.18.0.0/24"))),
                Arguments.of(
                        List.of("public_key=" + KEY_B, "allowed_ip=-fd00::/8"),
                        new SetOp.RemoveAllowedIp(Cidr.parse("fd00::/8"))));
    }

    @ParameterizedTest
    @MethodSource("validLines")
    void shouldParseEveryKey(List<String> lines, SetOp expected) {
        List<SetOp> ops = ops(lines.toArray(String[]::new));
        assertEquals(expected, ops.getLast());
        assertEquals(lines.size(), ops.size());
    }

    @Test
    void shouldAcceptProtocolVersionOneWithoutAnOp() {
        assertEquals(
                List.of(new SetOp.Peer(PublicKey.fromHex(KEY_B))), ops("public_key=" + KEY_B, "protocol_version=1"));
        assertEquals(List.of(), ops());
    }

    static Stream<Arguments> rejectedLines() {
        String peer = "public_key=" + KEY_B + "\n";
        return Stream.of(
                Arguments.of("listen_port", "not key=value"),
                Arguments.of("private_key=" + KEY_A.substring(2), "64 hex digits"),
                Arguments.of("private_key=" + KEY_A + "a", "64 hex digits"),
                Arguments.of("private_key=" + "zz" + KEY_A.substring(2), "not hex at position 0"),
                // U+0660 is a digit to Character.digit; the UAPI takes ASCII hex only.
                Arguments.of("private_key=\u0660" + KEY_A.substring(1), "not hex"),
                Arguments.of("private_key=", "64 hex digits"),
                Arguments.of("listen_port=65536", "out of range"),
                Arguments.of("listen_port=-1", "not a decimal"),
                Arguments.of("listen_port=+1", "not a decimal"),
                Arguments.of("listen_port=", "empty"),
                Arguments.of("listen_port= 1", "not a decimal"),
                Arguments.of("listen_port=99999999999999999999999", "out of range"),
                Arguments.of("fwmark=4294967296", "out of range"),
                Arguments.of("fwmark=0x10", "not a decimal"),
                Arguments.of("replace_peers=false", "only true"),
                Arguments.of("replace_peers=TRUE", "only true"),
                Arguments.of("bogus=1", "invalid UAPI device key: bogus"),
                Arguments.of("Private_key=" + KEY_A, "invalid UAPI device key"),
                Arguments.of("allowed_ip=198.18.0.0/24", "before any public_key"),
                Arguments.of("endpoint=198.18.0.1:1", "before any public_key"),
                Arguments.of("public_key=" + KEY_B.substring(1), "64 hex digits"),
                Arguments.of(peer + "listen_port=1", "device key listen_port after a public_key"),
                Arguments.of(peer + "private_key=" + KEY_A, "device key private_key after"),
                Arguments.of(peer + "replace_peers=true", "device key replace_peers after"),
                Arguments.of(peer + "bogus=1", "invalid UAPI peer key: bogus"),
                Arguments.of(peer + "remove=1", "only true"),
                Arguments.of(peer + "update_only=yes", "only true"),
                Arguments.of(peer + "replace_allowed_ips=", "only true"),
                Arguments.of(peer + "preshared_key=" + KEY_A.substring(1), "64 hex digits"),
                Arguments.of(peer + "endpoint=vpn.example.com:51820", "is not an endpoint"),
                Arguments.of(peer + "endpoint=198.18.0.1", "is not an endpoint"),
                Arguments.of(peer + "endpoint=fd00::1:51820", "is not an endpoint"),
                Arguments.of(peer + "persistent_keepalive_interval=65536", "out of range"),
                Arguments.of(peer + "allowed_ip=198.18.0.1", "is not a CIDR"),
                Arguments.of(peer + "allowed_ip=198.18.0.1/33", "is not a CIDR"),
                Arguments.of(peer + "allowed_ip=--198.18.0.1/32", "is not a CIDR"),
                Arguments.of(peer + "allowed_ip=", "is not a CIDR"),
                Arguments.of(peer + "protocol_version=2", "protocol_version"),
                Arguments.of(peer + "protocol_version=", "protocol_version"));
    }

    @ParameterizedTest
    @MethodSource("rejectedLines")
    void shouldRejectBadLinesWithEinval(String lines, String reason) {
        // Valid lines before and after the bad one: the whole request is rejected, none of it kept.
        assertMalformed(parse("set=1\nfwmark=7\n" + lines + "\nlisten_port=1\n\n"), reason);
    }

    @Test
    void shouldNotEchoSecretsInMessages() {
        String almostKey = "ab".repeat(31) + "zz";
        UapiRequest request = parse("set=1\nprivate_key=" + almostKey + "\n\n");
        assertMalformed(request, "not hex");
        assertFalse(((UapiRequest.Malformed) request).message().contains("abab"));
        assertEquals("PrivateKey[(hidden)]", new SetOp.PrivateKey(new byte[32]).toString());
        assertEquals("PresharedKey[(hidden)]", new SetOp.PresharedKey(new byte[32]).toString());
    }

    @Test
    void shouldEnforceLimits() {
        UapiLimits limits = new UapiLimits(80, 6, 2, 2);
        String peer = "public_key=";
        assertMalformed(
                UapiRequestParser.parse("set=1\nlisten_port=" + "0".repeat(70) + "\n\n", limits), "longer than 80");
        assertInstanceOf(
                UapiRequest.Set.class,
                UapiRequestParser.parse("set=1\nlisten_port=" + "0".repeat(68) + "\n\n", limits));
        assertMalformed(
                UapiRequestParser.parse("set=1\n" + "fwmark=1\n".repeat(6) + "\n", limits), "more than 6 lines");
        assertInstanceOf(
                UapiRequest.Set.class, UapiRequestParser.parse("set=1\n" + "fwmark=1\n".repeat(5) + "\n", limits));
        assertMalformed(
                UapiRequestParser.parse(
                        "set=1\n" + peer + KEY_A + "\n" + peer + KEY_B + "\n" + peer + ZERO + "\n\n", limits),
                "more than 2 peers");
        assertMalformed(
                UapiRequestParser.parse(
                        "set=1\n" + peer + KEY_A + "\n" + "allowed_ip=198.18.0.1/32\n".repeat(3) + "\n", limits),
                "more than 2 allowed_ip");
    }

    @Test
    void shouldConsumeARejectedRequestToItsEndAndThenParseTheNext() {
        UapiRequestParser parser = new UapiRequestParser(new UapiLimits(80, 4, 1, 1));
        assertFalse(parser.onLine("set=1"));
        assertFalse(parser.onLine("bogus=1"));
        for (int i = 0; i < 1000; i++) {
            // Past maxLines and maxLineChars: counted and dropped, the request stays failed.
            assertFalse(parser.onLine("x".repeat(200)));
        }
        assertTrue(parser.onLine(""));
        assertMalformed(parser.request(), "invalid UAPI device key: bogus");
        parser.reset();
        assertFalse(parser.onLine("get=1"));
        assertTrue(parser.onLine(""));
        assertEquals(new UapiRequest.Get(), parser.request());
    }

    @Test
    void shouldTreatEndOfStreamLikeWireguardGo() {
        UapiRequestParser parser = new UapiRequestParser(UapiLimits.DEFAULT);
        assertNull(parser.onEndOfStream(), "nothing received: no request, no reply");
        parser.onLine("set=1");
        parser.onLine("listen_port=5");
        assertEquals(new UapiRequest.Set(List.of(new SetOp.ListenPort(5))), parser.onEndOfStream());
        assertEquals(
                new UapiRequest.Set(List.of(new SetOp.ListenPort(5))),
                UapiRequestParser.parse("set=1\nlisten_port=5", UapiLimits.DEFAULT));
    }

    @Test
    void shouldWipeKeyMaterial() {
        UapiRequest.Set set = (UapiRequest.Set)
                parse("set=1\nprivate_key=" + KEY_A + "\npublic_key=" + KEY_B + "\npreshared_key=" + KEY_A + "\n\n");
        set.wipe();
        assertArrayEquals(new byte[32], ((SetOp.PrivateKey) set.ops().get(0)).key());
        assertArrayEquals(new byte[32], ((SetOp.PresharedKey) set.ops().get(2)).key());
    }
}
