package io.ringguard.dataplane.allowedips;

/**
 * One node of the path-compressed binary trie in {@link AllowedIps}: a prefix, the peer that owns it
 * (or null for a pure branch node), and up to two children that extend it by at least one bit.
 *
 * <p>Field discipline, which is what makes lock-free lookups safe (see {@link AllowedIps}):
 *
 * <ul>
 *   <li>The prefix ({@code high}, {@code low}, {@code cidr} and its masks) is {@code final}: a node
 *       never changes the prefix it stands for. Writers create a new node instead.
 *   <li>{@code child0}, {@code child1} and {@code peer} are what readers follow; they are
 *       {@code volatile}, so a new node's fields, written before the node is stored into its parent,
 *       are visible to any reader that loads the node from that parent (release/acquire).
 *   <li>{@code parent}, {@code parentBit} and the per-peer list links are used by the writer only.
 * </ul>
 */
final class TrieNode<P> {
    final long high;
    final long low;
    final long maskHigh;
    final long maskLow;
    final int cidr;
    /** 32 or 128: which trie this node belongs to. */
    final int addressBits;

    volatile TrieNode<P> child0;
    volatile TrieNode<P> child1;
    volatile P peer;

    // Writer-only (control thread).
    TrieNode<P> parent;
    int parentBit;
    TrieNode<P> peerPrevious;
    TrieNode<P> peerNext;

    TrieNode(final long high, final long low, final int cidr, final int addressBits, final P peer) {
        this.maskHigh = IpPrefix.maskHigh(cidr);
        this.maskLow = IpPrefix.maskLow(cidr);
        this.high = high & maskHigh;
        this.low = low & maskLow;
        this.cidr = cidr;
        this.addressBits = addressBits;
        this.peer = peer;
    }

    /** Whether the first {@code cidr} bits of the 128-bit key equal this node's prefix. */
    boolean matches(final long keyHigh, final long keyLow) {
        return ((keyHigh ^ high) & maskHigh) == 0 && ((keyLow ^ low) & maskLow) == 0;
    }

    TrieNode<P> child(final int bit) {
        return bit == 0 ? child0 : child1;
    }

    void child(final int bit, final TrieNode<P> node) {
        if (bit == 0) {
            child0 = node;
        } else {
            child1 = node;
        }
    }

    /** The bit of a 128-bit key at index {@code index} (0 = most significant), as 0 or 1. */
    static int bitAt(final long keyHigh, final long keyLow, final int index) {
        return (int) (index < 64 ? (keyHigh >>> (63 - index)) & 1 : (keyLow >>> (127 - index)) & 1);
    }

    /** Number of leading bits two 128-bit keys share, at most 128. */
    static int commonBits(final long aHigh, final long aLow, final long bHigh, final long bLow) {
        final long x = aHigh ^ bHigh;
        return x != 0 ? Long.numberOfLeadingZeros(x) : 64 + Long.numberOfLeadingZeros(aLow ^ bLow);
    }
}
