package io.ringguard.gateway.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringguard.gateway.config.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry suite on an embedded SQLite file. */
class SqliteRegistryTest extends RegistryContract {
    @TempDir
    Path dir;

    private Path file;

    @Override
    Storage newStorage() {
        file = dir.resolve("state").resolve("rg0.db");
        return new Storage.Sqlite(file);
    }

    @Test
    void shouldKeepTheDatabaseReadableByItsOwnerOnly() throws Exception {
        open();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
    }
}
