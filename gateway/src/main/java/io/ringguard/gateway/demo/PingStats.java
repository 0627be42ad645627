package io.ringguard.gateway.demo;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The summary iputils {@code ping} prints last:
 *
 * <pre>
 * 5 packets transmitted, 5 received, 0% packet loss, time 812ms
 * rtt min/avg/max/mdev = 0.045/0.060/0.080/0.013 ms
 * </pre>
 *
 * The rtt line is absent when nothing came back; the times are then NaN.
 */
record PingStats(int transmitted, int received, double minMs, double avgMs, double maxMs) {
    private static final Pattern COUNTS = Pattern.compile("(\\d+) packets transmitted, (\\d+) (?:packets )?received");
    private static final Pattern RTT =
            Pattern.compile("(?:rtt|round-trip) min/avg/max(?:/(?:mdev|stddev))? = ([\\d.]+)/([\\d.]+)/([\\d.]+)");

    /** The summary in {@code output}, or null when it has none (ping could not start). */
    static PingStats parse(String output) {
        Matcher counts = COUNTS.matcher(output);
        if (!counts.find()) {
            return null;
        }
        Matcher rtt = RTT.matcher(output);
        boolean times = rtt.find();
        return new PingStats(
                Integer.parseInt(counts.group(1)),
                Integer.parseInt(counts.group(2)),
                times ? Double.parseDouble(rtt.group(1)) : Double.NaN,
                times ? Double.parseDouble(rtt.group(2)) : Double.NaN,
                times ? Double.parseDouble(rtt.group(3)) : Double.NaN);
    }

    /** {@code 5/5 received, rtt min/avg/max 0.045/0.060/0.080 ms}. */
    String describe() {
        String counts = received + "/" + transmitted + " received";
        if (received == 0) {
            return counts;
        }
        return counts + ", rtt min/avg/max "
                + String.format(java.util.Locale.ROOT, "%.3f/%.3f/%.3f ms", minMs, avgMs, maxMs);
    }
}
