package io.ringguard.gateway.config;

import io.ringguard.dataplane.config.DeviceConfig;
import java.util.List;
import java.util.Objects;

/**
 * Everything {@code ringguard up CONFIG} needs from the file, validated: nothing in here can fail
 * later for a reason the file could have shown.
 *
 * @param interfaceName the interface to create: the file's base name without {@code .conf}, as
 *     wg-quick names it
 * @param device private key, listen port, fwmark and peers (endpoints already resolved), as the
 *     dataplane applies them; its {@code toString} hides the keys
 * @param addresses the interface's own addresses ({@code Address}), in file order
 * @param mtu the interface MTU ({@code MTU}, default {@link #DEFAULT_MTU})
 * @param wgQuick the wg-quick keys RingGuard keeps but does not act on by itself
 * @param gateway the {@code [Gateway]} section with its defaults
 */
public record GatewayConfig(
        String interfaceName,
        DeviceConfig device,
        List<InterfaceAddress> addresses,
        int mtu,
        WgQuickExtras wgQuick,
        GatewaySettings gateway) {
    /** 1500 minus the IPv6 + UDP + WireGuard overhead (80 bytes), as wg-quick and the dataplane use. */
    public static final int DEFAULT_MTU = 1420;

    /** RFC 791: every IPv4 host must take 576-byte datagrams; below that nothing useful fits. */
    public static final int MIN_MTU = 576;

    /** IPv6 needs links of at least 1280 bytes (RFC 8200 section 5); Linux drops IPv6 below it. */
    public static final int MIN_IPV6_MTU = 1280;

    /** Jumbo frames; every packet slot is MTU + 64 bytes, so the bound also bounds memory. */
    public static final int MAX_MTU = 9000;

    public GatewayConfig {
        Objects.requireNonNull(interfaceName, "interfaceName");
        Objects.requireNonNull(device, "device");
        addresses = List.copyOf(addresses);
        Objects.requireNonNull(wgQuick, "wgQuick");
        Objects.requireNonNull(gateway, "gateway");
        if (mtu < MIN_MTU || mtu > MAX_MTU) {
            throw new IllegalArgumentException("MTU must be " + MIN_MTU + " to " + MAX_MTU);
        }
    }
}
