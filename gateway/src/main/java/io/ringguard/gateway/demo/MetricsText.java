package io.ringguard.gateway.demo;

/**
 * Reads values out of a Prometheus text exposition ({@code /metrics}), enough for the summary: the
 * sum of every sample of one metric, whatever its labels.
 */
final class MetricsText {
    private MetricsText() {}

    /**
     * The sum of the samples named exactly {@code name} (e.g. {@code ringguard_drops_total}), or -1
     * when there is none.
     */
    static double sum(String exposition, String name) {
        double total = 0;
        boolean found = false;
        for (String line : exposition.split("\n")) {
            if (line.startsWith("#") || !line.startsWith(name)) {
                continue;
            }
            int rest = name.length();
            if (rest >= line.length() || (line.charAt(rest) != '{' && line.charAt(rest) != ' ')) {
                continue; // a longer name with this prefix
            }
            int valueStart = line.charAt(rest) == '{' ? line.indexOf("} ", rest) + 2 : rest + 1;
            if (valueStart < 2) {
                continue;
            }
            String[] parts = line.substring(valueStart).strip().split("\\s+");
            try {
                total += Double.parseDouble(parts[0]);
                found = true;
            } catch (NumberFormatException e) {
                // Not a sample line: skip it rather than fail the summary.
            }
        }
        return found ? total : -1;
    }
}
