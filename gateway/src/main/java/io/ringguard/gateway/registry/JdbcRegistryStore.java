package io.ringguard.gateway.registry;

import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.Endpoint;
import io.ringguard.dataplane.config.PublicKey;
import io.ringguard.gateway.config.Storage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * {@link RegistryStore} over JDBC: an embedded SQLite file ({@code sqlite:/path}) or a PostgreSQL
 * server ({@code jdbc:postgresql://...}). Opening runs the {@link Migrations}.
 *
 * <p>One connection, used under a lock by one transaction at a time: the registry's load is a sync
 * every few seconds and occasional API calls, and one connection keeps SQLite's single writer and
 * the transaction boundaries obvious. A connection that fails is closed and reopened by the next
 * call. Any thread.
 */
public final class JdbcRegistryStore implements RegistryStore {
    private static final String PEER_COLUMNS = "public_key, preshared_key, allowed_ips, addresses, endpoint,"
            + " allowance_bytes, rx_bytes, tx_bytes, created_at_ms, updated_at_ms";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final String jdbcUrl;
    private final SqlDialect dialect;
    private final ReentrantLock lock = new ReentrantLock();
    private Connection connection; // guarded by lock
    private CommitHook commitHook = CommitHook.NONE; // guarded by lock
    private boolean closed; // guarded by lock
    private final int schemaVersion;

    /** Test seam: runs around each commit, inside the store's lock. */
    interface CommitHook {
        CommitHook NONE = new CommitHook() {};

        /** Throwing here rolls the transaction back, as a failed commit would. */
        default void beforeCommit(String operation) throws SQLException {}

        /** Throwing here reports a failure for a transaction that did commit: a lost acknowledgement. */
        default void afterCommit(String operation) throws SQLException {}
    }

    private JdbcRegistryStore(String jdbcUrl, SqlDialect dialect, Migrations migrations, LongSupplier clockMs) {
        this.jdbcUrl = jdbcUrl;
        this.dialect = dialect;
        try {
            this.schemaVersion = transaction("migrate", c -> {
                migrations.migrate(c, dialect, clockMs.getAsLong());
                return Migrations.currentVersion(c);
            });
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Opens (creating and migrating as needed) the store a config's {@code Storage} names. */
    public static JdbcRegistryStore open(Storage storage, LongSupplier clockMs) {
        return open(storage, Migrations.DEFAULT, clockMs);
    }

    static JdbcRegistryStore open(Storage storage, Migrations migrations, LongSupplier clockMs) {
        return switch (storage) {
            case Storage.Sqlite sqlite -> {
                prepareSqliteFile(sqlite.file());
                yield new JdbcRegistryStore(
                        "jdbc:sqlite:" + sqlite.file().toAbsolutePath(), SqlDialect.SQLITE, migrations, clockMs);
            }
            case Storage.Postgres pg -> new JdbcRegistryStore(pg.jdbcUrl(), SqlDialect.POSTGRES, migrations, clockMs);
        };
    }

    /**
     * The database holds preshared keys: its directory is created 0700 and the file 0600 before SQLite
     * first opens it (SQLite gives its -wal and -shm files the database file's mode).
     */
    private static void prepareSqliteFile(Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null && !Files.isDirectory(dir)) {
                Files.createDirectories(
                        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            if (!Files.exists(file)) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } else if (!Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(file, OWNER_ONLY);
            }
        } catch (IOException e) {
            throw new StorageException("cannot prepare the registry database " + file + ": " + e.getMessage(), e);
        }
    }

    SqlDialect dialect() {
        return dialect;
    }

    String jdbcUrl() {
        return jdbcUrl;
    }

    void commitHook(CommitHook hook) {
        lock.lock();
        try {
            commitHook = hook;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int schemaVersion() {
        return schemaVersion;
    }

    @Override
    public Optional<PeerRecord> find(PublicKey publicKey) {
        return transaction("find peer", c -> Optional.ofNullable(select(c, publicKey, false)));
    }

    @Override
    public List<PeerRecord> list() {
        return transaction("list peers", c -> {
            List<PeerRecord> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(
                            "SELECT " + PEER_COLUMNS + " FROM peers ORDER BY created_at_ms, public_key");
                    ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(peer(rs));
                }
            }
            return out;
        });
    }

    @Override
    public boolean insertPeer(PeerRecord r) {
        return transaction("insert peer", c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO peers (" + PEER_COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (public_key) DO NOTHING")) {
                s.setString(1, r.publicKey().toString());
                setBytes(s, 2, r.presharedKey());
                s.setString(3, join(r.allowedIps()));
                s.setString(4, join(r.addresses()));
                s.setString(5, r.endpoint() == null ? null : r.endpoint().toString());
                setAllowance(s, 6, r.allowanceBytes());
                s.setLong(7, r.rxBytes());
                s.setLong(8, r.txBytes());
                s.setLong(9, r.createdAtMs());
                s.setLong(10, r.updatedAtMs());
                if (s.executeUpdate() == 0) {
                    return false;
                }
            }
            try (PreparedStatement s = c.prepareStatement("UPDATE address_allocations SET state = 'assigned'"
                    + " WHERE address = ? AND public_key = ? AND state = 'reserved'")) {
                for (Cidr address : r.addresses()) {
                    s.setString(1, address.toString());
                    s.setString(2, r.publicKey().toString());
                    if (s.executeUpdate() != 1) {
                        throw new StorageException(
                                "address " + address + " is not reserved for " + r.publicKey() + " any more");
                    }
                }
            }
            return true;
        });
    }

    @Override
    public Optional<PeerRecord> updatePeer(PublicKey publicKey, PeerUpdate update, long nowMs) {
        return transaction("update peer", c -> {
            PeerRecord current = select(c, publicKey, true);
            if (current == null) {
                return Optional.empty();
            }
            PeerRecord next = update.applyTo(current, nowMs);
            // The counters are not written here: a sync on another connection adds to them.
            try (PreparedStatement s = c.prepareStatement("UPDATE peers SET preshared_key = ?, allowed_ips = ?,"
                    + " endpoint = ?, allowance_bytes = ?, updated_at_ms = ? WHERE public_key = ?")) {
                setBytes(s, 1, next.presharedKey());
                s.setString(2, join(next.allowedIps()));
                s.setString(3, next.endpoint() == null ? null : next.endpoint().toString());
                setAllowance(s, 4, next.allowanceBytes());
                s.setLong(5, nowMs);
                s.setString(6, publicKey.toString());
                s.executeUpdate();
            }
            return Optional.of(next);
        });
    }

    @Override
    public Optional<PeerRecord> deletePeer(PublicKey publicKey, long nowMs) {
        return transaction("delete peer", c -> {
            PeerRecord current = select(c, publicKey, true);
            if (current == null) {
                return Optional.empty();
            }
            try (PreparedStatement s = c.prepareStatement("DELETE FROM peers WHERE public_key = ?")) {
                s.setString(1, publicKey.toString());
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("UPDATE address_allocations SET state = 'releasing',"
                    + " allocated_at_ms = ? WHERE public_key = ? AND state = 'assigned'")) {
                s.setLong(1, nowMs);
                s.setString(2, publicKey.toString());
                s.executeUpdate();
            }
            return Optional.of(current);
        });
    }

    @Override
    public Set<Cidr> allocatedAddresses() {
        return transaction("list allocations", c -> {
            Set<Cidr> out = new HashSet<>();
            try (PreparedStatement s = c.prepareStatement("SELECT address FROM address_allocations");
                    ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(Cidr.parse(rs.getString(1)));
                }
            }
            return out;
        });
    }

    @Override
    public boolean reserveAddress(Cidr address, PublicKey owner, long nowMs) {
        return transaction("reserve address", c -> {
            try (PreparedStatement s =
                    c.prepareStatement("INSERT INTO address_allocations (address, public_key, state, allocated_at_ms)"
                            + " VALUES (?, ?, 'reserved', ?) ON CONFLICT (address) DO NOTHING")) {
                s.setString(1, address.toString());
                s.setString(2, owner.toString());
                s.setLong(3, nowMs);
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public int releaseAddresses(PublicKey owner, Collection<Cidr> addresses) {
        return transaction("release addresses", c -> {
            int released = 0;
            // Never an assigned one: its peer still exists (e.g. the same key registered again).
            try (PreparedStatement s = c.prepareStatement("DELETE FROM address_allocations"
                    + " WHERE address = ? AND public_key = ? AND state <> 'assigned'")) {
                for (Cidr address : addresses) {
                    s.setString(1, address.toString());
                    s.setString(2, owner.toString());
                    released += s.executeUpdate();
                }
            }
            return released;
        });
    }

    @Override
    public int reclaimStaleAllocations(long olderThanMs) {
        return transaction("reclaim allocations", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "DELETE FROM address_allocations WHERE state <> 'assigned' AND allocated_at_ms < ?")) {
                s.setLong(1, olderThanMs);
                return s.executeUpdate();
            }
        });
    }

    @Override
    public Map<PublicKey, ByteTotals> applyDeltas(String writerId, long seq, List<CounterDelta> deltas, long nowMs) {
        return transaction("apply deltas", c -> {
            // Additive updates: another gateway sharing the database may charge the same row meanwhile.
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE peers SET rx_bytes = rx_bytes + ?, tx_bytes = tx_bytes + ? WHERE public_key = ?")) {
                for (CounterDelta d : deltas) {
                    s.setLong(1, d.rxBytes());
                    s.setLong(2, d.txBytes());
                    s.setString(3, d.publicKey().toString());
                    s.addBatch();
                }
                s.executeBatch();
            }
            Map<PublicKey, ByteTotals> totals = new HashMap<>();
            try (PreparedStatement s =
                    c.prepareStatement("SELECT rx_bytes, tx_bytes FROM peers WHERE public_key = ?")) {
                for (CounterDelta d : deltas) {
                    s.setString(1, d.publicKey().toString());
                    try (ResultSet rs = s.executeQuery()) {
                        if (rs.next()) {
                            totals.put(d.publicKey(), new ByteTotals(rs.getLong(1), rs.getLong(2)));
                        }
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO accounting_writers (writer_id, last_seq, updated_at_ms) VALUES (?, ?, ?)"
                            + " ON CONFLICT (writer_id) DO UPDATE SET last_seq = excluded.last_seq,"
                            + " updated_at_ms = excluded.updated_at_ms")) {
                s.setString(1, writerId);
                s.setLong(2, seq);
                s.setLong(3, nowMs);
                s.executeUpdate();
            }
            return totals;
        });
    }

    @Override
    public long lastAppliedSeq(String writerId) {
        return transaction("read sync ledger", c -> {
            try (PreparedStatement s =
                    c.prepareStatement("SELECT last_seq FROM accounting_writers WHERE writer_id = ?")) {
                s.setString(1, writerId);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : -1L;
                }
            }
        });
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            closeQuietly();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "JdbcRegistryStore[" + dialect + "]";
    }

    private PeerRecord select(Connection c, PublicKey key, boolean forUpdate) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + PEER_COLUMNS + " FROM peers WHERE public_key = ?"
                + (forUpdate ? dialect.forUpdate() : ""))) {
            s.setString(1, key.toString());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? peer(rs) : null;
            }
        }
    }

    private static PeerRecord peer(ResultSet rs) throws SQLException {
        long allowance = rs.getLong(6);
        if (rs.wasNull()) {
            allowance = PeerRecord.UNLIMITED;
        }
        String endpoint = rs.getString(5);
        return new PeerRecord(
                PublicKey.fromBase64(rs.getString(1)),
                rs.getBytes(2),
                split(rs.getString(3)),
                split(rs.getString(4)),
                endpoint == null ? null : Endpoint.parse(endpoint),
                allowance,
                rs.getLong(7),
                rs.getLong(8),
                rs.getLong(9),
                rs.getLong(10));
    }

    private static void setBytes(PreparedStatement s, int index, byte[] value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.BINARY);
        } else {
            s.setBytes(index, value);
        }
    }

    private static void setAllowance(PreparedStatement s, int index, long allowanceBytes) throws SQLException {
        if (allowanceBytes == PeerRecord.UNLIMITED) {
            s.setNull(index, Types.BIGINT);
        } else {
            s.setLong(index, allowanceBytes);
        }
    }

    private static String join(List<Cidr> cidrs) {
        StringBuilder out = new StringBuilder();
        for (Cidr c : cidrs) {
            if (!out.isEmpty()) {
                out.append(',');
            }
            out.append(c);
        }
        return out.toString();
    }

    private static List<Cidr> split(String text) {
        List<Cidr> out = new ArrayList<>();
        if (text != null && !text.isEmpty()) {
            for (String part : text.split(",")) {
                out.add(Cidr.parse(part));
            }
        }
        return out;
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    private <T> T transaction(String operation, SqlWork<T> work) {
        lock.lock();
        try {
            if (closed) {
                throw new StorageException("the registry store is closed");
            }
            Connection c = connection();
            T result;
            try {
                // Idle connections stay in autocommit mode: sqlite-jdbc begins the next transaction
                // as soon as one commits, and an IMMEDIATE one would hold the write lock while idle.
                c.setAutoCommit(false);
                result = work.run(c);
                commitHook.beforeCommit(operation);
                c.commit();
                c.setAutoCommit(true);
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                if (e instanceof RuntimeException re) {
                    throw re;
                }
                throw new StorageException(operation + " failed: " + e.getMessage(), e);
            }
            try {
                commitHook.afterCommit(operation);
            } catch (SQLException e) {
                closeQuietly();
                throw new StorageException(operation + ": commit outcome unknown: " + e.getMessage(), e);
            }
            return result;
        } finally {
            lock.unlock();
        }
    }

    private Connection connection() {
        if (connection != null) {
            return connection;
        }
        try {
            connection = DriverManager.getConnection(jdbcUrl, dialect.connectionProperties());
            return connection;
        } catch (SQLException e) {
            throw new StorageException(
                    "cannot connect to the registry database (" + dialect + "): " + e.getMessage(), e);
        }
    }

    private void rollbackQuietly(Connection c) {
        try {
            if (!c.getAutoCommit()) {
                c.rollback();
                c.setAutoCommit(true);
            }
            if (!c.isValid(2)) {
                closeQuietly();
            }
        } catch (SQLException e) {
            // A connection that cannot roll back is of no further use: the next call reconnects.
            closeQuietly();
        }
    }

    private void closeQuietly() {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // Closing a broken connection may fail; it is dropped either way.
        }
        connection = null;
    }
}
