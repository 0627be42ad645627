package io.ringguard.dataplane.config;

import io.ringguard.handshake.keys.Keys;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SequencedMap;

/**
 * The whole configuration of one WireGuard device: optional private key, listen port (0 = let the
 * system pick), fwmark (0 = off) and the peers by public key, in the order they were added.
 *
 * <p>Equality compares the peers as a map: the order peers were added in is kept for listing, but
 * two configurations with the same peers are equal whatever their order.
 *
 * <p>The private key is held as a private copy, handed out only as a copy, compared in constant
 * time and never printed. The public key is derived from it once, when a builder sets it.
 * Immutable; any thread.
 */
public final class DeviceConfig {
    public static final int MAX_LISTEN_PORT = 65_535;

    /** No key, port 0, no fwmark, no peers: a device as wireguard-go creates it. */
    public static final DeviceConfig EMPTY = builder().build();

    private final byte[] privateKey;
    private final PublicKey publicKey;
    private final int listenPort;
    private final int fwmark;
    private final SequencedMap<PublicKey, PeerConfig> peers;

    private DeviceConfig(Builder b) {
        this.privateKey = b.privateKey == null ? null : b.privateKey.clone();
        this.publicKey = b.publicKey();
        this.listenPort = b.listenPort;
        this.fwmark = b.fwmark;
        this.peers = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(b.peers));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.privateKey = privateKey == null ? null : privateKey.clone();
        b.publicKey = publicKey;
        b.listenPort = listenPort;
        b.fwmark = fwmark;
        b.peers.putAll(peers);
        return b;
    }

    public boolean hasPrivateKey() {
        return privateKey != null;
    }

    /** A copy of the 32-byte private key; the caller should zero it after use. */
    public byte[] privateKey() {
        if (privateKey == null) {
            throw new IllegalStateException("the device has no private key");
        }
        return privateKey.clone();
    }

    /** The public key of the private key, if there is one. */
    public Optional<PublicKey> publicKey() {
        return Optional.ofNullable(publicKey);
    }

    /** The configured UDP port; 0 asks the system to pick one when the socket is bound. */
    public int listenPort() {
        return listenPort;
    }

    /** The firewall mark for outgoing packets, an unsigned 32-bit value; 0 = off. */
    public int fwmark() {
        return fwmark;
    }

    /** Peers in the order they were added. Unmodifiable. */
    public SequencedMap<PublicKey, PeerConfig> peers() {
        return peers;
    }

    public Optional<PeerConfig> peer(PublicKey key) {
        return Optional.ofNullable(peers.get(key));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceConfig other
                && PeerConfig.secretEquals(privateKey, other.privateKey)
                && listenPort == other.listenPort
                && fwmark == other.fwmark
                && peers.equals(other.peers)
                && peers.sequencedKeySet().stream()
                        .toList()
                        .equals(other.peers.sequencedKeySet().stream().toList());
    }

    @Override
    public int hashCode() {
        // Hashes the derived public key, never the private key itself.
        return Objects.hash(publicKey, listenPort, fwmark, peers);
    }

    @Override
    public String toString() {
        return "DeviceConfig{privateKey=" + (privateKey == null ? "none" : "(hidden)")
                + ", publicKey=" + (publicKey == null ? "none" : publicKey)
                + ", listenPort=" + listenPort
                + ", fwmark=" + Integer.toUnsignedString(fwmark)
                + ", peers=" + peers.values()
                + '}';
    }

    /** Mutable builder; one thread at a time. */
    public static final class Builder {
        private byte[] privateKey;
        private PublicKey publicKey;
        private int listenPort;
        private int fwmark;
        private final LinkedHashMap<PublicKey, PeerConfig> peers = new LinkedHashMap<>();

        private Builder() {}

        /**
         * Sets the private key (copied); {@code null} or all zero bytes remove it, as in the UAPI.
         *
         * @throws IllegalArgumentException if the key is not 32 bytes
         */
        public Builder privateKey(byte[] key) {
            wipe();
            if (key != null && key.length != Keys.KEY_BYTES) {
                throw new IllegalArgumentException("private key must be 32 bytes, not " + key.length);
            }
            if (key != null && !Keys.isZero(key)) {
                privateKey = key.clone();
            }
            return this;
        }

        /** The public key of the private key set so far, derived once; empty without a private key. */
        public Optional<PublicKey> publicKeyOfPrivateKey() {
            return Optional.ofNullable(publicKey());
        }

        private PublicKey publicKey() {
            if (publicKey == null && privateKey != null) {
                byte[] pub = Keys.publicKey(privateKey);
                publicKey = PublicKey.of(pub);
            }
            return publicKey;
        }

        public Builder listenPort(int port) {
            if (port < 0 || port > MAX_LISTEN_PORT) {
                throw new IllegalArgumentException("listen port must be 0 to 65535");
            }
            this.listenPort = port;
            return this;
        }

        /** Unsigned 32-bit firewall mark; 0 = off. */
        public Builder fwmark(int mark) {
            this.fwmark = mark;
            return this;
        }

        /** Adds or replaces a peer; a new peer goes last, a replaced one keeps its place. */
        public Builder putPeer(PeerConfig peer) {
            peers.put(peer.publicKey(), peer);
            return this;
        }

        public Optional<PeerConfig> removePeer(PublicKey key) {
            return Optional.ofNullable(peers.remove(key));
        }

        public Builder clearPeers() {
            peers.clear();
            return this;
        }

        public Optional<PeerConfig> peer(PublicKey key) {
            return Optional.ofNullable(peers.get(key));
        }

        /** Zeroes the builder's copy of the private key (the built configuration holds its own). */
        public void wipe() {
            if (privateKey != null) {
                Arrays.fill(privateKey, (byte) 0);
                privateKey = null;
            }
            publicKey = null;
        }

        /**
         * The configuration.
         *
         * @throws IllegalArgumentException if two peers share an allowed IP (the allowed-IPs trie
         *     maps a prefix to one peer) or a peer has the device's own public key
         */
        public DeviceConfig build() {
            PublicKey own = publicKey();
            if (own != null && peers.containsKey(own)) {
                throw new IllegalArgumentException("a peer has the device's own public key " + own);
            }
            Map<Cidr, PublicKey> owners = new HashMap<>();
            for (PeerConfig peer : peers.values()) {
                for (Cidr cidr : peer.allowedIps()) {
                    PublicKey previous = owners.putIfAbsent(cidr, peer.publicKey());
                    if (previous != null) {
                        throw new IllegalArgumentException(
                                "allowed IP " + cidr + " is given to both " + previous + " and " + peer.publicKey());
                    }
                }
            }
            return new DeviceConfig(this);
        }
    }
}
