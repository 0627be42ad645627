package io.ringguard.gateway.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ringguard.dataplane.config.DeviceConfig;
import io.ringguard.handshake.keys.Keys;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz target for the UAPI request codec: {@link UapiRequestParser#parse} over any text (the input bytes as
 * UTF-8), then {@link UapiSet#apply} of what it accepted.
 *
 * <p>Invariants: parsing never throws; a rejected request is {@code errno=22} with a message, and the
 * message never repeats the value of a {@code private_key} or {@code preshared_key} line (it may be a
 * secret); an accepted {@code set} written back out as UAPI lines parses to the same operations; applying it
 * to an empty device returns a result (applied or rejected with an errno), never an exception. Small limits
 * let the fuzzer reach every limit check.
 */
class UapiRequestParserFuzzTest {
    private static final UapiLimits LIMITS = new UapiLimits(100, 40, 3, 6);
    private static final String[] SECRET_KEYS = {"private_key=", "preshared_key="};

    @FuzzTest
    void fuzzUapiRequest(final byte[] input) {
        final String text = new String(input, StandardCharsets.UTF_8);
        final UapiRequest request = UapiRequestParser.parse(text, LIMITS);
        assertNotNull(request);
        switch (request) {
            case UapiRequest.Get get -> assertNotNull(get);
            case UapiRequest.Malformed malformed -> {
                assertEquals(UapiErrno.EINVAL, malformed.errno());
                assertFalse(malformed.message() == null || malformed.message().isBlank(), "a reason");
                assertNoSecretIn(text, malformed.message());
            }
            case UapiRequest.Set set -> {
                final String written = write(set);
                assertEquals(set, UapiRequestParser.parse(written, UapiLimits.DEFAULT), written);
                final SetResult result = UapiSet.apply(DeviceConfig.EMPTY, set);
                if (result instanceof SetResult.Rejected rejected) {
                    assertTrue(rejected.errno() != UapiErrno.OK && rejected.message() != null, rejected.toString());
                } else {
                    assertNotNull(
                            assertInstanceOf(SetResult.Applied.class, result).config());
                }
                set.wipe();
            }
        }
    }

    /** The request as {@code wg set} would send it: {@code set=1}, one line per operation, an empty line. */
    static String write(final UapiRequest.Set set) {
        final StringBuilder out = new StringBuilder("set=1\n");
        for (SetOp op : set.ops()) {
            switch (op) {
                case SetOp.PrivateKey(byte[] key) -> out.append("private_key=").append(Keys.toHex(key));
                case SetOp.ListenPort(int port) -> out.append("listen_port=").append(port);
                case SetOp.Fwmark(int mark) -> out.append("fwmark=").append(Integer.toUnsignedString(mark));
                case SetOp.ReplacePeers() -> out.append("replace_peers=true");
                case SetOp.Peer(var key) -> out.append("public_key=").append(key.toHex());
                case SetOp.RemovePeer() -> out.append("remove=true");
                case SetOp.UpdateOnly() -> out.append("update_only=true");
                case SetOp.PresharedKey(byte[] key) ->
                    out.append("preshared_key=").append(Keys.toHex(key));
                case SetOp.SetEndpoint(var endpoint) -> out.append("endpoint=").append(endpoint);
                case SetOp.PersistentKeepalive(int seconds) ->
                    out.append("persistent_keepalive_interval=").append(seconds);
                case SetOp.ReplaceAllowedIps() -> out.append("replace_allowed_ips=true");
                case SetOp.AddAllowedIp(var cidr) -> out.append("allowed_ip=").append(cidr);
                case SetOp.RemoveAllowedIp(var cidr) ->
                    out.append("allowed_ip=-").append(cidr);
            }
            out.append('\n');
        }
        return out.append('\n').toString();
    }

    /**
     * No {@code private_key=} / {@code preshared_key=} value shows up in a message because of that line: if
     * the message holds the value, parsing again with only that line's value blanked must still give it.
     */
    private static void assertNoSecretIn(final String text, final String message) {
        final String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            for (String key : SECRET_KEYS) {
                if (!lines[i].startsWith(key) || lines[i].length() == key.length()) {
                    continue;
                }
                final String secret = lines[i].substring(key.length());
                if (!message.contains(secret)) {
                    continue;
                }
                final String[] blanked = lines.clone();
                blanked[i] = key + "#".repeat(secret.length());
                final UapiRequest again = UapiRequestParser.parse(String.join("\n", blanked), LIMITS);
                assertTrue(
                        again instanceof UapiRequest.Malformed m && m.message().contains(secret),
                        "secret value echoed: " + message);
            }
        }
    }
}
