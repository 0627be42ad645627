package io.ringguard.gateway.registry;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Where SQLite and PostgreSQL differ, and nothing else: the binary column type, how a transaction
 * takes the locks it needs, and the connection settings. All other SQL is common to both (including
 * {@code INSERT ... ON CONFLICT DO NOTHING}, SQLite 3.24+ and PostgreSQL 9.5+).
 */
enum SqlDialect {
    /**
     * Connections start {@code IMMEDIATE} transactions, so every transaction holds the database's write
     * lock from its first statement: no row locks are needed and two writers never deadlock upgrading
     * a read lock.
     */
    SQLITE("BLOB", "") {
        @Override
        Properties connectionProperties() {
            Properties p = new Properties();
            p.setProperty("journal_mode", "WAL");
            // FULL: a committed sync survives power loss, not only a crash of the process.
            p.setProperty("synchronous", "FULL");
            p.setProperty("busy_timeout", "10000");
            p.setProperty("transaction_mode", "IMMEDIATE");
            return p;
        }

        @Override
        void lockForMigration(Connection connection) {
            // The IMMEDIATE transaction already holds the write lock.
        }
    },

    /** Row locks ({@code SELECT ... FOR UPDATE}) for read-modify-write; an advisory lock for migrations. */
    POSTGRES("BYTEA", " FOR UPDATE") {
        @Override
        Properties connectionProperties() {
            return new Properties();
        }

        @Override
        void lockForMigration(Connection connection) throws SQLException {
            // Two gateways starting at once against one database: the second waits here, then sees the
            // migrations applied by the first.
            try (Statement s = connection.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK_KEY + ")");
            }
        }
    };

    /** An arbitrary constant naming RingGuard's migration lock among a database's advisory locks. */
    static final long MIGRATION_LOCK_KEY = 0x52474d49_47524154L;

    private final String bytesType;
    private final String forUpdate;

    SqlDialect(String bytesType, String forUpdate) {
        this.bytesType = bytesType;
        this.forUpdate = forUpdate;
    }

    /** Extra connection properties for the driver. */
    abstract Properties connectionProperties();

    /** Serializes migrations between processes; called first in the migration transaction. */
    abstract void lockForMigration(Connection connection) throws SQLException;

    /** A migration statement with the dialect's types substituted. */
    String ddl(String statement) {
        return statement.replace("%BYTES%", bytesType);
    }

    /** Appended to a SELECT whose rows the transaction will update. */
    String forUpdate() {
        return forUpdate;
    }
}
