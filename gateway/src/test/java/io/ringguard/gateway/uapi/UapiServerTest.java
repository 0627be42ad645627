package io.ringguard.gateway.uapi;

import static io.ringguard.gateway.uapi.UapiSetTest.BASE;
import static io.ringguard.gateway.uapi.UapiSetTest.C;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.dataplane.config.DeviceConfig;
import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The UAPI socket against an in-memory service, over real unix sockets in a temporary directory. */
@Timeout(20)
class UapiServerTest {
    /** Roomy enough that a loaded machine never trips it in the tests that are not about it. */
    private static final UapiServer.Options OPTIONS =
            new UapiServer.Options(UapiLimits.DEFAULT, Duration.ofSeconds(5), 4);

    private static final UapiServer.Options SHORT_TIMEOUT =
            new UapiServer.Options(UapiLimits.DEFAULT, Duration.ofSeconds(1), 4);

    @TempDir
    Path dir;

    private UapiServer server;

    @AfterEach
    void closeServer() {
        if (server != null) {
            server.close();
        }
    }

    private UapiServer start(UapiService service, UapiServer.Options options) throws IOException {
        server = UapiServer.start(dir.resolve("wireguard").resolve("rgtest.sock"), service, options);
        return server;
    }

    static SocketChannel connect(Path path) throws IOException {
        return SocketChannel.open(UnixDomainSocketAddress.of(path));
    }

    static void send(SocketChannel channel, String text) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Reads one whole reply (through {@code errno=N} and the empty line); "EOF" if the server hung up first. */
    static String readReply(SocketChannel channel) throws IOException {
        StringBuilder reply = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (!(reply.toString().endsWith("\n\n") && reply.toString().contains("errno="))) {
            one.clear();
            int n;
            try {
                n = channel.read(one);
            } catch (IOException reset) {
                n = -1; // ECONNRESET: the server closed with our unread bytes still queued
            }
            if (n < 0) {
                return reply + "EOF";
            }
            reply.append((char) one.get(0));
        }
        return reply.toString();
    }

    static String request(Path path, String text) throws IOException {
        try (SocketChannel channel = connect(path)) {
            send(channel, text);
            return readReply(channel);
        }
    }

    static String expectedGet(DeviceConfig config) throws IOException {
        StringWriter out = new StringWriter();
        UapiResponseWriter.writeGet(out, config, config.listenPort(), key -> null);
        return out.toString();
    }

    @Test
    void shouldAnswerGetAndApplySet() throws IOException {
        InMemoryUapiService service = new InMemoryUapiService(BASE);
        Path path = start(service, OPTIONS).path();

        assertEquals(expectedGet(BASE), request(path, "get=1\n\n"));
        assertEquals("errno=0\n\n", request(path, "set=1\nlisten_port=4242\npublic_key=" + C + "\n\n"));
        assertEquals(4242, service.config().listenPort());
        assertTrue(service.config().peer(UapiSetTest.key(C)).isPresent());
        assertEquals(expectedGet(service.config()), request(path, "get=1\n\n"));
    }

    @Test
    void shouldServeSeveralRequestsOnOneConnectionLikeWireguardGo() throws IOException {
        InMemoryUapiService service = new InMemoryUapiService(BASE);
        Path path = start(service, OPTIONS).path();
        try (SocketChannel channel = connect(path)) {
            send(channel, "set=1\nlisten_port=1\n\nbogus\n\nget=1\n\n");
            assertEquals("errno=0\n\n", readReply(channel));
            assertEquals("errno=22\n\n", readReply(channel));
            assertEquals(expectedGet(service.config()), readReply(channel));
        }
        assertEquals(1, service.config().listenPort());
    }

    @Test
    void shouldRejectABadSetWholeWithEinval() throws IOException {
        InMemoryUapiService service = new InMemoryUapiService(BASE);
        Path path = start(service, OPTIONS).path();
        assertEquals("errno=22\n\n", request(path, "set=1\nlisten_port=7\nlisten_port=99999\n\n"));
        assertEquals(BASE, service.config());
        assertTrue(service.requests().isEmpty(), "a malformed set never reaches the service");
    }

    @Test
    void shouldPassTheServicesErrnoToTheClient() throws IOException {
        InMemoryUapiService service = new InMemoryUapiService(BASE, port -> UapiErrno.EADDRINUSE);
        Path path = start(service, OPTIONS).path();
        assertEquals("errno=98\n\n", request(path, "set=1\nlisten_port=7\n\n"));
        assertEquals(BASE, service.config());
    }

    @Test
    void shouldApplyASetCutShortByEndOfStream() throws IOException {
        InMemoryUapiService service = new InMemoryUapiService(BASE);
        Path path = start(service, OPTIONS).path();
        try (SocketChannel channel = connect(path)) {
            send(channel, "set=1\nlisten_port=5\n");
            channel.shutdownOutput();
            assertEquals("errno=0\n\n", readReply(channel));
            assertEquals("EOF", readReply(channel));
        }
        assertEquals(5, service.config().listenPort());
    }

    @Test
    void shouldAnswerEioWhenTheServiceFails() throws IOException {
        UapiService failing = new UapiService() {
            @Override
            public void writeGet(Writer out) {
                throw new IllegalStateException("dataplane gone");
            }

            @Override
            public int set(UapiRequest.Set request) {
                throw new IllegalStateException("dataplane gone");
            }
        };
        Path path = start(failing, OPTIONS).path();
        assertEquals("errno=5\n\n", request(path, "get=1\n\n"));
        assertEquals("errno=5\n\n", request(path, "set=1\nlisten_port=5\n\n"));
    }

