package io.ringguard.gateway.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the peer registry lives: {@code Storage = sqlite:/path/file.db} (the default) or {@code
 * Storage = jdbc:postgresql://host/db?...} when several gateways share one registry.
 */
public sealed interface Storage permits Storage.Sqlite, Storage.Postgres {
    String SQLITE_PREFIX = "sqlite:";
    String POSTGRES_PREFIX = "jdbc:postgresql://";

    /** The value as the config file writes it (a PostgreSQL URL in full, credentials included). */
    String configValue();

    /** An embedded SQLite database file. */
    record Sqlite(Path file) implements Storage {
        public Sqlite {
            Objects.requireNonNull(file, "file");
        }

        @Override
        public String configValue() {
            return SQLITE_PREFIX + file;
        }

        @Override
        public String toString() {
            return configValue();
        }
    }

    /**
     * A PostgreSQL JDBC URL, passed to the driver as written.
     *
     * <p>The URL may carry a password ({@code ?password=...} or {@code user:password@}), so {@link
     * #toString()} prints only the scheme, host and database; {@link #jdbcUrl()} is the full URL.
     */
    record Postgres(String jdbcUrl) implements Storage {
        public Postgres {
            if (!jdbcUrl.startsWith(POSTGRES_PREFIX) || jdbcUrl.length() == POSTGRES_PREFIX.length()) {
                throw new IllegalArgumentException("expected " + POSTGRES_PREFIX + "host/database");
            }
        }

        @Override
        public String configValue() {
            return jdbcUrl;
        }

        /** The URL without user info and query: safe to log. */
        @Override
        public String toString() {
            String rest = jdbcUrl.substring(POSTGRES_PREFIX.length());
            int query = rest.indexOf('?');
            if (query >= 0) {
                rest = rest.substring(0, query) + "?(hidden)";
            }
            int at = rest.lastIndexOf('@', query >= 0 ? query : rest.length());
            if (at >= 0) {
                rest = "(hidden)@" + rest.substring(at + 1);
            }
            return POSTGRES_PREFIX + rest;
        }
    }
}
