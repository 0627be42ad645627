package io.ringguard.gateway.config;

import io.ringguard.dataplane.config.PublicKey;
import io.ringguard.handshake.keys.Keys;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Keys, a resolver that never touches DNS, and the configs the config tests share. */
final class TestConfigs {
    static final Path WG0 = Path.of("wg0.conf");
    static final String PRIVATE = base64(1);
    static final String PUB_A = base64(0xA);
    static final String PUB_B = base64(0xB);
    static final String PSK = base64(0x55);
    static final String ORG = base64(0x0C);

    /** gw.example.net resolves to 198.18.0.9; every other name fails. */
    static final HostResolver RESOLVER = host -> {
        if (host.equals("gw.example.net")) {
            return List.of(InetAddress.getByAddress(host, new byte[] {(byte) 198, 18, 0, 9}));
        }
        throw new UnknownHostException(host);
    };

    static final GatewayConfigParser PARSER = new GatewayConfigParser(RESOLVER);

    /** The example of CONTRACTS.md section 3 with real keys; PublicKey is line 17. */
    static final String EXAMPLE = """
            [Interface]
            PrivateKey = %s
            ListenPort = 51820
            Address = 100.64.0.1/16, fd7a:115c:a1e0::1/48
            MTU = 1420
            FwMark = 0x1234            # optional

            [Gateway]                  # RingGuard-only; every key optional
            MetricsListen = 127.0.0.1:9586
            AdminListen = 127.0.0.1:9587
            Storage = sqlite:/var/lib/ringguard/IFACE.db   # or a jdbc:postgresql:// URL
            AddressPool = 100.64.0.0/16, fd7a:115c:a1e0::/48
            Workers = auto             # crypto workers; auto = cores - 1, at least 1
            Gossip = 0.0.0.0:51821     # membership endpoint; absent = standalone
            GossipSeeds = 198.18.0.2:51821
            OrgPublicKey = %s

            [Peer]
            PublicKey = %s
            PresharedKey = %s
            AllowedIPs = 100.64.0.2/32
            Endpoint = gw.example.net:51820
            PersistentKeepalive = 25
            """.formatted(PRIVATE, ORG, PUB_A, PSK);

    /** The smallest config {@code up} takes. */
    static final String MINIMAL = "[Interface]\nPrivateKey = " + PRIVATE + "\n";

    private TestConfigs() {}

    static String base64(int fill) {
        byte[] key = new byte[Keys.KEY_BYTES];
        Arrays.fill(key, (byte) fill);
        return new String(Keys.toBase64(key));
    }

    static PublicKey publicKey(String base64) {
        return PublicKey.fromBase64(base64);
    }

    static PublicKey ownPublicKey() {
        return PublicKey.of(Keys.publicKey(Keys.fromBase64(PRIVATE)));
    }

    static GatewayConfig parse(String text) throws ConfigException {
        return PARSER.parse(WG0, text.toCharArray());
    }
}