    @Test
    void shouldCreateTheDirectoryAndA0600Socket() throws IOException {
        Path path = start(new InMemoryUapiService(BASE), OPTIONS).path();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(path.getParent())));
        try (var entries = Files.list(path.getParent())) {
            assertEquals(List.of(path), entries.toList(), "the private bind directory is gone");
        }
    }

    @Test
    void shouldReplaceAStaleSocket() throws IOException {
        Path path = dir.resolve("wireguard").resolve("rgtest.sock");
        Files.createDirectories(path.getParent());
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(path));
        }
        assertTrue(Files.exists(path), "closing a unix server socket leaves its file behind");
        assertThrows(ConnectException.class, () -> connect(path).close());

        start(new InMemoryUapiService(BASE), OPTIONS);
        assertEquals(expectedGet(BASE), request(path, "get=1\n\n"));
    }

    @Test
    void shouldRefuseASecondServerOnALiveSocket() throws IOException {
        Path path = start(new InMemoryUapiService(BASE), OPTIONS).path();
        UapiServer.SocketInUseException e = assertThrows(
                UapiServer.SocketInUseException.class,
                () -> UapiServer.start(path, new InMemoryUapiService(DeviceConfig.EMPTY), OPTIONS));
        assertTrue(e.getMessage().contains(path.toString()), e.getMessage());
        assertEquals(expectedGet(BASE), request(path, "get=1\n\n"), "the first server still answers");
    }

    @Test
    void shouldNeverReplaceSomethingThatIsNotASocket() throws IOException {
        Path path = dir.resolve("wireguard").resolve("rgtest.sock");
        Files.createDirectories(path.getParent());
        Files.writeString(path, "not a socket");
        IOException e = assertThrows(IOException.class, () -> start(new InMemoryUapiService(BASE), OPTIONS));
        assertTrue(e.getMessage().contains("not a socket"), e.getMessage());
        assertEquals("not a socket", Files.readString(path));
    }

    @Test
    void shouldAnswerAMegabyteLineWithEinvalAndKeepServing() throws Exception {
        InMemoryUapiService service = new InMemoryUapiService(BASE);
        Path path = start(service, OPTIONS).path();
        try (SocketChannel channel = connect(path)) {
            // The server stops reading after the limit, so the flood blocks: write it from another thread.
            CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> {
                try {
                    send(channel, "set=1\nprivate_key=" + "a".repeat(1 << 20));
                } catch (IOException expected) {
                    // The server hung up mid-flood.
                }
            });
            assertEquals("errno=22\n\n", readReply(channel));
            assertEquals("EOF", readReply(channel), "an overlong line ends the connection");
            flood.get();
        }
        assertEquals(expectedGet(BASE), request(path, "get=1\n\n"));
        assertTrue(service.requests().isEmpty());
    }

    @Test
    void shouldNotLetASilentClientBlockOthers() throws IOException {
        Path path = start(new InMemoryUapiService(BASE), SHORT_TIMEOUT).path();
        try (SocketChannel silent = connect(path);
                SocketChannel halfway = connect(path)) {
            send(halfway, "get=1\n");
            assertEquals(expectedGet(BASE), request(path, "get=1\n\n"));
            // Both are dropped after the I/O timeout, having sent no complete request.
            assertEquals("EOF", readReply(silent));
            assertEquals("EOF", readReply(halfway));
        }
    }

    @Test
    void shouldRefuseConnectionsPastTheLimit() throws IOException {
        UapiServer.Options one = new UapiServer.Options(UapiLimits.DEFAULT, Duration.ofSeconds(5), 1);
        Path path = start(new InMemoryUapiService(BASE), one).path();
        try (SocketChannel first = connect(path)) {
            send(first, "get=1\n\n");
            assertEquals(expectedGet(BASE), readReply(first)); // now it surely holds the only slot
            try (SocketChannel second = connect(path)) {
                assertEquals("EOF", readReply(second));
            }
            assertEquals(1, server.refusedConnections());
        }
    }

    @Test
    void shouldRemoveTheSocketOnClose() throws IOException {
        Path path = start(new InMemoryUapiService(BASE), OPTIONS).path();
        SocketChannel open = connect(path);
        server.close();
        assertFalse(Files.exists(path));
        assertEquals("EOF", readReply(open), "open connections are dropped");
        open.close();
        server.close(); // idempotent
    }

    @Test
    void shouldLeaveASocketThatIsNoLongerItsOwn() throws IOException {
        Path path = start(new InMemoryUapiService(BASE), OPTIONS).path();
        Files.delete(path);
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.bind(UnixDomainSocketAddress.of(path));
            server.close();
            assertTrue(Files.exists(path), "another server's socket survives our close()");
        }
    }

    @Test
    void shouldBuildTheWireguardSocketPath() {
        assertEquals(Path.of("/var/run/wireguard/wg0.sock"), UapiServer.socketPath("wg0"));
        for (String bad : new String[] {"", "../etc", "a/b", ".hidden", "sixteen-chars-xx"}) {
            assertInstanceOf(
                    IllegalArgumentException.class,
                    assertThrows(RuntimeException.class, () -> UapiServer.socketPath(bad)),
                    bad);
        }
    }
}
