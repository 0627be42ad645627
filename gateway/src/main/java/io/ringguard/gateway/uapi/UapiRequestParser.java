package io.ringguard.gateway.uapi;

import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.Endpoint;
import io.ringguard.dataplane.config.PublicKey;
import io.ringguard.handshake.keys.Keys;
import java.nio.CharBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Parses one UAPI request line by line and validates all of it before anything is applied.
 *
 * <p>The first line is the operation ({@code get=1} or {@code set=1}); an empty line ends the
 * request. Set lines are {@code key=value}: device keys first, then per peer a {@code public_key=}
 * line followed by that peer's keys, as in wireguard-go's {@code IpcSetOperation}. The first error
 * wins: later lines are still consumed up to the empty line, so the connection stays in step, but
 * they are only counted, never stored.
 *
 * <p>Secrets: a key value is decoded from a view of the line, never copied into a {@code String};
 * the socket layer should hand in lines backed by a buffer it wipes. The line reader must cut a
 * line after {@code maxLineChars + 1} characters, so an overlong line is seen and rejected here
 * without being buffered whole.
 *
 * <p>Not thread-safe: one parser per connection, used by the thread serving it.
 */
public final class UapiRequestParser {
    private enum State {
        OPERATION,
        GET,
        SET_DEVICE,
        SET_PEER,
        FAILED,
        COMPLETE
    }

    private final UapiLimits limits;
    private final List<SetOp> ops = new ArrayList<>();
    private State state = State.OPERATION;
    private int lines;
    private int peers;
    private int allowedIps;
    private int errno;
    private String message;
    private UapiRequest request;

