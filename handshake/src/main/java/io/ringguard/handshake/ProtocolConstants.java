package io.ringguard.handshake;

import java.util.concurrent.TimeUnit;

/**
 * Constants fixed by the WireGuard specification (whitepaper sections 5 and 6). Implementation
 * choices (pool sizes, ring capacities) live with the code that makes them, not here.
 */
public final class ProtocolConstants {
    private ProtocolConstants() {}

    public static final String CONSTRUCTION = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
    public static final String IDENTIFIER = "WireGuard v1 zx2c4 Jason@zx2c4.com";
    public static final String LABEL_MAC1 = "mac1----";
    public static final String LABEL_COOKIE = "cookie--";

    public static final long REKEY_AFTER_MESSAGES = 1L << 60;
    /** 2^64 - 2^13 - 1, as an unsigned 64-bit value. */
    public static final long REJECT_AFTER_MESSAGES = -(1L << 13) - 1L;

    public static final long REKEY_AFTER_TIME_NS = TimeUnit.SECONDS.toNanos(120);
    public static final long REJECT_AFTER_TIME_NS = TimeUnit.SECONDS.toNanos(180);
    public static final long REKEY_ATTEMPT_TIME_NS = TimeUnit.SECONDS.toNanos(90);
    public static final long REKEY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    public static final long KEEPALIVE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    public static final long COOKIE_SECRET_MAX_AGE_NS = TimeUnit.SECONDS.toNanos(120);
    public static final long COOKIE_SECRET_LATENCY_NS = TimeUnit.SECONDS.toNanos(5);

    /** At most this many initiations per second are consumed from one peer (one per 20 ms). */
    public static final int INITIATIONS_PER_SECOND = 50;

    public static final long MIN_INITIATION_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1) / INITIATIONS_PER_SECOND;

    public static final int KEY_BYTES = 32;
    public static final int HASH_BYTES = 32;
    public static final int TIMESTAMP_BYTES = 12;
    public static final int COOKIE_BYTES = 16;
    public static final int AEAD_TAG_BYTES = 16;
}
