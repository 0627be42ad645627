package io.ringguard.gateway.registry;

import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.Endpoint;
import io.ringguard.dataplane.config.PublicKey;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One registered peer as stored: the row of the {@code peers} table. Immutable; any thread.
 *
 * <p>{@link #rxBytes()} and {@link #txBytes()} are the stored (synced) totals only; the live totals
 * are {@link AccountingSync#totals}. The preshared key is a copy on every read and never printed.
 *
 * @param publicKey the peer's key, the row's identity
 * @param presharedKey 32 bytes, or null when the peer has none
 * @param allowedIps the prefixes routed to the peer (by default its allocated addresses)
 * @param addresses the tunnel addresses allocated to it from the pool, /32 and /128
 * @param endpoint the last known UDP endpoint, or null
 * @param allowanceBytes bytes it may move (received plus sent), or {@link #UNLIMITED}
 * @param rxBytes stored bytes received from it
 * @param txBytes stored bytes sent to it
 * @param createdAtMs wall-clock creation time, epoch milliseconds
 * @param updatedAtMs wall-clock time of the last change, epoch milliseconds
 */
public record PeerRecord(
        PublicKey publicKey,
        byte[] presharedKey,
        List<Cidr> allowedIps,
        List<Cidr> addresses,
        Endpoint endpoint,
        long allowanceBytes,
        long rxBytes,
        long txBytes,
        long createdAtMs,
        long updatedAtMs) {
    /** {@link #allowanceBytes()} of a peer without a limit (NULL in the database). */
    public static final long UNLIMITED = -1;

    public static final int PRESHARED_KEY_BYTES = 32;

    public PeerRecord {
        Objects.requireNonNull(publicKey, "publicKey");
        presharedKey = checkPresharedKey(presharedKey);
        allowedIps = List.copyOf(allowedIps);
        addresses = List.copyOf(addresses);
        checkAllowance(allowanceBytes);
    }

    /** A copy of the preshared key, or null. */
    @Override
    public byte[] presharedKey() {
        return presharedKey == null ? null : presharedKey.clone();
    }

    public boolean unlimited() {
        return allowanceBytes == UNLIMITED;
    }

    /** The stored totals. */
    public ByteTotals storedTotals() {
        return new ByteTotals(rxBytes, txBytes);
    }

    static byte[] checkPresharedKey(byte[] key) {
        if (key != null && key.length != PRESHARED_KEY_BYTES) {
            throw new IllegalArgumentException("a preshared key is 32 bytes, not " + key.length);
        }
        return key == null ? null : key.clone();
    }

    static void checkAllowance(long allowanceBytes) {
        if (allowanceBytes < 0 && allowanceBytes != UNLIMITED) {
            throw new IllegalArgumentException("allowance must be at least 0 bytes (or unlimited)");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PeerRecord r
                && publicKey.equals(r.publicKey)
                && Arrays.equals(presharedKey, r.presharedKey)
                && allowedIps.equals(r.allowedIps)
                && addresses.equals(r.addresses)
                && Objects.equals(endpoint, r.endpoint)
                && allowanceBytes == r.allowanceBytes
                && rxBytes == r.rxBytes
                && txBytes == r.txBytes
                && createdAtMs == r.createdAtMs
                && updatedAtMs == r.updatedAtMs;
    }

    @Override
    public int hashCode() {
        return publicKey.hashCode();
    }

    /** Never prints the preshared key, only whether there is one. */
    @Override
    public String toString() {
        return "PeerRecord[" + publicKey + ", psk=" + (presharedKey == null ? "none" : "(hidden)") + ", allowedIps="
                + allowedIps + ", addresses=" + addresses + ", endpoint=" + endpoint + ", allowance="
                + (unlimited() ? "unlimited" : allowanceBytes) + ", rx=" + rxBytes + ", tx=" + txBytes + "]";
    }
}
