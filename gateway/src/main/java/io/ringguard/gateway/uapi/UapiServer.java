package io.ringguard.gateway.uapi;

import java.io.IOException;
import java.io.Writer;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UAPI stream unix socket, {@code /var/run/wireguard/IFACE.sock}, that {@code wg} and {@code
 * wg-quick} talk to.
 *
 * <ol>
 *   <li>{@link #start}: create {@code /var/run/wireguard} (0755) if missing; refuse if a live
 *       process answers on the path; remove a stale socket; bind in a private 0700 directory next
 *       to the path, chmod the socket 0600, then hard-link it into place, so nobody can connect
 *       before it is 0600 (the JDK cannot set the umask) and a socket that appeared meanwhile is
 *       never replaced (link(2) fails where rename(2) would clobber);
 *   <li>one accept thread hands each connection to its own handler thread, at most {@link
 *       Options#maxConnections()} at once; a connection past that is closed at once;
 *   <li>a handler reads lines (cut at {@link UapiLimits#maxLineChars()}) into a {@link
 *       UapiRequestParser}, answers {@code get} through {@link UapiService#writeGet}, {@code set}
 *       with the errno of {@link UapiService#set}, a malformed request with its errno, and loops
 *       until end of stream, like wireguard-go;
 *   <li>{@link #close()} stops accepting, drops open connections, and removes the socket file if
 *       it is still ours.
 * </ol>
 *
 * <p>Bounds, because the socket is the daemon's only door and a stuck or hostile client must not
 * hold it: every request must arrive within {@link Options#ioTimeout()} of the previous reply (or
 * of connecting), and every reply must be taken by the client within it; a line longer than the
 * limit is answered {@code errno=22} and the connection closed (there is no staying in step with a
 * client that sends megabytes without a newline). wireguard-go serves each connection in its own
 * goroutine with no bound and no timeout; here a handful of idle clients can delay others by at
 * most the timeout.
 *
 * <p>Secrets: bytes go from the socket into a line buffer that is wiped after each line, and the
 * parser decodes keys from a view of it; the read and write buffers are wiped after use.
 *
 * <p>Thread safety: {@link #start} and {@link #close()} from any thread; everything else runs on
 * the server's own threads.
 */
public final class UapiServer implements AutoCloseable {
    /** Where wireguard-go and {@code wg} keep UAPI sockets. */
    public static final Path SOCKET_DIR = Path.of("/var/run/wireguard");

    private static final Logger LOG = LoggerFactory.getLogger(UapiServer.class);
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final int BACKLOG = 16;
    private static final int READ_BUFFER_BYTES = 4096;
    private static final int WRITE_BUFFER_BYTES = 8192;
    private static final long CLOSE_JOIN_MS = 2_000;

    /**
     * How the server bounds its clients.
     *
     * @param limits per-request limits handed to the parser
     * @param ioTimeout time a client has to send a whole request, and to take a whole reply
     * @param maxConnections connections served at once; {@code wg} opens one per command
     */
    public record Options(UapiLimits limits, Duration ioTimeout, int maxConnections) {
        public static final Options DEFAULT = new Options(UapiLimits.DEFAULT, Duration.ofSeconds(10), 8);

        public Options {
            Objects.requireNonNull(limits, "limits");
            if (ioTimeout.isNegative() || ioTimeout.isZero() || maxConnections < 1) {
                throw new IllegalArgumentException("bad UAPI server options " + ioTimeout + ", " + maxConnections);
            }
        }
    }

    /** Another process already answers on the socket path: this interface is taken. */
    public static final class SocketInUseException extends IOException {
        SocketInUseException(String message) {
            super(message);
        }
    }

    private final Path path;
    private final Object fileKey;
    private final ServerSocketChannel server;
    private final UapiService service;
    private final Options options;
    private final Semaphore permits;
    private final ExecutorService handlers;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptThread;
    private final AtomicLong refusedConnections = new AtomicLong();
    private volatile boolean closed;

    private UapiServer(Path path, Object fileKey, ServerSocketChannel server, UapiService service, Options options) {
        this.path = path;
        this.fileKey = fileKey;
        this.server = server;
        this.service = service;
        this.options = options;
        this.permits = new Semaphore(options.maxConnections());
        String name = nameOf(path);
        AtomicInteger counter = new AtomicInteger();
        this.handlers = Executors.newThreadPerTaskExecutor(r -> {
            Thread t = new Thread(r, "ringguard-uapi-" + name + "-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.acceptThread = new Thread(this::acceptLoop, "ringguard-uapi-accept-" + name);
        this.acceptThread.setDaemon(true);
    }

    /** {@code /var/run/wireguard/IFACE.sock}, after checking that {@code iface} is a plain name. */
    public static Path socketPath(String iface) {
        if (iface.isEmpty() || iface.length() > 15 || iface.contains("/") || iface.startsWith(".")) {
            throw new IllegalArgumentException("not an interface name: " + iface);
        }
        return SOCKET_DIR.resolve(iface + ".sock");
    }

    /** Serves {@code /var/run/wireguard/IFACE.sock} with the default options. */
    public static UapiServer start(String iface, UapiService service) throws IOException {
        return start(socketPath(iface), service, Options.DEFAULT);
    }

    /**
     * Creates the socket at {@code path} and starts accepting.
     *
     * @throws SocketInUseException if another live process serves {@code path}
     * @throws IOException if the directory or socket cannot be created, or {@code path} exists and
     *     is not a socket (it is never removed then)
     */
    public static UapiServer start(Path path, UapiService service, Options options) throws IOException {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(options, "options");
        Path dir = path.toAbsolutePath().getParent();
        createSocketDir(dir);
        removeStaleSocket(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        Object fileKey;
        try {
            fileKey = bindPrivately(server, dir, path);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        UapiServer uapi = new UapiServer(path, fileKey, server, service, options);
        uapi.acceptThread.start();
        return uapi;
    }

    /** The socket path this server answers on. */
    public Path path() {
        return path;
    }

    /** Connections closed unserved because {@link Options#maxConnections()} were busy. */
    public long refusedConnections() {
        return refusedConnections.get();
    }

    /**
     * Stops accepting, closes every open connection (a {@code set} already handed to the service
     * still completes there), and deletes the socket file unless something else replaced it.
     * Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(server);
        for (SocketChannel channel : open) {
            closeQuietly(channel);
        }
        handlers.shutdownNow();
        try {
            acceptThread.join(CLOSE_JOIN_MS);
            handlers.awaitTermination(CLOSE_JOIN_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (fileKey.equals(fileKeyOf(path))) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            LOG.warn("could not remove UAPI socket " + path + ": " + e);
        }
    }

    private static void createSocketDir(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Files.createDirectories(dir);
        // createDirectories applies the umask; wg only needs to traverse it, as with wireguard-go.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Leaves nothing at {@code path}, or throws if a live server or a non-socket is there. */
    private static void removeStaleSocket(Path path) throws IOException {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if ((mode & S_IFMT) != S_IFSOCK) {
            throw new IOException(path + " exists and is not a socket; not replacing it");
        }
        if (isServed(path)) {
            throw new SocketInUseException(path + " is in use: another process serves this interface"
                    + " (ringguard or wireguard-go already running for it?)");
        }
        LOG.info("removing stale UAPI socket " + path);
        Files.deleteIfExists(path);
    }

    /** True when something accepts (or queues) connections on {@code path}. */
    private static boolean isServed(Path path) throws IOException {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            // Non-blocking, so a live server with a full backlog reads as live instead of hanging us.
            probe.configureBlocking(false);
            probe.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (ConnectException e) {
            return false;
        }
    }

    private static Object bindPrivately(ServerSocketChannel server, Path dir, Path path) throws IOException {
        Path privateDir = Files.createTempDirectory(
                dir,
                "." + path.getFileName() + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path bound = privateDir.resolve("s");
        try {
            server.bind(UnixDomainSocketAddress.of(bound), BACKLOG);
            Files.setPosixFilePermissions(bound, PosixFilePermissions.fromString("rw-------"));
            try {
                Files.createLink(path, bound);
            } catch (FileAlreadyExistsException e) {
                throw new SocketInUseException(path + " appeared while this server was starting; another process"
                        + " is starting for the same interface");
            }
            return fileKeyOf(path);
        } finally {
            Files.deleteIfExists(bound);
            Files.deleteIfExists(privateDir);
        }
    }

    private static Object fileKeyOf(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .fileKey();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static String nameOf(Path path) {
        String file = path.getFileName().toString();
        return file.endsWith(".sock") ? file.substring(0, file.length() - ".sock".length()) : file;
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                // E.g. EMFILE: wait a little rather than spin on an error that persists.
                LOG.warn("UAPI accept on " + path + " failed: " + e);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    return;
                }
                continue;
            }
            if (!permits.tryAcquire()) {
                refusedConnections.incrementAndGet();
                closeQuietly(channel);
                continue;
            }
            open.add(channel);
            try {
                handlers.execute(() -> serve(channel));
            } catch (RuntimeException e) {
                // Rejected because close() shut the executor down meanwhile.
                open.remove(channel);
                permits.release();
                closeQuietly(channel);
            }
        }
    }

    private void serve(SocketChannel channel) {
        try (Connection connection = new Connection(channel)) {
            connection.run();
        } catch (InterruptedByTimeoutException e) {
            LOG.debug("UAPI client on " + path + " timed out");
        } catch (IOException e) {
            if (!closed) {
                LOG.debug("UAPI connection on " + path + " ended: " + e);
            }
        } catch (RuntimeException e) {
            // E.g. a cancelled selection key when close() raced us; anything else is a bug worth a trace.
            if (!closed) {
                LOG.error("UAPI connection on " + path + " failed", e);
            }
        } finally {
            open.remove(channel);
            closeQuietly(channel);
            permits.release();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // Nothing left to do with it.
        }
    }

    /** One client, served by one handler thread from connect to end of stream. */
    private final class Connection implements AutoCloseable {
        private final SocketChannel channel;
        private final Selector selector;
        private final SelectionKey key;
        private final ByteBuffer in = ByteBuffer.allocate(READ_BUFFER_BYTES);
        private final char[] line;
        private final CharBuffer lineView;
        private final UapiRequestParser parser;
        private final ReplyWriter reply = new ReplyWriter();
        private int lineLength;
        private long deadlineNs;

        Connection(SocketChannel channel) throws IOException {
            this.channel = channel;
            this.selector = Selector.open();
            try {
                channel.configureBlocking(false);
                this.key = channel.register(selector, 0);
            } catch (IOException | RuntimeException e) {
                selector.close();
                throw e;
            }
            // One character more than allowed, so the parser sees an overlong line and rejects it.
            this.line = new char[options.limits().maxLineChars() + 1];
            this.lineView = CharBuffer.wrap(line);
            this.parser = new UapiRequestParser(options.limits());
            in.flip();
        }

        void run() throws IOException {
            while (!closed) {
                deadlineNs = System.nanoTime() + options.ioTimeout().toNanos();
                UapiRequest request = readRequest();
                if (request == null) {
                    return;
                }
                deadlineNs = System.nanoTime() + options.ioTimeout().toNanos();
                answer(request);
                if (request instanceof UapiRequest.Malformed && lineLength < 0) {
                    return; // an overlong line: the rest of the stream cannot be trusted to be in step
                }
                parser.reset();
            }
        }

        /** The next request; null at end of stream. {@code lineLength < 0} marks an overlong line. */
        private UapiRequest readRequest() throws IOException {
            while (true) {
                while (in.hasRemaining()) {
                    byte b = in.get();
                    if (b == '\n') {
                        boolean complete = parser.onLine(lineView.limit(lineLength));
                        wipeLine();
                        if (complete) {
                            return parser.request();
                        }
                    } else if (lineLength < line.length) {
                        line[lineLength++] = (char) (b & 0xFF);
                    } else {
                        parser.onLine(lineView.limit(lineLength));
                        wipeLine();
                        lineLength = -1;
                        wipeInput();
                        return parser.onEndOfStream();
                    }
                }
                wipeInput();
                in.clear();
                int n = read();
                in.flip();
                if (n < 0) {
                    if (lineLength > 0) {
                        parser.onLine(lineView.limit(lineLength));
                        wipeLine();
                    }
                    return parser.onEndOfStream();
                }
            }
        }

        private void answer(UapiRequest request) throws IOException {
            switch (request) {
                case UapiRequest.Get _ -> answerGet();
                case UapiRequest.Set set -> {
                    int errno;
                    try {
                        errno = service.set(set);
                    } catch (RuntimeException e) {
                        LOG.error("UAPI set failed in the service", e);
                        errno = UapiErrno.EIO;
                    }
                    UapiResponseWriter.writeErrno(reply, errno);
                    reply.flush();
                }
                case UapiRequest.Malformed malformed -> {
                    LOG.info("UAPI request rejected with errno " + malformed.errno() + ": " + malformed.message());
                    UapiResponseWriter.writeErrno(reply, malformed.errno());
                    reply.flush();
                }
            }
        }

        private void answerGet() throws IOException {
            reply.sentBytes = 0;
            try {
                service.writeGet(reply);
            } catch (RuntimeException e) {
                LOG.error("UAPI get failed in the service", e);
                if (reply.sentBytes > 0) {
                    throw new IOException("UAPI get failed mid-reply; dropping the connection", e);
                }
                reply.discard();
                UapiResponseWriter.writeErrno(reply, UapiErrno.EIO);
            }
            reply.flush();
        }

        /** Reads into {@link #in} before the deadline; -1 at end of stream. */
        private int read() throws IOException {
            int n = channel.read(in);
            while (n == 0) {
                await(SelectionKey.OP_READ);
                n = channel.read(in);
            }
            return n;
        }

        /** Waits until the channel is ready for {@code ops} or throws at the deadline. */
        private void await(int ops) throws IOException {
            long remainingNs = deadlineNs - System.nanoTime();
            if (remainingNs <= 0) {
                throw new InterruptedByTimeoutException();
            }
            if (closed || !key.isValid() || Thread.currentThread().isInterrupted()) {
                throw new ClosedChannelException();
            }
            key.interestOps(ops);
            selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remainingNs)));
            selector.selectedKeys().clear();
        }

        private void wipeLine() {
            Arrays.fill(line, 0, Math.max(lineLength, 0), '\0');
            lineLength = 0;
        }

        private void wipeInput() {
            Arrays.fill(in.array(), 0, in.limit(), (byte) 0);
        }

        @Override
        public void close() throws IOException {
            Arrays.fill(line, '\0');
            Arrays.fill(in.array(), (byte) 0);
            reply.discard();
            selector.close();
        }

        /** ASCII onto the channel through a wiped buffer, each flush bounded by the deadline. */
        private final class ReplyWriter extends Writer {
            private final ByteBuffer out = ByteBuffer.allocate(WRITE_BUFFER_BYTES);
            private long sentBytes;

            @Override
            public void write(int c) throws IOException {
                if (!out.hasRemaining()) {
                    drain();
                }
                // UAPI text is ASCII; anything else would be a bug upstream, never worth a bad byte.
                out.put(c < 0x80 ? (byte) c : (byte) '?');
            }

            @Override
            public void write(char[] chars, int offset, int length) throws IOException {
                Objects.checkFromIndexSize(offset, length, chars.length);
                for (int i = offset; i < offset + length; i++) {
                    write(chars[i]);
                }
            }

            @Override
            public void write(String text, int offset, int length) throws IOException {
                Objects.checkFromIndexSize(offset, length, text.length());
                for (int i = offset; i < offset + length; i++) {
                    write(text.charAt(i));
                }
            }

            @Override
            public void flush() throws IOException {
                drain();
            }

            /** Nothing is closed here: the connection owns the channel. */
            @Override
            public void close() {}

            void discard() {
                Arrays.fill(out.array(), (byte) 0);
                out.clear();
            }

            private void drain() throws IOException {
                out.flip();
                while (out.hasRemaining()) {
                    int n = channel.write(out);
                    sentBytes += n;
                    if (n == 0) {
                        await(SelectionKey.OP_WRITE);
                    }
                }
                discard();
            }
        }
    }
}
