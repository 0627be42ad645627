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
import java.util.Arrays;

/**
 * Fuzz target for the UAPI request codec: {@link UapiRequestParser#parse} over any text (the input bytes as
 * UTF-8), then {@link UapiSet#apply} of what it accepted.
 *
 * <p>Invariants: parsing never throws; a rejected request is {@code errno=22} with a message, and the
 * message never quotes a rejected {@code private_key} or {@code preshared_key} line (it may be a secret); an accepted {@code set} written back out as UAPI lines parses to the same operations; applying it
 * to an empty device returns a result (applied or rejected with an errno), never an exception. Small limits
 * let the fuzzer reach every limit check.
 */
class UapiRequestParserFuzzTest {
    private static final UapiLimits LIMITS = new UapiLimits(100, 40, 3, 6);
    private static final int MIN_SECRET_CHARS = 16;
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
     * The line a request was rejected for is never quoted if it is a {@code private_key=} or {@code
     * preshared_key=} line. That line is the first whose prefix of the request no longer parses (the first
     * error wins). A message about another line may quote that line, whatever it holds.
     */
    private static void assertNoSecretIn(final String text, final String message) {
        final String[] lines = text.split("\n", -1);
        if (Arrays.stream(lines).noneMatch(line -> secretOf(line) != null && message.contains(secretOf(line)))) {
            return;
        }
        for (int i = 0; i < lines.length; i++) {
            final String prefix = String.join("\n", Arrays.copyOf(lines, i + 1)) + "\n\n";
            if (!(UapiRequestParser.parse(prefix, LIMITS) instanceof UapiRequest.Malformed)) {
                continue;
            }
            final String secret = secretOf(lines[i]);
            assertFalse(secret != null && message.contains(secret), "secret value echoed: " + message);
            return;
        }
    }

    /** The value of a {@code private_key=} / {@code preshared_key=} line, else null. */
    private static String secretOf(final String line) {
        for (String key : SECRET_KEYS) {
            // Shorter values can be words of the message itself; real keys are 64 characters.
            if (line.startsWith(key) && line.length() - key.length() >= MIN_SECRET_CHARS) {
                return line.substring(key.length());
            }
        }
        return null;
    }
}
