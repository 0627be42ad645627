package io.ringguard.gateway.demo;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One report line of {@code iperf3 -i 1 --forceflush} (iperf3 3.x text output), e.g.
 *
 * <pre>
 * [  5]   2.00-3.00   sec   112 MBytes   940 Mbits/sec    0   3.00 MBytes
 * [  5]   0.00-5.00   sec   560 MBytes   940 Mbits/sec    0             sender
 * [  5]   0.00-5.04   sec   558 MBytes   929 Mbits/sec                  receiver
 * </pre>
 *
 * Text rather than {@code --json-stream}: that arrived in iperf3 3.17, and Debian 12 ships 3.12.
 * iperf3 scales bytes by 1024 and bits by 1000 (its default; {@code -f} does not change that).
 *
 * @param startSec where the interval starts, seconds since the test began
 * @param endSec where it ends
 * @param transferBytes bytes carried in the interval (as rounded in the text)
 * @param bitsPerSecond the rate iperf3 printed
 * @param kind an interval line, or the sender's or receiver's total
 */
record IperfLine(double startSec, double endSec, long transferBytes, double bitsPerSecond, Kind kind) {
    /** What a line reports. */
    enum Kind {
        INTERVAL,
        SENDER,
        RECEIVER
    }

    private static final Pattern LINE = Pattern.compile("^\\[\\s*(?:\\d+|SUM)]\\s+(\\d+(?:\\.\\d+)?)-(\\d+(?:\\.\\d+)?)"
            + "\\s+sec\\s+(\\d+(?:\\.\\d+)?)\\s+([KMGT]?)Bytes\\s+(\\d+(?:\\.\\d+)?)\\s+([KMGT]?)bits/sec(.*)$");

    /** The line's values, or null when it is not a report line (headers, banners, separators). */
    static IperfLine parse(String line) {
        Matcher m = LINE.matcher(line.strip());
        if (!m.matches()) {
            return null;
        }
        String tail = m.group(7);
        Kind kind = tail.contains("sender") ? Kind.SENDER : tail.contains("receiver") ? Kind.RECEIVER : Kind.INTERVAL;
        return new IperfLine(
                Double.parseDouble(m.group(1)),
                Double.parseDouble(m.group(2)),
                Math.round(Double.parseDouble(m.group(3)) * scale(m.group(4), 1024)),
                Double.parseDouble(m.group(5)) * scale(m.group(6), 1000),
                kind);
    }

    double megabitsPerSecond() {
        return bitsPerSecond / 1e6;
    }

    private static double scale(String prefix, int base) {
        return switch (prefix) {
            case "" -> 1;
            case "K" -> base;
            case "M" -> (double) base * base;
            case "G" -> (double) base * base * base;
            case "T" -> (double) base * base * base * base;
            default -> throw new IllegalArgumentException(prefix);
        };
    }
}
