package io.ringguard.handshake.keys;

import io.ringguard.handshake.crypto.X25519;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Curve25519 keys and preshared keys as {@code wg(8)} prints them: 44-character standard base64 in
 * configs and the CLI, 64 lowercase hex digits in the UAPI.
 *
 * <p>Decoders take {@link CharSequence} and return fresh arrays so that callers can keep secrets out
 * of {@code String}s (e.g. read into a {@code char[]} and wipe it). Stateless; any thread.
 */
public final class Keys {
    public static final int KEY_BYTES = 32;
    public static final int BASE64_CHARS = 44;
    public static final int HEX_CHARS = 64;
    private static final char[] BASE64 =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Keys() {}

    /** A fresh clamped Curve25519 private key, as {@code wg genkey} makes. */
    public static byte[] generatePrivateKey() {
        byte[] key = new byte[KEY_BYTES];
        X25519.generatePrivateKey(RANDOM, key);
        return key;
    }

    /** 32 random bytes, as {@code wg genpsk} makes. */
    public static byte[] generatePresharedKey() {
        byte[] key = new byte[KEY_BYTES];
        RANDOM.nextBytes(key);
        return key;
    }

    /** The public key of {@code privateKey} (clamping applies inside the scalar multiplication). */
    public static byte[] publicKey(byte[] privateKey) {
        byte[] copy = privateKey.clone();
        X25519.clamp(copy);
        byte[] pub = new byte[KEY_BYTES];
        X25519.publicKey(copy, pub);
        Arrays.fill(copy, (byte) 0);
        return pub;
    }

    /** True for the all-zero key, which the UAPI uses to mean "none". */
    public static boolean isZero(byte[] key) {
        int acc = 0;
        for (byte b : key) {
            acc |= b;
        }
        return acc == 0;
    }

    /** Decodes a 44-character base64 key; throws {@link IllegalArgumentException} naming the problem. */
    public static byte[] fromBase64(CharSequence text) {
        if (text.length() != BASE64_CHARS || text.charAt(43) != '=') {
            throw new IllegalArgumentException("key must be 44 base64 characters ending in '='");
        }
        byte[] out = new byte[KEY_BYTES];
        int acc = 0;
        int bits = 0;
        int o = 0;
        for (int i = 0; i < 43; i++) {
            int v = base64Value(text.charAt(i));
            if (v < 0) {
                Arrays.fill(out, (byte) 0);
                throw new IllegalArgumentException("key has a character that is not base64 at position " + i);
            }
            acc = (acc << 6) | v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out[o++] = (byte) (acc >>> bits);
            }
        }
        // 43 * 6 = 258 bits: the two bits left over must be zero (canonical encoding).
        if ((acc & ((1 << bits) - 1)) != 0) {
            Arrays.fill(out, (byte) 0);
            throw new IllegalArgumentException("key is not canonical base64");
        }
        return out;
    }

    public static char[] toBase64(byte[] key) {
        char[] out = new char[BASE64_CHARS];
        int o = 0;
        for (int i = 0; i < 30; i += 3) {
            int v = ((key[i] & 0xFF) << 16) | ((key[i + 1] & 0xFF) << 8) | (key[i + 2] & 0xFF);
            out[o++] = BASE64[(v >>> 18) & 63];
            out[o++] = BASE64[(v >>> 12) & 63];
            out[o++] = BASE64[(v >>> 6) & 63];
            out[o++] = BASE64[v & 63];
        }
        int v = ((key[30] & 0xFF) << 16) | ((key[31] & 0xFF) << 8);
        out[o++] = BASE64[(v >>> 18) & 63];
        out[o++] = BASE64[(v >>> 12) & 63];
        out[o++] = BASE64[(v >>> 6) & 63];
        out[o] = '=';
        return out;
    }

    /** Decodes 64 hex digits (either case); throws {@link IllegalArgumentException} otherwise. */
    public static byte[] fromHex(CharSequence text) {
        if (text.length() != HEX_CHARS) {
            throw new IllegalArgumentException("key must be 64 hex digits");
        }
        byte[] out = new byte[KEY_BYTES];
        for (int i = 0; i < KEY_BYTES; i++) {
            int hi = hexValue(text.charAt(2 * i));
            int lo = hexValue(text.charAt(2 * i + 1));
            if (hi < 0 || lo < 0) {
                Arrays.fill(out, (byte) 0);
                throw new IllegalArgumentException("key has a character that is not hex at position " + 2 * i);
            }
            out[i] = (byte) ((hi << 4) | lo);
        }
        return out;
    }

    public static char[] toHex(byte[] key) {
        char[] out = new char[HEX_CHARS];
        for (int i = 0; i < KEY_BYTES; i++) {
            out[2 * i] = HEX[(key[i] >>> 4) & 15];
            out[2 * i + 1] = HEX[key[i] & 15];
        }
        return out;
    }

    /** ASCII hex only: {@code Character.digit} would also take other scripts' digits. */
    private static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static int base64Value(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        if (c == '+') {
            return 62;
        }
        if (c == '/') {
            return 63;
        }
        return -1;
    }
}
