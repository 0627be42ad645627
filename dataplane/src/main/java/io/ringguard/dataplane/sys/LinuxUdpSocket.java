package io.ringguard.dataplane.sys;

import java.lang.ref.Reference;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A Linux UDP socket of one family, non-blocking, moving {@link DatagramBatch}es with one {@code recvmmsg}
 * or {@code sendmmsg} per batch, so the fixed cost of a native call (see {@code NativeCallBenchmark}) is
 * shared by the whole batch.
 *
 * <p>The {@code mmsghdr}, {@code iovec} and control-message arrays are allocated once per socket, one set
 * for the receiver thread and one for the sender thread, with each entry's {@code msg_iov} and {@code
 * msg_control} pointing at its own slot for good. A call only writes the per-datagram fields (payload
 * address and length, the batch's endpoint record as {@code msg_name}); the kernel writes the source
 * address straight into the batch's endpoint record, so nothing is copied or allocated.
 *
 * <p>With {@link #udpGro(boolean)} on, messages land in a {@link CoalescedMessages}' 64 KiB buffers instead
 * and are split into the batch's entries, one datagram per entry, by a copy.
 *
 * <p>IPv6 sockets are {@code IPV6_V6ONLY}: the gateway opens one socket per family, as wireguard-go does.
 * Each received datagram carries its local destination ({@code IP_PKTINFO}: {@code ipi_spec_dst}, the
 * address to answer from; {@code IPV6_PKTINFO}) and a send with a local address set sends from it. On send
 * the interface index is passed only for IPv6 link-local sources; otherwise routing picks the interface,
 * so a reply still leaves after routes change.
 */
public final class LinuxUdpSocket implements UdpSocket {
    // struct msghdr / mmsghdr (LP64).
    static final int MSG_NAME_OFFSET = 0;
    static final int MSG_NAMELEN_OFFSET = 8;
    static final int MSG_IOV_OFFSET = 16;
    static final int MSG_IOVLEN_OFFSET = 24;
    static final int MSG_CONTROL_OFFSET = 32;
    static final int MSG_CONTROLLEN_OFFSET = 40;
    static final int MSG_FLAGS_OFFSET = 48;
    static final int MMSG_LEN_OFFSET = 56;
    static final int MMSGHDR_BYTES = 64;
    // struct iovec.
    static final int IOV_BASE_OFFSET = 0;
    static final int IOV_LEN_OFFSET = 8;
    static final int IOVEC_BYTES = 16;
    // struct cmsghdr: size_t len, int level, int type, then data aligned to 8.
    static final int CMSG_LEN_OFFSET = 0;
    static final int CMSG_LEVEL_OFFSET = 8;
    static final int CMSG_TYPE_OFFSET = 12;
    static final int CMSG_DATA_OFFSET = 16;
    // struct in_pktinfo { int ifindex; in_addr spec_dst; in_addr addr; }, struct in6_pktinfo { in6_addr; int }.
    static final int IN_PKTINFO_BYTES = 12;
    static final int IN_PKTINFO_SPEC_DST_OFFSET = 4;
    static final int IN6_PKTINFO_BYTES = 20;
    static final int IN6_PKTINFO_IFINDEX_OFFSET = 16;
    /** Room for one pktinfo message per datagram (CMSG_SPACE(20) = 40), rounded up to keep entries aligned. */
    static final int CONTROL_BYTES = 64;

    /** Datagrams per {@code UDP_SEGMENT} send; the kernel allows 64 (older) or 128 ({@code UDP_MAX_SEGMENTS}). */
    static final int GSO_MAX_SEGMENTS = 64;
    /** Payload bytes per {@code UDP_SEGMENT} send: below the IPv4 limit of 65535 - 20 - 8. */
    static final int GSO_MAX_BYTES = 65_000;
    /** The part of an endpoint record that must match for datagrams to share one send: remote and local. */
    private static final int ENDPOINT_MATCH_BYTES = DatagramBatch.LOCAL_FAMILY_OFFSET + 4;

    /**
     * Most messages one GRO receive asks for (each 64 KiB of buffer): 32 uncoalesced datagrams fill a default
     * batch, and 2 MiB per socket stays small next to the slab.
     */
    static final int GRO_MAX_MESSAGES = 32;

    /** Largest batch: the kernel's UIO_MAXIOV caps one recvmmsg/sendmmsg. */
    public static final int MAX_BATCH = 1024;

    private static final ByteOrder HOST = ByteOrder.nativeOrder();

    private final int family;
    private final int boundPort;
    private final int maxBatch;
    private volatile int fd;
    private final Vectors receiveVectors;
    private final Vectors sendVectors;
    private final UnsafeBuffer pollFd = new UnsafeBuffer(BufferUtil.allocateDirectAligned(8, 8));
    // Setup and control thread only (option calls), guarded by this.
    private final UnsafeBuffer scratch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 8));
    private int lastReceiveErrno;
    private int lastSendErrno;
    // Sender thread: whether runs of equal datagrams go out as one UDP_SEGMENT message; turned off for good
    // when the kernel refuses one (EIO: the route's device cannot checksum, EINVAL: too old).
    private boolean gso;
    // Set on the setup thread before the receiver starts (Thread.start orders it); null while GRO is off.
    private CoalescedMessages coalesced;
    // Receiver thread: datagrams per message in the last GRO receive, to size the next one.
    private int datagramsPerMessage = 1;
    // Sender thread: datagrams carried by each message of the last sendmmsg, to turn messages into datagrams.
    private final int[] messageDatagrams;

    /** The native arrays of one direction: mmsghdr[maxBatch], iovec[maxBatch], control[maxBatch]. */
    private static final class Vectors {
        final UnsafeBuffer headers;
        final UnsafeBuffer iovecs;
        final UnsafeBuffer control;

        Vectors(final int maxBatch) {
            headers = new UnsafeBuffer(BufferUtil.allocateDirectAligned(maxBatch * MMSGHDR_BYTES, 64));
            iovecs = new UnsafeBuffer(BufferUtil.allocateDirectAligned(maxBatch * IOVEC_BYTES, 64));
            control = new UnsafeBuffer(BufferUtil.allocateDirectAligned(maxBatch * CONTROL_BYTES, 64));
            for (int i = 0; i < maxBatch; i++) {
                final int h = i * MMSGHDR_BYTES;
                headers.putLong(h + MSG_IOV_OFFSET, iovecs.addressOffset() + (long) i * IOVEC_BYTES);
                headers.putLong(h + MSG_IOVLEN_OFFSET, 1L);
                headers.putLong(h + MSG_CONTROL_OFFSET, control.addressOffset() + (long) i * CONTROL_BYTES);
            }
        }
    }

    private LinuxUdpSocket(final int fd, final int family, final int boundPort, final int maxBatch) {
        this.fd = fd;
        this.family = family;
        this.boundPort = boundPort;
        this.maxBatch = maxBatch;
        this.receiveVectors = new Vectors(maxBatch);
        this.sendVectors = new Vectors(maxBatch);
        this.messageDatagrams = new int[maxBatch];
        pollFd.putInt(0, fd, HOST);
        pollFd.putShort(4, Posix.POLLIN, HOST);
    }

    /**
     * Opens a non-blocking UDP socket for {@code family}, asks for packet info, and binds it; setup thread.
     *
     * @param family {@link Posix#AF_INET} or {@link Posix#AF_INET6}.
     * @param bindAddress local address, or {@code null} for the wildcard of the family.
     * @param port 0..65535; 0 lets the kernel pick, see {@link #boundPort()}.
     * @param maxBatch the largest {@code count} {@link #receive} and {@link #send} will be given, 1..1024.
     * @throws NativeIoException when a call fails, e.g. "bind: Address already in use".
     */
    public static LinuxUdpSocket open(
            final int family, final InetAddress bindAddress, final int port, final int maxBatch)
            throws NativeIoException {
        if (family != Posix.AF_INET && family != Posix.AF_INET6) {
            throw new IllegalArgumentException("family must be AF_INET or AF_INET6, got " + family);
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        if (maxBatch < 1 || maxBatch > MAX_BATCH) {
            throw new IllegalArgumentException("batch must be 1.." + MAX_BATCH + ", got " + maxBatch);
        }
        final InetAddress local = bindAddress != null
                ? bindAddress
                : family == Posix.AF_INET ? anyAddress(new byte[4]) : anyAddress(new byte[16]);
        if ((family == Posix.AF_INET) != (local instanceof Inet4Address)) {
            throw new IllegalArgumentException(
                    "bind address " + local.getHostAddress() + " is not of family " + family);
        }
        final int fd = Posix.socket(family, Posix.SOCK_DGRAM | Posix.SOCK_NONBLOCK | Posix.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw NativeIoException.lastError("socket");
        }
        boolean opened = false;
        try {
            final UnsafeBuffer scratch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 8));
            if (family == Posix.AF_INET6) {
                setIntOption(fd, scratch, Posix.IPPROTO_IPV6, Posix.IPV6_V6ONLY, 1, "IPV6_V6ONLY");
                setIntOption(fd, scratch, Posix.IPPROTO_IPV6, Posix.IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO");
            } else {
                setIntOption(fd, scratch, Posix.IPPROTO_IP, Posix.IP_PKTINFO, 1, "IP_PKTINFO");
            }
            final int addressLength = SockAddr.write(scratch, 0, new InetSocketAddress(local, port));
            if (Posix.bind(fd, scratch.addressOffset(), addressLength) < 0) {
                throw NativeIoException.lastError("bind " + SockAddr.format(scratch, 0));
            }
            scratch.setMemory(0, 64, (byte) 0);
            scratch.putInt(32, SockAddr.MAX_LENGTH_BYTES, HOST);
            if (Posix.getsockname(fd, scratch.addressOffset(), scratch.addressOffset() + 32) < 0) {
                throw NativeIoException.lastError("getsockname");
            }
            final int boundPort = SockAddr.port(scratch, 0);
            Reference.reachabilityFence(scratch);
            final LinuxUdpSocket socket = new LinuxUdpSocket(fd, family, boundPort, maxBatch);
            opened = true;
            return socket;
        } finally {
            if (!opened) {
                Posix.close(fd);
            }
        }
    }

    /**
     * Asks for a receive buffer of {@code bytes}: {@code SO_RCVBUFFORCE} (root/CAP_NET_ADMIN, ignores {@code
     * net.core.rmem_max}), else {@code SO_RCVBUF} (capped by it). Setup or control thread.
     *
     * @return the effective size the kernel reports (it doubles the request for bookkeeping overhead).
     */
    public synchronized int receiveBufferBytes(final int bytes) throws NativeIoException {
        return setBufferSize(Posix.SO_RCVBUFFORCE, Posix.SO_RCVBUF, bytes, "SO_RCVBUF");
    }

    /** As {@link #receiveBufferBytes(int)} for the send buffer ({@code SO_SNDBUFFORCE}, {@code SO_SNDBUF}). */
    public synchronized int sendBufferBytes(final int bytes) throws NativeIoException {
        return setBufferSize(Posix.SO_SNDBUFFORCE, Posix.SO_SNDBUF, bytes, "SO_SNDBUF");
    }

    /** The kernel's current receive buffer size. */
    public synchronized int receiveBufferBytes() throws NativeIoException {
        return getIntOption(Posix.SOL_SOCKET, Posix.SO_RCVBUF, "SO_RCVBUF");
    }

    /** The kernel's current send buffer size. */
    public synchronized int sendBufferBytes() throws NativeIoException {
        return getIntOption(Posix.SOL_SOCKET, Posix.SO_SNDBUF, "SO_SNDBUF");
    }

    /**
     * Sets {@code SO_MARK} (the UAPI {@code fwmark}; 0 removes it), so policy routing can keep tunnel traffic
     * off the tunnel. Needs CAP_NET_ADMIN. Setup or control thread.
     */
    public synchronized void fwmark(final int mark) throws NativeIoException {
        setIntOption(fd, scratch, Posix.SOL_SOCKET, Posix.SO_MARK, mark, "SO_MARK");
    }

    /** The current {@code SO_MARK}. */
    public synchronized int fwmark() throws NativeIoException {
        return getIntOption(Posix.SOL_SOCKET, Posix.SO_MARK, "SO_MARK");
    }

    @Override
    public int receive(final DatagramBatch batch, final int count) {
        final int fd = this.fd;
        if (fd < 0) {
            return IoStatus.CLOSED;
        }
        if (batch.payloadBuffer().byteArray() != null) {
            // A heap buffer has no stable address for the kernel: a wiring bug, refused before the syscall.
            lastReceiveErrno = Posix.EFAULT;
            return IoStatus.ERROR;
        }
        final int n = Math.min(count, maxBatch);
        final CoalescedMessages coalesced = this.coalesced;
        if (coalesced == null) {
            return receiveMessages(fd, batch, n, null);
        }
        // GRO: hand out what the last call left first; receive again only once all of it is out, since the
        // pending datagrams live in the same message buffers.
        final int filled = coalesced.split(batch, 0, n);
        if (filled == n) {
            return filled;
        }
        final int rest = n - filled;
        final int messages =
                Math.min(coalesced.capacity(), Math.max(1, (rest + datagramsPerMessage - 1) / datagramsPerMessage));
        final int received = receiveMessages(fd, coalesced.messages(), messages, coalesced);
        if (received <= 0) {
            return filled > 0 ? filled : received;
        }
        coalesced.loaded(received);
        return filled + coalesced.split(batch, filled, rest);
    }

    /**
     * One {@code recvmmsg} of up to {@code n} messages into entries {@code 0 .. n - 1} of {@code target}; with
     * {@code coalesced} it also reads each message's {@code UDP_GRO} segment size into it.
     */
    private int receiveMessages(
            final int fd, final DatagramBatch target, final int n, final CoalescedMessages coalesced) {
        final UnsafeBuffer headers = receiveVectors.headers;
        final UnsafeBuffer iovecs = receiveVectors.iovecs;
        final long payloadAddress = target.payloadBuffer().addressOffset();
        final long endpointsAddress = target.endpoints().addressOffset();
        for (int i = 0; i < n; i++) {
            final int h = i * MMSGHDR_BYTES;
            headers.putLong(h + MSG_NAME_OFFSET, endpointsAddress + DatagramBatch.remoteOffset(i));
            headers.putInt(h + MSG_NAMELEN_OFFSET, SockAddr.MAX_LENGTH_BYTES);
            // The kernel overwrites controllen with what it wrote, so it is reset every call.
            headers.putLong(h + MSG_CONTROLLEN_OFFSET, CONTROL_BYTES);
            headers.putInt(h + MSG_FLAGS_OFFSET, 0);
            final int v = i * IOVEC_BYTES;
            iovecs.putLong(v + IOV_BASE_OFFSET, payloadAddress + target.payloadOffset(i));
            iovecs.putLong(v + IOV_LEN_OFFSET, target.payloadCapacity(i));
        }
        final int received = Posix.recvmmsg(fd, headers.addressOffset(), n, 0, 0L);
        if (received <= 0) {
            if (received == 0) {
                return IoStatus.WOULD_BLOCK;
            }
            final int errno = Posix.errno();
            lastReceiveErrno = errno;
            return errno == Posix.EAGAIN || errno == Posix.EINTR ? IoStatus.WOULD_BLOCK : IoStatus.ERROR;
        }
        int datagrams = 0;
        for (int i = 0; i < received; i++) {
            final int h = i * MMSGHDR_BYTES;
            final int flags = headers.getInt(h + MSG_FLAGS_OFFSET);
            final int lengthBytes = headers.getInt(h + MMSG_LEN_OFFSET);
            target.length(i, (flags & Posix.MSG_TRUNC) != 0 ? DatagramBatch.TRUNCATED : lengthBytes);
            final int segmentBytes = readControl(
                    receiveVectors.control,
                    i * CONTROL_BYTES,
                    (int) headers.getLong(h + MSG_CONTROLLEN_OFFSET),
                    target,
                    i);
            if (coalesced != null) {
                // A cut control area may have lost the segment size: splitting by a guess would hand on garbage.
                final int segment = (flags & Posix.MSG_CTRUNC) != 0 ? CoalescedMessages.BAD_SEGMENT : segmentBytes;
                coalesced.segmentBytes(i, segment);
                datagrams += segment > 0 && lengthBytes > segment ? (lengthBytes + segment - 1) / segment : 1;
            }
        }
        if (coalesced != null) {
            // How many messages the next call asks for: enough to fill a batch if runs stay this long.
            datagramsPerMessage = Math.max(1, datagrams / received);
        }
        return received;
    }

    /**
     * Reads a message's control messages, {@code controlLengthBytes} at {@code base} of {@code control}: its
     * local destination into entry {@code i}'s endpoint record of {@code target}, and its {@code UDP_GRO}
     * segment size. Receiver thread (tests call it with a hand-made control area).
     *
     * @return the segment size, {@link CoalescedMessages#SINGLE} when there is none, or {@link
     *     CoalescedMessages#BAD_SEGMENT} when it is below 1 or the control messages cannot be walked.
     */
    static int readControl(
            final UnsafeBuffer control,
            final int base,
            final int controlLengthBytes,
            final DatagramBatch target,
            final int i) {
        int segmentBytes = CoalescedMessages.SINGLE;
        boolean local = false;
        int offset = 0;
        while (offset + CMSG_DATA_OFFSET <= controlLengthBytes) {
            final int cmsgLength = (int) control.getLong(base + offset + CMSG_LEN_OFFSET);
            if (cmsgLength < CMSG_DATA_OFFSET || offset + cmsgLength > controlLengthBytes) {
                segmentBytes = CoalescedMessages.BAD_SEGMENT;
                break;
            }
            final int level = control.getInt(base + offset + CMSG_LEVEL_OFFSET);
            final int type = control.getInt(base + offset + CMSG_TYPE_OFFSET);
            final int data = base + offset + CMSG_DATA_OFFSET;
            if (level == Posix.IPPROTO_IP
                    && type == Posix.IP_PKTINFO
                    && cmsgLength >= CMSG_DATA_OFFSET + IN_PKTINFO_BYTES) {
                target.localIpv4(
                        i,
                        control.getInt(data + IN_PKTINFO_SPEC_DST_OFFSET, ByteOrder.BIG_ENDIAN),
                        control.getInt(data, HOST));
                local = true;
            } else if (level == Posix.IPPROTO_IPV6
                    && type == Posix.IPV6_PKTINFO
                    && cmsgLength >= CMSG_DATA_OFFSET + IN6_PKTINFO_BYTES) {
                target.localIpv6(
                        i,
                        control.getLong(data, ByteOrder.BIG_ENDIAN),
                        control.getLong(data + 8, ByteOrder.BIG_ENDIAN),
                        control.getInt(data + IN6_PKTINFO_IFINDEX_OFFSET, HOST));
                local = true;
            } else if (level == Posix.SOL_UDP && type == Posix.UDP_GRO) {
                final int size = cmsgLength >= CMSG_DATA_OFFSET + 4 ? control.getInt(data, HOST) : 0;
                segmentBytes = size > 0 ? size : CoalescedMessages.BAD_SEGMENT;
            }
            offset += align8(cmsgLength);
        }
        if (!local) {
            target.clearLocal(i);
        }
        return segmentBytes;
    }

    /**
     * Turns UDP generic receive offload on or off ({@code UDP_GRO}): with it the kernel may hand one receive
     * a run of coalesced datagrams, which {@link #receive} splits back into one entry each. Setup thread,
     * before the receiver thread starts. When the kernel refuses the option, receive stays as it was.
     *
     * @return whether receives now take coalesced runs.
     */
    public synchronized boolean udpGro(final boolean enable) {
        scratch.putInt(0, enable ? 1 : 0, HOST);
        if (Posix.setsockopt(fd, Posix.SOL_UDP, Posix.UDP_GRO, scratch.addressOffset(), 4) == 0) {
            if (!enable) {
                coalesced = null;
            } else if (coalesced == null) {
                coalesced = new CoalescedMessages(Math.min(maxBatch, GRO_MAX_MESSAGES));
            }
        }
        return coalesced != null;
    }

    /** Datagrams per message in the last GRO receive (1 without GRO); receiver thread or tests. */
    int datagramsPerMessage() {
        return datagramsPerMessage;
    }

    /** Whether receives take coalesced runs ({@code UDP_GRO}). */
    public synchronized boolean udpGro() {
        return coalesced != null;
    }

    /**
     * Turns UDP generic segmentation offload on or off for sends ({@code UDP_SEGMENT}); sender or setup thread.
     * Only takes effect when the kernel knows the option.
     *
     * @return whether sends now use it.
     */
    public boolean udpGso(final boolean enable) {
        if (!enable) {
            gso = false;
            return false;
        }
        synchronized (this) {
            scratch.putInt(0, 0, HOST);
            scratch.putInt(8, 4, HOST);
            gso = Posix.getsockopt(
                            fd, Posix.SOL_UDP, Posix.UDP_SEGMENT, scratch.addressOffset(), scratch.addressOffset() + 8)
                    == 0;
        }
        return gso;
    }

    /** Whether sends use {@code UDP_SEGMENT}; sender thread. */
    public boolean udpGso() {
        return gso;
    }

    @Override
    public int send(final DatagramBatch batch, final int first, final int count) {
        final int fd = this.fd;
        if (fd < 0) {
            return IoStatus.CLOSED;
        }
        if (batch.payloadBuffer().byteArray() != null) {
            lastSendErrno = Posix.EFAULT;
            return IoStatus.ERROR;
        }
        final int n = Math.min(count, maxBatch);
        final UnsafeBuffer headers = sendVectors.headers;
        final UnsafeBuffer iovecs = sendVectors.iovecs;
        final UnsafeBuffer endpoints = batch.endpoints();
        final long payloadAddress = batch.payloadBuffer().addressOffset();
        final long endpointsAddress = endpoints.addressOffset();
        int messages = 0;
        int k = 0;
        while (k < n) {
            final int entry = first + k;
            final int size = batch.length(entry);
            // A run: same endpoint record, every datagram `size` bytes except a shorter last one (UDP_SEGMENT
            // cuts the concatenated payload every `size` bytes).
            int run = 1;
            int bytes = size;
            if (gso) {
                while (k + run < n
                        && run < GSO_MAX_SEGMENTS
                        && batch.length(entry + run - 1) == size
                        && batch.length(entry + run) <= size
                        && bytes + batch.length(entry + run) <= GSO_MAX_BYTES
                        && sameEndpoint(endpoints, entry, entry + run)) {
                    bytes += batch.length(entry + run);
                    run++;
                }
            }
            final int h = messages * MMSGHDR_BYTES;
            final int remote = DatagramBatch.remoteOffset(entry);
            headers.putLong(h + MSG_NAME_OFFSET, endpointsAddress + remote);
            headers.putInt(h + MSG_NAMELEN_OFFSET, SockAddr.lengthBytes(endpoints, remote));
            headers.putLong(h + MSG_IOV_OFFSET, iovecs.addressOffset() + (long) k * IOVEC_BYTES);
            headers.putLong(h + MSG_IOVLEN_OFFSET, run);
            int control = writePacketInfo(batch, entry, messages);
            if (run > 1) {
                control += writeSegmentSize(messages, control, size);
            }
            headers.putLong(h + MSG_CONTROLLEN_OFFSET, control);
            headers.putInt(h + MSG_FLAGS_OFFSET, 0);
            for (int j = 0; j < run; j++) {
                final int v = (k + j) * IOVEC_BYTES;
                iovecs.putLong(v + IOV_BASE_OFFSET, payloadAddress + batch.payloadOffset(entry + j));
                iovecs.putLong(v + IOV_LEN_OFFSET, batch.length(entry + j));
            }
            messageDatagrams[messages++] = run;
            k += run;
        }
        final int sent = Posix.sendmmsg(fd, headers.addressOffset(), messages, 0);
        if (sent > 0) {
            int datagrams = 0;
            for (int m = 0; m < sent; m++) {
                datagrams += messageDatagrams[m];
            }
            return datagrams;
        }
        if (sent == 0) {
            return IoStatus.WOULD_BLOCK;
        }
        final int errno = Posix.errno();
        lastSendErrno = errno;
        if (gso && messageDatagrams[0] > 1 && (errno == Posix.EIO || errno == Posix.EINVAL)) {
            // The kernel refused segmentation for this path: send one datagram per message from now on.
            gso = false;
            return send(batch, first, count);
        }
        return errno == Posix.EAGAIN || errno == Posix.EINTR ? IoStatus.WOULD_BLOCK : IoStatus.ERROR;
    }

    private static boolean sameEndpoint(final UnsafeBuffer endpoints, final int a, final int b) {
        final int x = a * DatagramBatch.ENDPOINT_RECORD_BYTES;
        final int y = b * DatagramBatch.ENDPOINT_RECORD_BYTES;
        for (int i = 0; i < ENDPOINT_MATCH_BYTES; i += 8) {
            final int width = Math.min(8, ENDPOINT_MATCH_BYTES - i);
            if (width == 8
                    ? endpoints.getLong(x + i) != endpoints.getLong(y + i)
                    : endpoints.getInt(x + i) != endpoints.getInt(y + i)) {
                return false;
            }
        }
        return true;
    }

    /** Appends a {@code UDP_SEGMENT} control message after {@code offset} bytes of message {@code k}'s control. */
    private int writeSegmentSize(final int k, final int offset, final int segmentBytes) {
        final UnsafeBuffer control = sendVectors.control;
        final int base = k * CONTROL_BYTES + offset;
        control.putLong(base + CMSG_LEN_OFFSET, CMSG_DATA_OFFSET + 2);
        control.putInt(base + CMSG_LEVEL_OFFSET, Posix.SOL_UDP);
        control.putInt(base + CMSG_TYPE_OFFSET, Posix.UDP_SEGMENT);
        control.putShort(base + CMSG_DATA_OFFSET, (short) segmentBytes, HOST);
        return align8(CMSG_DATA_OFFSET + 2);
    }

    /** Writes the source-address control message for datagram {@code k} of a send; returns its length or 0. */
    private int writePacketInfo(final DatagramBatch batch, final int entry, final int k) {
        final int localFamily = batch.localFamily(entry);
        if (localFamily != family) {
            return 0;
        }
        final UnsafeBuffer control = sendVectors.control;
        final int base = k * CONTROL_BYTES;
        final int data = base + CMSG_DATA_OFFSET;
        if (family == Posix.AF_INET) {
            control.putLong(base + CMSG_LEN_OFFSET, CMSG_DATA_OFFSET + IN_PKTINFO_BYTES);
            control.putInt(base + CMSG_LEVEL_OFFSET, Posix.IPPROTO_IP);
            control.putInt(base + CMSG_TYPE_OFFSET, Posix.IP_PKTINFO);
            control.putInt(data, 0);
            control.putInt(data + IN_PKTINFO_SPEC_DST_OFFSET, batch.localIpv4Address(entry), ByteOrder.BIG_ENDIAN);
            control.putInt(data + 8, 0);
            return align8(CMSG_DATA_OFFSET + IN_PKTINFO_BYTES);
        }
        final long high = batch.localIpv6AddressHigh(entry);
        control.putLong(base + CMSG_LEN_OFFSET, CMSG_DATA_OFFSET + IN6_PKTINFO_BYTES);
        control.putInt(base + CMSG_LEVEL_OFFSET, Posix.IPPROTO_IPV6);
        control.putInt(base + CMSG_TYPE_OFFSET, Posix.IPV6_PKTINFO);
        control.putLong(data, high, ByteOrder.BIG_ENDIAN);
        control.putLong(data + 8, batch.localIpv6AddressLow(entry), ByteOrder.BIG_ENDIAN);
        // fe80::/10 needs its interface; any other address is left to routing.
        final boolean linkLocal = (high >>> 54) == (0xfe80L >>> 6);
        control.putInt(data + IN6_PKTINFO_IFINDEX_OFFSET, linkLocal ? batch.localIfindex(entry) : 0, HOST);
        return align8(CMSG_DATA_OFFSET + IN6_PKTINFO_BYTES);
    }

    @Override
    public int awaitReadable(final int timeoutMs) {
        if (fd < 0) {
            return IoStatus.CLOSED;
        }
        final CoalescedMessages coalesced = this.coalesced;
        if (coalesced != null && coalesced.pending()) {
            // Datagrams of the last run are still here; the kernel's queue may well be empty.
            return 1;
        }
        pollFd.putShort(6, (short) 0);
        final int n = Posix.poll(pollFd.addressOffset(), 1, timeoutMs);
        if (n < 0) {
            final int errno = Posix.errno();
            lastReceiveErrno = errno;
            return errno == Posix.EINTR ? 0 : IoStatus.ERROR;
        }
        return n == 0 ? 0 : 1;
    }

    @Override
    public int lastReceiveErrno() {
        return lastReceiveErrno;
    }

    @Override
    public int lastSendErrno() {
        return lastSendErrno;
    }

    @Override
    public int family() {
        return family;
    }

    @Override
    public int boundPort() {
        return boundPort;
    }

    @Override
    public int fd() {
        return fd;
    }

    /** The largest batch this socket's arrays hold. */
    public int maxBatch() {
        return maxBatch;
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
        return "LinuxUdpSocket[" + (family == Posix.AF_INET ? "IPv4" : "IPv6") + ", port " + boundPort + ", fd " + fd
                + "]";
    }

    private int setBufferSize(final int forceOption, final int option, final int bytes, final String name)
            throws NativeIoException {
        if (bytes < 1) {
            throw new IllegalArgumentException(name + " must be positive, got " + bytes);
        }
        scratch.putInt(0, bytes, HOST);
        if (Posix.setsockopt(fd, Posix.SOL_SOCKET, forceOption, scratch.addressOffset(), 4) < 0) {
            final int errno = Posix.errno();
            if (errno != Posix.EPERM) {
                throw new NativeIoException(name + "FORCE " + bytes, errno, "");
            }
            // Without CAP_NET_ADMIN the kernel caps the size at net.core.{r,w}mem_max instead of failing.
            setIntOption(fd, scratch, Posix.SOL_SOCKET, option, bytes, name);
        }
        return getIntOption(Posix.SOL_SOCKET, option, name);
    }

    private int getIntOption(final int level, final int option, final String name) throws NativeIoException {
        scratch.putInt(0, 0);
        scratch.putInt(8, 4, HOST);
        if (Posix.getsockopt(fd, level, option, scratch.addressOffset(), scratch.addressOffset() + 8) < 0) {
            throw NativeIoException.lastError("getsockopt " + name);
        }
        return scratch.getInt(0, HOST);
    }

    private static void setIntOption(
            final int fd,
            final UnsafeBuffer scratch,
            final int level,
            final int option,
            final int value,
            final String name)
            throws NativeIoException {
        scratch.putInt(0, value, HOST);
        if (Posix.setsockopt(fd, level, option, scratch.addressOffset(), 4) < 0) {
            throw NativeIoException.lastError("setsockopt " + name + " " + value);
        }
    }

    private static int align8(final int value) {
        return (value + 7) & ~7;
    }

    private static InetAddress anyAddress(final byte[] zeros) {
        try {
            return InetAddress.getByAddress(zeros);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("cannot happen for a 4 or 16 byte address", e);
        }
    }
}
