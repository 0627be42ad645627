package io.ringguard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class MainTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(args);
    }

    @Test
    void shouldPrintHelpAndExitZero() {
        assertEquals(Main.EXIT_OK, run("--help"));
        assertTrue(out.toString().contains("ringguard up CONFIG"), out.toString());
    }

    @Test
    void shouldPrintVersionFromBuild() {
        assertEquals(Main.EXIT_OK, run("--version"));
        assertTrue(out.toString().matches("(?s)ringguard \\d+\\.\\d+\\.\\d+.*"), out.toString());
    }

    @Test
    void shouldExitTwoOnUnknownOption() {
        assertEquals(Main.EXIT_USAGE, run("--no-such-option"));
        assertTrue(err.toString().contains("--no-such-option"), err.toString());
    }
}
