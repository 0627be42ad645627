package io.ringguard.dataplane.device;

/**
 * Sizes and policies of one interface's dataplane (implementation choices, not protocol constants).
 *
 * @param mtu the TUN MTU; transport padding never exceeds it
 * @param encryptWorkers parallel encrypt workers; decrypt uses the same number
 * @param ringSize entries per Disruptor ring (power of two)
 * @param slots packet slots in the slab; every packet in flight or staged holds one
 * @param batchSize packets per TUN read batch and per {@code recvmmsg}/{@code sendmmsg}
 * @param controlRingBytes bytes for queued handshake messages
 * @param maxIndices receiver indices (handshakes plus keypairs) before new ones are refused
 * @param waitStrategy how idle ring stages wait; {@link RingWait#LITE_BLOCKING} never spins
 * @param maxPeers most peers a configuration may have; a change past it is refused whole (errno 22)
 * @param tunOffloads open the TUN with {@code IFF_VNET_HDR} and TSO (read super-packets and split them, write
 *     coalesced TCP segments); falls back to a plain TUN when the kernel refuses
 * @param udpGso send runs of equal-size datagrams to one endpoint as one {@code UDP_SEGMENT} send, and receive
 *     coalesced runs with {@code UDP_GRO} (split back into one slot per datagram); each falls back to one
 *     datagram per message when the kernel refuses it
 * @param warmUp run the AEAD on a side thread at start so the JIT compiles it before the first packet
 */
