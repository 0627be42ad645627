package io.ringguard.gateway.config;

import io.ringguard.handshake.keys.Keys;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Parsers for single values of the config file. Each throws {@link IllegalArgumentException} with a
 * reason that the caller prefixes with file, line and key; reasons for secret values never quote
 * the value. Stateless; any thread.
 */
final class ConfigValues {
    static final String BAD_KEY = "not a valid base64 key (must be 44 characters ending in '=')";

    private ConfigValues() {}

    /**
     * A 32-byte key from 44 base64 characters, decoded straight from the view (no String copy).
     * The caller owns, and for a secret wipes, the returned array.
     */
    static byte[] key(CharSlice value) {
        if (value.length() != Keys.BASE64_CHARS || value.charAt(Keys.BASE64_CHARS - 1) != '=') {
            throw new IllegalArgumentException(BAD_KEY);
        }
        try {
            return Keys.fromBase64(value);
        } catch (IllegalArgumentException e) {
            // Keys' reasons name a position, never the characters, so they are safe to pass on.
            throw new IllegalArgumentException("not a valid base64 key (" + e.getMessage() + ")", e);
        }
    }

    /** A decimal number 0 to {@code max}; no sign, no spaces. */
    static long number(CharSlice value, long max) {
        if (value.isEmpty() || value.length() > 19) {
            throw new IllegalArgumentException("must be a number from 0 to " + max);
        }
        long n = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("must be a number from 0 to " + max);
            }
            n = n * 10 + (c - '0');
            if (n > max) {
                throw new IllegalArgumentException("must be a number from 0 to " + max + ", not " + value);
            }
        }
        return n;
    }

    /** A number, or 0 for {@code off} (PersistentKeepalive, FwMark). */
    static long numberOrOff(CharSlice value, long max) {
        return value.equalsIgnoreCase("off") ? 0 : number(value, max);
    }

    /** A firewall mark: {@code off}, decimal, or {@code 0x} hex, as an unsigned 32-bit value. */
    static int fwmark(CharSlice value) {
        if (value.startsWithIgnoreCase("0x")) {
            CharSlice hex = value.subSequence(2, value.length());
            if (hex.isEmpty() || hex.length() > 8) {
                throw new IllegalArgumentException("must be off, a decimal number or 0x and 1 to 8 hex digits");
            }
            long mark = 0;
            for (int i = 0; i < hex.length(); i++) {
                int d = Character.digit(hex.charAt(i), 16);
                if (d < 0 || hex.charAt(i) > 'f') {
                    throw new IllegalArgumentException("must be off, a decimal number or 0x and 1 to 8 hex digits");
                }
                mark = (mark << 4) | d;
            }
            return (int) mark;
        }
        return (int) numberOrOff(value, 0xFFFF_FFFFL);
    }

    /** {@code true} or {@code false}, any case. */
    static boolean bool(CharSlice value) {
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        if (value.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException("must be true or false");
    }

    /**
     * The comma-separated items of {@code value}, trimmed, each parsed by {@code item}. An empty
     * value is an empty list (wg(8) takes {@code AllowedIPs =}); an empty item is an error.
     */
    static <T> List<T> list(CharSlice value, Function<CharSlice, T> item) {
        List<T> out = new ArrayList<>();
        if (value.isEmpty()) {
            return out;
        }
        CharSlice rest = value;
        while (true) {
            int comma = rest.indexOf(',');
            CharSlice one = (comma < 0 ? rest : rest.subSequence(0, comma)).trim();
            if (one.isEmpty()) {
                throw new IllegalArgumentException("empty item in a comma-separated list");
            }
            out.add(item.apply(one));
            if (comma < 0) {
                return out;
            }
            rest = rest.subSequence(comma + 1, rest.length());
        }
    }

    /** wg-quick's {@code Table}: off, auto, a number, or a name from rt_tables. */
    static String table(CharSlice value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '_'
                    || c == '-'
                    || c == '.';
            if (!ok) {
                throw new IllegalArgumentException("must be off, auto, a table number or a table name");
            }
        }
        String table = value.toString();
        if (table.chars().allMatch(Character::isDigit)) {
            number(value, 0xFFFF_FFFFL);
        }
        return table.equalsIgnoreCase("off") || table.equalsIgnoreCase("auto") ? table.toLowerCase(Locale.ROOT) : table;
    }

    /** A DNS entry as wg-quick takes it: a resolver address or a search domain. */
    static String dnsEntry(CharSlice value) {
        if (IpText.looksLikeLiteral(value)) {
            return IpText.format(IpText.parseLiteral(value));
        }
        return HostPort.parse(value + ":0", 0).host();
    }

    /**
     * A name to echo in an error: a plausible key or section name, else a placeholder. A line
     * without a proper key may be a pasted secret, and a secret must never reach a message.
     */
    static String printable(CharSlice name) {
        if (name.isEmpty() || name.length() > 32) {
            return "(unreadable key)";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok =
                    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
            if (!ok) {
                return "(unreadable key)";
            }
        }
        return name.toString();
    }
}
