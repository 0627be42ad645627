package io.ringguard.gateway.admin;

import io.ringguard.dataplane.config.PublicKey;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A public key in a URL path: standard base64 as is (its {@code /} may stay unescaped: the key is the
 * rest of the path), percent-encoded ({@code %2B %2F %3D}), or URL-safe base64 ({@code - _}, padding
 * optional). {@code +} is a literal plus here, as in any path, never a space. Stateless; any thread.
 */
final class PathKeys {
    private PathKeys() {}

    /**
     * @param rawSegment the path after {@code /v1/peers/}, still percent-encoded
     * @throws AdminApiException 400 naming what is wrong
     */
    static PublicKey decode(String rawSegment) {
        String text = percentDecode(rawSegment).replace('-', '+').replace('_', '/');
        if (text.length() == 43) {
            text = text + "=";
        }
        try {
            return PublicKey.fromBase64(text);
        } catch (IllegalArgumentException e) {
            throw AdminApiException.malformed("bad public key in the path: " + e.getMessage());
        }
    }

    private static String percentDecode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            // A key is ASCII. Writing a wider char as a byte would keep only its low 8 bits and turn,
            // e.g., U+0143 into 'C', so a non-ASCII segment could name a real peer.
            if (c > 0x7F) {
                throw AdminApiException.malformed("a public key in the path is ASCII");
            }
            if (c != '%') {
                out.write(c);
                continue;
            }
            int hi = i + 2 < raw.length() ? hexDigit(raw.charAt(i + 1)) : -1;
            int lo = hi >= 0 ? hexDigit(raw.charAt(i + 2)) : -1;
            if (lo < 0) {
                throw AdminApiException.malformed("bad percent-encoding in the path");
            }
            out.write(hi << 4 | lo);
            i += 2;
        }
        return out.toString(StandardCharsets.US_ASCII);
    }

    /** ASCII hex only: {@link Character#digit} would also take fullwidth and other Unicode digits. */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }
}
