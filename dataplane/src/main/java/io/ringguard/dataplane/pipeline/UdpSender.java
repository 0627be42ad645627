package io.ringguard.dataplane.pipeline;

import com.lmax.disruptor.EventHandler;
import io.ringguard.buffers.PacketSlab;
import io.ringguard.buffers.SlotPool;
import io.ringguard.dataplane.counters.DataplaneCounters;
import io.ringguard.dataplane.counters.DropReason;
import io.ringguard.dataplane.counters.LatencySink;
import io.ringguard.dataplane.device.Peer;
import io.ringguard.dataplane.device.PeerEndpoint;
import io.ringguard.dataplane.sys.DatagramBatch;
import io.ringguard.dataplane.sys.IoStatus;
import io.ringguard.dataplane.sys.Posix;
import io.ringguard.dataplane.sys.UdpSocket;
import io.ringguard.handshake.message.TransportMessage;
import java.util.concurrent.locks.LockSupport;

/**
 * Outbound stage 3, one thread, after every encrypt worker: sends in ring order, one {@code sendmmsg}
 * per address family per batch (flushed at the ring's end of batch), counts bytes per peer, and
 * releases every slot that reaches it (sent or dropped upstream).
 */
public final class UdpSender implements EventHandler<OutboundEvent> {
    private static final int MAX_WOULD_BLOCK_RETRIES = 200;

    private final PacketSlab slab;
    private final SlotPool pool;
    private final DataplaneCounters counters;
    private final Family v4;
    private final Family v6;
    private LatencySink latency = LatencySink.NONE;
    private long lastIngressNs;
    private volatile UdpSocket socket4;
    private volatile UdpSocket socket6;

    public UdpSender(PacketSlab slab, SlotPool pool, DataplaneCounters counters, int batchSize) {
        this.slab = slab;
        this.pool = pool;
        this.counters = counters;
        this.v4 = new Family(batchSize, slab);
        this.v6 = new Family(batchSize, slab);
    }

    /** Control thread: the sockets to send on (replaced when the listen port changes). */
    public void sockets(UdpSocket ipv4, UdpSocket ipv6) {
        socket4 = ipv4;
        socket6 = ipv6;
    }

    /**
     * Where the batch latency goes (TUN read to {@code sendmmsg} of the batch's last TUN packet). Set
     * before the pipeline starts; the thread start publishes it.
     */
    public void latencySink(LatencySink sink) {
        latency = sink;
    }

    @Override
    public void onEvent(OutboundEvent event, long sequence, boolean endOfBatch) {
        if (event.send && event.ingressNs != 0) {
            lastIngressNs = event.ingressNs;
        }
        if (event.send) {
            Family family = event.endpoint.family() == Posix.AF_INET6 ? v6 : v4;
            int i = family.count;
            int offset = slab.payloadOffset(event.slot);
            int length = event.lengthBytes;
            if (event.kind != OutboundEvent.KIND_HANDSHAKE) {
                offset -= TransportMessage.HEADER_BYTES;
                length = event.wireLengthBytes;
            }
            family.batch.payload(i, offset, length);
            family.batch.length(i, length);
            event.endpoint.copyTo(family.batch.endpoints(), i * DatagramBatch.ENDPOINT_RECORD_BYTES);
            family.slots[i] = event.slot;
            family.peers[i] = event.peer;
            family.data[i] = event.kind == OutboundEvent.KIND_DATA;
            family.count = i + 1;
            if (family.count == family.slots.length) {
                flush(family, family == v6 ? socket6 : socket4);
            }
        } else if (event.slot >= 0) {
            pool.release(event.slot);
        }
        event.clearReferences();
        if (endOfBatch) {
            flush(v4, socket4);
            flush(v6, socket6);
            if (lastIngressNs != 0) {
                latency.record(System.nanoTime() - lastIngressNs);
                lastIngressNs = 0;
            }
        }
    }

    private void flush(Family family, UdpSocket socket) {
        int count = family.count;
        if (count == 0) {
            return;
        }
        int sent = 0;
        int retries = 0;
        long nowNs = System.nanoTime();
        while (sent < count) {
            int r = socket == null ? IoStatus.CLOSED : socket.send(family.batch, sent, count - sent);
            if (r > 0) {
                for (int i = sent; i < sent + r; i++) {
                    Peer peer = family.peers[i];
                    if (peer != null) {
                        peer.sent(family.batch.length(i), family.data[i], nowNs);
                    }
                }
                sent += r;
            } else if (r == IoStatus.WOULD_BLOCK && retries++ < MAX_WOULD_BLOCK_RETRIES) {
                // The socket buffer is full: give the kernel a moment rather than drop a whole batch.
                LockSupport.parkNanos(20_000);
            } else if (r == IoStatus.ERROR && family.batch.localFamily(sent) != 0) {
                // The cached source address is gone (address removed, route changed): send from
                // whatever the kernel picks, and stop pinning this peer to the old address.
                family.batch.clearLocal(sent);
                Peer peer = family.peers[sent];
                PeerEndpoint endpoint = peer == null ? null : peer.endpoint();
                if (endpoint != null) {
                    peer.endpoint(endpoint.withoutLocal());
                }
            } else {
                counters.drop(DropReason.SEND_FAILED);
                sent++;
            }
        }
        for (int i = 0; i < count; i++) {
            pool.release(family.slots[i]);
            family.peers[i] = null;
        }
        family.count = 0;
    }

    /** One address family's pending datagrams. */
    private static final class Family {
        final DatagramBatch batch;
        final int[] slots;
        final Peer[] peers;
        final boolean[] data;
        int count;

        Family(int capacity, PacketSlab slab) {
            batch = new DatagramBatch(capacity, slab.buffer());
            slots = new int[capacity];
            peers = new Peer[capacity];
            data = new boolean[capacity];
        }
    }
}
