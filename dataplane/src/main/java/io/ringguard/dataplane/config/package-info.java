/**
 * The device configuration the dataplane applies: {@link io.ringguard.dataplane.config.DeviceConfig}
 * (private key, listen port, fwmark, peers in insertion order) and {@link
 * io.ringguard.dataplane.config.PeerConfig} (public key, preshared key, endpoint, persistent
 * keepalive, allowed IPs), with the value types {@link io.ringguard.dataplane.config.PublicKey},
 * {@link io.ringguard.dataplane.config.Cidr} and {@link io.ringguard.dataplane.config.Endpoint}.
 *
 * <p>Everything here is immutable and safe to share between threads. A new configuration is built
 * by the control thread (from a UAPI {@code set} or a config file) and published whole; the
 * dataplane compares old and new per peer and keeps the sessions of peers that compare equal, which
 * is what {@code wg syncconf} relies on.
 *
 * <p>Decisions:
 *
 * <ul>
 *   <li>Secrets (private and preshared keys) are held as private {@code byte[]} copies, handed out
 *       only as fresh copies, compared in constant time, and never printed: {@code toString()} says
 *       {@code (hidden)}. Public keys are not secret and print as base64, as {@code wg show} does.
 *   <li>Allowed IPs are kept masked ({@code 198.18.0.1/24} is {@code 198.18.0.0/24}), without
 *       duplicates and sorted (IPv4 first, then by address, then by prefix length). They form a set
 *       in the allowed-IPs trie, so the order a request happened to list them in is not part of the
 *       configuration, and two requests naming the same prefixes give equal peers.
 *   <li>A prefix belongs to at most one peer, as in the trie; {@link
 *       io.ringguard.dataplane.config.DeviceConfig.Builder#build()} rejects a configuration that
 *       gives one prefix to two peers.
 *   <li>Addresses are literals only: no DNS at this layer (names are resolved by whoever reads a
 *       config file). IPv6 zone ids ({@code fe80::1%eth0}) are not supported yet.
 * </ul>
 */
package io.ringguard.dataplane.config;
