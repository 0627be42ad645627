package io.ringguard.gateway.config;

import java.util.Arrays;

/**
 * A view of part of a {@code char[]}, so that a secret value can be decoded straight from the
 * buffer the file was read into without ever becoming a {@link String}.
 *
 * <p>{@link #toString()} copies into a {@code String}: call it only for values that are not
 * secret. Not thread-safe; confined to the parsing thread.
 */
final class CharSlice implements CharSequence {
    private final char[] chars;
    private final int start;
    private final int end;

    CharSlice(char[] chars, int start, int end) {
        if (start < 0 || end < start || end > chars.length) {
            throw new IndexOutOfBoundsException("slice " + start + ".." + end + " of " + chars.length);
        }
        this.chars = chars;
        this.start = start;
        this.end = end;
    }

    static CharSlice of(String text) {
        return new CharSlice(text.toCharArray(), 0, text.length());
    }

    @Override
    public int length() {
        return end - start;
    }

    @Override
    public char charAt(int index) {
        if (index < 0 || index >= end - start) {
            throw new IndexOutOfBoundsException(index);
        }
        return chars[start + index];
    }

    @Override
    public CharSlice subSequence(int from, int to) {
        if (from < 0 || to < from || to > end - start) {
            throw new IndexOutOfBoundsException("sub-slice " + from + ".." + to + " of " + length());
        }
        return new CharSlice(chars, start + from, start + to);
    }

    /** The slice without leading and trailing whitespace (space, tab, and other chars up to U+0020). */
    CharSlice trim() {
        int s = start;
        int e = end;
        while (s < e && chars[s] <= ' ') {
            s++;
        }
        while (e > s && chars[e - 1] <= ' ') {
            e--;
        }
        return new CharSlice(chars, s, e);
    }

    /** Index of {@code c} relative to this slice, or -1. */
    int indexOf(char c) {
        for (int i = start; i < end; i++) {
            if (chars[i] == c) {
                return i - start;
            }
        }
        return -1;
    }

    /** ASCII case-insensitive comparison: config keywords are ASCII, and the JVM's locale must not matter. */
    boolean equalsIgnoreCase(String other) {
        if (other.length() != end - start) {
            return false;
        }
        for (int i = 0; i < other.length(); i++) {
            if (lower(chars[start + i]) != lower(other.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** ASCII case-insensitive prefix test. */
    boolean startsWithIgnoreCase(String prefix) {
        return prefix.length() <= end - start && subSequence(0, prefix.length()).equalsIgnoreCase(prefix);
    }

    private static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    /** Overwrites the viewed characters with zeros (used on the buffer of a whole file). */
    void wipe() {
        Arrays.fill(chars, start, end, '\0');
    }

    /** A copy as a String; never for secret values. */
    @Override
    public String toString() {
        return new String(chars, start, end - start);
    }
}
