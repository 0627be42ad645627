package io.ringguard.gateway.config;

import java.util.Locale;

/**
 * A {@code host:port} as written in the config file, not resolved: {@code 127.0.0.1:9587}, {@code
 * [::1]:9587} or {@code gw.example.net:51820}. Listen and gossip addresses stay in this form so
 * that the component that binds or dials them decides when to look a name up.
 *
 * @param host an IP literal in canonical form (IPv6 without brackets) or a lowercase DNS name
 * @param port 0 to 65535
 */
public record HostPort(String host, int port) {
    private static final int MAX_NAME_CHARS = 253;
    private static final int MAX_LABEL_CHARS = 63;

    public HostPort {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0 to 65535");
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
    }

    /**
     * Parses {@code IPv4:port}, {@code [IPv6]:port} or {@code name:port}.
     *
     * @param minPort the lowest port this use accepts: 0 for a listen address (the system picks a
     *     port), 1 for an address to send to
     * @throws IllegalArgumentException with the reason
     */
    public static HostPort parse(CharSequence text, int minPort) {
        int n = text.length();
        String host;
        int colon;
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
            CharSequence inside = text.subSequence(1, close);
            if (!IpText.isV6(inside)) {
                throw new IllegalArgumentException("only an IPv6 address goes in brackets");
            }
            host = IpText.format(IpText.parseLiteral(inside));
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
                throw new IllegalArgumentException("expected host:port");
            }
            CharSequence name = text.subSequence(0, colon);
            host = IpText.looksLikeLiteral(name) ? IpText.format(IpText.parseLiteral(name)) : checkName(name);
        }
        return new HostPort(host, parsePort(text.subSequence(colon + 1, n), minPort));
    }

    private static int parsePort(CharSequence text, int minPort) {
        if (text.isEmpty() || text.length() > 5) {
            throw new IllegalArgumentException("port must be " + minPort + " to 65535");
        }
        int port = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("port must be a decimal number");
            }
            port = port * 10 + (c - '0');
        }
        if (port < minPort || port > 65_535) {
            throw new IllegalArgumentException("port must be " + minPort + " to 65535");
        }
        return port;
    }

    /** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens. */
    private static String checkName(CharSequence name) {
        if (name.isEmpty() || name.length() > MAX_NAME_CHARS) {
            throw new IllegalArgumentException("host must be an IP address or a DNS name of 1 to 253 characters");
        }
        int labelStart = 0;
        for (int i = 0; i <= name.length(); i++) {
            if (i == name.length() || name.charAt(i) == '.') {
                int labelChars = i - labelStart;
                // A trailing dot (fully qualified name) leaves an empty last label, which is fine.
                boolean trailingDot = i == name.length() && labelChars == 0 && i > 0;
                if (!trailingDot
                        && (labelChars == 0
                                || labelChars > MAX_LABEL_CHARS
                                || name.charAt(labelStart) == '-'
                                || name.charAt(i - 1) == '-')) {
                    throw new IllegalArgumentException("'" + name + "' is not a valid DNS name");
                }
                labelStart = i + 1;
                continue;
            }
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
            if (!ok) {
                throw new IllegalArgumentException("host must be an IP address or a DNS name");
            }
        }
        return name.toString().toLowerCase(Locale.ROOT);
    }

    /** True if the host is an IP literal rather than a name. */
    public boolean isLiteral() {
        return IpText.looksLikeLiteral(host);
    }

    /** {@code host:port}, with brackets around an IPv6 literal: the form the parser reads. */
    @Override
    public String toString() {
        return IpText.isV6(host) ? "[" + host + "]:" + port : host + ":" + port;
    }
}
