package io.ringguard.gateway.config;

import io.ringguard.dataplane.config.DeviceConfig;
import io.ringguard.dataplane.config.PeerConfig;
import io.ringguard.handshake.keys.Keys;
import java.util.Arrays;
import java.util.List;

/**
 * Writes config files that {@link GatewayConfigParser} reads back to an equal value.
 *
 * <ul>
 *   <li>{@link #clientConfig}: the wg-quick file handed to a registered client (CONTRACTS.md section
 *       5, "without its private key"): its addresses, and this gateway as its one peer. Where the
 *       client's secrets go it writes a comment ({@link #PRIVATE_KEY_PLACEHOLDER}, {@link
 *       #PRESHARED_KEY_PLACEHOLDER}), so the file is complete once the client fills them in and it
 *       is safe to return over the API as a {@code String}.
 *   <li>{@link #write}: a whole gateway config, private and preshared keys included. It returns a
 *       {@code char[]} that the caller zeroes, and zeroes every buffer it used on the way.
 * </ul>
 *
 * Stateless; any thread.
 */
public final class GatewayConfigWriter {
    /** Replace this line with {@code PrivateKey = <base64>} to complete a client config. */
    public static final String PRIVATE_KEY_PLACEHOLDER =
            "# PrivateKey = (your private key: the one whose public key you registered)";

    /** Replace this line with {@code PresharedKey = <base64>} to complete a client config. */
    public static final String PRESHARED_KEY_PLACEHOLDER = "# PresharedKey = (the preshared key you registered)";

    private GatewayConfigWriter() {}

    /** The client's wg-quick file, without secrets (see the class comment). */
    public static String clientConfig(ClientConfig client) {
        StringBuilder out = new StringBuilder(512);
        out.append("[Interface]\n").append(PRIVATE_KEY_PLACEHOLDER).append('\n');
        line(out, "Address", join(client.addresses()));
        if (!client.dns().isEmpty()) {
            line(out, "DNS", join(client.dns()));
        }
        if (client.mtu() != 0) {
            line(out, "MTU", Integer.toString(client.mtu()));
        }
        out.append("\n[Peer]\n");
        line(out, "PublicKey", client.gatewayPublicKey().toString());
        if (client.presharedKey()) {
            out.append(PRESHARED_KEY_PLACEHOLDER).append('\n');
        }
        line(out, "Endpoint", client.endpoint().toString());
        line(out, "AllowedIPs", join(client.allowedIps()));
        if (client.persistentKeepaliveSeconds() != 0) {
            line(out, "PersistentKeepalive", Integer.toString(client.persistentKeepaliveSeconds()));
        }
        return out.toString();
    }

    /**
     * The whole config, secrets included, as characters the caller must zero after use. {@code
     * [Gateway]} keys are written only where they differ from the defaults for the interface.
     */
    public static char[] write(GatewayConfig config) {
        SecretText out = new SecretText();
        try {
            DeviceConfig device = config.device();
            out.append("[Interface]\n");
            if (device.hasPrivateKey()) {
                byte[] key = device.privateKey();
                char[] base64 = Keys.toBase64(key);
                Arrays.fill(key, (byte) 0);
                out.append("PrivateKey = ").append(base64).append("\n");
                Arrays.fill(base64, '\0');
            }
            if (device.listenPort() != 0) {
                out.line("ListenPort", Integer.toString(device.listenPort()));
            }
            if (device.fwmark() != 0) {
                out.line("FwMark", "0x" + Integer.toHexString(device.fwmark()));
            }
            if (!config.addresses().isEmpty()) {
                out.line("Address", join(config.addresses()));
            }
            out.line("MTU", Integer.toString(config.mtu()));
            writeExtras(config.wgQuick(), out);
            writeGateway(config, out);
            for (PeerConfig peer : device.peers().values()) {
                out.append("\n[Peer]\n");
                out.line("PublicKey", peer.publicKey().toString());
                if (peer.hasPresharedKey()) {
                    byte[] key = peer.presharedKey();
                    char[] base64 = Keys.toBase64(key);
                    Arrays.fill(key, (byte) 0);
                    out.append("PresharedKey = ").append(base64).append("\n");
                    Arrays.fill(base64, '\0');
                }
                out.line("AllowedIPs", join(peer.allowedIps()));
                if (peer.endpoint().isPresent()) {
                    out.line("Endpoint", peer.endpoint().get().toString());
                }
                if (peer.persistentKeepaliveSeconds() != 0) {
                    out.line("PersistentKeepalive", Integer.toString(peer.persistentKeepaliveSeconds()));
                }
            }
            return out.toCharArray();
        } finally {
            out.wipe();
        }
    }

