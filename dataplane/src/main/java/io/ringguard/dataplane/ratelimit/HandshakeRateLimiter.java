package io.ringguard.dataplane.ratelimit;

import io.ringguard.dataplane.sys.Posix;
import io.ringguard.dataplane.sys.SockAddr;
import java.security.SecureRandom;
import java.util.random.RandomGenerator;
import org.agrona.DirectBuffer;

/**
 * Decides whether a handshake message from a source address may cost the control thread any Diffie-Hellman
 * work: a token bucket per source, then one global bucket for all sources together. Modelled on the kernel's
 * {@code drivers/net/wireguard/ratelimiter.c}, single-threaded and allocation-free.
 *
 * <pre>
 *  allow(source, nowNs)
 *    1. sweep a few slots, forgetting sources idle for more than 1 s      (the kernel's once-a-second gc)
 *    2. key = IPv4 /32 or the top 64 bits of IPv6 (a /64); IPv4-mapped IPv6 counts as IPv4
 *    3. known key:  refill its bucket; under one packet's cost -> deny (source)
 *       new key:    table at its cap and nothing idle nearby   -> deny (table full, fail closed)
 *    4. global bucket empty                                    -> deny (global), the source is not charged
 *    5. charge the source (a new one starts full, minus this packet) and the global bucket -> allow
 * </pre>
 *
 * <p><b>Per-source bucket</b> (the kernel's constants): 20 packets per second, burst 5. Tokens are nanoseconds of
 * credit: one accrues per nanosecond up to {@link #TOKEN_MAX_NS}, a packet costs {@link #PACKET_COST_NS}. A
 * packet that is denied still moves the bucket's clock, so a source that keeps sending stays in the table and
 * stays limited.
 *
 * <p><b>Global bucket</b>: at most {@code globalPacketsPerSecond} allowed messages per second in total, burst
 * {@code globalBurstPackets}, so a flood spread over many sources (each under its own limit) cannot take the
 * whole control thread. It is checked after the per-source bucket: a packet its own source may not send does
 * not spend the global budget, and a packet the global budget refuses did no work, so its source keeps its
 * token. The default, {@value #DEFAULT_GLOBAL_PACKETS_PER_SECOND}/s with a burst of
 * {@value #DEFAULT_GLOBAL_BURST_PACKETS}, comes from bench/results: an accepted initiation costs the control
 * thread about 250 us (consumeInitiation 73 us + createResponse 170 us + beginSession 6 us) and a response
 * about 170 us, so the budget caps handshake work at about a quarter of one core, and a burst at 25 ms of
 * work, leaving timers, UAPI and cookie replies room. It is still 10x what 10,000 peers rekeying every 120 s
 * need (about 85 per second, both directions).
 *
 * <p><b>Table</b>: open addressing with linear probing over primitive arrays ({@code kinds}, {@code keys},
 * {@code tokensNs}, {@code lastNs}, {@code homes}), at most half full, deletion by backward shift (no
 * tombstones). The hard cap is {@code capacityEntries}; when it is reached a new source is denied, never
 * admitted by evicting a live one, because an attacker with many addresses could otherwise evict a legitimate
 * source and reset its bucket. Slots are hashed with SipHash-1-3 under a per-instance random key, so an
 * attacker cannot choose sources that share a probe sequence. Forgetting idle sources is incremental: every
 * call looks at {@link #SWEEP_SLOTS_PER_CALL} slots, and a new source that finds the table full first looks
 * at {@link #FULL_TABLE_SCAN_SLOTS} more. So one call does a bounded amount of work (at most 260 slot visits
 * plus the probe and the backward shifts of what it deletes, both short at half load), instead of the
 * kernel's pass over every slot (32,768 by default) once a second inside one call. Like the kernel between
 * two of its passes, a full table whose idle sources lie outside the scanned slots denies a new source until
 * the sweep reaches them (fail closed); a table full of idle sources frees room at once, since any window of
 * slots then holds some. Forgetting an idle source changes no decision: after 1 s idle its bucket is full,
 * exactly the state a new source starts in.
 *
 * <p>Threads: every method, counters included, belongs to the control thread. No locks, no allocation, no
 * exceptions per call.
 */
public final class HandshakeRateLimiter {
    private static final long NSEC_PER_SEC = 1_000_000_000L;

    /** Sustained messages per second one source may send (kernel {@code PACKETS_PER_SECOND}). */
    public static final long PACKETS_PER_SECOND = 20;

