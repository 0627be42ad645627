package io.ringguard.gateway.registry;

import io.ringguard.dataplane.config.PublicKey;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The registered peers: storage, the address pool and the accounting, kept consistent.
 *
 * <p>Registering a client with the dataplane step in between:
 *
 * <pre>{@code
 * try (PeerRegistry.Pending pending = registry.prepare(request)) {   // reserves addresses
 *     if (pending.isNew()) {
 *         device.addPeer(...pending.record()...);                    // may throw: reservation released
 *     }
 *     Registration done = pending.commit();                          // row inserted, addresses assigned
 * }
 * }</pre>
 *
 * Removing: {@link #remove} deletes the row and the accounting handle; the caller removes the peer
 * from the dataplane and only then calls {@link Removal#releaseAddresses()}.
 *
 * <p>Any thread. Opening restores one accounting handle per stored peer, from its stored totals.
 */
public final class PeerRegistry {
    private final RegistryStore store;
    private final AddressPool pool;
    private final AccountingSync accounting;
    private final LongSupplier clockMs;

    /**
     * @param clockMs wall clock, epoch ms (timestamps in rows; tests pass their own)
     */
    public PeerRegistry(RegistryStore store, AddressPool pool, LongSupplier clockMs) {
        this.store = store;
        this.pool = pool;
        this.clockMs = clockMs;
        this.accounting = new AccountingSync(store);
        for (PeerRecord r : store.list()) {
            accounting.open(r);
        }
    }

    /**
     * Frees reservations and releases older than {@code maxAgeMs}: what a gateway that stopped between
     * two steps left behind. Call at start; returns how many were freed.
     */
    public int reclaimStaleAllocations(long maxAgeMs) {
        return store.reclaimStaleAllocations(clockMs.getAsLong() - maxAgeMs);
    }

    public AccountingSync accounting() {
        return accounting;
    }

    public AddressPool pool() {
        return pool;
    }

    /**
     * @param record the peer as stored
     * @param created true if this call created it, false if the key was registered already
     */
    public record Registration(PeerRecord record, boolean created) {}

    /** A registration between its address reservation and its commit. Close it always. */
    public final class Pending implements AutoCloseable {
        private final PeerRecord record;
        private final AddressPool.Allocation allocation; // null for an existing peer
        private Registration result;

        private Pending(PeerRecord record, AddressPool.Allocation allocation) {
            this.record = record;
            this.allocation = allocation;
        }

        /** False when the key is registered already: {@link #record()} is the existing peer. */
        public boolean isNew() {
            return allocation != null;
        }

        /** The peer as it will be stored, with its reserved addresses. */
        public PeerRecord record() {
            return record;
        }

        /**
         * Stores the peer (addresses assigned, one accounting handle). If the same key was registered
         * meanwhile (another request or gateway), this one's reservation is released and the existing
         * peer returned with {@code created == false}.
         */
        public Registration commit() {
            if (result != null) {
                return result;
            }
            if (allocation == null) {
                accounting.open(record);
                result = new Registration(record, false);
                return result;
            }
            boolean inserted = store.insertPeer(record);
            if (inserted) {
                accounting.open(record);
                result = new Registration(record, true);
                return result;
            }
            allocation.release();
            PeerRecord existing = store.find(record.publicKey())
                    .orElseThrow(() -> new StorageException(
                            record.publicKey() + " was registered concurrently and removed again; retry"));
            accounting.open(existing);
            result = new Registration(existing, false);
            return result;
        }

        /** Releases the reservation unless {@link #commit()} succeeded. */
        @Override
        public void close() {
            if (result == null && allocation != null) {
                allocation.release();
            }
        }
    }

    /**
     * Starts registering {@code request}: for a new key, reserves its addresses; for a registered key,
     * changes nothing (idempotent: same row, same addresses, counters and handle kept).
     *
     * @throws PoolExhaustedException when a family has no free address
     */
    public Pending prepare(RegistrationRequest request) {
        Optional<PeerRecord> existing = store.find(request.publicKey());
        if (existing.isPresent()) {
            return new Pending(existing.get(), null);
        }
        AddressPool.Allocation allocation = pool.allocate(request.publicKey());
        long nowMs = clockMs.getAsLong();
        PeerRecord record = new PeerRecord(
                request.publicKey(),
                request.presharedKey(),
                request.allowedIps() != null ? request.allowedIps() : allocation.addresses(),
                allocation.addresses(),
                request.endpoint(),
                request.allowanceBytes(),
                0,
                0,
                nowMs,
                nowMs);
        return new Pending(record, allocation);
    }

    /** {@link #prepare} and {@link Pending#commit} with nothing in between. */
    public Registration register(RegistrationRequest request) {
        try (Pending pending = prepare(request)) {
            return pending.commit();
        }
    }

    public Optional<PeerRecord> get(PublicKey publicKey) {
        return store.find(publicKey);
    }

    public List<PeerRecord> list() {
        return store.list();
    }

    /** Changes a peer's preshared key, allowance, allowed IPs or endpoint; empty for an unknown key. */
    public Optional<PeerRecord> update(PublicKey publicKey, PeerUpdate update) {
        Optional<PeerRecord> updated = store.updatePeer(publicKey, update, clockMs.getAsLong());
        updated.ifPresent(r -> {
            AccountingHandle h = accounting.open(r);
            if (update.setsAllowance()) {
                h.allowanceBytes(r.allowanceBytes());
            }
        });
        return updated;
    }

    /** A deleted peer whose addresses are still held until it is gone from the dataplane. */
    public final class Removal {
        private final PeerRecord record;

        private Removal(PeerRecord record) {
            this.record = record;
        }

        /** The peer's last stored row. */
        public PeerRecord record() {
            return record;
        }

        /** Returns the addresses to the pool: call once the peer is gone from the dataplane. */
        public int releaseAddresses() {
            return pool.release(record.publicKey(), record.addresses());
        }
    }

    /**
     * Deletes the peer's row and its accounting handle (its unsynced bytes go with it: the account is
     * closed). Its addresses stay held until {@link Removal#releaseAddresses()}. Empty for an unknown key.
     */
    public Optional<Removal> remove(PublicKey publicKey) {
        return accounting.withSyncsHeld(() -> {
            Optional<PeerRecord> deleted = store.deletePeer(publicKey, clockMs.getAsLong());
            deleted.ifPresent(r -> accounting.drop(publicKey));
            return deleted.map(Removal::new);
        });
    }
}
