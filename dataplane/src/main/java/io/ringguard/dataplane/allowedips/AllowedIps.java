package io.ringguard.dataplane.allowedips;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.agrona.DirectBuffer;

/**
 * Cryptokey routing: the allowed-IPs table that maps an inner IP address to the peer owning the longest
 * matching prefix (WireGuard whitepaper section 2; the kernel's {@code allowedips.c}).
 *
 * <p>Outbound, the destination address picks the peer to encrypt for; inbound, the decrypted packet's
 * source address must map back to the peer whose key decrypted it. A prefix belongs to exactly one peer:
 * inserting a prefix that exists moves it to the new peer.
 *
 * <p><b>Structure.</b> Two path-compressed binary tries (one per family), the kernel's design: every
 * node is a prefix, a node owned by no peer exists only to branch and then always has two children, and
 * a child extends its parent's prefix by at least one bit. Both families use one 128-bit key layout (see
 * {@link IpPrefix}); IPv4 lookups only ever look at the high word. A lookup follows at most one path and
 * remembers the last owned node whose prefix matched. With 100k random prefixes the path is about 20
 * nodes. A multibit (poptrie-style) layout would cut pointer chasing further, but needs rebuilding of
 * shared arrays on every update; the binary trie keeps updates O(path) with one or two node allocations
 * and makes the concurrency argument below short.
 *
 * <p><b>Threading: one writer, any number of readers, no locks.</b> Only the control thread may call the
 * mutators ({@code insert*}, {@code remove*}, {@link #clear()}) and the listing methods ({@link
 * #entriesOf}, {@link #size()}). The {@code lookup*} methods may be called from any thread at any time,
 * concurrently with the writer; they never allocate, lock or throw. This is safe under the Java memory
 * model because:
 *
 * <ol>
 *   <li>a node's prefix is in {@code final} fields and never changes; a re-keyed or restructured part of
 *       the trie is built from new nodes;
 *   <li>a new node is fully linked (its prefix, peer and children written) before a single {@code
 *       volatile} store makes it reachable from its parent or the root. A reader loads every child, root
 *       and peer reference with a {@code volatile} read, so the store/load pair is a release/acquire
 *       edge: a reader that sees the new node also sees everything written to it before;
 *   <li>each writer step changes one reference: a parent slot from the old subtree to a new node that
 *       leads to that same old subtree (insert), a parent slot from a removed node to its only child or
 *       to null (remove), or a node's peer (reassign or remove). Unlinked nodes keep their child
 *       references, so a reader standing on one still reaches everything below it, and the garbage
 *       collector frees a node only once no reader holds it (it plays the part of the kernel's RCU).
 * </ol>
 *
 * <p>Hence a lookup concurrent with updates returns either null or a peer that owned a prefix covering
 * the address at some moment during the lookup (never a torn or foreign value), and a prefix that is
 * neither added nor removed during the lookup, and is the longest match throughout, is always found.
 *
 * @param <P> the peer type; peers are compared by identity
 */
public final class AllowedIps<P> {
    private volatile TrieNode<P> root4;
    private volatile TrieNode<P> root6;

    // Writer-only (control thread) state.
    private final Map<P, PeerNodes<P>> nodesByPeer = new IdentityHashMap<>();
    private int size;

    /** A peer's owned nodes as an intrusive list in insertion order; writer-only. */
    private static final class PeerNodes<P> {
        TrieNode<P> head;
        TrieNode<P> tail;
    }

    /**
     * Assigns the IPv4 prefix {@code address/cidr} to {@code peer}; host bits are cleared first. Control
     * thread only.
     *
     * @param address big-endian IPv4 address ({@code 198.18.0.1 == 0xC6120001})
     * @return the peer that owned the prefix before, or null if it was new
     * @throws IllegalArgumentException if {@code cidr} is not in 0..32
     */
    public P insertV4(final int address, final int cidr, final P peer) {
        IpPrefix.checkCidr(cidr, IpPrefix.IPV4_BITS);
        return insert(IpPrefix.v4High(address), 0, cidr, IpPrefix.IPV4_BITS, peer);
    }

    /**
     * Assigns the IPv6 prefix {@code high:low/cidr} to {@code peer}; host bits are cleared first. Control
     * thread only.
     *
     * @return the peer that owned the prefix before, or null if it was new
     * @throws IllegalArgumentException if {@code cidr} is not in 0..128
     */
    public P insertV6(final long high, final long low, final int cidr, final P peer) {
        IpPrefix.checkCidr(cidr, IpPrefix.IPV6_BITS);
        return insert(high, low, cidr, IpPrefix.IPV6_BITS, peer);
    }

