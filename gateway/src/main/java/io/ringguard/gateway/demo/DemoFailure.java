package io.ringguard.gateway.demo;

/**
 * An expected way for the demo to fail (a missing program, a gateway that does not come up, no echo
 * through the tunnel): it reaches the user as one line and an exit code, never as a stack trace.
 */
final class DemoFailure extends Exception {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    DemoFailure(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
