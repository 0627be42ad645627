package io.ringguard.gateway.config;

import static io.ringguard.gateway.config.TestConfigs.EXAMPLE;
import static io.ringguard.gateway.config.TestConfigs.PUB_B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random mutations of a valid config: whatever the bytes, the parser returns a config or throws
 * {@link ConfigException}, never anything else (an unchecked exception would reach the user as a
 * stack trace with exit code 1 instead of a line to fix and exit code 2).
 */
class GatewayConfigFuzzTest {
    private static final int MUTATIONS = 10_000;
    private static final long SEED = 0x5EED_C0F1L;
    private static final String BASE = EXAMPLE.replace("MTU = 1420", "MTU = 1420\nDNS = 198.18.0.53\nPostUp = echo up")
            + "[Peer]\nPublicKey = " + PUB_B
            + "\nAllowedIPs = 198.18.1.0/24, fd00::/64\nEndpoint = [fd00::9]:51820\n";
    /** Characters that matter to the grammar, plus a few that should never matter. */
    private static final String ALPHABET = "[]=#,:/.-x0123456789aAfF \t\r\n\u0000\u00e9\uFEFF\u2028\uD800";

    @Test
    void shouldReturnAConfigOrThrowConfigExceptionForAnyMutation() throws ConfigException {
        assertEquals(2, TestConfigs.parse(BASE).device().peers().size());
        Random random = new Random(SEED);
        int parsed = 0;
        int rejected = 0;
        for (int i = 0; i < MUTATIONS; i++) {
            String text = mutate(BASE, random, 1 + random.nextInt(3));
            try {
                assertNotNull(TestConfigs.parse(text));
                parsed++;
            } catch (ConfigException e) {
                assertTrue(e.line() >= 1, e.getMessage());
                rejected++;
            } catch (RuntimeException e) {
                fail("mutation " + i + " threw " + e + " for:\n" + text, e);
            }
        }
        // Both outcomes must be common, or the mutations are not exercising the parser.
        assertTrue(parsed > MUTATIONS / 20, "parsed " + parsed);
        assertTrue(rejected > MUTATIONS / 5, "rejected " + rejected);
    }

    private static String mutate(String text, Random random, int times) {
        String out = text;
        for (int t = 0; t < times; t++) {
            out = switch (random.nextInt(6)) {
                case 0 -> deleteChars(out, random);
                case 1 -> insertChar(out, random);
                case 2 -> replaceChar(out, random);
                case 3 -> duplicateLine(out, random);
                case 4 -> deleteLine(out, random);
                default -> swapLines(out, random);
            };
        }
        return out;
    }

    private static String deleteChars(String text, Random random) {
        int at = random.nextInt(text.length());
        int end = Math.min(text.length(), at + 1 + random.nextInt(4));
        return text.substring(0, at) + text.substring(end);
    }

    private static String insertChar(String text, Random random) {
        int at = random.nextInt(text.length() + 1);
        return text.substring(0, at) + ALPHABET.charAt(random.nextInt(ALPHABET.length())) + text.substring(at);
    }

    private static String replaceChar(String text, Random random) {
        int at = random.nextInt(text.length());
        return text.substring(0, at) + ALPHABET.charAt(random.nextInt(ALPHABET.length())) + text.substring(at + 1);
    }

    private static List<String> lines(String text) {
        return new ArrayList<>(List.of(text.split("\n", -1)));
    }

    private static String duplicateLine(String text, Random random) {
        List<String> lines = lines(text);
        int at = random.nextInt(lines.size());
        lines.add(random.nextInt(lines.size() + 1), lines.get(at));
        return String.join("\n", lines);
    }

    private static String deleteLine(String text, Random random) {
        List<String> lines = lines(text);
        lines.remove(random.nextInt(lines.size()));
        return String.join("\n", lines);
    }

    private static String swapLines(String text, Random random) {
        List<String> lines = lines(text);
        int a = random.nextInt(lines.size());
        int b = random.nextInt(lines.size());
        String line = lines.get(a);
        lines.set(a, lines.get(b));
        lines.set(b, line);
        return String.join("\n", lines);
    }
}