    /**
     * Assigns a prefix given as a 4- or 16-byte network-order address. Control thread only.
     *
     * @return the peer that owned the prefix before, or null if it was new
     * @throws IllegalArgumentException if the address length or {@code cidr} is invalid
     */
    public P insert(final byte[] address, final int cidr, final P peer) {
        return insert(IpPrefix.of(address, cidr), peer);
    }

    /**
     * Assigns {@code prefix} to {@code peer}. Control thread only.
     *
     * @return the peer that owned the prefix before, or null if it was new
     */
    public P insert(final IpPrefix prefix, final P peer) {
        return insert(prefix.high(), prefix.low(), prefix.cidr(), prefix.addressBits(), peer);
    }

    /**
     * Removes the IPv4 prefix {@code address/cidr} (host bits ignored) if {@code peer} owns it. Control
     * thread only.
     *
     * @return whether the prefix was removed
     * @throws IllegalArgumentException if {@code cidr} is not in 0..32
     */
    public boolean removeV4(final int address, final int cidr, final P peer) {
        IpPrefix.checkCidr(cidr, IpPrefix.IPV4_BITS);
        return remove(IpPrefix.v4High(address), 0, cidr, IpPrefix.IPV4_BITS, peer);
    }

    /**
     * Removes the IPv6 prefix {@code high:low/cidr} (host bits ignored) if {@code peer} owns it. Control
     * thread only.
     *
     * @return whether the prefix was removed
     * @throws IllegalArgumentException if {@code cidr} is not in 0..128
     */
    public boolean removeV6(final long high, final long low, final int cidr, final P peer) {
        IpPrefix.checkCidr(cidr, IpPrefix.IPV6_BITS);
        return remove(high, low, cidr, IpPrefix.IPV6_BITS, peer);
    }

    /**
     * Removes a prefix given as a 4- or 16-byte network-order address if {@code peer} owns it. Control
     * thread only.
     *
     * @return whether the prefix was removed
     */
    public boolean remove(final byte[] address, final int cidr, final P peer) {
        return remove(IpPrefix.of(address, cidr), peer);
    }

    /**
     * Removes {@code prefix} if {@code peer} owns it. Control thread only.
     *
     * @return whether the prefix was removed
     */
    public boolean remove(final IpPrefix prefix, final P peer) {
        return remove(prefix.high(), prefix.low(), prefix.cidr(), prefix.addressBits(), peer);
    }

    /**
     * Removes every prefix of {@code peer}, both families. Control thread only.
     *
     * @return how many prefixes were removed
     */
    public int removeByPeer(final P peer) {
        final PeerNodes<P> list = nodesByPeer.get(peer);
        int removed = 0;
        while (list != null && list.head != null) {
            removeNode(list.head);
            removed++;
        }
        return removed;
    }

    /** Removes everything. Control thread only. */
    public void clear() {
        root4 = null;
        root6 = null;
        nodesByPeer.clear();
        size = 0;
    }

    /**
     * The peer owning the longest IPv4 prefix that contains {@code address}, or null. Any thread; no
     * allocation.
     *
     * @param address big-endian IPv4 address ({@code 198.18.0.1 == 0xC6120001})
     */
    public P lookupV4(final int address) {
        final long key = IpPrefix.v4High(address);
        P found = null;
        TrieNode<P> node = root4;
        while (node != null && ((key ^ node.high) & node.maskHigh) == 0) {
            final P peer = node.peer;
            if (peer != null) {
                found = peer;
            }
            // A /32 node has no children, so shifting by 32 here (which yields bit 0) is harmless.
            node = (key << node.cidr) < 0 ? node.child1 : node.child0;
        }
        return found;
    }

    /**
     * The peer owning the longest IPv6 prefix that contains {@code high:low}, or null. Any thread; no
     * allocation.
     *
     * @param high the first 8 bytes of the address, big-endian
     * @param low the last 8 bytes of the address, big-endian
     */
    public P lookupV6(final long high, final long low) {
        P found = null;
        TrieNode<P> node = root6;
        while (node != null && ((high ^ node.high) & node.maskHigh) == 0 && ((low ^ node.low) & node.maskLow) == 0) {
            final P peer = node.peer;
            if (peer != null) {
                found = peer;
            }
            final int cidr = node.cidr;
            // Java takes long shift distances mod 64, so (low << cidr) tests bit cidr - 64 of low.
            final long word = cidr < 64 ? high : low;
            node = (word << cidr) < 0 ? node.child1 : node.child0;
        }
        return found;
    }

