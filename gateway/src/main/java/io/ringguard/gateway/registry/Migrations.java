package io.ringguard.gateway.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The registry's schema, as ordered SQL resources {@code migrations/V001__name.sql}, ... next to this
 * class; version N is the N-th file. {@link #migrate} runs at every open: in one transaction, under
 * the dialect's migration lock, it creates {@code schema_version} if needed, applies the versions the
 * database lacks and records each. Re-running it is a no-op; a database newer than the code is refused.
 *
 * <p>Never edit a released migration: add the next file, and add it to {@link #DEFAULT}.
 */
final class Migrations {
    static final Migrations DEFAULT = new Migrations(List.of("migrations/V001__registry.sql"));

    private final List<String> names;

    /** Resource paths relative to this class's package, version 1 first. */
    Migrations(List<String> names) {
        this.names = List.copyOf(names);
        for (int i = 0; i < names.size(); i++) {
            String expected = String.format("V%03d__", i + 1);
            String file = names.get(i).substring(names.get(i).lastIndexOf('/') + 1);
            if (!file.startsWith(expected)) {
                throw new IllegalArgumentException("migration " + (i + 1) + " must be named " + expected + "...");
            }
        }
    }

    /** The newest version these migrations produce. */
    int latestVersion() {
        return names.size();
    }

    /**
     * Brings the schema to {@link #latestVersion()} in the caller's transaction (not committed here).
     *
     * @return the version the database was at before
     * @throws SchemaTooNewException when the database is at a newer version
     */
    int migrate(Connection connection, SqlDialect dialect, long nowMs) throws SQLException {
        dialect.lockForMigration(connection);
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY,"
                    + " name TEXT NOT NULL, applied_at_ms BIGINT NOT NULL)");
        }
        int current = currentVersion(connection);
        if (current > latestVersion()) {
            throw new SchemaTooNewException(current, latestVersion());
        }
        for (int version = current + 1; version <= latestVersion(); version++) {
            String name = names.get(version - 1);
            for (String statement : statements(read(name))) {
                try (Statement s = connection.createStatement()) {
                    s.execute(dialect.ddl(statement));
                } catch (SQLException e) {
                    throw new SQLException("migration " + name + " failed: " + e.getMessage(), e.getSQLState(), e);
                }
            }
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO schema_version (version, name, applied_at_ms) VALUES (?, ?, ?)")) {
                insert.setInt(1, version);
                insert.setString(2, name);
                insert.setLong(3, nowMs);
                insert.executeUpdate();
            }
        }
        return current;
    }

    static int currentVersion(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private String read(String name) {
        try (InputStream in = Migrations.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("migration resource " + name + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read migration " + name, e);
        }
    }

    /** Splits at ';' that ends a line; drops {@code --} comment lines and blank statements. */
    static List<String> statements(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                continue;
            }
            if (trimmed.endsWith(";")) {
                current.append(trimmed, 0, trimmed.length() - 1);
                out.add(current.toString().strip());
                current.setLength(0);
            } else {
                current.append(line).append('\n');
            }
        }
        if (!current.toString().isBlank()) {
            out.add(current.toString().strip());
        }
        return out;
    }
}
