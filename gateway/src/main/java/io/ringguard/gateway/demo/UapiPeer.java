package io.ringguard.gateway.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A peer's counters as {@code get=1} on the UAPI socket reports them (CONTRACTS.md section 2): the
 * numbers {@code wg show IFACE transfer} and {@code latest-handshakes} print, read without needing
 * {@code wg}. The socket is a path in the file system, so the host reaches it although the interface
 * lives in a namespace.
 *
 * @param txBytes bytes sent to the peer ({@code tx_bytes})
 * @param rxBytes bytes received from it ({@code rx_bytes})
 * @param lastHandshakeEpochSec UNIX time of its latest handshake, 0 if none
 */
record UapiPeer(long txBytes, long rxBytes, long lastHandshakeEpochSec) {
    private static final int MAX_REPLY_BYTES = 1 << 20;

    /** Asks the daemon behind {@code socket} for its state; the first peer's counters, or null if it has none. */
    static UapiPeer query(Path socket) throws IOException {
        return query(socket, null);
    }

    /**
     * Asks the daemon behind {@code socket} for its state; the counters of the peer whose public key
     * is {@code publicKeyHex} (the first peer when null), or null if there is no such peer.
     */
    static UapiPeer query(Path socket, String publicKeyHex) throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            OutputStream out = Channels.newOutputStream(channel);
            out.write("get=1\n\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = Channels.newInputStream(channel);
            StringBuilder reply = new StringBuilder();
            byte[] buffer = new byte[4096];
            int n;
            while (!reply.toString().endsWith("\n\n") && (n = in.read(buffer)) >= 0) {
                reply.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
                if (reply.length() > MAX_REPLY_BYTES) {
                    throw new IOException("UAPI reply from " + socket + " is too long");
                }
            }
            return parse(reply.toString(), publicKeyHex);
        }
    }

    /** The first peer in a {@code get=1} reply, or null when the reply names none. */
    static UapiPeer parse(String reply) throws IOException {
        return parse(reply, null);
    }

    /**
     * The peer {@code publicKeyHex} (the first when null) in a {@code get=1} reply, or null when the
     * reply does not name it.
     *
     * @throws IOException when the reply does not end with {@code errno=0}
     */
    static UapiPeer parse(String reply, String publicKeyHex) throws IOException {
        UapiPeer found = null;
        boolean inWanted = false;
        long tx = 0;
        long rx = 0;
        long handshake = 0;
        String errno = null;
        for (String line : reply.split("\n", -1)) {
            int eq = line.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = line.substring(0, eq);
            String value = line.substring(eq + 1);
            switch (key) {
                case "public_key" -> {
                    if (inWanted && found == null) {
                        found = new UapiPeer(tx, rx, handshake);
                    }
                    inWanted = found == null && (publicKeyHex == null || publicKeyHex.equalsIgnoreCase(value));
                    tx = 0;
                    rx = 0;
                    handshake = 0;
                }
                case "tx_bytes" -> tx = inWanted ? Long.parseLong(value) : tx;
                case "rx_bytes" -> rx = inWanted ? Long.parseLong(value) : rx;
                case "last_handshake_time_sec" -> handshake = inWanted ? Long.parseLong(value) : handshake;
                case "errno" -> errno = value;
                default -> {
                    // Keys, endpoint, allowed IPs: not part of the summary.
                }
            }
        }
        if (!"0".equals(errno)) {
            throw new IOException("UAPI get failed: errno=" + errno);
        }
        if (inWanted && found == null) {
            found = new UapiPeer(tx, rx, handshake);
        }
        return found;
    }
}
