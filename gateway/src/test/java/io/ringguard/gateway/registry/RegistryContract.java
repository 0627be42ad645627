package io.ringguard.gateway.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.Endpoint;
import io.ringguard.dataplane.config.PublicKey;
import io.ringguard.gateway.config.Storage;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The registry and accounting suite, run unchanged against every storage backend: a subclass names a
 * fresh, empty database per test ({@link #newStorage()}).
 */
abstract class RegistryContract {
    static final List<Cidr> POOL = List.of(Cidr.parse("198.18.0.0/24"), Cidr.parse("fd00:1::/64"));
    static final List<InetAddress> GATEWAY = List.of(ip("198.18.0.1"), ip("fd00:1::1"));

    private final AtomicLong clockMs = new AtomicLong(1_700_000_000_000L);
    private final List<JdbcRegistryStore> opened = new ArrayList<>();
    private Storage storage;

    /** A new, empty database for one test. */
    abstract Storage newStorage() throws Exception;

    @BeforeEach
    void createDatabase() throws Exception {
        storage = newStorage();
    }

    @AfterEach
    void closeStores() {
        opened.forEach(JdbcRegistryStore::close);
    }

    // ---------------------------------------------------------------- schema

    @Test
    void shouldMigrateAnEmptyDatabaseAndTreatARerunAsANoOp() throws SQLException {
        JdbcRegistryStore store = open();
        assertEquals(1, store.schemaVersion());
        PeerRegistry registry = registry(store, POOL);
        registry.register(RegistrationRequest.of(key(1)));
        store.close();

        JdbcRegistryStore again = open();
        assertEquals(1, again.schemaVersion());
        assertEquals(1, count(again, "SELECT COUNT(*) FROM schema_version"));
        assertEquals(1, again.list().size(), "the re-run kept the data");
    }

    @Test
    void shouldRefuseADatabaseWithANewerSchema() throws SQLException {
        JdbcRegistryStore store = open();
        execute(store, "INSERT INTO schema_version (version, name, applied_at_ms) VALUES (99, 'V099__future.sql', 0)");
        store.close();

        SchemaTooNewException e = assertThrows(SchemaTooNewException.class, this::open);
        assertTrue(e.getMessage().contains("99"), e.getMessage());
    }

    @Test
    void shouldApplyALaterMigrationOnceAndThenRefuseOlderCode() throws SQLException {
        open().close();
        Migrations newer = new Migrations(List.of("migrations/V001__registry.sql", "testmigrations/V002__extra.sql"));
        JdbcRegistryStore store = track(JdbcRegistryStore.open(storage, newer, clockMs::get));
        assertEquals(2, store.schemaVersion());
        execute(store, "INSERT INTO extra (id, note) VALUES (1, 'x')");
        store.close();
        assertEquals(
                2, track(JdbcRegistryStore.open(storage, newer, clockMs::get)).schemaVersion());

        assertThrows(SchemaTooNewException.class, this::open, "version 1 code must not run on version 2");
    }

    @Test
    void shouldRollBackAMigrationThatFailsHalfway() throws SQLException {
        open().close();
        Migrations broken = new Migrations(List.of("migrations/V001__registry.sql", "testmigrations/V002__broken.sql"));
        StorageException e =
                assertThrows(StorageException.class, () -> JdbcRegistryStore.open(storage, broken, clockMs::get));
        assertTrue(e.getMessage().contains("V002__broken.sql"), e.getMessage());

        JdbcRegistryStore store = open();
        assertEquals(1, store.schemaVersion());
        assertThrows(StorageException.class, () -> count(store, "SELECT COUNT(*) FROM half_done"));
    }

    // ---------------------------------------------------------------- registration and pool

    @Test
    void shouldRegisterIdempotentlyKeepingAddressesCountersAndTheHandle() {
        PeerRegistry registry = registry(open(), POOL);
        byte[] psk = bytes(7);
        RegistrationRequest request =
                new RegistrationRequest(key(1), psk, 10_000, null, Endpoint.parse("198.18.1.1:51820"));

        PeerRegistry.Registration first = registry.register(request);
        assertTrue(first.created());
        assertEquals(
                List.of(Cidr.parse("198.18.0.2/32"), Cidr.parse("fd00:1::2/128")),
                first.record().addresses());
        assertEquals(first.record().addresses(), first.record().allowedIps(), "routes default to the addresses");
        assertArrayEquals(psk, registry.get(key(1)).orElseThrow().presharedKey(), "psk stored as given");
        AccountingHandle handle = registry.accounting().handle(key(1));

        FakeCounters peer = new FakeCounters();
        registry.accounting().attach(key(1), peer.source());
        peer.add(100, 200);
        registry.accounting().sync(clockMs.get());
        peer.add(1, 2);

        PeerRegistry.Registration second = registry.register(request);
        assertFalse(second.created());
        assertEquals(first.record().addresses(), second.record().addresses());
        assertSame(handle, registry.accounting().handle(key(1)), "one accounting handle per key");
        assertEquals(1, registry.accounting().size());
        assertEquals(
                new ByteTotals(101, 202), registry.accounting().totals(key(1)).orElseThrow());
        assertEquals(1, registry.list().size());
    }

    @Test
    void shouldSkipNetworkBroadcastAndGatewayAddresses() {
        List<Cidr> tiny = List.of(Cidr.parse("198.18.0.0/29"));
        PeerRegistry registry = registry(open(), tiny);
        Set<Cidr> handedOut = new HashSet<>();
        for (int i = 1; i <= 5; i++) {
            handedOut.addAll(
                    registry.register(RegistrationRequest.of(key(i))).record().addresses());
        }
        Set<Cidr> expected = new HashSet<>();
        for (int host = 2; host <= 6; host++) {
            expected.add(Cidr.parse("198.18.0." + host + "/32"));
        }
        assertEquals(expected, handedOut, ".0 is the network, .1 the gateway, .7 the broadcast");
    }

    @Test
    void shouldFailWithAClearErrorWhenThePoolIsExhaustedAndLeakNothing() {
        List<Cidr> tiny = List.of(Cidr.parse("198.18.0.0/29"), Cidr.parse("fd00:1::/64"));
        JdbcRegistryStore store = open();
        PeerRegistry registry = registry(store, tiny);
        for (int i = 1; i <= 5; i++) {
            registry.register(RegistrationRequest.of(key(i)));
        }
        PoolExhaustedException e =
                assertThrows(PoolExhaustedException.class, () -> registry.register(RegistrationRequest.of(key(6))));
        assertTrue(e.getMessage().contains("IPv4") && e.getMessage().contains("no free address"), e.getMessage());
        assertEquals(10, store.allocatedAddresses().size(), "five peers, two addresses each, no reservation left");
        assertTrue(registry.get(key(6)).isEmpty());
    }

    @Test
    void shouldReleaseTheReservationWhenALaterStepFails() {
        JdbcRegistryStore store = open();
        PeerRegistry registry = registry(store, POOL);
        List<Cidr> reserved = new ArrayList<>();
        assertThrows(IllegalStateException.class, () -> {
            try (PeerRegistry.Pending pending = registry.prepare(RegistrationRequest.of(key(1)))) {
                reserved.addAll(pending.record().addresses());
                assertTrue(store.allocatedAddresses().containsAll(reserved));
                failingDataplaneAdd();
                pending.commit();
            }
        });
        assertEquals(2, reserved.size());
        assertTrue(store.allocatedAddresses().isEmpty(), "reservation released");
        assertTrue(registry.get(key(1)).isEmpty());
        assertEquals(
                reserved,
                registry.register(RegistrationRequest.of(key(2))).record().addresses());
    }

    @Test
    void shouldReleaseTheReservationWhenStoringThePeerFails() {
        JdbcRegistryStore store = open();
        PeerRegistry registry = registry(store, POOL);
        store.commitHook(failOn("insert peer", 1, true));
        assertThrows(StorageException.class, () -> registry.register(RegistrationRequest.of(key(1))));
        store.commitHook(JdbcRegistryStore.CommitHook.NONE);

        assertTrue(store.allocatedAddresses().isEmpty());
        assertTrue(registry.get(key(1)).isEmpty());
        assertNull(registry.accounting().handle(key(1)), "no handle for a peer that was not stored");
        assertTrue(registry.register(RegistrationRequest.of(key(1))).created());
    }

    @Test
    void shouldHoldARemovedPeersAddressesUntilReleased() {
        PeerRegistry registry = registry(open(), POOL);
        List<Cidr> first =
                registry.register(RegistrationRequest.of(key(1))).record().addresses();
        PeerRegistry.Removal removal = registry.remove(key(1)).orElseThrow();
        assertNull(registry.accounting().handle(key(1)));

        List<Cidr> second =
                registry.register(RegistrationRequest.of(key(2))).record().addresses();
        assertNotEquals(first.get(0), second.get(0), "still routed by the dataplane: not handed out");

        assertEquals(2, removal.releaseAddresses());
        assertEquals(
                first,
                registry.register(RegistrationRequest.of(key(3))).record().addresses());
        assertTrue(registry.remove(key(1)).isEmpty(), "unknown key");
    }

    @Test
    void shouldReclaimReservationsLeftByACrash() {
        JdbcRegistryStore store = open();
        PeerRegistry registry = registry(store, POOL);
        registry.pool().allocate(key(1)); // the gateway died before committing or releasing
        clockMs.addAndGet(600_000);
        assertEquals(2, registry.reclaimStaleAllocations(60_000));
        assertTrue(store.allocatedAddresses().isEmpty());
    }

    @Test
    void shouldUpdatePskAllowanceAndAllowedIpsAndPersistThem() {
        JdbcRegistryStore store = open();
        PeerRegistry registry = registry(store, POOL);
        registry.register(RegistrationRequest.of(key(1)));
        clockMs.addAndGet(5_000);
        PeerUpdate update = PeerUpdate.NONE
                .withPresharedKey(bytes(9))
                .withAllowanceBytes(4096)
                .withAllowedIps(List.of(Cidr.parse("198.18.0.2/32"), Cidr.parse("198.18.5.0/24")));
        PeerRecord updated = registry.update(key(1), update).orElseThrow();
        assertEquals(clockMs.get(), updated.updatedAtMs());
        store.close();

        PeerRegistry reopened = registry(open(), POOL);
        PeerRecord r = reopened.get(key(1)).orElseThrow();
        assertArrayEquals(bytes(9), r.presharedKey());
        assertEquals(4096, r.allowanceBytes());
        assertEquals(List.of(Cidr.parse("198.18.0.2/32"), Cidr.parse("198.18.5.0/24")), r.allowedIps());
        assertEquals(4096, reopened.accounting().handle(key(1)).allowanceBytes());

        PeerRecord cleared =
                reopened.update(key(1), PeerUpdate.NONE.withPresharedKey(null)).orElseThrow();
        assertNull(cleared.presharedKey());
        assertTrue(reopened.update(key(2), update).isEmpty());
    }

    @Test
    void shouldRegisterOnceUnderConcurrentDuplicateRegistrationsWhileTrafficFlows() throws Exception {
        PeerRegistry registry = registry(open(), POOL);
        FakeCounters peer = new FakeCounters();
        registry.register(RegistrationRequest.of(key(1)));
        registry.accounting().attach(key(1), peer.source());
        AtomicInteger created = new AtomicInteger();
        Set<List<Cidr>> addresses = java.util.concurrent.ConcurrentHashMap.newKeySet();
        runConcurrently(4, worker -> {
            for (int i = 0; i < 25; i++) {
                peer.add(3, 5);
                PeerRegistry.Registration r = registry.register(RegistrationRequest.of(key(1)));
                addresses.add(r.record().addresses());
                if (r.created()) {
                    created.incrementAndGet();
                }
                PeerRegistry.Registration other = registry.register(RegistrationRequest.of(key(100 + worker)));
                addresses.add(other.record().addresses());
                registry.accounting().sync(clockMs.get());
            }
        });
        assertEquals(0, created.get(), "registered before the threads started");
        assertEquals(5, addresses.size(), "one set of addresses per key");
        assertEquals(5, registry.accounting().size());
        registry.accounting().sync(clockMs.get());
        assertEquals(peer.totals(), registry.get(key(1)).orElseThrow().storedTotals());
    }

    // ---------------------------------------------------------------- accounting

    @Test
    void shouldApplyEachDeltaExactlyOnceWhenEveryOtherCommitFails() {
        JdbcRegistryStore store = open();
        PeerRegistry registry = registry(store, POOL);
        List<FakeCounters> peers = registerWithCounters(registry, 3);
        AtomicInteger syncs = new AtomicInteger();
        store.commitHook(new JdbcRegistryStore.CommitHook() {
            @Override
            public void beforeCommit(String operation) throws SQLException {
                if (operation.equals("apply deltas") && syncs.incrementAndGet() % 2 == 0) {
                    throw new SQLException("injected commit failure");
                }
            }
        });
        Random random = new Random(6);
        int failures = 0;
        for (int round = 0; round < 40; round++) {
            for (FakeCounters p : peers) {
                p.add(random.nextInt(10_000), random.nextInt(10_000));
            }
            try {
                registry.accounting().sync(clockMs.get());
            } catch (StorageException e) {
                failures++;
            }
            for (int i = 0; i < peers.size(); i++) {
                ByteTotals stored = registry.get(key(i + 1)).orElseThrow().storedTotals();
                ByteTotals counted = peers.get(i).totals();
                assertTrue(stored.rxBytes() <= counted.rxBytes() && stored.txBytes() <= counted.txBytes());
                assertEquals(counted, registry.accounting().totals(key(i + 1)).orElseThrow(), "API view exact");
            }
        }
        assertEquals(20, failures);
        store.commitHook(JdbcRegistryStore.CommitHook.NONE);
        registry.accounting().sync(clockMs.get());
        for (int i = 0; i < peers.size(); i++) {
            assertEquals(
                    peers.get(i).totals(),
                    registry.get(key(i + 1)).orElseThrow().storedTotals());
        }
    }

    @Test
    void shouldNotApplyADeltaTwiceWhenTheCommitAcknowledgementIsLost() {
        JdbcRegistryStore store = open();
        PeerRegistry registry = registry(store, POOL);
        FakeCounters peer = registerWithCounters(registry, 1).get(0);
        peer.add(1000, 2000);
        store.commitHook(failOn("apply deltas", 1, false));
        assertThrows(StorageException.class, () -> registry.accounting().sync(clockMs.get()));
        store.commitHook(JdbcRegistryStore.CommitHook.NONE);
        assertEquals(
                new ByteTotals(1000, 2000), registry.get(key(1)).orElseThrow().storedTotals(), "committed");
        assertEquals(
                new ByteTotals(1000, 2000), registry.accounting().totals(key(1)).orElseThrow());

        peer.add(5, 6);
        SyncResult result = registry.accounting().sync(clockMs.get());
        assertTrue(result.recoveredCommit());
        assertEquals(
                new ByteTotals(1005, 2006), registry.get(key(1)).orElseThrow().storedTotals());
        assertEquals(
                new ByteTotals(1005, 2006), registry.accounting().totals(key(1)).orElseThrow());
    }

    @Test
    void shouldKeepBytesCountedDuringASyncForTheNext() {
        JdbcRegistryStore store = open();
        PeerRegistry registry = registry(store, POOL);
        FakeCounters peer = registerWithCounters(registry, 1).get(0);
        peer.add(100, 100);
        store.commitHook(new JdbcRegistryStore.CommitHook() {
            @Override
            public void beforeCommit(String operation) {
                if (operation.equals("apply deltas")) {
                    peer.add(7, 9); // traffic while the transaction is open
                }
            }
        });
        SyncResult result = registry.accounting().sync(clockMs.get());
        assertEquals(100, result.rxBytes());
        assertEquals(
                new ByteTotals(100, 100), registry.get(key(1)).orElseThrow().storedTotals());
        assertEquals(
                new ByteTotals(107, 109), registry.accounting().totals(key(1)).orElseThrow());
        store.commitHook(JdbcRegistryStore.CommitHook.NONE);
        registry.accounting().sync(clockMs.get());
        assertEquals(
                new ByteTotals(107, 109), registry.get(key(1)).orElseThrow().storedTotals());
    }

    @Test
    void shouldCountExactlyUnderConcurrentSyncsAndFailures() throws Exception {
        JdbcRegistryStore store = open();
        PeerRegistry registry = registry(store, POOL);
        List<FakeCounters> peers = registerWithCounters(registry, 4);
        AtomicInteger commits = new AtomicInteger();
        store.commitHook(new JdbcRegistryStore.CommitHook() {
            @Override
            public void beforeCommit(String operation) throws SQLException {
                if (operation.equals("apply deltas") && commits.incrementAndGet() % 3 == 0) {
                    throw new SQLException("injected");
                }
            }

            @Override
            public void afterCommit(String operation) throws SQLException {
                if (operation.equals("apply deltas") && commits.get() % 7 == 0) {
                    throw new SQLException("injected lost acknowledgement");
                }
            }
        });
        AtomicBoolean syncsDone = new AtomicBoolean();
        Thread traffic = new Thread(() -> {
            for (int i = 0; i < 50_000_000 && !syncsDone.get(); i++) {
                peers.get(i % peers.size()).add(i % 1500, 1);
                Thread.yield();
            }
        });
        traffic.start();
        try {
            runConcurrently(2, worker -> {
                for (int i = 0; i < 150; i++) {
                    peers.get((worker + i) % peers.size()).add(100, 100);
                    try {
                        registry.accounting().sync(clockMs.get());
                    } catch (StorageException e) {
                        // Injected; the next sync retries.
                    }
                }
            });
        } finally {
            syncsDone.set(true);
        }
        traffic.join(TimeUnit.SECONDS.toMillis(30));
        store.commitHook(JdbcRegistryStore.CommitHook.NONE);
        registry.accounting().sync(clockMs.get());
        for (int i = 0; i < peers.size(); i++) {
            assertEquals(
                    peers.get(i).totals(),
                    registry.get(key(i + 1)).orElseThrow().storedTotals(),
                    "peer " + i);
        }
        assertTrue(commits.get() >= 150, "the syncs did run: " + commits.get());
    }

    @Test
    void shouldContinueFromStoredTotalsWhenAPeerIsReAdded() {
        PeerRegistry registry = registry(open(), POOL);
        registry.register(RegistrationRequest.of(key(1)));
        AccountingSync accounting = registry.accounting();
        FakeCounters oldPeer = new FakeCounters();
        accounting.attach(key(1), oldPeer.source());
        oldPeer.add(100, 200);
        accounting.sync(clockMs.get());
        oldPeer.add(30, 40); // the unsynced tail
        accounting.attach(key(1), oldPeer.source()); // the same Peer again: not a new source

        accounting.detach(key(1));
        oldPeer.add(1, 1); // still in the rings when it was removed
        FakeCounters newPeer = new FakeCounters();
        accounting.attach(key(1), newPeer.source());
        newPeer.add(5, 6);
        assertEquals(new ByteTotals(136, 247), accounting.totals(key(1)).orElseThrow());

        accounting.sync(clockMs.get());
        assertEquals(
                new ByteTotals(136, 247), registry.get(key(1)).orElseThrow().storedTotals());
        accounting.sync(clockMs.get());
        accounting.sync(clockMs.get());
        assertEquals(0, accounting.handle(key(1)).retiredSources(), "the old source is forgotten once synced");
        newPeer.add(4, 3);
        accounting.sync(clockMs.get());
        assertEquals(
                new ByteTotals(140, 250), registry.get(key(1)).orElseThrow().storedTotals());
    }

    @Test
    void shouldPreserveTotalsAcrossARestart() {
        JdbcRegistryStore store = open();
        PeerRegistry registry = registry(store, POOL);
        FakeCounters before = registerWithCounters(registry, 1).get(0);
        before.add(1_000_000, 2_000_000);
        registry.accounting().sync(clockMs.get());
        before.add(10, 20);
        registry.accounting().sync(clockMs.get()); // the shutdown flush
        ByteTotals shown = registry.accounting().totals(key(1)).orElseThrow();
        store.close();

        PeerRegistry restarted = registry(open(), POOL);
        assertEquals(shown, restarted.accounting().totals(key(1)).orElseThrow(), "not backwards");
        FakeCounters after = new FakeCounters(); // the new process's Peer counts from zero
        restarted.accounting().attach(key(1), after.source());
        after.add(7, 8);
        assertEquals(shown.plus(7, 8), restarted.accounting().totals(key(1)).orElseThrow());
        restarted.accounting().sync(clockMs.get());
        assertEquals(shown.plus(7, 8), restarted.get(key(1)).orElseThrow().storedTotals());
    }

    @Test
    void shouldReportRemainingBytesAndExhaustion() {
        PeerRegistry registry = registry(open(), POOL);
        registry.register(new RegistrationRequest(key(1), null, 1000, null, null));
        AccountingSync accounting = registry.accounting();
        FakeCounters peer = new FakeCounters();
        accounting.attach(key(1), peer.source());
        peer.add(600, 0);
        assertEquals(400, accounting.remainingBytes(key(1)));
        assertFalse(accounting.exhausted(key(1)));
        accounting.sync(clockMs.get());
        peer.add(0, 500);
        assertEquals(0, accounting.remainingBytes(key(1)), "never negative");
        assertTrue(accounting.exhausted(key(1)), "exhausted before any sync stored it");

        registry.update(key(1), PeerUpdate.NONE.withAllowanceBytes(5000));
        assertEquals(3900, accounting.remainingBytes(key(1)));
        assertFalse(accounting.exhausted(key(1)));
        registry.update(key(1), PeerUpdate.NONE.withAllowanceBytes(PeerRecord.UNLIMITED));
        assertEquals(Long.MAX_VALUE, accounting.remainingBytes(key(1)));
        assertFalse(accounting.exhausted(key(2)), "unknown key");
    }

    @Test
    void shouldDropTheAccountWithThePeer() {
        PeerRegistry registry = registry(open(), POOL);
        FakeCounters peer = registerWithCounters(registry, 1).get(0);
        peer.add(50, 50);
        registry.remove(key(1)).orElseThrow().releaseAddresses();
        SyncResult result = registry.accounting().sync(clockMs.get());
        assertEquals(0, result.peers());
        assertFalse(registry.accounting().attach(key(1), peer.source()), "not registered any more");

        registry.register(RegistrationRequest.of(key(1)));
        assertEquals(ByteTotals.ZERO, registry.accounting().totals(key(1)).orElseThrow(), "a new account");
    }

    // ---------------------------------------------------------------- helpers

    JdbcRegistryStore open() {
        return track(JdbcRegistryStore.open(storage, clockMs::get));
    }

    private JdbcRegistryStore track(JdbcRegistryStore store) {
        opened.add(store);
        return store;
    }

    private PeerRegistry registry(RegistryStore store, List<Cidr> pool) {
        return new PeerRegistry(store, new AddressPool(store, pool, GATEWAY, clockMs::get), clockMs::get);
    }

    private List<FakeCounters> registerWithCounters(PeerRegistry registry, int n) {
        List<FakeCounters> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            registry.register(RegistrationRequest.of(key(i)));
            FakeCounters c = new FakeCounters();
            assertTrue(registry.accounting().attach(key(i), c.source()));
            out.add(c);
        }
        return out;
    }

    private static JdbcRegistryStore.CommitHook failOn(String operation, int nth, boolean beforeCommit) {
        AtomicInteger seen = new AtomicInteger();
        return new JdbcRegistryStore.CommitHook() {
            @Override
            public void beforeCommit(String op) throws SQLException {
                if (beforeCommit && op.equals(operation) && seen.incrementAndGet() == nth) {
                    throw new SQLException("injected failure before commit of " + op);
                }
            }

            @Override
            public void afterCommit(String op) throws SQLException {
                if (!beforeCommit && op.equals(operation) && seen.incrementAndGet() == nth) {
                    throw new SQLException("injected lost acknowledgement of " + op);
                }
            }
        };
    }

    private static void failingDataplaneAdd() {
        throw new IllegalStateException("dataplane refused the peer");
    }

    @FunctionalInterface
    interface Worker {
        void run(int index) throws Exception;
    }

    private static void runConcurrently(int threads, Worker worker) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int index = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    worker.run(index);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static long count(JdbcRegistryStore store, String sql) {
        try (Connection c = connect(store);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new StorageException(e.getMessage(), e);
        }
    }

    private static void execute(JdbcRegistryStore store, String sql) throws SQLException {
        try (Connection c = connect(store);
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static Connection connect(JdbcRegistryStore store) throws SQLException {
        return DriverManager.getConnection(store.jdbcUrl(), store.dialect().connectionProperties());
    }

    static PublicKey key(int n) {
        byte[] k = new byte[32];
        k[0] = (byte) n;
        k[1] = (byte) (n >> 8);
        k[31] = 0x42;
        return PublicKey.of(k);
    }

    private static byte[] bytes(int fill) {
        byte[] b = new byte[32];
        java.util.Arrays.fill(b, (byte) fill);
        return b;
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
