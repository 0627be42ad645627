package io.ringguard.testkit;

import java.util.List;

/**
 * What a command run by {@link Exec} or {@link Netns#exec} did: its exit code and captured output.
 *
 * @param command the argument vector that ran
 * @param exitCode the exit status, or -1 when the command timed out and was killed
 * @param out everything it wrote to stdout
 * @param err everything it wrote to stderr
 * @param timedOut true when the deadline passed and the command was killed
 */
public record ExecResult(List<String> command, int exitCode, String out, String err, boolean timedOut) {
    /** True when the command finished in time with exit code 0. */
    public boolean ok() {
        return !timedOut && exitCode == 0;
    }

    /** Returns this result when {@link #ok()}, otherwise throws with the command, status and stderr. */
    public ExecResult orThrow() {
        if (!ok()) {
            throw new IllegalStateException(describe());
        }
        return this;
    }

    /** One line for a failure message: the command, how it ended and what it said on stderr. */
    public String describe() {
        String status = timedOut ? "timed out and was killed" : "exited with " + exitCode;
        String detail = err.isBlank() ? out.strip() : err.strip();
        return String.join(" ", command) + ": " + status + (detail.isEmpty() ? "" : ": " + detail);
    }
}
