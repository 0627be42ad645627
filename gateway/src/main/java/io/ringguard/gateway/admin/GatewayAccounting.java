package io.ringguard.gateway.admin;

import io.ringguard.dataplane.config.PublicKey;
import io.ringguard.dataplane.device.Device;
import io.ringguard.dataplane.device.Peer;
import io.ringguard.gateway.registry.AccountingHandle;
import io.ringguard.gateway.registry.AccountingSync;
import io.ringguard.gateway.registry.CounterSource;
import io.ringguard.gateway.registry.StorageException;
import io.ringguard.gateway.registry.SyncResult;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects the registry's accounting to the live dataplane.
 *
 * <pre>
 * refresh() (every second, and after every API change):
 *   1. a registered key whose dataplane Peer is new (added, or replaced by a reload or the UAPI):
 *      attach that Peer's rx/tx counters to the key's one accounting handle (the old Peer's unsynced
 *      tail is still charged, see AccountingHandle)
 *   2. a registered key that left the dataplane: detach (its tail is still charged)
 *   3. every live peer: blocked = its allowance is used up (live totals, no I/O)
 * sync() (every 10 s, and once more at shutdown): refresh, then AccountingSync.sync
 * </pre>
 *
 * Blocking reads the live totals (stored plus unsynced), so a peer stops within a second of using up
 * its allowance, not a sync interval later; a raised allowance unblocks it at the next refresh, which
 * a PATCH runs at once.
 *
 * <p>Any thread: {@link #refresh} and {@link #sync} are serialized here (sync additionally by {@link
 * AccountingSync}); the timer thread is a daemon.
 */
public final class GatewayAccounting implements AutoCloseable {
    /** How often counters go to storage: a kill -9 loses at most this much accounting. */
    public static final long SYNC_INTERVAL_MS = 10_000;

    /** How often allowances are checked against the live counters. */
    public static final long REFRESH_INTERVAL_MS = 1_000;

    private static final Logger LOG = LoggerFactory.getLogger(GatewayAccounting.class);

    private final AccountingSync accounting;
    private final Device device;
    private final LongSupplier clockMs;
    private final Map<PublicKey, Peer> attached = new HashMap<>(); // guarded by this
    private ScheduledExecutorService timer; // guarded by this
    private boolean failing; // guarded by this: the last timed sync failed (log once per streak)
    private boolean closed; // guarded by this

    /**
     * @param clockMs wall clock, epoch ms, for the storage ledger
     */
    public GatewayAccounting(AccountingSync accounting, Device device, LongSupplier clockMs) {
        this.accounting = accounting;
        this.device = device;
        this.clockMs = clockMs;
    }

    /** Attaches new dataplane peers, detaches gone ones, applies allowances (see the class comment). */
    public synchronized void refresh() {
        for (Iterator<Map.Entry<PublicKey, Peer>> it = attached.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<PublicKey, Peer> e = it.next();
            if (device.peer(e.getKey()) == null) {
                accounting.detach(e.getKey());
                it.remove();
            }
        }
        for (Peer peer : device.peers()) {
            PublicKey key = peer.publicKey();
            AccountingHandle handle = accounting.handle(key);
            if (handle == null) {
                attached.remove(key); // deregistered; a static peer of the file stays, uncounted
            } else if (attached.get(key) != peer) {
                accounting.attach(key, CounterSource.of(peer, peer::rxBytes, peer::txBytes));
                attached.put(key, peer);
            }
            boolean block = handle != null && handle.exhausted();
            if (peer.blocked() != block) {
                peer.blocked(block);
                LOG.info(
                        block
                                ? "peer " + key + " used up its allowance of " + handle.allowanceBytes()
                                        + " bytes: traffic stopped"
                                : "peer " + key + " has allowance left: traffic resumed");
            }
        }
    }

    /**
     * Refreshes, then moves every registered peer's unsynced bytes to storage exactly once.
     *
     * @throws StorageException when storage fails (nothing is lost: the next sync retries)
     */
    public SyncResult sync() {
        refresh();
        return accounting.sync(clockMs.getAsLong());
    }

    /** Starts the daemon timer: {@link #refresh} every second, {@link #sync} every 10 s. */
    public synchronized void start() {
        if (timer != null || closed) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ringguard-accounting-" + device.name());
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(
                this::timedRefresh, REFRESH_INTERVAL_MS, REFRESH_INTERVAL_MS, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::timedSync, SYNC_INTERVAL_MS, SYNC_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    private void timedRefresh() {
        try {
            refresh();
        } catch (RuntimeException e) {
            // A timer task that throws is never run again: log and keep going.
            LOG.error("accounting refresh failed", e);
        }
    }

    private void timedSync() {
        try {
            sync();
            synchronized (this) {
                if (failing) {
                    failing = false;
                    LOG.info("accounting sync to storage works again");
                }
            }
        } catch (RuntimeException e) {
            synchronized (this) {
                if (!failing) {
                    failing = true;
                    LOG.warn("accounting sync failed, retrying every " + SYNC_INTERVAL_MS / 1000
                            + " s with nothing lost: " + e.getMessage());
                }
            }
        }
    }

    /**
     * Stops the timer (waiting for a running sync) and syncs one last time, so storage holds every byte
     * counted so far. Call before the dataplane goes away. Idempotent.
     */
    @Override
    public void close() {
        ScheduledExecutorService t;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            t = timer;
        }
        if (t != null) {
            t.shutdown();
            try {
                if (!t.awaitTermination(SYNC_INTERVAL_MS, TimeUnit.MILLISECONDS)) {
                    t.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                t.shutdownNow();
            }
        }
        try {
            SyncResult r = sync();
            LOG.info("final accounting sync: " + r);
        } catch (RuntimeException e) {
            LOG.error("final accounting sync failed: bytes since the last sync are not stored: " + e.getMessage());
        }
    }
}
