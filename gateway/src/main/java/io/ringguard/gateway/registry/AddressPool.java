package io.ringguard.gateway.registry;

import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.PublicKey;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Hands out client tunnel addresses from the configured {@code AddressPool} ranges: one IPv4 address
 * and, when a range is IPv6, one IPv6 address per peer.
 *
 * <p>Lifecycle of an address: {@link #allocate} reserves it in storage (the unique key makes it
 * one peer's, also across gateways sharing a database); {@link RegistryStore#insertPeer} assigns it;
 * {@link Allocation#release} frees a reservation whose registration failed; after a peer is deleted
 * its addresses stay allocated ("releasing") until the caller, once the peer is gone from the
 * dataplane, calls {@link #release}. Reservations and releases left by a crash are reclaimed at
 * start ({@link RegistryStore#reclaimStaleAllocations}).
 *
 * <p>Never handed out: an IPv4 range's network and broadcast addresses (for prefixes up to /30;
 * /31 and /32 use every address, RFC 3021), an IPv6 range's first address (the subnet-router
 * anycast address), and the gateway's own addresses. Any thread; storage serializes competing allocations.
 */
public final class AddressPool {
    /** Extra candidates tried beyond the known allocations, for addresses taken by others meanwhile. */
    private static final int RACE_SLACK = 64;

    private final RegistryStore store;
    private final List<Cidr> ranges;
    private final Set<Cidr> excluded;
    private final LongSupplier clockMs;

    /**
     * @param ranges the pool, e.g. {@code 100.64.0.0/16, fd7a:115c:a1e0::/48}; at most one family each
     *     is used first-to-last
     * @param gatewayAddresses the gateway's own interface addresses, never handed out
     */
    public AddressPool(
            RegistryStore store, List<Cidr> ranges, Collection<InetAddress> gatewayAddresses, LongSupplier clockMs) {
        if (ranges.stream().noneMatch(Cidr::isIpv4)) {
            throw new IllegalArgumentException("the address pool needs an IPv4 range");
        }
        this.store = store;
        this.ranges = List.copyOf(ranges);
        Set<Cidr> own = new HashSet<>();
        for (InetAddress a : gatewayAddresses) {
            own.add(host(a.getAddress()));
        }
        this.excluded = Set.copyOf(own);
        this.clockMs = clockMs;
    }

    /** Addresses reserved for one peer; release them unless the registration commits. */
    public final class Allocation {
        private final PublicKey owner;
        private final List<Cidr> addresses;

        private Allocation(PublicKey owner, List<Cidr> addresses) {
            this.owner = owner;
            this.addresses = List.copyOf(addresses);
        }

        public PublicKey owner() {
            return owner;
        }

        /** IPv4 first, then IPv6 if the pool has it; each a /32 or /128. */
        public List<Cidr> addresses() {
            return addresses;
        }

        /** Frees the reservation (a no-op for addresses that were assigned meanwhile). */
        public void release() {
            store.releaseAddresses(owner, addresses);
        }
    }

    /**
     * Reserves one address per family for {@code owner}.
     *
     * @throws PoolExhaustedException when a family has no free address (nothing stays reserved)
     * @throws StorageException when storage fails (nothing stays reserved, as far as storage allows)
     */
    public Allocation allocate(PublicKey owner) {
        Set<Cidr> taken = store.allocatedAddresses();
        List<Cidr> reserved = new ArrayList<>(2);
        try {
            reserved.add(allocate(owner, true, taken));
            if (ranges.stream().anyMatch(r -> !r.isIpv4())) {
                reserved.add(allocate(owner, false, taken));
            }
        } catch (RuntimeException e) {
            if (!reserved.isEmpty()) {
                try {
                    store.releaseAddresses(owner, reserved);
                } catch (StorageException again) {
                    e.addSuppressed(again);
                }
            }
            throw e;
        }
        return new Allocation(owner, reserved);
    }

    /** Frees addresses of a deleted peer once it is gone from the dataplane; returns how many. */
    public int release(PublicKey owner, Collection<Cidr> addresses) {
        return store.releaseAddresses(owner, addresses);
    }

    private Cidr allocate(PublicKey owner, boolean ipv4, Set<Cidr> taken) {
        long tried = 0;
        for (Cidr range : ranges) {
            if (range.isIpv4() != ipv4) {
                continue;
            }
            int bits = ipv4 ? 32 : 128;
            int hostBits = bits - range.prefixLength();
            BigInteger size = BigInteger.ONE.shiftLeft(hostBits);
            BigInteger base = new BigInteger(1, range.address());
            boolean skipEnds = ipv4 ? hostBits >= 2 : hostBits >= 1;
            BigInteger first = skipEnds ? BigInteger.ONE : BigInteger.ZERO;
            BigInteger end = ipv4 && skipEnds ? size.subtract(BigInteger.ONE) : size; // exclusive
            // The first free address lies within (allocations + exclusions + 1) candidates, so a scan
            // this long finds it or proves the range full, without walking a /48.
            long budget = (long) taken.size() + excluded.size() + RACE_SLACK;
            for (BigInteger offset = first;
                    offset.compareTo(end) < 0 && budget-- > 0;
                    offset = offset.add(BigInteger.ONE)) {
                Cidr candidate = host(toBytes(base.add(offset), bits / 8));
                if (taken.contains(candidate) || excluded.contains(candidate)) {
                    continue;
                }
                tried++;
                if (store.reserveAddress(candidate, owner, clockMs.getAsLong())) {
                    return candidate;
                }
            }
        }
        throw new PoolExhaustedException("the " + (ipv4 ? "IPv4" : "IPv6") + " address pool "
                + ranges.stream().filter(r -> r.isIpv4() == ipv4).toList() + " has no free address ("
                + taken.size() + " allocated, " + tried + " tried)");
    }

    private static Cidr host(byte[] address) {
        return Cidr.of(address, address.length * 8);
    }

    private static byte[] toBytes(BigInteger value, int length) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
        return out;
    }
}
