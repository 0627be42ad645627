package io.ringguard.gateway.admin;

import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.PublicKey;
import io.ringguard.gateway.registry.ByteTotals;
import io.ringguard.gateway.registry.CounterDelta;
import io.ringguard.gateway.registry.PeerRecord;
import io.ringguard.gateway.registry.PeerUpdate;
import io.ringguard.gateway.registry.RegistryStore;
import io.ringguard.gateway.registry.StorageException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/** A real store with failures to inject and a hook that sees every address release as it happens. */
final class CheckedStore implements RegistryStore {
    private final RegistryStore real;
    volatile boolean failInsert;
    volatile boolean failUpdate;
    volatile BiConsumer<PublicKey, Collection<Cidr>> onRelease = (k, a) -> {};

    CheckedStore(RegistryStore real) {
        this.real = real;
    }

    @Override
    public int schemaVersion() {
        return real.schemaVersion();
    }

    @Override
    public Optional<PeerRecord> find(PublicKey publicKey) {
        return real.find(publicKey);
    }

    @Override
    public List<PeerRecord> list() {
        return real.list();
    }

    @Override
    public boolean insertPeer(PeerRecord record) {
        if (failInsert) {
            throw new StorageException("injected: insert failed");
        }
        return real.insertPeer(record);
    }

    @Override
    public Optional<PeerRecord> updatePeer(PublicKey publicKey, PeerUpdate update, long nowMs) {
        if (failUpdate) {
            throw new StorageException("injected: update failed");
        }
        return real.updatePeer(publicKey, update, nowMs);
    }

    @Override
    public Optional<PeerRecord> deletePeer(PublicKey publicKey, long nowMs) {
        return real.deletePeer(publicKey, nowMs);
    }

    @Override
    public Set<Cidr> allocatedAddresses() {
        return real.allocatedAddresses();
    }

    @Override
    public boolean reserveAddress(Cidr address, PublicKey owner, long nowMs) {
        return real.reserveAddress(address, owner, nowMs);
    }

    @Override
    public int releaseAddresses(PublicKey owner, Collection<Cidr> addresses) {
        onRelease.accept(owner, addresses);
        return real.releaseAddresses(owner, addresses);
    }

    @Override
    public int reclaimStaleAllocations(long olderThanMs) {
        return real.reclaimStaleAllocations(olderThanMs);
    }

    @Override
    public Map<PublicKey, ByteTotals> applyDeltas(String writerId, long seq, List<CounterDelta> deltas, long nowMs) {
        return real.applyDeltas(writerId, seq, deltas, nowMs);
    }

    @Override
    public long lastAppliedSeq(String writerId) {
        return real.lastAppliedSeq(writerId);
    }

    @Override
    public void close() {
        real.close();
    }
}
