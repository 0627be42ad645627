package io.ringguard.gateway.demo;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The summary as aligned text columns: a label and up to two values per row. */
final class SummaryTable {
    private static final String INDENT = "  ";
    private static final String GAP = "   ";

    private final List<String[]> rows = new ArrayList<>();

    void row(String label, String first, String second) {
        rows.add(new String[] {label, first, second});
    }

    void blank() {
        rows.add(null);
    }

    /** Prints every row, the columns as wide as their widest cell. */
    void print(PrintWriter out) {
        int[] widths = new int[2];
        for (String[] row : rows) {
            if (row != null && !row[2].isEmpty()) {
                widths[0] = Math.max(widths[0], row[0].length());
                widths[1] = Math.max(widths[1], row[1].length());
            }
        }
        for (String[] row : rows) {
            if (row == null) {
                out.println();
                continue;
            }
            int labelWidth = Math.max(widths[0], row[0].length());
            StringBuilder line =
                    new StringBuilder(INDENT).append(pad(row[0], labelWidth)).append(GAP);
            line.append(row[2].isEmpty() ? row[1] : pad(row[1], widths[1]) + GAP + row[2]);
            out.println(line.toString().stripTrailing());
        }
    }

    /** {@code 612,345,678}: the exact count, grouped so a person can read it. */
    static String bytes(long count) {
        return String.format(Locale.ROOT, "%,d", count);
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(Math.max(0, width - text.length()));
    }
}