public record DeviceSettings(
        int mtu,
        int encryptWorkers,
        int ringSize,
        int slots,
        int batchSize,
        int controlRingBytes,
        int maxIndices,
        RingWait waitStrategy,
        int maxPeers,
        boolean tunOffloads,
        boolean udpGso,
        boolean warmUp) {

    /** Without offloads or warm-up: what the in-memory tests and older callers use. */
    public DeviceSettings(
            int mtu,
            int encryptWorkers,
            int ringSize,
            int slots,
            int batchSize,
            int controlRingBytes,
            int maxIndices,
            RingWait waitStrategy,
            int maxPeers) {
        this(
                mtu,
                encryptWorkers,
                ringSize,
                slots,
                batchSize,
                controlRingBytes,
                maxIndices,
                waitStrategy,
                maxPeers,
                false,
                false,
                false);
    }

    /**
     * wireguard-go's {@code MaxPeers} (1 << 16), whose UAPI we stand in for: a configuration that works
     * with it works with us, and the tables sized from it stay a few MiB.
     */
    public static final int DEFAULT_MAX_PEERS = 1 << 16;

    /** The kernel's {@code MAX_PEERS_PER_DEVICE} (1 << 20): beyond it a typo is likelier than a plan. */
    public static final int MAX_MAX_PEERS = 1 << 20;

    /**
     * Receiver indices a peer can hold at once: its pending handshake plus previous, current and next
     * keypairs. Only authenticated handshakes of configured peers create indices, so this many per peer
     * is a cap the network cannot push past; the table refuses more ({@code IndexTable.FULL}).
     */
    public static final int INDICES_PER_PEER = 4;

    /** How ring stages wait for work. Spinning ones trade a core for latency; blocking ones park. */
    public enum RingWait {
        /** Park until signalled on a lock and condition; every publish signals. The default. */
        BLOCKING,
        /** Park until signalled; the producer signals only when a stage waits (cheaper publishes). */
        LITE_BLOCKING,
        /** Spin for 20 us, yield for 50 us, then park on a lock: lower latency under steady load. */
        PHASED,
        /** Spin then yield, never park: a dedicated core per stage. */
        YIELDING,
        /**
         * Run to completion for single packets: the thread that publishes one or two packets (TUN reader, UDP
         * receiver, control) runs the fused stages itself when nothing else is running them, and a stage thread
         * (parked until handed a burst) takes bursts ({@code InlineStages}). Only with one crypto worker; with
         * more, {@link #BLOCKING} is used.
         */
        INLINE;

        com.lmax.disruptor.WaitStrategy create() {
            return switch (this) {
                case LITE_BLOCKING -> new com.lmax.disruptor.LiteBlockingWaitStrategy();
                case PHASED ->
                    com.lmax.disruptor.PhasedBackoffWaitStrategy.withLiteLock(
                            20, 50, java.util.concurrent.TimeUnit.MICROSECONDS);
                case YIELDING -> new com.lmax.disruptor.YieldingWaitStrategy();
                // Nobody waits on an inline ring; BLOCKING is what a multi-worker pipeline falls back to.
                case INLINE, BLOCKING -> new com.lmax.disruptor.BlockingWaitStrategy();
            };
        }

        /** Parses {@code lite_blocking}, {@code phased} or {@code yielding} (any case). */
        public static RingWait parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "wait strategy must be blocking, lite_blocking, phased, yielding or inline, not '" + text + "'",
                        e);
            }
        }
    }

    /**
     * Defaults for a small gateway: workers = cores - 1 (at least 1); with one worker the stages run inline for
     * single packets ({@link RingWait#INLINE}: measured on 2 cores, rg:rg ping p50 1.20x -> 0.97x wireguard-go's
     * with TCP and UDP throughput unchanged), else on blocking stage threads.
     */
    public static DeviceSettings defaults(int mtu) {
        int workers = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
        return new DeviceSettings(
                mtu,
                workers,
                1024,
                8192,
                32,
                256 * 1024,
                indicesFor(DEFAULT_MAX_PEERS),
                workers == 1 ? RingWait.INLINE : RingWait.BLOCKING,
                DEFAULT_MAX_PEERS,
                true,
                true,
                true);
    }

    /** The same settings with another wait strategy. */
    public DeviceSettings withWaitStrategy(RingWait wait) {
        return new DeviceSettings(
                mtu,
                encryptWorkers,
                ringSize,
                slots,
                batchSize,
                controlRingBytes,
                maxIndices,
                wait,
                maxPeers,
                tunOffloads,
                udpGso,
                warmUp);
    }

    /** The same settings with another peer cap, and an index table sized for it. */
    public DeviceSettings withMaxPeers(int peers) {
        return new DeviceSettings(
                mtu,
                encryptWorkers,
                ringSize,
                slots,
                batchSize,
                controlRingBytes,
                indicesFor(peers),
                waitStrategy,
                peers,
                tunOffloads,
                udpGso,
                warmUp);
    }

    /** The same settings with the offloads switched as given. */
    public DeviceSettings withOffloads(boolean tun, boolean gso) {
        return new DeviceSettings(
                mtu,
                encryptWorkers,
                ringSize,
                slots,
                batchSize,
                controlRingBytes,
                maxIndices,
                waitStrategy,
                maxPeers,
                tun,
                gso,
                warmUp);
    }

    /**
     * Applies an offload list as the {@code RINGGUARD_OFFLOADS} environment variable gives it: {@code all}
     * (the default), {@code none}, or a comma list of {@code tun} and {@code gso} (UDP segmentation offload both
     * ways: GSO on send, GRO on receive).
     */
    public DeviceSettings withOffloads(String list) {
        String text = list.trim().toLowerCase(java.util.Locale.ROOT);
        if (text.equals("all")) {
            return withOffloads(true, true);
        }
        if (text.equals("none")) {
            return withOffloads(false, false);
        }
        boolean tun = false;
        boolean gso = false;
        for (String item : text.split(",", -1)) {
            switch (item.trim()) {
                case "tun" -> tun = true;
                case "gso" -> gso = true;
                default ->
                    throw new IllegalArgumentException(
                            "offloads must be all, none or a list of tun and gso, not '" + list + "'");
            }
        }
        return withOffloads(tun, gso);
    }

    /** The index table capacity that {@code peers} peers can never fill: {@link #INDICES_PER_PEER} each. */
    public static int indicesFor(int peers) {
        return Math.multiplyExact(INDICES_PER_PEER, Math.max(1, peers));
    }

    public DeviceSettings {
        if (Integer.bitCount(ringSize) != 1) {
            throw new IllegalArgumentException("ring size must be a power of two, got " + ringSize);
        }
        if (encryptWorkers < 1 || batchSize < 1 || slots < 2 * ringSize) {
            throw new IllegalArgumentException("workers and batch must be >= 1 and slots >= 2 x ring size");
        }
        if (maxPeers < 1 || maxPeers > MAX_MAX_PEERS) {
            throw new IllegalArgumentException("max peers must be 1 to " + MAX_MAX_PEERS + ", got " + maxPeers);
        }
    }
}
