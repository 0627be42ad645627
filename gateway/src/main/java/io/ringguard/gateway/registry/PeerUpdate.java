package io.ringguard.gateway.registry;

import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.Endpoint;
import java.util.List;

/**
 * A change to a registered peer ({@code PATCH /v1/peers/{key}}): only the parts that were set change.
 * Build one with the {@code with*} methods; each returns a new value. Immutable; any thread.
 */
public final class PeerUpdate {
    public static final PeerUpdate NONE = new PeerUpdate(false, null, false, 0, null, false, null);

    private final boolean setPresharedKey;
    private final byte[] presharedKey;
    private final boolean setAllowance;
    private final long allowanceBytes;
    private final List<Cidr> allowedIps;
    private final boolean setEndpoint;
    private final Endpoint endpoint;

    private PeerUpdate(
            boolean setPresharedKey,
            byte[] presharedKey,
            boolean setAllowance,
            long allowanceBytes,
            List<Cidr> allowedIps,
            boolean setEndpoint,
            Endpoint endpoint) {
        this.setPresharedKey = setPresharedKey;
        this.presharedKey = presharedKey;
        this.setAllowance = setAllowance;
        this.allowanceBytes = allowanceBytes;
        this.allowedIps = allowedIps;
        this.setEndpoint = setEndpoint;
        this.endpoint = endpoint;
    }

    /** Sets the preshared key (32 bytes), or removes it when {@code key} is null. */
    public PeerUpdate withPresharedKey(byte[] key) {
        return new PeerUpdate(
                true,
                PeerRecord.checkPresharedKey(key),
                setAllowance,
                allowanceBytes,
                allowedIps,
                setEndpoint,
                endpoint);
    }

    /** Sets the allowance, or {@link PeerRecord#UNLIMITED}. */
    public PeerUpdate withAllowanceBytes(long bytes) {
        PeerRecord.checkAllowance(bytes);
        return new PeerUpdate(setPresharedKey, presharedKey, true, bytes, allowedIps, setEndpoint, endpoint);
    }

    /** Replaces the allowed IPs. */
    public PeerUpdate withAllowedIps(List<Cidr> ips) {
        return new PeerUpdate(
                setPresharedKey, presharedKey, setAllowance, allowanceBytes, List.copyOf(ips), setEndpoint, endpoint);
    }

    /** Sets the endpoint (as learned by the dataplane), or clears it when null. */
    public PeerUpdate withEndpoint(Endpoint value) {
        return new PeerUpdate(setPresharedKey, presharedKey, setAllowance, allowanceBytes, allowedIps, true, value);
    }

    /**
     * Which parts change, for logs: the preshared key shows only as {@code set} or {@code removed}, never
     * its value.
     */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        if (setPresharedKey) {
            out.append("preshared key ").append(presharedKey == null ? "removed" : "set");
        }
        if (setAllowance) {
            out.append(out.isEmpty() ? "" : ", ").append("allowance ");
            out.append(allowanceBytes == PeerRecord.UNLIMITED ? "unlimited" : allowanceBytes + " bytes");
        }
        if (allowedIps != null) {
            out.append(out.isEmpty() ? "" : ", ").append("allowed IPs ").append(allowedIps);
        }
        if (setEndpoint) {
            out.append(out.isEmpty() ? "" : ", ").append("endpoint ").append(endpoint == null ? "cleared" : endpoint);
        }
        return out.isEmpty() ? "no change" : out.toString();
    }

    /** Applies this change to {@code record}; the totals and creation time are kept. */
    PeerRecord applyTo(PeerRecord record, long nowMs) {
        return new PeerRecord(
                record.publicKey(),
                setPresharedKey ? presharedKey : record.presharedKey(),
                allowedIps != null ? allowedIps : record.allowedIps(),
                record.addresses(),
                setEndpoint ? endpoint : record.endpoint(),
                setAllowance ? allowanceBytes : record.allowanceBytes(),
                record.rxBytes(),
                record.txBytes(),
                record.createdAtMs(),
                nowMs);
    }

    public boolean setsAllowance() {
        return setAllowance;
    }
}