    /** Messages one source may send at once (kernel {@code PACKETS_BURSTABLE}). */
    public static final long PACKETS_BURSTABLE = 5;

    /** Credit one message costs: 50 ms (kernel {@code PACKET_COST}). */
    public static final long PACKET_COST_NS = NSEC_PER_SEC / PACKETS_PER_SECOND;

    /** Most credit a source can hold: the burst (kernel {@code TOKEN_MAX}). */
    public static final long TOKEN_MAX_NS = PACKET_COST_NS * PACKETS_BURSTABLE;

    /** A source silent for longer than this is forgotten (the kernel's gc interval and age). */
    public static final long IDLE_TIMEOUT_NS = NSEC_PER_SEC;

    /**
     * Default cap on tracked sources: about 800 KiB of arrays. The kernel sizes its table from RAM (8192
     * buckets times 8 entries per bucket above 1 GiB); a gateway sees far fewer handshake sources than a
     * router, and 16,384 distinct sources within one second is already a flood.
     */
    public static final int DEFAULT_CAPACITY_ENTRIES = 16_384;

    /** Default global budget, see the class comment for why. */
    public static final int DEFAULT_GLOBAL_PACKETS_PER_SECOND = 1_000;

    /** Default global burst: 100 ms of the global budget. */
    public static final int DEFAULT_GLOBAL_BURST_PACKETS = 100;

    /** Largest cap accepted: keeps the slot count a positive {@code int} power of two. */
    public static final int MAX_CAPACITY_ENTRIES = 1 << 28;

    /** Slots the idle sweep visits on every call. */
    static final int SWEEP_SLOTS_PER_CALL = 4;

    /** Slots a new source that finds the table full visits, looking for idle sources to forget. */
    static final int FULL_TABLE_SCAN_SLOTS = 256;

    private static final byte EMPTY = 0;
    private static final byte KIND_IPV4 = 4;
    private static final byte KIND_IPV6_64 = 6;

    private final int capacityEntries;
    private final int mask;
    private final byte[] kinds;
    private final long[] keys;
    private final long[] tokensNs;
    private final long[] lastNs;
    private final int[] homes;
    private final long hashKey0;
    private final long hashKey1;

    private final long globalPacketsPerSecond;
    private final long globalMaxTokens;
    private long globalTokens;
    private long globalLastNs;
    private boolean globalStarted;
    private long lastGlobalDenialNs;
    private boolean globalDenied;

    private int sizeEntries;
    private int sweepCursor;

    private long allowedCount;
    private long deniedSourceCount;
    private long deniedGlobalCount;
    private long deniedTableFullCount;
    private long deniedUnknownFamilyCount;

    /** Defaults for cap and global budget, hash key from {@link SecureRandom}. Setup only (allocates). */
    public HandshakeRateLimiter() {
        this(
                DEFAULT_CAPACITY_ENTRIES,
                DEFAULT_GLOBAL_PACKETS_PER_SECOND,
                DEFAULT_GLOBAL_BURST_PACKETS,
                new SecureRandom());
    }

    /**
     * Setup only (allocates the table).
     *
     * @param capacityEntries most sources tracked at once, 1..{@link #MAX_CAPACITY_ENTRIES}.
     * @param globalPacketsPerSecond messages allowed per second over all sources, 1..10^9.
     * @param globalBurstPackets messages allowed at once over all sources, 1..10^6.
     * @param hashKeySource where the per-instance hash key comes from: a {@link SecureRandom} in production,
     *     a seeded generator in tests.
     */
    public HandshakeRateLimiter(
            final int capacityEntries,
            final int globalPacketsPerSecond,
            final int globalBurstPackets,
            final RandomGenerator hashKeySource) {
        if (capacityEntries < 1 || capacityEntries > MAX_CAPACITY_ENTRIES) {
            throw new IllegalArgumentException(
                    "rate limiter capacity must be 1.." + MAX_CAPACITY_ENTRIES + " entries, got " + capacityEntries);
        }
        if (globalPacketsPerSecond < 1 || globalPacketsPerSecond > NSEC_PER_SEC) {
            throw new IllegalArgumentException(
                    "global handshake budget must be 1..1000000000 per second, got " + globalPacketsPerSecond);
        }
        if (globalBurstPackets < 1 || globalBurstPackets > 1_000_000) {
            throw new IllegalArgumentException(
                    "global handshake burst must be 1..1000000 packets, got " + globalBurstPackets);
        }
        this.capacityEntries = capacityEntries;
        // At most half the slots are used, so probes stay short and a miss always ends at an empty slot.
        final int slots = Integer.highestOneBit(Math.max(2, capacityEntries * 2 - 1)) << 1;
        this.mask = slots - 1;
        this.kinds = new byte[slots];
        this.keys = new long[slots];
        this.tokensNs = new long[slots];
        this.lastNs = new long[slots];
        this.homes = new int[slots];
        this.hashKey0 = hashKeySource.nextLong();
        this.hashKey1 = hashKeySource.nextLong();
        this.globalPacketsPerSecond = globalPacketsPerSecond;
        // Global tokens are packet-nanoseconds: a message costs NSEC_PER_SEC, each nanosecond adds the rate.
        this.globalMaxTokens = globalBurstPackets * NSEC_PER_SEC;
        this.globalTokens = globalMaxTokens;
    }

