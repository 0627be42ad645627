package io.ringguard.gateway.daemon;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * wireguard-go's daemonizing for {@code ringguard IFACE}: unless told to stay in the foreground,
 * start the same command again in a new session with {@code WG_PROCESS_FOREGROUND=1}, wait until it
 * is ready, and exit, so {@code wg-quick up} continues only once the interface can be configured.
 *
 * <ol>
 *   <li>{@link #shouldDaemonize}: not with {@code -f} or {@code WG_PROCESS_FOREGROUND=1};
 *   <li>{@link #currentJvmCommand()}: this JVM's own command line, from {@code /proc/self} through
 *       {@link ProcessHandle.Info} (reliable on Linux; the JDK reads {@code /proc/self/cmdline}, so
 *       {@code JDK_JAVA_OPTIONS} is not doubled, the child inherits it through the environment);
 *   <li>{@link #daemonize}: run it under {@code setsid} (a new session, no controlling terminal, so
 *       the terminal's hangup never reaches it), stdin from {@code /dev/null}, stdout to {@code
 *       /dev/null} or {@code $RINGGUARD_LOG}, and wait (bounded) until the caller's readiness check
 *       holds or the child dies.
 * </ol>
 *
 * <p>Why wait, when wireguard-go exits at once: wireguard-go creates the TUN and the UAPI socket in
 * the parent and passes the descriptors to the child, so it is ready when the parent exits. A JVM
 * cannot hand descriptors over, so the parent waits for the child to get there itself.
 *
 * <p>Where the child's stderr goes: with {@code $RINGGUARD_LOG} into that file; otherwise into a
 * pipe that the parent reads while it waits, so a child that fails to start can say why (it is the
 * reason the parent prints). Once the parent has exited, the child's writes to that pipe fail with
 * {@code EPIPE}, which the JVM ignores (it does not die of {@code SIGPIPE}): the same as {@code
 * /dev/null}, as in wireguard-go without {@code LOG_LEVEL}.
 *
 * <p>Called once, by the main thread, before anything else starts.
 */
public final class Daemonizer {
    public static final String FOREGROUND_ENV = "WG_PROCESS_FOREGROUND";
    public static final String LOG_ENV = "RINGGUARD_LOG";
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(10);
    /** The last bytes of the child's stderr kept as its reason; enough for an exception's first lines. */
    static final int REASON_BYTES = 2048;

    private static final long POLL_MS = 50;
    private static final long KILL_GRACE_MS = 2_000;

    /**
     * How starting the daemon went.
     *
     * @param exitCode what the parent should exit with: 0 once the daemon is ready, 1 otherwise
     * @param message one line for the user when it failed, naming the child's reason; empty when ready
     * @param pid the daemon's pid once ready, or -1
     */
    public record Result(int exitCode, String message, long pid) {
        public boolean ready() {
            return exitCode == 0;
        }
    }

    private Daemonizer() {}

    /** wireguard-go's test: daemonize unless {@code -f} or {@code WG_PROCESS_FOREGROUND=1}. */
    public static boolean shouldDaemonize(boolean foregroundFlag, Map<String, String> env) {
        return !foregroundFlag && !"1".equals(env.get(FOREGROUND_ENV));
    }

    /** The executable and arguments this JVM was started with, if the OS tells us. */
    public static Optional<List<String>> currentJvmCommand() {
        ProcessHandle.Info info = ProcessHandle.current().info();
        Optional<String> command = info.command();
        Optional<String[]> arguments = info.arguments();
        if (command.isEmpty() || arguments.isEmpty()) {
            return Optional.empty();
        }
        List<String> all = new ArrayList<>();
        all.add(command.get());
        all.addAll(List.of(arguments.get()));
        return Optional.of(List.copyOf(all));
    }

    /** {@link #daemonize} of this JVM's own command, with the log path from {@code $RINGGUARD_LOG}. */
    public static Result daemonizeSelf(BooleanSupplier ready) {
        Optional<List<String>> command = currentJvmCommand();
        if (command.isEmpty()) {
            return new Result(1, "cannot find this process's command line to daemonize; run with -f", -1);
        }
        String log = System.getenv(LOG_ENV);
        return daemonize(
                command.get(), log == null || log.isEmpty() ? null : Path.of(log), ready, DEFAULT_READY_TIMEOUT);
    }

    /**
     * Starts {@code command} as a daemon and waits until {@code ready} holds, the child exits, or
     * {@code timeout} passes; a child that is not ready by then is killed, so a failed start leaves
     * nothing behind.
     *
     * @param command the program and its arguments, run as {@code setsid command...} with {@code
     *     WG_PROCESS_FOREGROUND=1} added to this process's environment
     * @param log file for the child's stdout and stderr (appended), or null for none
     * @param ready polled every 50 ms on the calling thread, e.g. "the UAPI socket accepts"
     */
    public static Result daemonize(List<String> command, Path log, BooleanSupplier ready, Duration timeout) {
        Objects.requireNonNull(ready, "ready");
        List<String> argv = new ArrayList<>(command.size() + 1);
        argv.add("setsid");
        argv.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(argv);
        builder.environment().put(FOREGROUND_ENV, "1");
        builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        if (log != null) {
            builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        } else {
            builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            builder.redirectError(ProcessBuilder.Redirect.PIPE);
        }
        Process child;
        try {
            child = builder.start();
        } catch (IOException e) {
            return new Result(1, "cannot start the daemon (" + String.join(" ", argv) + "): " + e.getMessage(), -1);
        }
        TailReader stderr = log == null ? TailReader.start(child.getErrorStream(), child.pid()) : null;
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                if (ready.getAsBoolean()) {
                    return new Result(0, "", child.pid());
                }
                if (!child.isAlive()) {
                    String reason = reason(stderr, log);
                    return new Result(
                            1,
                            "daemon exited with code " + child.exitValue() + " before it was ready"
                                    + (reason.isEmpty() ? "" : ": " + reason),
                            -1);
                }
                long remainingNs = deadlineNs - System.nanoTime();
                if (remainingNs <= 0) {
                    stop(child);
                    String reason = reason(stderr, log);
                    return new Result(
                            1,
                            "daemon not ready within " + timeout.toMillis() + " ms; stopped it"
                                    + (reason.isEmpty() ? "" : ": " + reason),
                            -1);
                }
                child.waitFor(Math.min(POLL_MS, TimeUnit.NANOSECONDS.toMillis(remainingNs) + 1), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop(child);
            return new Result(1, "interrupted while waiting for the daemon; stopped it", -1);
        }
    }

    private static void stop(Process child) {
        child.destroy();
        try {
            if (!child.waitFor(KILL_GRACE_MS, TimeUnit.MILLISECONDS)) {
                child.destroyForcibly();
            }
        } catch (InterruptedException e) {
            child.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String reason(TailReader stderr, Path log) {
        if (stderr != null) {
            return stderr.tail();
        }
        return log == null ? "" : "see " + log;
    }

    /** Drains the child's stderr so it never blocks on a full pipe, keeping the last bytes. */
    private static final class TailReader implements Runnable {
        private final InputStream in;
        private final byte[] ring = new byte[REASON_BYTES];
        private long total;
        private Thread thread;

        private TailReader(InputStream in) {
            this.in = in;
        }

        static TailReader start(InputStream in, long pid) {
            TailReader reader = new TailReader(in);
            reader.thread = new Thread(reader, "ringguard-daemon-stderr-" + pid);
            reader.thread.setDaemon(true);
            reader.thread.start();
            return reader;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[512];
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    synchronized (this) {
                        for (int i = 0; i < n; i++) {
                            ring[(int) (total++ % ring.length)] = buffer[i];
                        }
                    }
                }
            } catch (IOException e) {
                // The child is gone or we are exiting: the tail so far is all there is.
            }
        }

        /** The kept bytes as one line, after giving the reader a moment to reach end of stream. */
        String tail() {
            try {
                thread.join(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            synchronized (this) {
                long from = Math.max(0, total - ring.length);
                for (long i = from; i < total; i++) {
                    out.write(ring[(int) (i % ring.length)]);
                }
            }
            return out.toString(StandardCharsets.UTF_8).strip().replaceAll("\\s*\\n\\s*", " | ");
        }
    }
}
