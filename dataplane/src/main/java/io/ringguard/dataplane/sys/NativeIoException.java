package io.ringguard.dataplane.sys;

import java.io.IOException;

/**
 * A setup-time native call failed (opening the TUN device, binding the socket, setting an option). The
 * message is one line a user can act on; {@link #errno()} is the kernel's reason. Never thrown on the
 * packet path, which returns {@link IoStatus} codes instead.
 */
public final class NativeIoException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    NativeIoException(final String what, final int errno, final String hint) {
        super(what + ": " + Posix.describe(errno) + (hint.isEmpty() ? "" : "; " + hint));
        this.errno = errno;
    }

    /** Builds the exception from the errno the last native call on this thread left. */
    static NativeIoException lastError(final String what) {
        final int errno = Posix.errno();
        return new NativeIoException(what, errno, hintFor(errno));
    }

    public int errno() {
        return errno;
    }

    private static String hintFor(final int errno) {
        return switch (errno) {
            case Posix.EPERM, Posix.EACCES -> "needs root or CAP_NET_ADMIN";
            case Posix.EBUSY -> "the interface exists and is owned by another process";
            case Posix.EADDRINUSE -> "the port is taken by another socket";
            default -> "";
        };
    }
}