    /**
     * May the handshake message from this source cost any X25519 work? Control thread only.
     *
     * @param sockaddr a Linux {@code sockaddr_in} / {@code sockaddr_in6} (see {@link SockAddr}); the port is
     *     not part of the key.
     * @param offset where the record starts.
     * @param nowNs monotonic time, non-decreasing between calls.
     * @return true to go ahead; false to drop the message (counted under a reason here), also for a family
     *     that is neither IPv4 nor IPv6.
     */
    public boolean allow(final DirectBuffer sockaddr, final int offset, final long nowNs) {
        final int family = SockAddr.family(sockaddr, offset);
        if (family == Posix.AF_INET) {
            return allowIpv4(SockAddr.ipv4Address(sockaddr, offset), nowNs);
        }
        if (family == Posix.AF_INET6) {
            return allowIpv6(
                    SockAddr.ipv6AddressHigh(sockaddr, offset), SockAddr.ipv6AddressLow(sockaddr, offset), nowNs);
        }
        deniedUnknownFamilyCount++;
        return false;
    }

    /** {@link #allow} for an IPv4 source (big-endian address as an {@code int}). Control thread only. */
    public boolean allowIpv4(final int address, final long nowNs) {
        return allowKey(KIND_IPV4, address & 0xFFFF_FFFFL, nowNs);
    }

    /**
     * {@link #allow} for an IPv6 source (big-endian halves). Only the top 64 bits count: one host usually owns
     * a whole /64 and picks addresses in it at will. An IPv4-mapped address ({@code ::ffff:a.b.c.d}) is
     * limited as its IPv4 address, or every IPv4 source behind a dual-stack socket would share the bucket of
     * {@code ::/64}. Control thread only.
     */
    public boolean allowIpv6(final long addressHigh, final long addressLow, final long nowNs) {
        if (addressHigh == 0 && (addressLow >>> 32) == 0xFFFFL) {
            return allowKey(KIND_IPV4, addressLow & 0xFFFF_FFFFL, nowNs);
        }
        return allowKey(KIND_IPV6_64, addressHigh, nowNs);
    }

    private boolean allowKey(final byte kind, final long key, final long nowNs) {
        sweep(nowNs, SWEEP_SLOTS_PER_CALL);
        final int home = (int) SipHash.hash13(hashKey0, hashKey1, key, kind) & mask;
        int slot = find(kind, key, home);
        if (slot >= 0) {
            return allowKnown(slot, nowNs);
        }
        if (sizeEntries >= capacityEntries) {
            sweep(nowNs, FULL_TABLE_SCAN_SLOTS);
            if (sizeEntries >= capacityEntries) {
                deniedTableFullCount++;
                return false;
            }
            // The sweep may have shifted entries, so the empty slot found before may have moved.
            slot = find(kind, key, home);
        }
        // A new source may always send its first packet; only the global budget can refuse it, and then it
        // is not inserted, so a flood the global budget refuses does not fill the table either.
        if (!takeGlobal(nowNs)) {
            deniedGlobalCount++;
            return false;
        }
        final int empty = ~slot;
        kinds[empty] = kind;
        keys[empty] = key;
        homes[empty] = home;
        tokensNs[empty] = TOKEN_MAX_NS - PACKET_COST_NS;
        lastNs[empty] = nowNs;
        sizeEntries++;
        allowedCount++;
        return true;
    }

