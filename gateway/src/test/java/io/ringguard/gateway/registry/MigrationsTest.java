package io.ringguard.gateway.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MigrationsTest {
    @Test
    void shouldSplitStatementsAtLineEndSemicolonsAndDropComments() {
        String script = "-- header\nCREATE TABLE a (\n  x TEXT -- why\n);\n\n-- next\nCREATE INDEX i ON a (x);\n";
        List<String> statements = Migrations.statements(script);
        assertEquals(2, statements.size());
        assertEquals("CREATE INDEX i ON a (x)", statements.get(1));
        assertTrue(statements.get(0).startsWith("CREATE TABLE a ("));
    }

    @Test
    void shouldRejectMigrationsOutOfOrder() {
        assertThrows(IllegalArgumentException.class, () -> new Migrations(List.of("migrations/V002__registry.sql")));
    }

    @Test
    void shouldSubstituteTheDialectsBinaryType() {
        assertEquals("x BLOB", SqlDialect.SQLITE.ddl("x %BYTES%"));
        assertEquals("x BYTEA", SqlDialect.POSTGRES.ddl("x %BYTES%"));
    }
}
