package io.ringguard.gateway.demo;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the demo's helper programs ({@code ip}, {@code ping}, {@code bash}) with a bound on their
 * time, stdout and stderr merged and kept. Demo thread only.
 */
final class Exec {
    /** A finished command: its exit code (-1 if it could not start, -2 if it ran out of time) and output. */
    record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }

        /** The output's last line that says something, for a one-line reason. */
        String lastLine() {
            String[] lines = output.strip().split("\n");
            return lines[lines.length - 1].strip();
        }
    }

    private Exec() {}

    /** {@code command}, killed after {@code timeoutMs}; interruptible (the process is killed then). */
    static Result run(long timeoutMs, List<String> command) throws InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
        } catch (IOException e) {
            return new Result(-1, "cannot run " + command.getFirst() + ": " + e.getMessage());
        }
        Collector collector = new Collector(process.getInputStream());
        Thread reader = Thread.ofVirtual().start(collector);
        try {
            if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                reader.join(1_000);
                return new Result(
                        -2,
                        collector.text() + "\n" + String.join(" ", command) + ": no answer within " + timeoutMs
                                + " ms");
            }
            reader.join(1_000);
            return new Result(process.exitValue(), collector.text());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            throw e;
        }
    }

    static Result run(long timeoutMs, String... command) throws InterruptedException {
        return run(timeoutMs, List.of(command));
    }

    /** {@code ip netns exec namespace command...}. */
    static Result inNamespace(String namespace, long timeoutMs, String... command) throws InterruptedException {
        return run(timeoutMs, inNamespaceCommand(namespace, List.of(command)));
    }

    static List<String> inNamespaceCommand(String namespace, List<String> command) {
        List<String> all = new ArrayList<>(command.size() + 4);
        all.addAll(List.of("ip", "netns", "exec", namespace));
        all.addAll(command);
        return all;
    }

    /**
     * Like {@link #run(long, List)} but not stopped by an interrupt: for teardown, which must finish
     * even when Ctrl-C arrives while it runs. The interrupt is dropped: its only source is the
     * signal handler, and the run keeps its own flag for that.
     */
    static Result runToEnd(long timeoutMs, String... command) {
        Thread.interrupted();
        while (true) {
            try {
                return run(timeoutMs, command);
            } catch (InterruptedException e) {
                // Teardown goes on; see above.
            }
        }
    }

    /** Reads a process's output to the end so it never blocks on a full pipe. */
    private static final class Collector implements Runnable {
        private final InputStream in;
        private final StringBuilder text = new StringBuilder();

        Collector(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[4096];
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    synchronized (text) {
                        text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    }
                }
            } catch (IOException e) {
                // The process is gone: what was read is all there is.
            }
        }

        String text() {
            synchronized (text) {
                return text.toString();
            }
        }
    }
}
