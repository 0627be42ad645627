package io.ringguard.gateway.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A configuration file that cannot be used, with the place to fix it: the file, the 1-based line
 * and the key, printed as one line like {@code wg0.conf:7: PublicKey: not a valid base64 key}.
 *
 * <p>The message never holds a secret value: reasons describe what is wrong with a value, they do
 * not quote it when the key is secret. {@code ringguard up} prints the message and exits 2
 * (CONTRACTS.md section 1). Immutable; any thread.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The line of an error about the file as a whole (unreadable, too large, badly named). */
    public static final int WHOLE_FILE = 0;

    private final transient Path file;
    private final int line;
    private final String key;
    private final String reason;

    /**
     * @param file the file as the user named it
     * @param line 1-based line, or {@link #WHOLE_FILE}
     * @param key the key or section the error is about as the user should search for it, or
     *     {@code null} when there is none
     * @param reason what is wrong, without any secret value
     */
    public ConfigException(Path file, int line, String key, String reason) {
        this(file, line, key, reason, null);
    }

    public ConfigException(Path file, int line, String key, String reason, Throwable cause) {
        super(format(file, line, key, reason), cause);
        this.file = Objects.requireNonNull(file, "file");
        this.line = line;
        this.key = key;
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    private static String format(Path file, int line, String key, String reason) {
        StringBuilder out = new StringBuilder(96).append(file);
        if (line != WHOLE_FILE) {
            out.append(':').append(line);
        }
        out.append(": ");
        if (key != null) {
            out.append(key).append(": ");
        }
        return out.append(reason).toString();
    }

    public Path file() {
        return file;
    }

    /** 1-based line number, or {@link #WHOLE_FILE}. */
    public int line() {
        return line;
    }

    public Optional<String> key() {
        return Optional.ofNullable(key);
    }

    /** The reason alone, without the file, line and key. */
    public String reason() {
        return reason;
    }
}
