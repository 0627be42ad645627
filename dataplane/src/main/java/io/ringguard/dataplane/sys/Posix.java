package io.ringguard.dataplane.sys;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * The libc calls RingGuard's I/O layer makes, bound with JNA direct mapping ({@link Native#register}): a
 * direct-mapped call with only primitive arguments costs one JNI transition and allocates nothing, where
 * an interface-mapped call reflects and boxes. Pointers are passed as raw {@code long} addresses of
 * off-heap memory the caller owns (Agrona direct buffers), for the same reason.
 *
 * <p>Return values are the raw libc ones: {@code -1} on failure with the reason in {@link #errno()}, which
 * JNA saves right after every native call on the calling thread.
 *
 * <p>Constants are the Linux values for the LP64 ABIs with the generic ioctl encoding (x86_64, aarch64);
 * struct offsets in this package assume the same. Any thread may call these methods; the file descriptor
 * rules of each caller apply.
 */
public final class Posix {
    // errno values (asm-generic/errno-base.h, errno.h).
    public static final int EPERM = 1;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EFAULT = 14;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int EBADFD = 77;
    public static final int EADDRINUSE = 98;
    public static final int ENETDOWN = 100;

    // open(2)
    public static final int O_RDWR = 2;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;

    // socket(2)
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_NONBLOCK = O_NONBLOCK;
    public static final int SOCK_CLOEXEC = O_CLOEXEC;

    // setsockopt(2)
    public static final int SOL_SOCKET = 1;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int SO_MARK = 36;
    public static final int IPPROTO_IP = 0;
    public static final int IP_PKTINFO = 8;
    public static final int IPPROTO_IPV6 = 41;
    public static final int IPV6_V6ONLY = 26;
    public static final int IPV6_RECVPKTINFO = 49;
    public static final int IPV6_PKTINFO = 50;

    // send/recv flags
    public static final int MSG_TRUNC = 0x20;
    /** {@code msg_flags}: some control messages did not fit {@code msg_controllen}. */
    public static final int MSG_CTRUNC = 0x08;

    public static final int MSG_DONTWAIT = 0x40;

    // poll(2)
    public static final short POLLIN = 0x1;
    public static final short POLLOUT = 0x4;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;
    public static final short POLLNVAL = 0x20;

    // ioctl(2) requests, generic encoding: TUNSETIFF = _IOW('T', 202, int).
    public static final long TUNSETIFF = 0x400454caL;
    public static final long SIOCGIFMTU = 0x8921L;
    public static final long SIOCSIFMTU = 0x8922L;
    public static final int IFF_TUN = 0x0001;
    public static final int IFF_NO_PI = 0x1000;
    /** Every TUN read and write starts with a {@code struct virtio_net_hdr}. */
    public static final int IFF_VNET_HDR = 0x4000;
    /** {@code TUNSETOFFLOAD = _IOW('T', 208, unsigned int)}: which offloads the reader can take. */
    public static final long TUNSETOFFLOAD = 0x400454d0L;

    public static final int TUN_F_CSUM = 0x01;
    public static final int TUN_F_TSO4 = 0x02;
    public static final int TUN_F_TSO6 = 0x04;
    /** UDP segmentation offload over IPv4 / IPv6 (Linux 6.2+): {@code GSO_UDP_L4} frames both ways. */
    public static final int TUN_F_USO4 = 0x20;

    public static final int TUN_F_USO6 = 0x40;

    // UDP segmentation offload (linux/udp.h): level SOL_UDP.
    public static final int SOL_UDP = 17;
    /** Send: cmsg or socket option with the segment size (u16). */
    public static final int UDP_SEGMENT = 103;
    /**
     * Receive: socket option (int, 1 = on) that lets the kernel hand one coalesced run of equal-size
     * datagrams to a single {@code recvmsg}; each such message carries a cmsg of this type with the segment
     * size (int).
     */
    public static final int UDP_GRO = 104;

    /** {@code IFNAMSIZ}: interface names are at most 15 bytes plus the terminating NUL. */
    public static final int IFNAMSIZ = 16;

    /** {@code sizeof(struct ifreq)}: the name, then a 24-byte union (flags, mtu, ...) at offset 16. */
    public static final int IFREQ_BYTES = 40;

    static {
        if (!Platform.isLinux() || !Platform.is64Bit()) {
            // The struct layouts below (ifreq, mmsghdr, sockaddr) are those of 64-bit Linux: refuse anything else
            // at class load, with what was found, rather than corrupt memory later.
            throw new IllegalStateException("RingGuard's native I/O needs 64-bit Linux, this is "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        }
        Native.register(Posix.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private Posix() {}

    /** The errno the last native call on this thread left, as saved by JNA. */
    public static int errno() {
        return Native.getLastError();
    }

    /** {@code strerror(errno)} plus the number, for setup-time messages (allocates). */
    public static String describe(final int errno) {
        return strerror(errno) + " (errno " + errno + ")";
    }

    public static native int getpid();

    public static native String strerror(int errno);

    public static native int open(String path, int flags);

    public static native int close(int fd);

    public static native long read(int fd, long buffer, long count);

    public static native long write(int fd, long buffer, long count);

    /** {@code writev(int fd, const struct iovec *iov, int iovcnt)}; {@code iov} is an address. */
    public static native long writev(int fd, long iov, int iovcnt);

    public static native int ioctl(int fd, long request, long argument);

    /** {@code poll(struct pollfd *fds, nfds_t nfds, int timeout)}; {@code fds} is an address. */
    public static native int poll(long fds, long nfds, int timeoutMs);

    public static native int socket(int domain, int type, int protocol);

    public static native int bind(int fd, long sockaddr, int sockaddrLengthBytes);

    public static native int getsockname(int fd, long sockaddr, long sockaddrLengthAddress);

    public static native int setsockopt(int fd, int level, int name, long value, int valueLengthBytes);

    public static native int getsockopt(int fd, int level, int name, long value, long valueLengthAddress);

    /** {@code recvmmsg(fd, struct mmsghdr *vec, unsigned vlen, int flags, struct timespec *timeout)}. */
    public static native int recvmmsg(int fd, long msgvec, int vlen, int flags, long timeout);

    /** {@code sendmmsg(fd, struct mmsghdr *vec, unsigned vlen, int flags)}. */
    public static native int sendmmsg(int fd, long msgvec, int vlen, int flags);
}
