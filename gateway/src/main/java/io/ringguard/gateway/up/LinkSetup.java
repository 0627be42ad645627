package io.ringguard.gateway.up;

import io.ringguard.dataplane.config.Cidr;
import io.ringguard.gateway.config.InterfaceAddress;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Configures the interface the way wg-quick does, with {@code ip(8)}: addresses, MTU, link up. Setup
 * thread only; every command is bounded in time and its failure names the command and its output.
 */
final class LinkSetup {
    private static final long COMMAND_TIMEOUT_MS = 10_000;

    private LinkSetup() {}

    static void configure(String iface, List<InterfaceAddress> addresses, int mtu) throws IOException {
        ip("link", "set", "dev", iface, "mtu", Integer.toString(mtu));
        for (InterfaceAddress address : addresses) {
            ip(address.isIpv4() ? "-4" : "-6", "address", "add", address.toString(), "dev", iface);
        }
        ip("link", "set", "dev", iface, "up");
    }

    /**
     * Routes every peer's allowed IPs through the interface, as wg-quick does. Default routes
     * ({@code /0}) are skipped: wg-quick needs policy routing for those, which a gateway does not
     * want implicitly; route them explicitly if that is the intent.
     */
    static void routes(String iface, java.util.Collection<Cidr> before, java.util.Collection<Cidr> after)
            throws IOException {
        for (Cidr cidr : before) {
            if (!after.contains(cidr) && cidr.prefixLength() > 0) {
                ipQuiet(cidr.isIpv4() ? "-4" : "-6", "route", "del", cidr.toString(), "dev", iface);
            }
        }
        for (Cidr cidr : after) {
            if (cidr.prefixLength() > 0) {
                ip(cidr.isIpv4() ? "-4" : "-6", "route", "replace", cidr.toString(), "dev", iface);
            }
        }
    }

    /** Allowed IPs of every peer in {@code config}. */
    static java.util.Set<Cidr> allowedIps(io.ringguard.dataplane.config.DeviceConfig config) {
        java.util.Set<Cidr> all = new java.util.LinkedHashSet<>();
        for (io.ringguard.dataplane.config.PeerConfig peer : config.peers().values()) {
            all.addAll(peer.allowedIps());
        }
        return all;
    }

    private static void ipQuiet(String... args) {
        try {
            ip(args);
        } catch (IOException e) {
            // Already gone (e.g. removed with its address): nothing to undo.
        }
    }

    /** Brings a reloaded configuration's addresses and MTU into effect; unchanged ones stay. */
    static void reconcile(String iface, List<InterfaceAddress> before, List<InterfaceAddress> after, int mtu)
            throws IOException {
        ip("link", "set", "dev", iface, "mtu", Integer.toString(mtu));
        for (InterfaceAddress address : before) {
            if (!after.contains(address)) {
                ip(address.isIpv4() ? "-4" : "-6", "address", "del", address.toString(), "dev", iface);
            }
        }
        for (InterfaceAddress address : after) {
            if (!before.contains(address)) {
                ip(address.isIpv4() ? "-4" : "-6", "address", "add", address.toString(), "dev", iface);
            }
        }
    }

    private static void ip(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + ": interrupted", e);
        }
        if (p.exitValue() != 0) {
            String output =
                    new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            throw new IOException(String.join(" ", command) + ": " + output);
        }
    }
}
