package io.ringguard.gateway.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A UDP relay in the root namespace between a peer and RingGuard, so the test sees real WireGuard
 * datagrams (to replay or tamper with them) and RingGuard sees the peer at the relay's address.
 *
 * <pre>
 *   peer --&gt; peerSide (bound in root ns) ==relay==&gt; targetSide (bound in root ns) --&gt; target (RingGuard)
 *   peer &lt;-- peerSide                    &lt;==relay== targetSide                    &lt;-- target
 * </pre>
 *
 * <p>One thread per direction, blocking receives; {@link #close()} closes both sockets, which ends
 * the threads, and waits for them (bounded). The last datagrams from the peer are kept for the test.
 */
final class UdpRelay implements AutoCloseable {
    private static final int MAX_DATAGRAM_BYTES = 65_535;
    private static final int CAPTURED_DATAGRAMS = 64;
    private static final long JOIN_TIMEOUT_MS = 2_000;

    private final DatagramChannel peerSide;
    private final DatagramChannel targetSide;
    private final InetSocketAddress target;
    private final Deque<byte[]> fromPeer = new ArrayDeque<>();
    private final Thread toTarget;
    private final Thread toPeer;
    private volatile SocketAddress peer;

    /**
     * @param peerSideBind where the peer sends (its endpoint for RingGuard)
     * @param targetSideBind where RingGuard sees the peer
     * @param target RingGuard's underlay address and port
     */
    UdpRelay(InetSocketAddress peerSideBind, InetSocketAddress targetSideBind, InetSocketAddress target)
            throws IOException {
        this.target = target;
        this.peerSide = DatagramChannel.open().bind(peerSideBind);
        try {
            this.targetSide = DatagramChannel.open().bind(targetSideBind);
        } catch (IOException e) {
            peerSide.close();
            throw e;
        }
        toTarget = Thread.ofPlatform().daemon().name("relay-to-target").start(this::relayToTarget);
        toPeer = Thread.ofPlatform().daemon().name("relay-to-peer").start(this::relayToPeer);
    }

    /** The port the peer sends to. */
    int peerSidePort() throws IOException {
        return ((InetSocketAddress) peerSide.getLocalAddress()).getPort();
    }

    /** The port RingGuard sees the peer's datagrams come from. */
    int targetSidePort() throws IOException {
        return ((InetSocketAddress) targetSide.getLocalAddress()).getPort();
    }

    /** The most recent datagram from the peer whose first byte is {@code type} and longer than {@code minBytes}. */
    synchronized byte[] lastFromPeer(int type, int minBytes) {
        for (var it = fromPeer.descendingIterator(); it.hasNext(); ) {
            byte[] datagram = it.next();
            if (datagram[0] == type && datagram.length > minBytes) {
                return datagram.clone();
            }
        }
        return null;
    }

    private synchronized void capture(ByteBuffer datagram) {
        byte[] copy = new byte[datagram.remaining()];
        datagram.duplicate().get(copy);
        if (fromPeer.size() == CAPTURED_DATAGRAMS) {
            fromPeer.removeFirst();
        }
        fromPeer.addLast(copy);
    }

    private void relayToTarget() {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_DATAGRAM_BYTES);
        try {
            while (true) {
                buffer.clear();
                peer = peerSide.receive(buffer);
                buffer.flip();
                capture(buffer);
                targetSide.send(buffer, target);
            }
        } catch (ClosedChannelException e) {
            // close(): the relay is done.
        } catch (IOException e) {
            System.err.println("relay to target stopped: " + e);
        }
    }

    private void relayToPeer() {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_DATAGRAM_BYTES);
        try {
            while (true) {
                buffer.clear();
                targetSide.receive(buffer);
                buffer.flip();
                SocketAddress to = peer;
                if (to != null) {
                    peerSide.send(buffer, to);
                }
            }
        } catch (ClosedChannelException e) {
            // close(): the relay is done.
        } catch (IOException e) {
            System.err.println("relay to peer stopped: " + e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            peerSide.close();
        } finally {
            targetSide.close();
        }
        try {
            toTarget.join(JOIN_TIMEOUT_MS);
            toPeer.join(JOIN_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
