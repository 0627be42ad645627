package io.ringguard.gateway.registry;

import io.ringguard.testkit.Exec;
import io.ringguard.testkit.ExecResult;
import io.ringguard.testkit.Prerequisites;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster from the Debian package's binaries ({@code
 * /usr/lib/postgresql/N/bin}): {@code initdb} in a temporary directory, {@code pg_ctl start} on a free
 * loopback port (socket in the same directory), {@code pg_ctl stop -m immediate} and delete.
 *
 * <p>PostgreSQL refuses to run as root, so as root the cluster runs as the package's {@code postgres}
 * user through {@code runuser}. Trust authentication, loopback only, fsync off: a test server.
 */
final class PostgresServer implements AutoCloseable {
    static final String USER = "ringguard";
    private static final long COMMAND_TIMEOUT_MS = 60_000;

    private final Path bin;
    private final Path dir;
    private final Path data;
    private final int port;
    private final boolean asPostgresUser;
    private int databases;

    private PostgresServer(Path bin, Path dir, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /** The newest installed server's bin directory, or null. */
    static Path findBinaries() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return null;
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparing(b -> versionOf(b.getParent())))
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static int versionOf(Path dir) {
        try {
            return Integer.parseInt(dir.getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Starts a cluster, or skips (fails under CI=true) when PostgreSQL is not installed. */
    static PostgresServer start() throws IOException {
        Path bin = findBinaries();
        Prerequisites.require(bin != null, "needs PostgreSQL server binaries (apt-get install postgresql)");
        boolean root = Prerequisites.isRoot();
        if (root) {
            Prerequisites.requireProgram("runuser");
            Prerequisites.require(
                    Exec.run(5_000, "id", "-u", "postgres").ok(), "needs the 'postgres' user to run the server as");
        }
        Path dir = Files.createTempDirectory(
                "rg-pg-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        PostgresServer server = new PostgresServer(bin, dir, freePort(), root);
        try {
            if (root) {
                Exec.run(COMMAND_TIMEOUT_MS, "chown", "postgres:", dir.toString())
                        .orThrow();
            }
            server.runAsServerUser(
                    "initdb", "-D", server.data.toString(), "-U", USER, "--auth=trust", "--encoding=UTF8", "--no-sync");
            server.runAsServerUser(
                    "pg_ctl",
                    "-D",
                    server.data.toString(),
                    "-l",
                    dir.resolve("server.log").toString(),
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    "-p " + server.port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off"
                            + " -c full_page_writes=off",
                    "start");
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** A new empty database; its JDBC URL. */
    String createDatabase() throws SQLException {
        String name = "rg_test_" + (++databases);
        try (Connection c = DriverManager.getConnection(url("postgres"));
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return url(name);
    }

    private String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + USER;
    }

    private void runAsServerUser(String program, String... args) {
        List<String> command = new ArrayList<>();
        if (asPostgresUser) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.add(bin.resolve(program).toString());
        command.addAll(List.of(args));
        ExecResult r = Exec.run(COMMAND_TIMEOUT_MS, command.toArray(String[]::new));
        if (!r.ok()) {
            throw new IllegalStateException(r.describe() + serverLog());
        }
    }

    private String serverLog() {
        try {
            Path log = dir.resolve("server.log");
            return Files.exists(log) ? "\nserver.log:\n" + Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Stops the server (immediately: nothing in it is kept) and deletes its directory. */
    @Override
    public void close() {
        try {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                runAsServerUser("pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "-t", "30", "stop");
            }
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path path) {
        try {
            if (Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                try (DirectoryStream<Path> children = Files.newDirectoryStream(path)) {
                    for (Path child : children) {
                        deleteTree(child);
                    }
                }
            }
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + path, e);
        }
    }
}
