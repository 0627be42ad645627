package io.ringguard.gateway.uapi;

/** The Linux errno values a UAPI reply carries in {@code errno=N}, as wireguard-go sends them. */
public final class UapiErrno {
    /** Success. */
    public static final int OK = 0;

    /** Anything that is not the client's fault, e.g. the dataplane failed to apply a change. */
    public static final int EIO = 5;

    /** A malformed line, an unknown key, a bad value, or a request past {@link UapiLimits}. */
    public static final int EINVAL = 22;

    /** The requested listen port is taken; found by whoever binds the socket. */
    public static final int EADDRINUSE = 98;

    private UapiErrno() {}
}