    private static void writeExtras(WgQuickExtras extras, SecretText out) {
        if (!extras.dns().isEmpty()) {
            out.line("DNS", join(extras.dns()));
        }
        if (extras.table().isPresent()) {
            out.line("Table", extras.table().get());
        }
        extras.preUp().forEach(command -> out.line("PreUp", command));
        extras.postUp().forEach(command -> out.line("PostUp", command));
        extras.preDown().forEach(command -> out.line("PreDown", command));
        extras.postDown().forEach(command -> out.line("PostDown", command));
        if (extras.saveConfig()) {
            out.line("SaveConfig", "true");
        }
    }

    private static void writeGateway(GatewayConfig config, SecretText out) {
        GatewaySettings g = config.gateway();
        GatewaySettings defaults = GatewaySettings.defaults(config.interfaceName());
        if (g.equals(defaults)) {
            return;
        }
        out.append("\n[Gateway]\n");
        if (!g.metricsListen().equals(defaults.metricsListen())) {
            out.line("MetricsListen", g.metricsListen().toString());
        }
        if (!g.adminListen().equals(defaults.adminListen())) {
            out.line("AdminListen", g.adminListen().toString());
        }
        if (!g.storage().equals(defaults.storage())) {
            out.line("Storage", g.storage().configValue());
        }
        if (!g.addressPool().isEmpty()) {
            out.line("AddressPool", join(g.addressPool()));
        }
        if (g.workers() != GatewaySettings.WORKERS_AUTO) {
            out.line("Workers", Integer.toString(g.workers()));
        }
        g.gossip().ifPresent(gossip -> out.line("Gossip", gossip.toString()));
        if (!g.gossipSeeds().isEmpty()) {
            out.line("GossipSeeds", join(g.gossipSeeds()));
        }
        g.orgPublicKey().ifPresent(key -> out.line("OrgPublicKey", key.toString()));
        g.adminTokenFile().ifPresent(file -> out.line("AdminTokenFile", file.toString()));
        if (g.maxPeers() != defaults.maxPeers()) {
            out.line("MaxPeers", Integer.toString(g.maxPeers()));
        }
        g.nodeKeyFile().ifPresent(file -> out.line("NodeKeyFile", file.toString()));
        g.vouchFile().ifPresent(file -> out.line("VouchFile", file.toString()));
    }

    private static void line(StringBuilder out, String key, String value) {
        out.append(key).append(" = ").append(value).append('\n');
    }

    private static String join(List<?> values) {
        StringBuilder out = new StringBuilder();
        for (Object v : values) {
            if (!out.isEmpty()) {
                out.append(", ");
            }
            out.append(v);
        }
        return out.toString();
    }

    /** A growable char buffer that zeroes every array it lets go of, so a secret leaves no copies. */
    private static final class SecretText {
        private char[] chars = new char[1024];
        private int length;

        SecretText append(CharSequence text) {
            ensure(text.length());
            for (int i = 0; i < text.length(); i++) {
                chars[length++] = text.charAt(i);
            }
            return this;
        }

        SecretText append(char[] text) {
            ensure(text.length);
            System.arraycopy(text, 0, chars, length, text.length);
            length += text.length;
            return this;
        }

        void line(String key, String value) {
            append(key).append(" = ").append(value).append("\n");
        }

        private void ensure(int more) {
            if (length + more > chars.length) {
                char[] bigger = Arrays.copyOf(chars, Math.max(chars.length * 2, length + more));
                Arrays.fill(chars, '\0');
                chars = bigger;
            }
        }

        char[] toCharArray() {
            return Arrays.copyOf(chars, length);
        }

        void wipe() {
            Arrays.fill(chars, '\0');
            length = 0;
        }
    }
}
