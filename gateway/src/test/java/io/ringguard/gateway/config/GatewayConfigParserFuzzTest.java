package io.ringguard.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Fuzz target for the config file parser ({@link GatewayConfigParser} and the value parsers it calls), with
 * a resolver that never touches DNS. Complements {@link GatewayConfigFuzzTest}'s fixed random mutations
 * with coverage-guided ones.
 *
 * <p>Input: the file's bytes as UTF-8. Invariants: a config or a {@link ConfigException} naming the file
 * (and a line, 0 for the whole file), never another exception; an exception about a {@code PrivateKey} or
 * {@code PresharedKey} line never repeats its value; an accepted config written by {@link
 * GatewayConfigWriter} parses back to an equal config, and writing that gives the same text.
 */
class GatewayConfigParserFuzzTest {
    private static final int MIN_SECRET_CHARS = 16;

    @FuzzTest
    void fuzzConfigFile(final byte[] input) {
        final String text = new String(input, StandardCharsets.UTF_8);
        final GatewayConfig config;
        try {
            config = TestConfigs.parse(text);
        } catch (ConfigException e) {
            assertTrue(e.line() >= ConfigException.WHOLE_FILE, e.getMessage());
            assertTrue(e.getMessage().startsWith(TestConfigs.WG0 + ":"), e.getMessage());
            assertNoSecretIn(text, e);
            return;
        }
        final char[] written = GatewayConfigWriter.write(config);
        final GatewayConfig again;
        try {
            again = TestConfigs.PARSER.parse(TestConfigs.WG0, written.clone());
        } catch (ConfigException e) {
            throw new AssertionError("the writer's output does not parse: " + e.getMessage(), e);
        }
        assertEquals(config, again);
        assertTrue(Arrays.equals(written, GatewayConfigWriter.write(again)), "writing is stable");
        Arrays.fill(written, '\0');
    }

    /**
     * A rejected PrivateKey / PresharedKey line is named, never quoted: its value must not be in the message.
     * (A message about another line may quote that line, whatever it holds.)
     */
    private static void assertNoSecretIn(final String text, final ConfigException e) {
        final String[] lines = text.split("\n", -1);
        if (e.line() < 1 || e.line() > lines.length) {
            return;
        }
        final String secret = secretValue(lines[e.line() - 1]);
        // Shorter values can be words of the message itself; real keys are 44 characters.
        if (secret != null && secret.length() >= MIN_SECRET_CHARS) {
            assertFalse(e.getMessage().contains(secret), "secret value echoed: " + e.getMessage());
        }
    }

    /** The value of a PrivateKey or PresharedKey line (case-insensitive, comment cut), else null. */
    private static String secretValue(final String line) {
        final int eq = line.indexOf('=');
        if (eq < 0) {
            return null;
        }
        final String key = line.substring(0, eq).strip().toLowerCase(Locale.ROOT);
        if (!key.equals("privatekey") && !key.equals("presharedkey")) {
            return null;
        }
        final String value = line.substring(eq + 1);
        final int hash = value.indexOf('#');
        return (hash >= 0 ? value.substring(0, hash) : value).strip();
    }
}
