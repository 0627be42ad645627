package io.ringguard.gateway.registry;

import io.ringguard.gateway.config.Storage;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * The registry suite on a real PostgreSQL server that this class starts and stops (one cluster, a new
 * database per test). Tagged integration: {@code bin/check} runs it; without PostgreSQL installed it
 * skips, or fails under {@code CI=true}.
 */
@Tag("integration")
class PostgresRegistryTest extends RegistryContract {
    private static PostgresServer server;

    @BeforeAll
    static void startServer() throws IOException {
        server = PostgresServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    Storage newStorage() throws Exception {
        return new Storage.Postgres(server.createDatabase());
    }
}
