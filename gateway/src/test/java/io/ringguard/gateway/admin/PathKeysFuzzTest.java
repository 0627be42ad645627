package io.ringguard.gateway.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ringguard.dataplane.config.PublicKey;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz target for the admin API's one request parser that is callable on its own: the public key in a
 * {@code /v1/peers/{key}} path ({@link PathKeys#decode}). The JSON bodies are parsed by Jackson inside
 * {@code AdminServer}'s handlers and covered by {@code AdminServerTest}.
 *
 * <p>Input: the raw path segment as UTF-8. Invariants: a key or a 400 {@link AdminApiException} with a detail,
 * never another exception; a segment is accepted only if it is ASCII (a key in a URL is); the key's own
 * standard, URL-safe and percent-encoded spellings decode to the same key.
 */
class PathKeysFuzzTest {

    @FuzzTest
    void fuzzPathKey(final byte[] input) {
        final String segment = new String(input, StandardCharsets.UTF_8);
        final PublicKey key;
        try {
            key = PathKeys.decode(segment);
        } catch (AdminApiException e) {
            assertEquals(400, e.status());
            assertFalse(e.detail() == null || e.detail().isBlank());
            return;
        }
        assertTrue(segment.chars().allMatch(c -> c < 0x80), "accepted a non-ASCII path segment: " + segment);
        final String standard = key.toString();
        assertEquals(key, PathKeys.decode(standard));
        assertEquals(key, PathKeys.decode(standard.replace('+', '-').replace('/', '_')));
        assertEquals(key, PathKeys.decode(standard.substring(0, 43)));
        assertEquals(
                key,
                PathKeys.decode(standard.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")));
    }
}
