package io.ringguard.gateway.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A strict reader of the Prometheus text format 0.0.4 for tests: every line must be a comment, a
 * {@code # HELP}/{@code # TYPE} line or a well-formed sample, every sample must belong to a family
 * announced by {@code # TYPE}, or parsing fails.
 */
final class Exposition {
    record Sample(String name, Map<String, String> labels, double value) {}

    final List<Sample> samples = new ArrayList<>();
    final Map<String, String> types = new LinkedHashMap<>();

    static Exposition parse(String text) {
        Exposition e = new Exposition();
        String[] lines = text.split("\n", -1);
        if (!lines[lines.length - 1].isEmpty()) {
            throw new IllegalArgumentException("exposition must end with a newline");
        }
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            try {
                e.line(line);
            } catch (RuntimeException ex) {
                throw new IllegalArgumentException("line " + (i + 1) + ": " + ex.getMessage() + ": " + line, ex);
            }
        }
        return e;
    }

    private void line(String line) {
        if (line.startsWith("# TYPE ")) {
            String[] parts = line.substring(7).split(" ");
            if (parts.length != 2 || types.put(parts[0], parts[1]) != null) {
                throw new IllegalArgumentException("bad or repeated TYPE");
            }
            return;
        }
        if (line.startsWith("#") || line.isEmpty()) {
            return;
        }
        int i = 0;
        while (i < line.length() && isNameChar(line.charAt(i), i)) {
            i++;
        }
        String name = line.substring(0, i);
        if (name.isEmpty()) {
            throw new IllegalArgumentException("no metric name");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int start = i;
                while (isNameChar(line.charAt(i), i - start)) {
                    i++;
                }
                String label = line.substring(start, i);
                if (label.isEmpty() || line.charAt(i) != '=' || line.charAt(i + 1) != '"') {
                    throw new IllegalArgumentException("bad label at " + start);
                }
                i += 2;
                StringBuilder value = new StringBuilder();
                while (line.charAt(i) != '"') {
                    char c = line.charAt(i++);
                    if (c == '\\') {
                        char esc = line.charAt(i++);
                        value.append(
                                switch (esc) {
                                    case 'n' -> '\n';
                                    case '\\' -> '\\';
                                    case '"' -> '"';
                                    default -> throw new IllegalArgumentException("bad escape \\" + esc);
                                });
                    } else {
                        value.append(c);
                    }
                }
                i++;
                if (labels.put(label, value.toString()) != null) {
                    throw new IllegalArgumentException("repeated label " + label);
                }
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        if (i >= line.length() || line.charAt(i) != ' ') {
            throw new IllegalArgumentException("no value");
        }
        String[] rest = line.substring(i + 1).split(" ");
        double value = switch (rest[0]) {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(rest[0]);
        };
        if (family(name).isEmpty()) {
            throw new IllegalArgumentException("sample without a TYPE line");
        }
        samples.add(new Sample(name, labels, value));
    }

    private static boolean isNameChar(char c, int position) {
        return c == '_'
                || c == ':'
                || (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (position > 0 && c >= '0' && c <= '9');
    }

    /** The TYPE'd family a sample name belongs to (summaries add {@code _sum} and {@code _count}). */
    Optional<String> family(String sampleName) {
        if (types.containsKey(sampleName)) {
            return Optional.of(sampleName);
        }
        for (String suffix : new String[] {"_sum", "_count", "_bucket", "_created"}) {
            if (sampleName.endsWith(suffix)) {
                String base = sampleName.substring(0, sampleName.length() - suffix.length());
                if (types.containsKey(base)) {
                    return Optional.of(base);
                }
            }
        }
        return Optional.empty();
    }

    List<Sample> named(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    /** The one sample with exactly these labels, or empty. */
    Optional<Sample> find(String name, Map<String, String> labels) {
        List<Sample> matches = samples.stream()
                .filter(s -> s.name().equals(name) && s.labels().equals(labels))
                .toList();
        if (matches.size() > 1) {
            throw new IllegalStateException("duplicate series " + name + labels);
        }
        return matches.stream().findFirst();
    }

    double value(String name, Map<String, String> labels) {
        return find(name, labels)
                .orElseThrow(() -> new AssertionError("no series " + name + labels))
                .value();
    }
}