    /**
     * {@link #lookupV4(int)} of the 4 bytes at {@code addressOffset} (network order), e.g. the source or
     * destination field of an IPv4 header. Any thread; no allocation. The caller has checked that the
     * packet is long enough.
     */
    public P lookupV4(final DirectBuffer buffer, final int addressOffset) {
        return lookupV4(buffer.getInt(addressOffset, ByteOrder.BIG_ENDIAN));
    }

    /**
     * {@link #lookupV6(long, long)} of the 16 bytes at {@code addressOffset} (network order). Any thread;
     * no allocation. The caller has checked that the packet is long enough.
     */
    public P lookupV6(final DirectBuffer buffer, final int addressOffset) {
        return lookupV6(
                buffer.getLong(addressOffset, ByteOrder.BIG_ENDIAN),
                buffer.getLong(addressOffset + 8, ByteOrder.BIG_ENDIAN));
    }

    /**
     * The prefixes {@code peer} owns, host bits cleared, in the order they were assigned to it (as {@code
     * wg show allowed-ips} lists them). Control thread only.
     */
    public List<IpPrefix> entriesOf(final P peer) {
        final PeerNodes<P> list = nodesByPeer.get(peer);
        if (list == null) {
            return List.of();
        }
        final List<IpPrefix> entries = new ArrayList<>();
        for (TrieNode<P> node = list.head; node != null; node = node.peerNext) {
            entries.add(
                    node.addressBits == IpPrefix.IPV4_BITS
                            ? IpPrefix.ofV4((int) (node.high >>> 32), node.cidr)
                            : IpPrefix.ofV6(node.high, node.low, node.cidr));
        }
        return Collections.unmodifiableList(entries);
    }

    /** Number of prefixes in the table, both families. Control thread only. */
    public int size() {
        return size;
    }

    private P insert(final long high, final long low, final int cidr, final int addressBits, final P peer) {
        Objects.requireNonNull(peer, "peer");
        final long keyHigh = high & IpPrefix.maskHigh(cidr);
        final long keyLow = low & IpPrefix.maskLow(cidr);

        // Walk down while the node's prefix is a prefix of the new one; stop on an exact match.
        TrieNode<P> parent = null;
        TrieNode<P> down = root(addressBits);
        while (down != null && down.cidr <= cidr && down.matches(keyHigh, keyLow)) {
            if (down.cidr == cidr) {
                return assign(down, peer);
            }
            parent = down;
            down = down.child(TrieNode.bitAt(keyHigh, keyLow, down.cidr));
        }

        final TrieNode<P> fresh = new TrieNode<>(keyHigh, keyLow, cidr, addressBits, peer);
        append(fresh, peer);
        size++;
        final int slot = parent == null ? 0 : TrieNode.bitAt(keyHigh, keyLow, parent.cidr);
        if (down == null) {
            connect(parent, slot, fresh, addressBits);
            return null;
        }

        // `down` diverges from the new prefix or is longer than it. Every write below goes to nodes no
        // reader can reach yet; the last connect() publishes them in one volatile store.
        final int common = Math.min(cidr, TrieNode.commonBits(down.high, down.low, keyHigh, keyLow));
        if (common == cidr) {
            // The new prefix covers `down`: it goes in between.
            connect(fresh, TrieNode.bitAt(down.high, down.low, cidr), down, addressBits);
            connect(parent, slot, fresh, addressBits);
        } else {
            // They diverge at bit `common`: a peerless branch node takes both.
            final TrieNode<P> branch = new TrieNode<>(keyHigh, keyLow, common, addressBits, null);
            connect(branch, TrieNode.bitAt(down.high, down.low, common), down, addressBits);
            connect(branch, TrieNode.bitAt(keyHigh, keyLow, common), fresh, addressBits);
            connect(parent, slot, branch, addressBits);
        }
        return null;
    }

    private P assign(final TrieNode<P> node, final P peer) {
        final P previous = node.peer;
        if (previous == peer) {
            return previous;
        }
        if (previous == null) {
            size++; // a branch node becomes an entry
        } else {
            unlink(node, previous);
        }
        append(node, peer);
        node.peer = peer;
        return previous;
    }

    private boolean remove(final long high, final long low, final int cidr, final int addressBits, final P peer) {
        Objects.requireNonNull(peer, "peer");
        final long keyHigh = high & IpPrefix.maskHigh(cidr);
        final long keyLow = low & IpPrefix.maskLow(cidr);
        TrieNode<P> node = root(addressBits);
        while (node != null && node.cidr < cidr && node.matches(keyHigh, keyLow)) {
            node = node.child(TrieNode.bitAt(keyHigh, keyLow, node.cidr));
        }
        if (node == null || node.cidr != cidr || !node.matches(keyHigh, keyLow) || node.peer != peer) {
            return false;
        }
        removeNode(node);
        return true;
    }

