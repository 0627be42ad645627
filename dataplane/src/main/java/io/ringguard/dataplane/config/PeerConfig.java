package io.ringguard.dataplane.config;

import io.ringguard.handshake.keys.Keys;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * One peer as the dataplane should run it: public key, optional preshared key, optional endpoint,
 * persistent keepalive interval (0 = off) and allowed IPs (masked, deduplicated, sorted).
 *
 * <p>Two peers with the same settings are {@link #equals equal} whatever order their allowed IPs
 * were given in; the dataplane keeps a peer's sessions and counters across such a change. The
 * preshared key is never printed and only handed out as a copy. Immutable; any thread.
 */
public final class PeerConfig {
    public static final int MAX_PERSISTENT_KEEPALIVE_SECONDS = 65_535;

    private final PublicKey publicKey;
    private final byte[] presharedKey;
    private final Endpoint endpoint;
    private final int persistentKeepaliveSeconds;
    private final List<Cidr> allowedIps;

    private PeerConfig(Builder b) {
        this.publicKey = b.publicKey;
        this.presharedKey = b.presharedKey == null ? null : b.presharedKey.clone();
        this.endpoint = b.endpoint;
        this.persistentKeepaliveSeconds = b.persistentKeepaliveSeconds;
        this.allowedIps = List.copyOf(b.allowedIps);
    }

    /** A builder for a new peer with no preshared key, no endpoint, no keepalive, no allowed IPs. */
    public static Builder builder(PublicKey publicKey) {
        return new Builder(publicKey);
    }

    /** A builder that starts from this peer's settings. */
    public Builder toBuilder() {
        Builder b = new Builder(publicKey);
        b.presharedKey = presharedKey == null ? null : presharedKey.clone();
        b.endpoint = endpoint;
        b.persistentKeepaliveSeconds = persistentKeepaliveSeconds;
        b.allowedIps.addAll(allowedIps);
        return b;
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    public boolean hasPresharedKey() {
        return presharedKey != null;
    }

    /** A copy of the 32-byte preshared key, or 32 zero bytes when there is none (WireGuard's "no PSK"). */
    public byte[] presharedKey() {
        return presharedKey == null ? new byte[Keys.KEY_BYTES] : presharedKey.clone();
    }

    public Optional<Endpoint> endpoint() {
        return Optional.ofNullable(endpoint);
    }

    public int persistentKeepaliveSeconds() {
        return persistentKeepaliveSeconds;
    }

    /** Masked, without duplicates, IPv4 before IPv6, ascending. Unmodifiable. */
    public List<Cidr> allowedIps() {
        return allowedIps;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PeerConfig other)) {
            return false;
        }
        return publicKey.equals(other.publicKey)
                && secretEquals(presharedKey, other.presharedKey)
                && Objects.equals(endpoint, other.endpoint)
                && persistentKeepaliveSeconds == other.persistentKeepaliveSeconds
                && allowedIps.equals(other.allowedIps);
    }

    /** Constant time for two keys, so a timing side channel cannot reveal how much of a PSK matched. */
    static boolean secretEquals(byte[] a, byte[] b) {
        if (a == null || b == null) {
            return a == b;
        }
        return MessageDigest.isEqual(a, b);
    }

    @Override
    public int hashCode() {
        // The preshared key is left out on purpose: a hash of it would leak bits of the secret.
        return Objects.hash(publicKey, presharedKey != null, endpoint, persistentKeepaliveSeconds, allowedIps);
    }

    @Override
    public String toString() {
        return "PeerConfig{publicKey=" + publicKey
                + ", presharedKey=" + (presharedKey == null ? "none" : "(hidden)")
                + ", endpoint=" + (endpoint == null ? "none" : endpoint)
                + ", persistentKeepaliveSeconds=" + persistentKeepaliveSeconds
                + ", allowedIps=" + allowedIps
                + '}';
    }

    /**
     * Mutable builder; one thread at a time. Allowed IPs form a set: adding one twice keeps one, and
     * {@link #build()} sorts them.
     */
    public static final class Builder {
        private final PublicKey publicKey;
        private byte[] presharedKey;
        private Endpoint endpoint;
        private int persistentKeepaliveSeconds;
        private final TreeSet<Cidr> allowedIps = new TreeSet<>();

        private Builder(PublicKey publicKey) {
            this.publicKey = Objects.requireNonNull(publicKey, "publicKey");
        }

        public PublicKey publicKey() {
            return publicKey;
        }

        /**
         * Sets the preshared key (copied); {@code null} or all zero bytes mean none, as in the UAPI.
         *
         * @throws IllegalArgumentException if the key is not 32 bytes
         */
        public Builder presharedKey(byte[] key) {
            wipe();
            if (key == null || Keys.isZero(checkLength(key))) {
                presharedKey = null;
            } else {
                presharedKey = key.clone();
            }
            return this;
        }

        /** Sets the endpoint; {@code null} means none. */
        public Builder endpoint(Endpoint endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        /** Seconds between keepalives, 0 = off, at most 65535. */
        public Builder persistentKeepaliveSeconds(int seconds) {
            if (seconds < 0 || seconds > MAX_PERSISTENT_KEEPALIVE_SECONDS) {
                throw new IllegalArgumentException("persistent keepalive must be 0 to 65535 seconds");
            }
            this.persistentKeepaliveSeconds = seconds;
            return this;
        }

        /** Adds one prefix; returns true if it was not there yet. */
        public boolean addAllowedIp(Cidr cidr) {
            return allowedIps.add(Objects.requireNonNull(cidr, "cidr"));
        }

        /** Removes one prefix; returns true if it was there. */
        public boolean removeAllowedIp(Cidr cidr) {
            return allowedIps.remove(cidr);
        }

        public Builder allowedIps(Collection<Cidr> cidrs) {
            allowedIps.clear();
            cidrs.forEach(this::addAllowedIp);
            return this;
        }

        public Builder clearAllowedIps() {
            allowedIps.clear();
            return this;
        }

        /** The current allowed IPs, sorted; a copy. */
        public List<Cidr> allowedIps() {
            return new ArrayList<>(allowedIps);
        }

        /** Zeroes the builder's copy of the preshared key (the built peer holds its own copy). */
        public void wipe() {
            if (presharedKey != null) {
                Arrays.fill(presharedKey, (byte) 0);
                presharedKey = null;
            }
        }

        public PeerConfig build() {
            return new PeerConfig(this);
        }

        private static byte[] checkLength(byte[] key) {
            if (key.length != Keys.KEY_BYTES) {
                throw new IllegalArgumentException("preshared key must be 32 bytes, not " + key.length);
            }
            return key;
        }
    }
}
