package io.ringguard.gateway.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The admin API's bearer token ({@code AdminTokenFile}). Only its SHA-256 digest is kept, and requests
 * are compared digest to digest with {@link MessageDigest#isEqual}: the time taken says nothing about
 * how much of a guess was right, nor how long the token is. Immutable; any thread.
 */
public final class BearerToken {
    private static final String SCHEME = "Bearer ";

    private final byte[] digest;

    private BearerToken(byte[] digest) {
        this.digest = digest;
    }

    /** The token given as bytes (e.g. for tests); the caller may zero its array afterwards. */
    public static BearerToken of(byte[] token) {
        if (token.length == 0) {
            throw new IllegalArgumentException("the admin token is empty");
        }
        return new BearerToken(sha256(token));
    }

    /**
     * Reads the token file: its content without surrounding whitespace (a trailing newline is usual).
     *
     * @throws IOException when it cannot be read or is empty
     */
    public static BearerToken read(Path file) throws IOException {
        byte[] raw = Files.readAllBytes(file);
        try {
            int start = 0;
            int end = raw.length;
            while (start < end && Character.isWhitespace(raw[start])) {
                start++;
            }
            while (end > start && Character.isWhitespace(raw[end - 1])) {
                end--;
            }
            if (start == end) {
                throw new IOException(file + ": the admin token file is empty");
            }
            byte[] token = Arrays.copyOfRange(raw, start, end);
            try {
                return of(token);
            } finally {
                Arrays.fill(token, (byte) 0);
            }
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /** True if {@code authorization} (the header's value, may be null) is {@code Bearer <this token>}. */
    public boolean matches(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return false;
        }
        byte[] given = authorization.substring(SCHEME.length()).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(digest, sha256(given));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "BearerToken[(hidden)]";
    }
}
