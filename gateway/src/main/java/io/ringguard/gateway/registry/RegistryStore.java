package io.ringguard.gateway.registry;

import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.PublicKey;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Durable storage of the peer registry: peers, address allocations and the accounting ledger.
 *
 * <p>Every method is one transaction: it either happens completely or, when it throws {@link
 * StorageException}, not at all, with one exception that callers must allow for: a commit whose
 * acknowledgement is lost (the connection drops during {@code COMMIT}) throws although it took effect.
 * {@link #applyDeltas} records a sequence number in the same transaction so that {@link
 * AccountingSync} can tell which happened ({@link #lastAppliedSeq}).
 *
 * <p>Implementations are safe for use by any thread.
 */
public interface RegistryStore extends AutoCloseable {
    /** The schema version the database is at (after the migrations ran at open). */
    int schemaVersion();

    Optional<PeerRecord> find(PublicKey publicKey);

    /** All peers, ordered by creation time, then key. */
    List<PeerRecord> list();

    /**
     * Inserts a new peer and marks its addresses (reserved for it by {@link #reserveAddress}) as
     * assigned. Returns false, changing nothing, when a peer with that key exists already.
     *
     * @throws StorageException also when one of its addresses is not reserved for it any more
     */
    boolean insertPeer(PeerRecord record);

    /** Applies {@code update} to the peer and returns the new row, or empty for an unknown key. */
    Optional<PeerRecord> updatePeer(PublicKey publicKey, PeerUpdate update, long nowMs);

    /**
     * Deletes the peer and returns its last row; its addresses stay allocated (state "releasing") until
     * {@link #releaseAddresses}, so none is handed out while the dataplane may still route it.
     */
    Optional<PeerRecord> deletePeer(PublicKey publicKey, long nowMs);

    /** Every allocated address, in any state. */
    Set<Cidr> allocatedAddresses();

    /**
     * Reserves one host address (a /32 or /128) for {@code owner}. Returns false when it is allocated
     * already, to anyone (another gateway sharing the database may have taken it a moment ago).
     */
    boolean reserveAddress(Cidr address, PublicKey owner, long nowMs);

    /** Frees the given addresses if they are still allocated to {@code owner}; returns how many. */
    int releaseAddresses(PublicKey owner, Collection<Cidr> addresses);

    /**
     * Frees reservations and releases older than {@code olderThanMs} (epoch ms) whose peer row does not
     * exist: left behind by a gateway that stopped between two steps. Returns how many.
     */
    int reclaimStaleAllocations(long olderThanMs);

    /**
     * In one transaction: adds each delta to its peer's stored totals ({@code rx = rx + delta}) and
     * records {@code seq} as the last sequence applied by {@code writerId}. Returns the new stored totals
     * of the peers that exist; a delta for a deleted peer is dropped (it has nowhere to go).
     */
    Map<PublicKey, ByteTotals> applyDeltas(String writerId, long seq, List<CounterDelta> deltas, long nowMs);

    /** The last sequence {@link #applyDeltas} committed for {@code writerId}, or -1. */
    long lastAppliedSeq(String writerId);

    /** Closes the connection(s); any thread, idempotent. */
    @Override
    void close();
}
