package io.ringguard.dataplane.sys;

/**
 * Negative results of the packet-path I/O calls of {@link TunDevice} and {@link UdpSocket}. A call returns a
 * length or count {@code >= 0} on success and one of these on failure: never an exception, because the
 * packet path must not allocate or unwind. The errno behind {@link #ERROR} is kept by the device
 * ({@code lastReadErrno()} / {@code lastWriteErrno()}) for a counter or a rate-limited log line.
 */
public final class IoStatus {
    /** Nothing to read or no room to write right now ({@code EAGAIN}, {@code EINTR}); wait and retry. */
    public static final int WOULD_BLOCK = -1;

    /**
     * The interface behind the descriptor is gone ({@code ip link del}: the kernel detaches the TUN file and
     * answers {@code EBADFD}, or {@code EIO}/{@code ENXIO}/{@code ENODEV}, or poll reports an error). The
     * gateway shuts down, as wireguard-go does.
     */
    public static final int DEVICE_GONE = -2;

    /** This object was closed; the call did not reach the kernel. */
    public static final int CLOSED = -3;

    /** Any other failure; the errno is in the device's {@code last...Errno()}. */
    public static final int ERROR = -4;

    private IoStatus() {}

    /** A short name for logs and test messages: "WOULD_BLOCK", ..., or the number for a non-negative value. */
    public static String name(final int result) {
        return switch (result) {
            case WOULD_BLOCK -> "WOULD_BLOCK";
            case DEVICE_GONE -> "DEVICE_GONE";
            case CLOSED -> "CLOSED";
            case ERROR -> "ERROR";
            default -> Integer.toString(result);
        };
    }

    /** Maps a packet-path errno to a status, the one place that decides which errors mean "interface gone". */
    static int fromErrno(final int errno) {
        return switch (errno) {
            case Posix.EAGAIN, Posix.EINTR -> WOULD_BLOCK;
            case Posix.EBADFD, Posix.EIO, Posix.ENXIO, Posix.ENODEV -> DEVICE_GONE;
            default -> ERROR;
        };
    }
}
