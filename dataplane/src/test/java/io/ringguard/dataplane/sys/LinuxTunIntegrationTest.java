package io.ringguard.dataplane.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringguard.buffers.PacketSlab;
import io.ringguard.buffers.ip.IcmpEcho;
import io.ringguard.buffers.ip.InternetChecksum;
import io.ringguard.buffers.ip.IpPacket;
import io.ringguard.testkit.Exec;
import io.ringguard.testkit.ExecResult;
import io.ringguard.testkit.Netns;
import io.ringguard.testkit.Prerequisites;
import io.ringguard.testkit.Slot;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A real TUN device: created by this JVM in the root namespace, moved into a namespace of its own (the
 * descriptor keeps working), addressed {@code 198.19.k.1/24} there; the test plays the far end {@code
 * 198.19.k.2}, answering and sending pings through the descriptor.
 */
@Tag("integration")
class LinuxTunIntegrationTest {
    private static final long DEADLINE_MS = 5_000;
    private static final int IDENTIFIER = 0x5247;

    private final PacketSlab slab = new PacketSlab(2, 1500);
    private final UnsafeBuffer buffer = slab.buffer();
    private Netns netns;
    private Slot slot;
    private LinuxTun tun;
    private LinuxTun second;

    @BeforeEach
    void gate() {
        Prerequisites.requireRoot();
        Prerequisites.requireTun();
        Prerequisites.requireProgram("ip");
        Prerequisites.requireProgram("ping");
    }

    @AfterEach
    void cleanUp() {
        try {
            if (second != null) {
                second.close();
            }
            if (tun != null) {
                tun.close();
            }
        } finally {
            if (netns != null) {
                netns.close();
            }
            if (slot != null) {
                slot.close();
            }
        }
    }

    /** Opens the TUN in the root namespace, moves it into a fresh namespace and brings it up as .1/24 there. */
    private void openInNamespace() throws Exception {
        netns = Netns.create();
        final String name = netns.slot().interfaceName("rgt");
        tun = LinuxTun.open(name, TunDevice.DEFAULT_MTU);
        assertEquals(name, tun.name());
        Exec.run(Netns.IP_TIMEOUT_MS, "ip", "link", "set", name, "netns", netns.name())
                .orThrow();
        netns.ip("addr", "add", netns.slot().tunnelAddress(1) + "/24", "dev", name);
        netns.ip("link", "set", name, "up");
    }

    @Test
    void shouldDeliverWrittenPacketsToTheNamespaceAndReadItsAnswers() throws Exception {
        openInNamespace();
        final int self = address(netns.slot().tunnelAddress(2));
        final int far = address(netns.slot().tunnelAddress(1));
        final UnsafeBuffer data = new UnsafeBuffer(new byte[] {'r', 'i', 'n', 'g'});
        final int request =
                IcmpEcho.writeEchoRequest(buffer, slab.payloadOffset(0), self, far, IDENTIFIER, 7, data, 0, 4);

        assertEquals(request, tun.write(buffer, slab.payloadOffset(0), request));

        final long deadlineNs = System.nanoTime() + DEADLINE_MS * 1_000_000L;
        boolean replied = false;
        while (!replied && System.nanoTime() < deadlineNs) {
            final int length = readOne();
            replied = length > 0
                    && IcmpEcho.isEchoReply(buffer, slab.payloadOffset(1), length)
                    && IcmpEcho.identifier(buffer, slab.payloadOffset(1)) == IDENTIFIER
                    && IcmpEcho.sequence(buffer, slab.payloadOffset(1)) == 7
                    && IpPacket.ipv4SourceAddress(buffer, slab.payloadOffset(1)) == far;
        }
        assertTrue(replied, "no echo reply from " + netns.slot().tunnelAddress(1) + " within " + DEADLINE_MS + " ms");
    }

