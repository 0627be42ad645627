package io.ringguard.gateway.config;

import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.PublicKey;
import java.util.List;
import java.util.Objects;

/**
 * What a registered client needs to reach this gateway, for {@link GatewayConfigWriter#clientConfig}:
 * everything of the client's wg-quick file except its secrets.
 *
 * @param addresses the client's tunnel addresses as allocated from the pool, e.g. {@code
 *     100.64.0.2/32}
 * @param dns DNS entries for the client's {@code [Interface]}; may be empty
 * @param mtu the client's MTU, or 0 to leave it to wg-quick
 * @param gatewayPublicKey this gateway's public key
 * @param presharedKey true if the client registered a preshared key: the file then has a
 *     placeholder for it (the writer never sees secrets)
 * @param endpoint where the client sends to: the gateway's public address or name and port
 * @param allowedIps what the client routes into the tunnel, e.g. the pool's prefixes
 * @param persistentKeepaliveSeconds 0 = off; 25 keeps a NAT mapping open
 */
public record ClientConfig(
        List<InterfaceAddress> addresses,
        List<String> dns,
        int mtu,
        PublicKey gatewayPublicKey,
        boolean presharedKey,
        HostPort endpoint,
        List<Cidr> allowedIps,
        int persistentKeepaliveSeconds) {
    public ClientConfig {
        addresses = List.copyOf(addresses);
        dns = List.copyOf(dns);
        allowedIps = List.copyOf(allowedIps);
        Objects.requireNonNull(gatewayPublicKey, "gatewayPublicKey");
        Objects.requireNonNull(endpoint, "endpoint");
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("a client needs at least one address");
        }
        if (mtu != 0 && (mtu < GatewayConfig.MIN_MTU || mtu > GatewayConfig.MAX_MTU)) {
            throw new IllegalArgumentException(
                    "MTU must be 0 (unset) or " + GatewayConfig.MIN_MTU + " to " + GatewayConfig.MAX_MTU);
        }
        if (endpoint.port() == 0) {
            throw new IllegalArgumentException("the endpoint needs a port");
        }
        if (persistentKeepaliveSeconds < 0 || persistentKeepaliveSeconds > 65_535) {
            throw new IllegalArgumentException("persistent keepalive must be 0 to 65535 seconds");
        }
    }
}
