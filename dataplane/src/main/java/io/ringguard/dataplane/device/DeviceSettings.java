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
 */
public record DeviceSettings(
        int mtu, int encryptWorkers, int ringSize, int slots, int batchSize, int controlRingBytes, int maxIndices) {

    /** Defaults for a small gateway: workers = cores - 1 (at least 1). */
    public static DeviceSettings defaults(int mtu) {
        int workers = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
        return new DeviceSettings(mtu, workers, 1024, 8192, 32, 256 * 1024, 1 << 16);
    }

    public DeviceSettings {
        if (Integer.bitCount(ringSize) != 1) {
            throw new IllegalArgumentException("ring size must be a power of two, got " + ringSize);
        }
        if (encryptWorkers < 1 || batchSize < 1 || slots < 2 * ringSize) {
            throw new IllegalArgumentException("workers and batch must be >= 1 and slots >= 2 x ring size");
        }
    }
}