    /**
     * With USO the writer merges consecutive datagrams of one flow into one {@code GSO_UDP_L4} write; the kernel
     * must hand a socket that did not ask for {@code UDP_GRO} every datagram as it was, content and length.
     */
    @Test
    void shouldDeliverMergedUdpDatagramsToASocketOneByOne() throws Exception {
        Prerequisites.requireProgram("python3");
        netns = Netns.create();
        final String name = netns.slot().interfaceName("rgt");
        tun = LinuxTun.open(name, TunDevice.DEFAULT_MTU, true);
        assertTrue(tun.offloads(), "IFF_VNET_HDR with TSO");
        if (kernelAtLeast(6, 2)) {
            assertTrue(tun.udpOffloads(), "Linux " + System.getProperty("os.version") + " has TUN_F_USO4/6");
        }
        Exec.run(Netns.IP_TIMEOUT_MS, "ip", "link", "set", name, "netns", netns.name())
                .orThrow();
        final String far = netns.slot().tunnelAddress(1);
        netns.ip("addr", "add", far + "/24", "dev", name);
        netns.ip("link", "set", name, "up");
        final int count = 12;
        final Path log = Files.createTempFile("rg-uso", ".log");
        try {
            // Prints "ready" once bound, then one "length:sha256-prefix" per datagram until `count` or 3 s quiet.
            final String receiver = String.join(
                    "\n",
                    "import socket,hashlib,sys",
                    "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)",
                    "s.bind(('" + far + "',5201)); s.settimeout(3)",
                    "print('ready',flush=True)",
                    "out=[]",
                    "try:",
                    "  while len(out)<" + count + ":",
                    "    d=s.recv(65535); out.append('%d:%s'%(len(d),hashlib.sha256(d).hexdigest()[:16]))",
                    "except socket.timeout: pass",
                    "print(' '.join(out),flush=True)");
            final Process process = netns.spawn(log, Map.of(), "python3", "-c", receiver);
            final long deadlineNs = System.nanoTime() + DEADLINE_MS * 1_000_000L;
            while (!Files.readString(log).contains("ready") && System.nanoTime() < deadlineNs && process.isAlive()) {
                Thread.sleep(20);
            }
            assertTrue(Files.readString(log).contains("ready"), "receiver did not start: " + Files.readString(log));
            final int self = address(netns.slot().tunnelAddress(2));
            final StringBuilder expected = new StringBuilder();
            final int offset = slab.payloadOffset(0);
            for (int i = 0; i < count; i++) {
                final int payload = i == count - 1 ? 100 : 1300;
                final int length = writeUdp(buffer, offset, self, address(far), payload, i);
                assertEquals(length, tun.write(buffer, offset, length), "datagram " + i);
                final byte[] bytes = new byte[payload];
                buffer.getBytes(offset + 28, bytes);
                expected.append(expected.isEmpty() ? "" : " ")
                        .append(payload)
                        .append(':')
                        .append(HexFormat.of()
                                .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 8));
            }
            assertTrue(tun.flush() > 0, "the merged frame went out at flush");
            if (tun.udpOffloads()) {
                assertEquals(1, tun.mergedFrames(), "one GSO_UDP_L4 write");
                assertEquals(count, tun.mergedPackets());
            }
            assertTrue(process.waitFor(DEADLINE_MS, TimeUnit.MILLISECONDS), "receiver still running");
            final String[] lines = Files.readString(log).strip().split("\n");
            assertEquals(expected.toString(), lines[lines.length - 1]);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** A UDP/IPv4 datagram (source port 40000 to 5201, payload bytes from {@code seed}) with valid checksums. */
    private static int writeUdp(
            final UnsafeBuffer b,
            final int offset,
            final int source,
            final int destination,
            final int payload,
            int seed) {
        final int length = 28 + payload;
        b.setMemory(offset, 28, (byte) 0);
        b.putByte(offset, (byte) 0x45);
        b.putShort(offset + 2, (short) length, ByteOrder.BIG_ENDIAN);
        b.putShort(offset + 6, (short) 0x4000, ByteOrder.BIG_ENDIAN);
        b.putByte(offset + 8, (byte) 64);
        b.putByte(offset + 9, (byte) IpPacket.PROTOCOL_UDP);
        b.putInt(offset + 12, source, ByteOrder.BIG_ENDIAN);
        b.putInt(offset + 16, destination, ByteOrder.BIG_ENDIAN);
        InternetChecksum.writeIpv4HeaderChecksum(b, offset);
        b.putShort(offset + 20, (short) 40000, ByteOrder.BIG_ENDIAN);
        b.putShort(offset + 22, (short) 5201, ByteOrder.BIG_ENDIAN);
        b.putShort(offset + 24, (short) (8 + payload), ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < payload; i++) {
            b.putByte(offset + 28 + i, (byte) (seed * 31 + i));
        }
        long sum = InternetChecksum.ipv4PseudoHeaderSum(source, destination, IpPacket.PROTOCOL_UDP, 8 + payload);
        sum = InternetChecksum.sum(b, offset + 20, 8 + payload, sum);
        final int checksum = InternetChecksum.finish(sum);
        b.putShort(offset + 26, (short) (checksum == 0 ? 0xFFFF : checksum), ByteOrder.BIG_ENDIAN);
        return length;
    }

    private static boolean kernelAtLeast(final int major, final int minor) {
        final String[] parts = System.getProperty("os.version").split("[.-]");
        final int kernelMajor = Integer.parseInt(parts[0]);
        final int kernelMinor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        return kernelMajor > major || (kernelMajor == major && kernelMinor >= minor);
    }

    @Test
    void shouldCarryAPingFromTheNamespaceThroughJavaAndBack() throws Exception {
        openInNamespace();
        final String target = netns.slot().tunnelAddress(2);
        final CompletableFuture<ExecResult> ping = CompletableFuture.supplyAsync(
                () -> netns.exec(DEADLINE_MS + 2_000, "ping", "-n", "-c", "1", "-W", "5", target));

        // Answer echo requests until ping exits or the deadline: the whole far end is this loop.
        int answered = 0;
        final long deadlineNs = System.nanoTime() + (DEADLINE_MS + 2_000) * 1_000_000L;
        while (!ping.isDone() && System.nanoTime() < deadlineNs) {
            final int length = readOne();
            final int offset = slab.payloadOffset(1);
            if (length > 0 && IcmpEcho.isEchoRequest(buffer, offset, length)) {
                final int reply = IcmpEcho.writeEchoReply(
                        buffer,
                        slab.payloadOffset(0),
                        IpPacket.ipv4DestinationAddress(buffer, offset),
                        IpPacket.ipv4SourceAddress(buffer, offset),
                        IcmpEcho.identifier(buffer, offset),
                        IcmpEcho.sequence(buffer, offset),
                        buffer,
                        IcmpEcho.payloadOffset(buffer, offset),
                        IcmpEcho.payloadLengthBytes(buffer, offset));
                assertEquals(reply, tun.write(buffer, slab.payloadOffset(0), reply));
                answered++;
            }
        }
        final ExecResult result = ping.get(DEADLINE_MS, TimeUnit.MILLISECONDS);
        assertEquals(1, answered, "echo requests read from the TUN");
        assertTrue(result.ok(), result.describe());
    }

    @Test
    void shouldReportDeviceGoneWhenTheInterfaceIsDeleted() throws Exception {
        openInNamespace();
        netns.ip("link", "del", tun.name());

        assertEquals(IoStatus.DEVICE_GONE, tun.awaitReadable((int) DEADLINE_MS));
        assertEquals(IoStatus.DEVICE_GONE, tun.read(buffer, 0, 1500));
        assertEquals(Posix.EBADFD, tun.lastReadErrno());
        assertEquals(IoStatus.DEVICE_GONE, tun.write(buffer, 0, 20));
        assertEquals(Posix.EBADFD, tun.lastWriteErrno());
    }

    @Test
    void shouldSetTheMtuAndRefuseASecondOwnerWithTheKernelsReason() throws Exception {
        slot = Slot.claim();
        final String name = slot.interfaceName("rgt");
        tun = LinuxTun.open(name, 1380);
        assertEquals(1380, tun.mtu());
        assertTrue(linkShow(name).contains(" mtu 1380 "), linkShow(name));
        tun.mtu(1280);
        assertTrue(linkShow(name).contains(" mtu 1280 "), linkShow(name));

        final NativeIoException e = assertThrows(NativeIoException.class, () -> second = LinuxTun.open(name, 1420));
        assertEquals(Posix.EBUSY, e.errno());
        assertTrue(e.getMessage().startsWith("TUNSETIFF " + name + ": "), e.getMessage());

        tun.close();
        assertEquals(IoStatus.CLOSED, tun.read(buffer, 0, 1500));
        assertTrue(!Exec.run(Netns.IP_TIMEOUT_MS, "ip", "link", "show", name).ok(), "closing deletes the interface");
    }

    @Test
    void shouldWaitNoLongerThanTheTimeoutWhenNothingArrives() throws Exception {
        slot = Slot.claim();
        tun = LinuxTun.open(slot.interfaceName("rgt"), TunDevice.DEFAULT_MTU);
        final long startNs = System.nanoTime();

        assertEquals(0, tun.awaitReadable(50));
        assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(2), "poll timeout honoured");
        assertEquals(IoStatus.WOULD_BLOCK, tun.read(buffer, 0, 1500));
        assertEquals(Posix.EAGAIN, tun.lastReadErrno());
    }

    /** Waits briefly and reads one packet into slot 1; a length, or 0 when nothing came. */
    private int readOne() {
        if (tun.awaitReadable(100) != 1) {
            return 0;
        }
        final int n = tun.read(buffer, slab.payloadOffset(1), slab.maxPayloadBytes());
        assertTrue(n > 0 || n == IoStatus.WOULD_BLOCK, "read returned " + IoStatus.name(n));
        return Math.max(n, 0);
    }

    private static String linkShow(final String name) {
        return Exec.run(Netns.IP_TIMEOUT_MS, "ip", "-o", "link", "show", name)
                .orThrow()
                .out();
    }

    private static int address(final String dotted) throws Exception {
        return ByteBuffer.wrap(InetAddress.getByName(dotted).getAddress()).getInt();
    }
}
