package io.ringguard.gateway.registry;

import io.ringguard.dataplane.config.PublicKey;
import java.util.ArrayList;
import java.util.List;

/**
 * One peer's accounting: its stored totals as last seen in storage, and the dataplane counter
 * sources whose bytes are not all in storage yet. {@link AccountingSync} keeps exactly one per key.
 *
 * <p>Each source carries its own synced marks (how much of it storage holds). Attaching a new source
 * (the peer was removed from the dataplane and added again: a new {@code Peer} counting from zero)
 * retires the old one instead of forgetting it: a retired source is still read by the next syncs, so
 * its unsynced tail, including packets that were still in the rings when it was removed, is charged
 * exactly once. It is dropped after {@link #RETIRED_GRACE_SYNCS} successful syncs once storage holds
 * all of it.
 *
 * <p>Thread safety: every method is synchronized on the handle, holds it only for arithmetic (no I/O),
 * and may be called from any thread: the control thread ({@link #attach}, {@link #exhausted}), API
 * threads ({@link #totals}) and the syncing thread.
 */
public final class AccountingHandle {
    /** Successful syncs a retired source is still read after it was retired. */
    static final int RETIRED_GRACE_SYNCS = 2;

    private final PublicKey publicKey;
    private Source current; // null while the peer is not in the dataplane
    private final List<Source> retired = new ArrayList<>(1);
    private long storedRxBytes;
    private long storedTxBytes;
    private long allowanceBytes;

    /** A counter source and how much of it storage holds. */
    private static final class Source {
        final CounterSource counters;
        long syncedRxBytes;
        long syncedTxBytes;
        int syncsSinceRetired;

        Source(CounterSource counters) {
            this.counters = counters;
        }
    }

    /** What one sync read: per source, the counter values whose delta it takes. */
    record Claim(AccountingHandle handle, List<Read> reads, long rxBytes, long txBytes) {
        boolean isEmpty() {
            return rxBytes == 0 && txBytes == 0;
        }
    }

    private record Read(Source source, long rxBytes, long txBytes) {}

    AccountingHandle(PublicKey publicKey, ByteTotals stored, long allowanceBytes) {
        this.publicKey = publicKey;
        this.storedRxBytes = stored.rxBytes();
        this.storedTxBytes = stored.txBytes();
        this.allowanceBytes = allowanceBytes;
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /**
     * Counts {@code source} from now on, from zero (a dataplane peer's counters start at zero). The same
     * source again is a no-op; a source that was retired is reinstated with its marks; any other
     * replaces the current one, which is retired (read until its tail is synced).
     *
     * @return true if the source was new to this handle
     */
    public synchronized boolean attach(CounterSource source) {
        if (current != null && current.counters.equals(source)) {
            return false;
        }
        for (int i = 0; i < retired.size(); i++) {
            if (retired.get(i).counters.equals(source)) {
                retireCurrent();
                current = retired.remove(i);
                return false;
            }
        }
        retireCurrent();
        current = new Source(source);
        return true;
    }

    /** The peer left the dataplane: its source is retired, its unsynced tail still charged. */
    public synchronized void detach() {
        retireCurrent();
    }

    private void retireCurrent() {
        if (current != null) {
            current.syncsSinceRetired = 0;
            retired.add(current);
            current = null;
        }
    }

    /** Stored totals plus what the sources counted since their last successful sync. */
    public synchronized ByteTotals totals() {
        long rx = storedRxBytes;
        long tx = storedTxBytes;
        if (current != null) {
            rx += unsynced(current.counters.rxBytes(), current.syncedRxBytes);
            tx += unsynced(current.counters.txBytes(), current.syncedTxBytes);
        }
        for (Source s : retired) {
            rx += unsynced(s.counters.rxBytes(), s.syncedRxBytes);
            tx += unsynced(s.counters.txBytes(), s.syncedTxBytes);
        }
        return new ByteTotals(rx, tx);
    }

    /** The totals as storage last confirmed them. */
    public synchronized ByteTotals storedTotals() {
        return new ByteTotals(storedRxBytes, storedTxBytes);
    }

    public synchronized long allowanceBytes() {
        return allowanceBytes;
    }

    synchronized void allowanceBytes(long value) {
        PeerRecord.checkAllowance(value);
        allowanceBytes = value;
    }

    /** {@code max(0, allowance - (rx + tx))}, or {@link Long#MAX_VALUE} when unlimited. */
    public synchronized long remainingBytes() {
        if (allowanceBytes == PeerRecord.UNLIMITED) {
            return Long.MAX_VALUE;
        }
        return Math.max(0, allowanceBytes - totals().totalBytes());
    }

    /** True when the peer has an allowance and has used it up: its traffic should stop. */
    public synchronized boolean exhausted() {
        return allowanceBytes != PeerRecord.UNLIMITED && totals().totalBytes() >= allowanceBytes;
    }

    /** Reads every source: the delta a sync will try to apply. Nothing changes until {@link #commit}. */
    synchronized Claim claim() {
        List<Read> reads = new ArrayList<>(1 + retired.size());
        long rx = 0;
        long tx = 0;
        if (current != null) {
            Read r = read(current);
            reads.add(r);
            rx += r.rxBytes - current.syncedRxBytes;
            tx += r.txBytes - current.syncedTxBytes;
        }
        for (Source s : retired) {
            Read r = read(s);
            reads.add(r);
            rx += r.rxBytes - s.syncedRxBytes;
            tx += r.txBytes - s.syncedTxBytes;
        }
        return new Claim(this, reads, rx, tx);
    }

    /**
     * The claim's delta is in storage: advance each source's marks to what was read (bytes counted
     * since are left for the next sync) and take the stored totals storage returned, or, when it
     * returned none, add the delta ({@code applied}) or drop it (the row is gone).
     */
    synchronized void commit(Claim claim, ByteTotals stored, boolean applied) {
        for (Read r : claim.reads) {
            r.source.syncedRxBytes = r.rxBytes;
            r.source.syncedTxBytes = r.txBytes;
        }
        if (stored != null) {
            storedRxBytes = stored.rxBytes();
            storedTxBytes = stored.txBytes();
        } else if (applied) {
            storedRxBytes += claim.rxBytes;
            storedTxBytes += claim.txBytes;
        }
        retired.removeIf(s -> ++s.syncsSinceRetired >= RETIRED_GRACE_SYNCS
                && s.counters.rxBytes() == s.syncedRxBytes
                && s.counters.txBytes() == s.syncedTxBytes);
    }

    /** Sources no longer counting but not yet fully synced (for tests and metrics). */
    synchronized int retiredSources() {
        return retired.size();
    }

    /**
     * A source's counter never goes backwards; if one did (a bug), its mark stays and nothing is
     * charged until it passes the mark again, rather than charging a negative delta.
     */
    private static Read read(Source s) {
        return new Read(
                s, Math.max(s.syncedRxBytes, s.counters.rxBytes()), Math.max(s.syncedTxBytes, s.counters.txBytes()));
    }

    private static long unsynced(long counter, long synced) {
        return Math.max(0, counter - synced);
    }

    @Override
    public String toString() {
        return "AccountingHandle[" + publicKey + "]";
    }
}
