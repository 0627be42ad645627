package io.ringguard.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs host commands with a deadline and captured output, and stops processes within a bound.
 *
 * <p>Output goes to temporary files rather than pipes, so a chatty command can never block on a full
 * pipe while we wait for it, and no reader threads are needed. Input (e.g. a key for {@code wg
 * pubkey}) is passed through a file created with mode 0600 and deleted afterwards.
 *
 * <p>Any thread may call these methods. Failures to start a process surface as {@link
 * UncheckedIOException}; an interrupt kills the command, keeps the interrupt flag and throws {@link
 * IllegalStateException}.
 */
public final class Exec {
    /** How long {@link #stop} waits after SIGTERM before SIGKILL, and after SIGKILL before giving up. */
    public static final long STOP_GRACE_MS = 2_000;

    private Exec() {}

    /** Runs {@code command} in the current network namespace with no input. */
    public static ExecResult run(long timeoutMs, String... command) {
        return run(timeoutMs, null, command);
    }

    /**
     * Runs {@code command}, feeding it {@code stdin} (or nothing when null), and kills it (with its
     * descendants) when it is still running after {@code timeoutMs}.
     */
    public static ExecResult run(long timeoutMs, byte[] stdin, String... command) {
        Path out = null;
        Path err = null;
        Path in = null;
        try {
            out = Files.createTempFile("rg-exec-", ".out");
            err = Files.createTempFile("rg-exec-", ".err");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .redirectInput(Redirect.from(new File("/dev/null")));
            if (stdin != null) {
                in = writeSecretFile("rg-exec-", stdin);
                builder.redirectInput(in.toFile());
            }
            Process process = builder.start();
            boolean finished = waitFor(process, timeoutMs);
            if (!finished) {
                killTree(process);
            }
            return new ExecResult(
                    List.of(command),
                    finished ? process.exitValue() : -1,
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8),
                    !finished);
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + String.join(" ", command), e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
            deleteQuietly(in);
        }
    }

    /**
     * Stops a process: SIGTERM, up to {@link #STOP_GRACE_MS} to exit, then SIGKILL to it and its
     * descendants and up to {@link #STOP_GRACE_MS} more. Returns true when it is gone.
     */
    public static boolean stop(Process process) {
        if (!process.isAlive()) {
            return true;
        }
        process.destroy();
        if (waitFor(process, STOP_GRACE_MS)) {
            return true;
        }
        return killTree(process);
    }

    /**
     * Creates a temporary file readable only by its owner (mode 0600 from the moment it exists) holding
     * {@code content}; the caller deletes it. Used for keys handed to {@code wg}.
     */
    public static Path writeSecretFile(String prefix, byte[] content) throws IOException {
        Path file = Files.createTempFile(
                prefix, ".key", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.write(file, content);
        } catch (IOException e) {
            deleteQuietly(file);
            throw e;
        }
        return file;
    }

    static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            System.err.println("testkit: could not delete " + file + ": " + e.getMessage());
        }
    }

    private static boolean killTree(Process process) {
        // Descendants first: a shell or `timeout` wrapper must not leave its child running.
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        return waitFor(process, STOP_GRACE_MS);
    }

    private static boolean waitFor(Process process, long timeoutMs) {
        try {
            return process.waitFor(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(
                    "interrupted while waiting for " + process.info().command(), e);
        }
    }
}
