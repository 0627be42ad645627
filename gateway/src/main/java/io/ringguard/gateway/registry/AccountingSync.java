package io.ringguard.gateway.registry;

import io.ringguard.dataplane.config.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Moves the dataplane's in-memory byte counters into storage, exactly once.
 *
 * <pre>
 * sync():
 *   1. if the previous sync failed, ask storage whether it committed after all (its sequence number
 *      is in the ledger): if so, take its delta as applied, else forget it
 *   2. claim: for every peer, read each counter source; delta = read value - synced mark
 *   3. apply all deltas in one transaction (rx = rx + delta, and this writer's sequence number)
 *   4. on commit only: advance each mark to the value read in 2, take the stored totals
 * </pre>
 *
 * A failure in 3 advances nothing, so the next sync takes the same delta plus what arrived since, and
 * applies it once. Bytes counted while a sync runs are above the marks it sets, so they are kept for
 * the next one. A commit whose outcome was lost (connection dropped at COMMIT) is told apart from a
 * rolled-back one by step 1, so it is never applied twice.
 *
 * <p>Concurrency: {@link #sync} calls are serialized by one lock (a second caller waits, then
 * applies only what grew meanwhile); claiming and committing happen under it, so two syncs can never
 * take the same delta. Everything else is lock-free or per-handle and may be called from any
 * thread: the control thread attaches counter sources and polls {@link #exhausted}, API threads
 * read {@link #totals}. The lock is never held by the dataplane's packet threads.
 */
public final class AccountingSync {
    private final RegistryStore store;
    private final String writerId = UUID.randomUUID().toString();
    private final ConcurrentHashMap<PublicKey, AccountingHandle> handles = new ConcurrentHashMap<>();
    private final ReentrantLock syncLock = new ReentrantLock();
    private long nextSeq = 1; // guarded by syncLock
    private InDoubt inDoubt; // guarded by syncLock

    /** A sync whose transaction reported failure: it may or may not have committed. */
    private record InDoubt(long seq, List<AccountingHandle.Claim> claims) {}

    public AccountingSync(RegistryStore store) {
        this.store = store;
    }

    /** This process's identity in the storage ledger. */
    public String writerId() {
        return writerId;
    }

    /**
     * The one handle for a stored peer, created from its stored totals on first use; later calls
     * return the same handle, whatever the record says (the handle's view is newer).
     */
    AccountingHandle open(PeerRecord record) {
        return handles.computeIfAbsent(
                record.publicKey(), k -> new AccountingHandle(k, record.storedTotals(), record.allowanceBytes()));
    }

    /** The peer's handle, or null when it is not registered. */
    public AccountingHandle handle(PublicKey publicKey) {
        return handles.get(publicKey);
    }

    /**
     * Counts a dataplane peer's counters for a registered key (see {@link AccountingHandle#attach}).
     *
     * @return false when the key is not registered (nothing is counted for it)
     */
    public boolean attach(PublicKey publicKey, CounterSource source) {
        AccountingHandle h = handles.get(publicKey);
        if (h == null) {
            return false;
        }
        h.attach(source);
        return true;
    }

    /** The peer left the dataplane; its unsynced tail is still charged by the next syncs. */
    public void detach(PublicKey publicKey) {
        AccountingHandle h = handles.get(publicKey);
        if (h != null) {
            h.detach();
        }
    }

    /** Stored totals plus the unsynced delta: what the API shows. Empty for an unknown key. */
    public Optional<ByteTotals> totals(PublicKey publicKey) {
        AccountingHandle h = handles.get(publicKey);
        return h == null ? Optional.empty() : Optional.of(h.totals());
    }

    /** {@code max(0, allowance - (rx + tx))}; {@link Long#MAX_VALUE} when unlimited or unknown. */
    public long remainingBytes(PublicKey publicKey) {
        AccountingHandle h = handles.get(publicKey);
        return h == null ? Long.MAX_VALUE : h.remainingBytes();
    }

    /**
     * True when the peer's allowance is used up, for the dataplane to poll (per batch or timer tick, not
     * per packet). No I/O. False for an unknown key.
     */
    public boolean exhausted(PublicKey publicKey) {
        AccountingHandle h = handles.get(publicKey);
        return h != null && h.exhausted();
    }

    /**
     * Applies every peer's delta since its last successful sync to storage in one transaction.
     *
     * @param nowMs wall clock, epoch ms, for the ledger
     * @throws StorageException when storage fails: nothing advanced, the next sync retries
     */
    public SyncResult sync(long nowMs) {
        syncLock.lock();
        try {
            boolean recovered = resolveInDoubt();
            List<AccountingHandle.Claim> claims = new ArrayList<>(handles.size());
            List<AccountingHandle.Claim> charged = new ArrayList<>();
            List<CounterDelta> deltas = new ArrayList<>();
            for (AccountingHandle h : handles.values()) {
                AccountingHandle.Claim c = h.claim();
                claims.add(c);
                if (!c.isEmpty()) {
                    charged.add(c);
                    deltas.add(new CounterDelta(h.publicKey(), c.rxBytes(), c.txBytes()));
                }
            }
            Map<PublicKey, ByteTotals> stored = Map.of();
            if (!deltas.isEmpty()) {
                long seq = nextSeq++;
                try {
                    stored = store.applyDeltas(writerId, seq, deltas, nowMs);
                } catch (RuntimeException e) {
                    inDoubt = new InDoubt(seq, charged);
                    throw e;
                }
            }
            int peers = 0;
            int orphaned = 0;
            long rx = 0;
            long tx = 0;
            for (AccountingHandle.Claim c : claims) {
                ByteTotals after = stored.get(c.handle().publicKey());
                c.handle().commit(c, after, false);
                if (!c.isEmpty()) {
                    if (after == null) {
                        orphaned++;
                    } else {
                        peers++;
                        rx += c.rxBytes();
                        tx += c.txBytes();
                    }
                }
            }
            return new SyncResult(peers, rx, tx, orphaned, recovered);
        } finally {
            syncLock.unlock();
        }
    }

    /** Settles a failed sync: true if it had committed after all. Throws (still in doubt) if storage fails. */
    private boolean resolveInDoubt() {
        if (inDoubt == null) {
            return false;
        }
        boolean committed = store.lastAppliedSeq(writerId) >= inDoubt.seq();
        if (committed) {
            for (AccountingHandle.Claim c : inDoubt.claims()) {
                c.handle().commit(c, null, true);
            }
        }
        inDoubt = null;
        return committed;
    }

    /**
     * Runs {@code action} with syncs held off: the registry deletes a peer's row and drops its handle
     * in between two syncs, never in the middle of one.
     */
    <T> T withSyncsHeld(Supplier<T> action) {
        syncLock.lock();
        try {
            return action.get();
        } finally {
            syncLock.unlock();
        }
    }

    /** Forgets a deleted peer's handle (caller holds syncs, see {@link #withSyncsHeld}). */
    void drop(PublicKey publicKey) {
        handles.remove(publicKey);
    }

    /** Number of handles (one per registered key). */
    public int size() {
        return handles.size();
    }
}
