package io.ringguard.gateway.uapi;

import io.ringguard.dataplane.config.Cidr;
import io.ringguard.dataplane.config.DeviceConfig;
import io.ringguard.dataplane.config.PeerConfig;
import io.ringguard.dataplane.config.PublicKey;
import io.ringguard.handshake.keys.Keys;
import java.io.IOException;
import java.io.Writer;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Writes UAPI replies in the exact text {@code wg} parses: {@code key=value} lines, then {@code
 * errno=N} and an empty line.
 *
 * <p>The {@code get} reply follows wireguard-go's {@code IpcGetOperation} line for line:
 * {@code private_key} only when there is one (wg would otherwise derive a public key from zeros),
 * {@code listen_port} and {@code fwmark} only when nonzero, then per peer {@code public_key},
 * {@code preshared_key} (zeros for none), {@code protocol_version=1}, {@code endpoint} if known,
 * the handshake time, {@code tx_bytes}, {@code rx_bytes}, {@code persistent_keepalive_interval} and
 * one {@code allowed_ip} per prefix.
 *
 * <p>Keys go to the writer as {@code char[]} that are zeroed right after, never as a {@code String};
 * the writer should be the socket's. Stateless; any thread.
 */
public final class UapiResponseWriter {
    private UapiResponseWriter() {}

    /**
     * Writes the whole {@code get=1} reply, ending in {@code errno=0} and an empty line.
     *
     * @param listenPort the port actually bound (differs from the configured one when that was 0)
     * @param stats runtime counters per peer; null for a peer means {@link PeerStats#NONE}
     */
    public static void writeGet(Writer out, DeviceConfig config, int listenPort, Function<PublicKey, PeerStats> stats)
            throws IOException {
        if (config.hasPrivateKey()) {
            byte[] key = config.privateKey();
            writeKey(out, "private_key=", key);
            Arrays.fill(key, (byte) 0);
        }
        if (listenPort != 0) {
            line(out, "listen_port=", Integer.toString(listenPort));
        }
        if (config.fwmark() != 0) {
            line(out, "fwmark=", Integer.toUnsignedString(config.fwmark()));
        }
        for (PeerConfig peer : config.peers().values()) {
            writeKey(out, "public_key=", peer.publicKey().bytes());
            byte[] psk = peer.presharedKey();
            writeKey(out, "preshared_key=", psk);
            Arrays.fill(psk, (byte) 0);
            out.write("protocol_version=1\n");
            if (peer.endpoint().isPresent()) {
                line(out, "endpoint=", peer.endpoint().get().toString());
            }
            PeerStats s = stats.apply(peer.publicKey());
            if (s == null) {
                s = PeerStats.NONE;
            }
            line(out, "last_handshake_time_sec=", Long.toString(s.lastHandshakeSec()));
            line(out, "last_handshake_time_nsec=", Integer.toString(s.lastHandshakeNsec()));
            line(out, "tx_bytes=", Long.toString(s.txBytes()));
            line(out, "rx_bytes=", Long.toString(s.rxBytes()));
            line(out, "persistent_keepalive_interval=", Integer.toString(peer.persistentKeepaliveSeconds()));
            for (Cidr cidr : peer.allowedIps()) {
                line(out, "allowed_ip=", cidr.toString());
            }
        }
        writeErrno(out, UapiErrno.OK);
    }

    /** Writes {@code errno=N} and the empty line that ends every reply. */
    public static void writeErrno(Writer out, int errno) throws IOException {
        line(out, "errno=", Integer.toString(errno));
        out.write('\n');
    }

    private static void writeKey(Writer out, String prefix, byte[] key) throws IOException {
        char[] hex = Keys.toHex(key);
        out.write(prefix);
        out.write(hex);
        out.write('\n');
        Arrays.fill(hex, '\0');
    }

    private static void line(Writer out, String prefix, String value) throws IOException {
        out.write(prefix);
        out.write(value);
        out.write('\n');
    }
}
