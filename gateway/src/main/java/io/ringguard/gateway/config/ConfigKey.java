package io.ringguard.gateway.config;

/**
 * Every key the config file accepts, with its section and whether it may repeat. Lookups ignore
 * ASCII case, as {@code wg(8)} does; errors name the key in the spelling below.
 */
enum ConfigKey {
    // [Interface], read by wg(8) and by RingGuard
    PRIVATE_KEY(Section.INTERFACE, "PrivateKey", false),
    LISTEN_PORT(Section.INTERFACE, "ListenPort", false),
    FW_MARK(Section.INTERFACE, "FwMark", false),
    // [Interface], wg-quick's own keys
    ADDRESS(Section.INTERFACE, "Address", true),
    MTU(Section.INTERFACE, "MTU", false),
    DNS(Section.INTERFACE, "DNS", true),
    TABLE(Section.INTERFACE, "Table", false),
    PRE_UP(Section.INTERFACE, "PreUp", true),
    POST_UP(Section.INTERFACE, "PostUp", true),
    PRE_DOWN(Section.INTERFACE, "PreDown", true),
    POST_DOWN(Section.INTERFACE, "PostDown", true),
    SAVE_CONFIG(Section.INTERFACE, "SaveConfig", false),
    // [Peer]
    PUBLIC_KEY(Section.PEER, "PublicKey", false),
    PRESHARED_KEY(Section.PEER, "PresharedKey", false),
    ALLOWED_IPS(Section.PEER, "AllowedIPs", true),
    ENDPOINT(Section.PEER, "Endpoint", false),
    PERSISTENT_KEEPALIVE(Section.PEER, "PersistentKeepalive", false),
    // [Gateway], RingGuard only
    METRICS_LISTEN(Section.GATEWAY, "MetricsListen", false),
    ADMIN_LISTEN(Section.GATEWAY, "AdminListen", false),
    STORAGE(Section.GATEWAY, "Storage", false),
    ADDRESS_POOL(Section.GATEWAY, "AddressPool", true),
    WORKERS(Section.GATEWAY, "Workers", false),
    GOSSIP(Section.GATEWAY, "Gossip", false),
    GOSSIP_SEEDS(Section.GATEWAY, "GossipSeeds", true),
    ORG_PUBLIC_KEY(Section.GATEWAY, "OrgPublicKey", false),
    ADMIN_TOKEN_FILE(Section.GATEWAY, "AdminTokenFile", false),
    MAX_PEERS(Section.GATEWAY, "MaxPeers", false),
    NODE_KEY_FILE(Section.GATEWAY, "NodeKeyFile", false),
    VOUCH_FILE(Section.GATEWAY, "VouchFile", false);

    private static final ConfigKey[] ALL = values();

    final Section section;
    final String title;
    /** Repeated lines add to the list (like wg-quick's Address and wg's AllowedIPs); others may appear once. */
    final boolean repeatable;

    ConfigKey(Section section, String title, boolean repeatable) {
        this.section = section;
        this.title = title;
        this.repeatable = repeatable;
    }

    /** The key called {@code name} in any section, ignoring ASCII case; null if there is none. */
    static ConfigKey find(CharSlice name) {
        for (ConfigKey key : ALL) {
            if (name.equalsIgnoreCase(key.title)) {
                return key;
            }
        }
        return null;
    }

    /** The three sections; {@code [Peer]} repeats, the others appear at most once. */
    enum Section {
        INTERFACE("Interface"),
        PEER("Peer"),
        GATEWAY("Gateway");

        private static final Section[] ALL = values();

        final String title;

        Section(String title) {
            this.title = title;
        }

        static Section find(CharSlice name) {
            for (Section s : ALL) {
                if (name.equalsIgnoreCase(s.title)) {
                    return s;
                }
            }
            return null;
        }

        /** {@code [Interface]}: how the user writes and searches for it. */
        String header() {
            return "[" + title + "]";
        }
    }
}
