package io.ringguard.dataplane.sys;

/**
 * One UDP socket of one address family, bound to the listen port, moving datagrams in batches. {@link
 * LinuxUdpSocket} is the real one ({@code recvmmsg}/{@code sendmmsg}), {@link FakeUdp} the in-memory one.
 *
 * <p>Packet-path calls never throw and never allocate; they return a count {@code >= 0} or an {@link
 * IoStatus} code. Threading: one receiver thread calls {@link #receive} and {@link #awaitReadable}; one
 * sender thread calls {@link #send}. {@link #close} is called after both stopped.
 */
public interface UdpSocket extends AutoCloseable {
    /**
     * Receives up to {@code count} datagrams without blocking, datagram {@code i} into entry {@code i} of
     * {@code batch} (payload range set by the caller beforehand; length, source and local destination filled
     * in).
     *
     * @return the number received ({@code >= 1}), or {@link IoStatus#WOULD_BLOCK} when none is queued,
     *     {@link IoStatus#CLOSED}, {@link IoStatus#ERROR}.
     */
    int receive(DatagramBatch batch, int count);

    /**
     * Sends entries {@code first .. first + count - 1} of {@code batch}, each to its own remote address and,
     * when its local family is set, from its own local address.
     *
     * @return how many were sent from {@code first} on ({@code >= 1}), or the status of entry {@code first}
     *     when none was: {@link IoStatus#WOULD_BLOCK} (socket buffer full: retry later) or {@link
     *     IoStatus#ERROR} (that datagram cannot be sent, e.g. no route or a stale local address: the caller
     *     drops or fixes entry {@code first} and calls again from {@code first + 1}). A partial count means
     *     the entry after the last one sent failed or would block; calling again tells which.
     */
    int send(DatagramBatch batch, int first, int count);

    /** Waits up to {@code timeoutMs} for a datagram: 1 readable, 0 timeout, or an {@link IoStatus} code. */
    int awaitReadable(int timeoutMs);

    /** errno of the last failed receive; receiver thread. */
    int lastReceiveErrno();

    /** errno of the last failed send; sender thread. */
    int lastSendErrno();

    /** {@link Posix#AF_INET} or {@link Posix#AF_INET6}. */
    int family();

    /** The port the socket is bound to (the kernel's pick when 0 was asked for). */
    int boundPort();

    /** The file descriptor, or -1 for a fake or after close. */
    int fd();

    /** Idempotent. */
    @Override
    void close();
}
