package io.ringguard.gateway.registry;

import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.Endpoint;
import io.ringguard.dataplane.config.PublicKey;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What {@code POST /v1/peers} asks for. Immutable; any thread.
 *
 * @param publicKey the client's key
 * @param presharedKey 32 bytes or null
 * @param allowanceBytes the allowance, or {@link PeerRecord#UNLIMITED}
 * @param allowedIps prefixes to route to the peer besides nothing: null means "its allocated
 *     addresses", the usual case for a client
 * @param endpoint a known endpoint, or null (a client behind NAT is learned from its handshake)
 */
public record RegistrationRequest(
        PublicKey publicKey, byte[] presharedKey, long allowanceBytes, List<Cidr> allowedIps, Endpoint endpoint) {
    public RegistrationRequest {
        Objects.requireNonNull(publicKey, "publicKey");
        presharedKey = PeerRecord.checkPresharedKey(presharedKey);
        PeerRecord.checkAllowance(allowanceBytes);
        allowedIps = allowedIps == null ? null : List.copyOf(allowedIps);
    }

    /** A client with no preshared key, no limit, routed its allocated addresses. */
    public static RegistrationRequest of(PublicKey publicKey) {
        return new RegistrationRequest(publicKey, null, PeerRecord.UNLIMITED, null, null);
    }

    @Override
    public byte[] presharedKey() {
        return presharedKey == null ? null : presharedKey.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RegistrationRequest r
                && publicKey.equals(r.publicKey)
                && Arrays.equals(presharedKey, r.presharedKey)
                && allowanceBytes == r.allowanceBytes
                && Objects.equals(allowedIps, r.allowedIps)
                && Objects.equals(endpoint, r.endpoint);
    }

    @Override
    public int hashCode() {
        return publicKey.hashCode();
    }

    @Override
    public String toString() {
        return "RegistrationRequest[" + publicKey + ", psk=" + (presharedKey == null ? "none" : "(hidden)")
                + ", allowance=" + allowanceBytes + ", allowedIps=" + allowedIps + ", endpoint=" + endpoint + "]";
    }
}
