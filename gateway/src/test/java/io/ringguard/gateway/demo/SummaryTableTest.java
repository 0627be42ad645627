package io.ringguard.gateway.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class SummaryTableTest {
    @Test
    void shouldAlignTwoColumnRowsAndLetOneColumnRowsRun() {
        SummaryTable table = new SummaryTable();
        table.row("", "gateway a", "gateway b");
        table.row("bytes sent", SummaryTable.bytes(612345678), SummaryTable.bytes(1234));
        table.blank();
        table.row("a very long label", "free text", "");
        StringWriter text = new StringWriter();
        try (PrintWriter out = new PrintWriter(text)) {
            table.print(out);
        }
        assertEquals(
                String.join(
                        System.lineSeparator(),
                        "               gateway a     gateway b",
                        "  bytes sent   612,345,678   1,234",
                        "",
                        "  a very long label   free text",
                        ""),
                text.toString());
    }
}
