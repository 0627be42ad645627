package io.ringguard.dataplane.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * A peer's UDP endpoint: an IPv4 or IPv6 address literal and a port. No DNS at this layer; a
 * config file reader resolves names before it builds one.
 *
 * <p>Text form as wireguard-go reads and prints it: {@code 198.18.0.1:51820} or {@code
 * [fd00::1]:51820}. Immutable; any thread.
 */
public final class Endpoint {
    public static final int MAX_PORT = 65_535;

    private final byte[] address;
    private final int port;

    private Endpoint(byte[] address, int port) {
        this.address = address;
        this.port = port;
    }

    /**
     * An endpoint for a 4- or 16-byte address (copied) and a port 0 to 65535.
     *
     * @throws IllegalArgumentException otherwise
     */
    public static Endpoint of(byte[] address, int port) {
        if (address.length != IpLiteral.IPV4_BYTES && address.length != IpLiteral.IPV6_BYTES) {
            throw new IllegalArgumentException("address must be 4 or 16 bytes, not " + address.length);
        }
        if (port < 0 || port > MAX_PORT) {
            throw new IllegalArgumentException("port must be 0 to 65535");
        }
        return new Endpoint(address.clone(), port);
    }

    /**
     * Parses {@code a.b.c.d:port} or {@code [v6]:port}, like Go's {@code netip.ParseAddrPort}.
     *
     * @throws IllegalArgumentException with the reason
     */
    public static Endpoint parse(CharSequence text) {
        try {
            int n = text.length();
            int colon;
            byte[] address;
            if (n > 0 && text.charAt(0) == '[') {
                int close = -1;
                for (int i = 1; i < n; i++) {
                    if (text.charAt(i) == ']') {
                        close = i;
                        break;
                    }
                }
                if (close < 0 || close + 1 >= n || text.charAt(close + 1) != ':') {
                    throw new IllegalArgumentException("expected [IPv6]:port");
                }
                address = IpLiteral.parse(text, 1, close);
                if (address.length != IpLiteral.IPV6_BYTES) {
                    throw new IllegalArgumentException("an IPv4 address must not be in brackets");
                }
                colon = close + 1;
            } else {
                colon = -1;
                for (int i = 0; i < n; i++) {
                    if (text.charAt(i) == ':') {
                        if (colon >= 0) {
                            throw new IllegalArgumentException("an IPv6 address needs brackets: [IPv6]:port");
                        }
                        colon = i;
                    }
                }
                if (colon < 0) {
                    throw new IllegalArgumentException("missing :port");
                }
                address = IpLiteral.parse(text, 0, colon);
            }
            int port = IpLiteral.parseDecimal(text, colon + 1, n, MAX_PORT, "port");
            return new Endpoint(address, port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not an endpoint: " + e.getMessage(), e);
        }
    }

    public boolean isIpv4() {
        return address.length == IpLiteral.IPV4_BYTES;
    }

    /** A copy of the address: 4 bytes for IPv4, 16 for IPv6. */
    public byte[] address() {
        return address.clone();
    }

    public int port() {
        return port;
    }

    /** The socket address, built from the literal bytes (no name lookup happens). */
    public InetSocketAddress toSocketAddress() {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(address), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("address length was checked at construction", e);
        }
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(56);
        if (isIpv4()) {
            IpLiteral.format(address, out);
        } else {
            IpLiteral.format(address, out.append('[')).append(']');
        }
        return out.append(':').append(port).toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Endpoint other && port == other.port && Arrays.equals(address, other.address);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(address) + port;
    }
}