    private boolean allowKnown(final int slot, final long nowNs) {
        long tokens = tokensNs[slot];
        final long elapsedNs = nowNs - lastNs[slot];
        if (elapsedNs > 0) {
            // The burst is part of the maximum credit, not of the rate (the kernel's variant of nft_limit).
            tokens = Math.min(TOKEN_MAX_NS, tokens + Math.min(elapsedNs, TOKEN_MAX_NS));
            lastNs[slot] = nowNs;
        }
        if (tokens < PACKET_COST_NS) {
            tokensNs[slot] = tokens;
            deniedSourceCount++;
            return false;
        }
        if (!takeGlobal(nowNs)) {
            tokensNs[slot] = tokens;
            deniedGlobalCount++;
            return false;
        }
        tokensNs[slot] = tokens - PACKET_COST_NS;
        allowedCount++;
        return true;
    }

    private boolean takeGlobal(final long nowNs) {
        if (!globalStarted) {
            globalStarted = true;
            globalLastNs = nowNs;
        }
        final long elapsedNs = nowNs - globalLastNs;
        if (elapsedNs > 0) {
            // Bound the elapsed time before multiplying so a long idle period cannot overflow.
            final long untilFullNs = (globalMaxTokens - globalTokens) / globalPacketsPerSecond + 1;
            globalTokens =
                    Math.min(globalMaxTokens, globalTokens + Math.min(elapsedNs, untilFullNs) * globalPacketsPerSecond);
            globalLastNs = nowNs;
        }
        if (globalTokens < NSEC_PER_SEC) {
            globalDenied = true;
            lastGlobalDenialNs = nowNs;
            return false;
        }
        globalTokens -= NSEC_PER_SEC;
        return true;
    }

    /** The slot holding the key, or {@code ~slot} of the empty slot where it would go. */
    private int find(final byte kind, final long key, final int home) {
        int slot = home;
        while (kinds[slot] != EMPTY) {
            if (kinds[slot] == kind && keys[slot] == key) {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
        return ~slot;
    }

    /** Visits {@code budget} slots from the cursor, deleting sources idle for more than 1 s. */
    private void sweep(final long nowNs, final int budget) {
        for (int visit = 0; visit < budget && sizeEntries > 0; visit++) {
            final int slot = sweepCursor;
            if (kinds[slot] != EMPTY && nowNs - lastNs[slot] > IDLE_TIMEOUT_NS) {
                // Stay on this slot: the backward shift may have moved a not yet visited entry into it.
                delete(slot);
            } else {
                sweepCursor = (slot + 1) & mask;
            }
        }
    }

    /** Linear-probing deletion by backward shift: later entries of the cluster move up so every probe still works. */
    private void delete(final int slot) {
        int hole = slot;
        int next = slot;
        while (true) {
            next = (next + 1) & mask;
            if (kinds[next] == EMPTY) {
                break;
            }
            // The entry at next may fill the hole only if the hole lies on its probe path: home..next.
            if (((next - homes[next]) & mask) >= ((next - hole) & mask)) {
                kinds[hole] = kinds[next];
                keys[hole] = keys[next];
                homes[hole] = homes[next];
                tokensNs[hole] = tokensNs[next];
                lastNs[hole] = lastNs[next];
                hole = next;
            }
        }
        kinds[hole] = EMPTY;
        sizeEntries--;
    }

    /**
     * True while the limiter is shedding load: the table is at least 7/8 full, or the global budget refused a
     * message within the last second. A hint for the control thread to answer with cookies (which prove the
     * source address) instead of spending the table and the budget on sources that may be spoofed. Control
     * thread only.
     */
    public boolean saturated(final long nowNs) {
        return sizeEntries >= capacityEntries - (capacityEntries >> 3)
                || (globalDenied && nowNs - lastGlobalDenialNs <= IDLE_TIMEOUT_NS);
    }

    /** Sources tracked now, idle ones not yet swept included. Control thread only. */
    public int sizeEntries() {
        return sizeEntries;
    }

    /** The hard cap on tracked sources. */
    public int capacityEntries() {
        return capacityEntries;
    }

    /** Messages allowed. Control thread only. */
    public long allowedCount() {
        return allowedCount;
    }

    /** Messages denied because their source was over its own rate. Control thread only. */
    public long deniedSourceCount() {
        return deniedSourceCount;
    }

    /** Messages denied because the global budget was spent. Control thread only. */
    public long deniedGlobalCount() {
        return deniedGlobalCount;
    }

    /** Messages from a new source denied because the table was at its cap (fail closed). Control thread only. */
    public long deniedTableFullCount() {
        return deniedTableFullCount;
    }

    /** Messages denied because the source was neither IPv4 nor IPv6. Control thread only. */
    public long deniedUnknownFamilyCount() {
        return deniedUnknownFamilyCount;
    }
}