    public UapiRequestParser(UapiLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** Parses a whole request text ({@code \n}-separated, ending with an empty line) at once. */
    public static UapiRequest parse(CharSequence text, UapiLimits limits) {
        UapiRequestParser parser = new UapiRequestParser(limits);
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                if (parser.onLine(CharBuffer.wrap(text, start, i))) {
                    return parser.request();
                }
                start = i + 1;
            }
        }
        if (start < text.length() && parser.onLine(CharBuffer.wrap(text, start, text.length()))) {
            return parser.request();
        }
        UapiRequest atEnd = parser.onEndOfStream();
        return atEnd != null ? atEnd : new UapiRequest.Malformed(UapiErrno.EINVAL, "empty request");
    }

    /**
     * Feeds one line without its {@code \n}.
     *
     * @return true when the request is complete (an empty line was seen); then call {@link #request()}
     */
    public boolean onLine(CharSequence line) {
        if (state == State.COMPLETE) {
            throw new IllegalStateException("request already complete; call reset()");
        }
        if (line.isEmpty()) {
            complete();
            return true;
        }
        if (state == State.FAILED) {
            return false;
        }
        if (++lines > limits.maxLines()) {
            fail("request has more than " + limits.maxLines() + " lines");
        } else if (line.length() > limits.maxLineChars()) {
            fail("line " + lines + " is longer than " + limits.maxLineChars() + " characters");
        } else {
            parseLine(line);
        }
        return false;
    }

    /**
     * The peer closed its side. Like wireguard-go, a {@code set} cut short by end of input is
     * complete; returns the request, or null if nothing at all was received.
     */
    public UapiRequest onEndOfStream() {
        if (state == State.COMPLETE) {
            return request;
        }
        if (state == State.OPERATION && lines == 0) {
            return null;
        }
        complete();
        return request;
    }

    /** The request, once {@link #onLine} returned true. */
    public UapiRequest request() {
        if (state != State.COMPLETE) {
            throw new IllegalStateException("request not complete");
        }
        return request;
    }

    /** Ready for the next request on the same connection. */
    public void reset() {
        ops.clear();
        state = State.OPERATION;
        lines = 0;
        peers = 0;
        allowedIps = 0;
        errno = 0;
        message = null;
        request = null;
    }

    private void complete() {
        request = switch (state) {
            case OPERATION -> new UapiRequest.Malformed(UapiErrno.EINVAL, "invalid UAPI operation: empty line");
            case GET -> new UapiRequest.Get();
            case SET_DEVICE, SET_PEER -> new UapiRequest.Set(ops);
            case FAILED -> new UapiRequest.Malformed(errno, message);
            case COMPLETE -> throw new IllegalStateException("already complete");
        };
        ops.clear();
        state = State.COMPLETE;
    }

    private void fail(String why) {
        // Whatever was parsed so far is dropped: the set is rejected whole, and its key material wiped.
        new UapiRequest.Set(ops).wipe();
        ops.clear();
        errno = UapiErrno.EINVAL;
        message = why;
        state = State.FAILED;
    }

    private void parseLine(CharSequence line) {
        switch (state) {
            case OPERATION -> {
                if (equals(line, "get=1")) {
                    state = State.GET;
                } else if (equals(line, "set=1")) {
                    state = State.SET_DEVICE;
                } else {
                    fail("invalid UAPI operation");
                }
            }
            case GET -> fail("get=1 must be followed by an empty line");
            case SET_DEVICE, SET_PEER -> parseSetLine(line);
            default -> throw new IllegalStateException("unexpected state " + state);
        }
    }

    private void parseSetLine(CharSequence line) {
        int eq = -1;
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == '=') {
                eq = i;
                break;
            }
        }
        if (eq < 0) {
            fail("line " + lines + " is not key=value");
            return;
        }
        String key = line.subSequence(0, eq).toString();
        CharBuffer value = CharBuffer.wrap(line, eq + 1, line.length());
        try {
            SetOp op = state == State.SET_DEVICE ? deviceLine(key, value) : peerLine(key, value);
            if (op != null) {
                ops.add(op);
            }
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
        }
    }

    private SetOp deviceLine(String key, CharBuffer value) {
        return switch (key) {
            case "private_key" -> new SetOp.PrivateKey(hexKey(key, value));
            case "listen_port" -> new SetOp.ListenPort((int) unsigned(key, value, 0xFFFF));
            case "fwmark" -> new SetOp.Fwmark((int) unsigned(key, value, 0xFFFF_FFFFL));
            case "replace_peers" -> {
                requireTrue(key, value);
                yield new SetOp.ReplacePeers();
            }
            case "public_key" -> {
                state = State.SET_PEER;
                yield peerLine(key, value);
            }
            case "remove",
                    "update_only",
                    "preshared_key",
                    "endpoint",
                    "persistent_keepalive_interval",
                    "replace_allowed_ips",
                    "allowed_ip",
                    "protocol_version" ->
                throw new IllegalArgumentException("peer key " + key + " before any public_key line");
            default -> throw new IllegalArgumentException("invalid UAPI device key: " + printable(key));
        };
    }

    private SetOp peerLine(String key, CharBuffer value) {
        return switch (key) {
            case "public_key" -> {
                if (++peers > limits.maxPeers()) {
                    throw new IllegalArgumentException("request names more than " + limits.maxPeers() + " peers");
                }
                byte[] bytes = hexKey(key, value);
                yield new SetOp.Peer(PublicKey.of(bytes));
            }
            case "remove" -> {
                requireTrue(key, value);
                yield new SetOp.RemovePeer();
            }
            case "update_only" -> {
                requireTrue(key, value);
                yield new SetOp.UpdateOnly();
            }
            case "preshared_key" -> new SetOp.PresharedKey(hexKey(key, value));
            case "endpoint" -> new SetOp.SetEndpoint(Endpoint.parse(value));
            case "persistent_keepalive_interval" -> new SetOp.PersistentKeepalive((int) unsigned(key, value, 0xFFFF));
            case "replace_allowed_ips" -> {
                requireTrue(key, value);
                yield new SetOp.ReplaceAllowedIps();
            }
            case "allowed_ip" -> {
                if (++allowedIps > limits.maxAllowedIps()) {
                    throw new IllegalArgumentException(
                            "request has more than " + limits.maxAllowedIps() + " allowed_ip lines");
                }
                boolean remove = !value.isEmpty() && value.charAt(0) == '-';
                Cidr cidr = Cidr.parse(remove ? value.subSequence(1, value.length()) : value);
                yield remove ? new SetOp.RemoveAllowedIp(cidr) : new SetOp.AddAllowedIp(cidr);
            }
            case "protocol_version" -> {
                if (!equals(value, "1")) {
                    throw new IllegalArgumentException("invalid protocol_version " + value + ", only 1 exists");
                }
                yield null;
            }
            case "private_key", "listen_port", "fwmark", "replace_peers" ->
                throw new IllegalArgumentException("device key " + key + " after a public_key line");
            default -> throw new IllegalArgumentException("invalid UAPI peer key: " + printable(key));
        };
    }

    /**
     * 64 ASCII hex digits. Checked here rather than left to {@link Keys#fromHex}, which would also
     * take non-ASCII Unicode digits. The message never echoes the value: it may be a secret.
     */
    private static byte[] hexKey(String key, CharSequence value) {
        if (value.length() != Keys.HEX_CHARS) {
            throw new IllegalArgumentException(key + " must be 64 hex digits, not " + value.length() + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                throw new IllegalArgumentException(key + " has a character that is not hex at position " + i);
            }
        }
        return Keys.fromHex(value);
    }

    /** Decimal like Go's {@code strconv.ParseUint(value, 10, bits)}: digits only, leading zeros allowed. */
    private static long unsigned(String key, CharSequence value, long max) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException(key + " is empty");
        }
        long n = 0;
        for (int i = 0; i < value.length(); i++) {
            int d = value.charAt(i) - '0';
            if (d < 0 || d > 9) {
                throw new IllegalArgumentException(key + "=" + value + " is not a decimal number");
            }
            n = n * 10 + d;
            if (n > max) {
                // Checked per digit so that a long run of digits cannot overflow.
                throw new IllegalArgumentException(key + "=" + value + " is out of range 0 to " + max);
            }
        }
        return n;
    }

    private static void requireTrue(String key, CharSequence value) {
        if (!equals(value, "true")) {
            throw new IllegalArgumentException(key + "=" + value + " is invalid, only true is accepted");
        }
    }

    private static boolean equals(CharSequence a, String b) {
        return CharSequence.compare(a, b) == 0;
    }

    /** An unknown key, made safe to put in a log line. */
    private static String printable(String key) {
        StringBuilder out = new StringBuilder(Math.min(key.length(), 64));
        for (int i = 0; i < key.length() && i < 64; i++) {
            char c = key.charAt(i);
            out.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return out.toString();
    }
}