    /** The kernel's remove_node(): drop the entry, then unlink nodes that no longer need to exist. */
    private void removeNode(final TrieNode<P> node) {
        unlink(node, node.peer);
        node.peer = null;
        size--;
        final TrieNode<P> child0 = node.child0;
        final TrieNode<P> child1 = node.child1;
        if (child0 != null && child1 != null) {
            return; // still needed as a branch node
        }
        final TrieNode<P> parent = node.parent;
        final int addressBits = node.addressBits;
        // The node's own child references stay as they are: a reader standing on it continues below.
        if (child0 != null || child1 != null) {
            connect(parent, node.parentBit, child0 != null ? child0 : child1, addressBits);
            return;
        }
        connect(parent, node.parentBit, null, addressBits);
        if (parent != null && parent.peer == null) {
            // A peerless branch node left with one child is redundant: splice in that child.
            final TrieNode<P> other = parent.child(1 - node.parentBit);
            connect(parent.parent, parent.parentBit, other, addressBits);
        }
    }

    /** Makes {@code child} the {@code bit} child of {@code parent} (the root if null); one volatile store. */
    private void connect(final TrieNode<P> parent, final int bit, final TrieNode<P> child, final int addressBits) {
        if (child != null) {
            child.parent = parent;
            child.parentBit = bit;
        }
        if (parent != null) {
            parent.child(bit, child);
        } else if (addressBits == IpPrefix.IPV4_BITS) {
            root4 = child;
        } else {
            root6 = child;
        }
    }

    private TrieNode<P> root(final int addressBits) {
        return addressBits == IpPrefix.IPV4_BITS ? root4 : root6;
    }

    private void append(final TrieNode<P> node, final P peer) {
        final PeerNodes<P> list = nodesByPeer.computeIfAbsent(peer, p -> new PeerNodes<>());
        node.peerPrevious = list.tail;
        node.peerNext = null;
        if (list.tail == null) {
            list.head = node;
        } else {
            list.tail.peerNext = node;
        }
        list.tail = node;
    }

    private void unlink(final TrieNode<P> node, final P peer) {
        final PeerNodes<P> list = nodesByPeer.get(peer);
        if (node.peerPrevious == null) {
            list.head = node.peerNext;
        } else {
            node.peerPrevious.peerNext = node.peerNext;
        }
        if (node.peerNext == null) {
            list.tail = node.peerPrevious;
        } else {
            node.peerNext.peerPrevious = node.peerPrevious;
        }
        node.peerPrevious = null;
        node.peerNext = null;
        if (list.head == null) {
            nodesByPeer.remove(peer); // a removed peer leaves nothing behind
        }
    }

    /**
     * Checks the trie's structural invariants and returns the number of owned nodes; for tests. Control
     * thread only.
     *
     * @throws IllegalStateException naming the first broken invariant
     */
    int verifyStructure() {
        final int owned = verify(root4, null, 0) + verify(root6, null, 0);
        int listed = 0;
        for (final Map.Entry<P, PeerNodes<P>> entry : nodesByPeer.entrySet()) {
            for (TrieNode<P> n = entry.getValue().head; n != null; n = n.peerNext) {
                check(n.peer == entry.getKey(), "node listed under a peer it does not belong to");
                listed++;
            }
        }
        check(owned == size, "size " + size + " but " + owned + " owned nodes");
        check(listed == size, "size " + size + " but " + listed + " listed nodes");
        return owned;
    }

    private static <P> int verify(final TrieNode<P> node, final TrieNode<P> parent, final int bit) {
        if (node == null) {
            return 0;
        }
        check(node.parent == parent && (parent == null || node.parentBit == bit), "bad parent link");
        check((node.high & ~node.maskHigh) == 0 && (node.low & ~node.maskLow) == 0, "host bits set");
        if (parent != null) {
            check(node.cidr > parent.cidr && parent.matches(node.high, node.low), "child outside parent");
            check(TrieNode.bitAt(node.high, node.low, parent.cidr) == bit, "child on the wrong side");
        }
        check(node.peer != null || (node.child0 != null && node.child1 != null), "redundant peerless node");
        check(
                node.cidr < node.addressBits || (node.child0 == null && node.child1 == null),
                "full-length node with child");
        return (node.peer != null ? 1 : 0) + verify(node.child0, node, 0) + verify(node.child1, node, 1);
    }

    private static void check(final boolean condition, final String what) {
        if (!condition) {
            throw new IllegalStateException("allowed-IPs trie broken: " + what);
        }
    }
}
