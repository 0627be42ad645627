package io.ringguard.gateway.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.gateway.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Usage errors end before anything is checked or created (no root needed to see them). */
class DemoTest {
    @ParameterizedTest(name = "--seconds {0}")
    @ValueSource(strings = {"0", "61", "-1"})
    void shouldExitTwoForARunLengthOutOfRange(String seconds) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute("demo", "--seconds", seconds);
        assertEquals(2, code, err::toString);
        assertTrue(err.toString().contains("--seconds must be 1..60"), err::toString);
        assertEquals("", out.toString());
    }
}
