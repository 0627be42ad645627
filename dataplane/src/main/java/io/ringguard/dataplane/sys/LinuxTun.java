package io.ringguard.dataplane.sys;

import io.ringguard.dataplane.offload.GroCoalescer;
import io.ringguard.dataplane.offload.GsoSegmenter;
import io.ringguard.dataplane.offload.VirtioNetHeader;
import java.lang.ref.Reference;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A Linux TUN interface: {@code /dev/net/tun} opened non-blocking and attached with {@code TUNSETIFF}
 * ({@code IFF_TUN | IFF_NO_PI}: bare IP packets, no 4-byte packet information header).
 *
 * <p>Flow: the reader thread loops {@code awaitReadable(timeout)} then {@code readBatch}, checking its stop
 * flag on every timeout; the writer thread calls {@code write} per packet. The descriptor is always
 * non-blocking so a read can never hang a thread that was told to stop.
 *
 * <p>With offloads ({@link #open(String, int, boolean)}), the device is opened with {@code IFF_VNET_HDR} and
 * {@code TUNSETOFFLOAD(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)}: one read can return a TCP super-packet of up to
 * 64 KiB, which {@link GsoSegmenter} splits into MTU-sized packets across {@link #readBatch} calls, and
 * {@link #write} merges consecutive segments of one TCP flow ({@link GroCoalescer}) into one write, flushed by
 * {@link #flush} at the end of the writer's batch. A kernel that refuses either ioctl gets a plain TUN.
 *
 * <p>Deleting the interface ({@code ip link del}) detaches the file: reads and writes then fail with
 * {@code EBADFD} and poll reports {@code POLLERR}, both mapped to {@link IoStatus#DEVICE_GONE}. Moving the
 * interface to another network namespace keeps the descriptor working.
 */
public final class LinuxTun implements TunDevice {
    private static final String CLONE_DEVICE = "/dev/net/tun";
    private static final int IFREQ_FLAGS_OFFSET = Posix.IFNAMSIZ;
    private static final int IFREQ_MTU_OFFSET = Posix.IFNAMSIZ;
    private static final int POLLFD_FD_OFFSET = 0;
    private static final int POLLFD_EVENTS_OFFSET = 4;
    private static final int POLLFD_REVENTS_OFFSET = 6;
    private static final int OFFLOADS = Posix.TUN_F_CSUM | Posix.TUN_F_TSO4 | Posix.TUN_F_TSO6;
    private static final int UDP_OFFLOADS = Posix.TUN_F_USO4 | Posix.TUN_F_USO6;
    /** A super-packet is at most 64 KiB of IP packet plus the virtio header. */
    private static final int FRAME_BYTES = VirtioNetHeader.BYTES + 65_535;

    private final String name;
    // Reader-thread state: its own pollfd so awaitReadable needs no allocation or lock.
    private final UnsafeBuffer pollFd = new UnsafeBuffer(BufferUtil.allocateDirectAligned(8, 8));
    private volatile int fd;
    private int mtu;
    private int lastReadErrno;
    private int lastWriteErrno;
    private final boolean offloads;
    private final boolean udpOffloads;
    // Reader-thread state with offloads: the frame last read and its segmenter.
    private final UnsafeBuffer readFrame;
    private final GsoSegmenter segmenter;
    private long malformedFrames;
    // Writer-thread state with offloads: the pending super-packet, and a 2-entry iovec (empty virtio header,
    // packet) so a packet that is not merged is written from where it lies.
    private final GroCoalescer coalescer;
    private final UnsafeBuffer writeVector;
    private final UnsafeBuffer emptyHeader;
    private long mergedFrames;
    private long mergedPackets;

    private LinuxTun(final int fd, final String name, final boolean offloads, final boolean udpOffloads) {
        this.fd = fd;
        this.name = name;
        this.offloads = offloads;
        this.udpOffloads = udpOffloads;
        if (offloads) {
            readFrame = new UnsafeBuffer(BufferUtil.allocateDirectAligned(FRAME_BYTES, 64));
            segmenter = new GsoSegmenter();
            coalescer = new GroCoalescer(udpOffloads);
            writeVector = new UnsafeBuffer(BufferUtil.allocateDirectAligned(32, 8));
            emptyHeader = new UnsafeBuffer(BufferUtil.allocateDirectAligned(16, 8));
            writeVector.putLong(0, emptyHeader.addressOffset());
            writeVector.putLong(8, VirtioNetHeader.BYTES);
        } else {
            readFrame = null;
            segmenter = null;
            coalescer = null;
            writeVector = null;
            emptyHeader = null;
        }
        pollFd.putInt(POLLFD_FD_OFFSET, fd, ByteOrder.nativeOrder());
        pollFd.putShort(POLLFD_EVENTS_OFFSET, Posix.POLLIN, ByteOrder.nativeOrder());
    }

    /**
     * Creates (or attaches to) TUN interface {@code name} and sets its MTU; setup thread.
     *
     * @param name 1..15 characters, no '/', ':' or whitespace; may contain "%d" for the kernel to number it.
     * @param mtu 68..65535, e.g. {@link TunDevice#DEFAULT_MTU}.
     * @throws NativeIoException with the kernel's reason (e.g. "needs root or CAP_NET_ADMIN").
     */
    public static LinuxTun open(final String name, final int mtu) throws NativeIoException {
        return open(name, mtu, false);
    }

    /**
     * Like {@link #open(String, int)}, and with {@code offloads} asks for {@code IFF_VNET_HDR} with TSO and
     * checksum offload; when the kernel refuses, the plain device is returned ({@link #offloads()} is false).
     */
    public static LinuxTun open(final String name, final int mtu, final boolean offloads) throws NativeIoException {
        if (offloads) {
            final LinuxTun tun = openWith(name, mtu, true);
            if (tun != null) {
                return tun;
            }
        }
        return openWith(name, mtu, false);
    }

    /** Returns null when offloads were asked for and the kernel refused them. */
    private static LinuxTun openWith(final String name, final int mtu, final boolean offloads)
            throws NativeIoException {
        checkInterfaceName(name);
        checkMtu(mtu);
        final int fd = Posix.open(CLONE_DEVICE, Posix.O_RDWR | Posix.O_NONBLOCK | Posix.O_CLOEXEC);
        if (fd < 0) {
            throw NativeIoException.lastError("open " + CLONE_DEVICE);
        }
        boolean opened = false;
        try {
            final UnsafeBuffer ifreq = ifreq(name);
            final int flags = Posix.IFF_TUN | Posix.IFF_NO_PI | (offloads ? Posix.IFF_VNET_HDR : 0);
            ifreq.putShort(IFREQ_FLAGS_OFFSET, (short) flags, ByteOrder.nativeOrder());
            final int result = Posix.ioctl(fd, Posix.TUNSETIFF, ifreq.addressOffset());
            if (result < 0) {
                if (offloads && Posix.errno() == Posix.EINVAL) {
                    return null;
                }
                throw NativeIoException.lastError("TUNSETIFF " + name);
            }
            boolean udpOffloads = false;
            if (offloads) {
                // USO first (Linux 6.2+); an older kernel says EINVAL and keeps TSO only.
                udpOffloads = Posix.ioctl(fd, Posix.TUNSETOFFLOAD, OFFLOADS | UDP_OFFLOADS) == 0;
                if (!udpOffloads && Posix.ioctl(fd, Posix.TUNSETOFFLOAD, OFFLOADS) < 0) {
                    // Closing the descriptor deletes the interface; the caller opens a plain one.
                    return null;
                }
            }
            final LinuxTun tun = new LinuxTun(fd, readName(ifreq), offloads, udpOffloads);
            // The direct buffer must outlive the ioctl that wrote into it.
            Reference.reachabilityFence(ifreq);
            tun.mtu(mtu);
            opened = true;
            return tun;
        } finally {
            if (!opened) {
                Posix.close(fd);
            }
        }
    }

    /**
     * Checks a Linux interface name the way the kernel's {@code dev_valid_name} does, so a bad name is a clear
     * message rather than {@code EINVAL}. Any thread.
     */
    public static void checkInterfaceName(final String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("interface name is empty");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > Posix.IFNAMSIZ - 1) {
            throw new IllegalArgumentException(
                    "interface name '" + name + "' is longer than " + (Posix.IFNAMSIZ - 1) + " bytes");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("interface name '" + name + "' is not allowed");
        }
        for (int i = 0; i < name.length(); i++) {
            final char c = name.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c) || c == 0) {
                throw new IllegalArgumentException(
                        "interface name '" + name + "' contains '" + c + "' (no '/', ':', NUL or whitespace)");
            }
        }
    }

    private static void checkMtu(final int mtu) {
        // 68: the IPv4 minimum (RFC 791); 1280 would be needed for IPv6 but the kernel allows less.
        if (mtu < 68 || mtu > 65_535) {
            throw new IllegalArgumentException("MTU must be 68..65535, got " + mtu);
        }
    }

    /**
     * Sets the interface MTU with {@code SIOCSIFMTU} on a throwaway socket; setup/control thread. The socket
     * is in this process's network namespace, so call it before moving the interface elsewhere (after a move,
     * use {@code ip -n <ns> link set <name> mtu <n>}).
     */
    public void mtu(final int mtuBytes) throws NativeIoException {
        checkMtu(mtuBytes);
        final int sock = Posix.socket(Posix.AF_INET, Posix.SOCK_DGRAM | Posix.SOCK_CLOEXEC, 0);
        if (sock < 0) {
            throw NativeIoException.lastError("socket for SIOCSIFMTU");
        }
        try {
            final UnsafeBuffer ifreq = ifreq(name);
            ifreq.putInt(IFREQ_MTU_OFFSET, mtuBytes, ByteOrder.nativeOrder());
            final int result = Posix.ioctl(sock, Posix.SIOCSIFMTU, ifreq.addressOffset());
            Reference.reachabilityFence(ifreq);
            if (result < 0) {
                throw NativeIoException.lastError("SIOCSIFMTU " + name + " " + mtuBytes);
            }
            this.mtu = mtuBytes;
        } finally {
            Posix.close(sock);
        }
    }

    /** Whether the device runs with {@code IFF_VNET_HDR} and TSO (the kernel accepted them); any thread. */
    public boolean offloads() {
        return offloads;
    }

    /** Whether the kernel also took UDP segmentation offload (USO): UDP datagrams are merged on write. */
    public boolean udpOffloads() {
        return udpOffloads;
    }

    /** Super-packets written (more than one packet merged into one write); writer thread. */
    public long mergedFrames() {
        return mergedFrames;
    }

    /** Packets that went out inside those super-packets; writer thread. */
    public long mergedPackets() {
        return mergedPackets;
    }

    /** Frames read that could not be split (malformed virtio header or segment); reader thread. */
    public long malformedFrames() {
        return malformedFrames;
    }

    @Override
    public int read(final MutableDirectBuffer buffer, final int offset, final int capacityBytes) {
        return offloads ? readSegment(buffer, offset, capacityBytes) : readPacket(buffer, offset, capacityBytes);
    }

    /** The next packet of the current super-packet, reading a new frame when it is used up. */
    private int readSegment(final MutableDirectBuffer buffer, final int offset, final int capacityBytes) {
        if (buffer.byteArray() != null) {
            lastReadErrno = Posix.EFAULT;
            return IoStatus.ERROR;
        }
        while (true) {
            if (segmenter.hasNext()) {
                final int n = segmenter.next(buffer, offset, capacityBytes);
                if (n >= 0) {
                    return n;
                }
                malformedFrames++;
                continue;
            }
            final int n = readPacket(readFrame, 0, FRAME_BYTES);
            if (n < 0) {
                return n;
            }
            if (segmenter.start(readFrame, 0, n) < 0) {
                malformedFrames++;
            }
        }
    }

    private int readPacket(final MutableDirectBuffer buffer, final int offset, final int capacityBytes) {
        final int fd = this.fd;
        if (fd < 0) {
            return IoStatus.CLOSED;
        }
        if (buffer.byteArray() != null) {
            // A heap buffer has no stable address for the kernel: a wiring bug, refused before the syscall.
            lastReadErrno = Posix.EFAULT;
            return IoStatus.ERROR;
        }
        final long n = Posix.read(fd, buffer.addressOffset() + offset, capacityBytes);
        if (n >= 0) {
            return (int) n;
        }
        final int errno = Posix.errno();
        lastReadErrno = errno;
        return IoStatus.fromErrno(errno);
    }

    @Override
    public int write(final DirectBuffer buffer, final int offset, final int lengthBytes) {
        final int fd = this.fd;
        if (fd < 0) {
            return IoStatus.CLOSED;
        }
        if (buffer.byteArray() != null) {
            lastWriteErrno = Posix.EFAULT;
            return IoStatus.ERROR;
        }
        if (offloads) {
            return writeOffloaded(fd, buffer, offset, lengthBytes);
        }
        final long n = Posix.write(fd, buffer.addressOffset() + offset, lengthBytes);
        if (n >= 0) {
            return (int) n;
        }
        final int errno = Posix.errno();
        lastWriteErrno = errno;
        return IoStatus.fromErrno(errno);
    }

    /**
     * Merges the packet into the pending super-packet, or writes what is pending and then starts a new one with
     * it, or writes it alone. A failed write of a pending super-packet is reported by the call that wrote it.
     */
    private int writeOffloaded(final int fd, final DirectBuffer buffer, final int offset, final int lengthBytes) {
        if (coalescer.append(buffer, offset, lengthBytes)) {
            return lengthBytes;
        }
        final int flushed = flush();
        if (coalescer.start(buffer, offset, lengthBytes)) {
            return flushed < 0 ? flushed : lengthBytes;
        }
        writeVector.putLong(16, buffer.addressOffset() + offset);
        writeVector.putLong(24, lengthBytes);
        final long n = Posix.writev(fd, writeVector.addressOffset(), 2);
        if (n >= 0) {
            return flushed < 0 ? flushed : lengthBytes;
        }
        final int errno = Posix.errno();
        lastWriteErrno = errno;
        return IoStatus.fromErrno(errno);
    }

    @Override
    public int flush() {
        if (!offloads || !coalescer.pending()) {
            return 0;
        }
        final int fd = this.fd;
        final int segments = coalescer.segments();
        final int frameLength = coalescer.finish();
        if (fd < 0) {
            return IoStatus.CLOSED;
        }
        final long n = Posix.write(fd, coalescer.frame().addressOffset(), frameLength);
        if (n >= 0) {
            if (segments > 1) {
                mergedFrames++;
                mergedPackets += segments;
            }
            return (int) n;
        }
        final int errno = Posix.errno();
        lastWriteErrno = errno;
        return IoStatus.fromErrno(errno);
    }

    @Override
    public int awaitReadable(final int timeoutMs) {
        if (fd < 0) {
            return IoStatus.CLOSED;
        }
        if (offloads && segmenter.hasNext()) {
            return 1;
        }
        pollFd.putShort(POLLFD_REVENTS_OFFSET, (short) 0);
        final int n = Posix.poll(pollFd.addressOffset(), 1, timeoutMs);
        if (n < 0) {
            final int errno = Posix.errno();
            lastReadErrno = errno;
            return errno == Posix.EINTR ? 0 : IoStatus.ERROR;
        }
        if (n == 0) {
            return 0;
        }
        final short revents = pollFd.getShort(POLLFD_REVENTS_OFFSET, ByteOrder.nativeOrder());
        if ((revents & (Posix.POLLERR | Posix.POLLHUP | Posix.POLLNVAL)) != 0) {
            // A detached TUN file polls as POLLERR (tun_chr_poll); read would say EBADFD.
            lastReadErrno = Posix.EBADFD;
            return IoStatus.DEVICE_GONE;
        }
        return 1;
    }

    @Override
    public int lastReadErrno() {
        return lastReadErrno;
    }

    @Override
    public int lastWriteErrno() {
        return lastWriteErrno;
    }

    @Override
    public int fd() {
        return fd;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public synchronized void close() {
        final int fd = this.fd;
        if (fd >= 0) {
            this.fd = -1;
            Posix.close(fd);
        }
    }

    @Override
    public String toString() {
        return "LinuxTun[" + name + ", fd " + fd + ", mtu " + mtu
                + (offloads ? (udpOffloads ? ", offloads tso+uso" : ", offloads tso") : "") + "]";
    }

    private static UnsafeBuffer ifreq(final String name) {
        final UnsafeBuffer ifreq = new UnsafeBuffer(BufferUtil.allocateDirectAligned(Posix.IFREQ_BYTES, 8));
        final byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        ifreq.putBytes(0, bytes);
        return ifreq;
    }

    private static String readName(final DirectBuffer ifreq) {
        int length = 0;
        while (length < Posix.IFNAMSIZ && ifreq.getByte(length) != 0) {
            length++;
        }
        return ifreq.getStringWithoutLengthUtf8(0, length);
    }
}
