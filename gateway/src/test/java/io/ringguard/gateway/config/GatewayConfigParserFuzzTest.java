package io.ringguard.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * (and a line, 0 for the whole file), never another exception; the exception's message never repeats a
 * {@code PrivateKey} or {@code PresharedKey} value; an accepted config written by {@link
 * GatewayConfigWriter} parses back to an equal config, and writing that gives the same text.
 */
class GatewayConfigParserFuzzTest {

    @FuzzTest
    void fuzzConfigFile(final byte[] input) {
        final String text = new String(input, StandardCharsets.UTF_8);
        final GatewayConfig config;
        try {
            config = TestConfigs.parse(text);
        } catch (ConfigException e) {
            assertTrue(e.line() >= ConfigException.WHOLE_FILE, e.getMessage());
            assertTrue(e.getMessage().startsWith(TestConfigs.WG0 + ":"), e.getMessage());
            assertNoSecretIn(text, e.getMessage());
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
     * No PrivateKey / PresharedKey value shows up in an error message because of that line: if the message
     * holds the value, parsing again with only that line's value blanked must still give it (the text came
     * from elsewhere: another line, or the message's own words).
     */
    private static void assertNoSecretIn(final String text, final String message) {
        final String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            final String secret = secretValue(lines[i]);
            if (secret == null || secret.isEmpty() || !message.contains(secret)) {
                continue;
            }
            final String[] blanked = lines.clone();
            blanked[i] = lines[i].replace(secret, "#".repeat(secret.length()));
            String messageWithout = "";
            try {
                TestConfigs.parse(String.join("\n", blanked));
            } catch (ConfigException e) {
                messageWithout = e.getMessage();
            }
            assertTrue(messageWithout.contains(secret), "secret value echoed: " + message);
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
