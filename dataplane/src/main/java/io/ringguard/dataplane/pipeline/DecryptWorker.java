package io.ringguard.dataplane.pipeline;

import com.lmax.disruptor.EventHandler;
import io.ringguard.buffers.PacketSlab;
import io.ringguard.dataplane.counters.DataplaneCounters;
import io.ringguard.dataplane.counters.DropReason;
import io.ringguard.dataplane.device.KeypairEntry;
import io.ringguard.handshake.ProtocolConstants;
import io.ringguard.handshake.crypto.ChaCha20Poly1305;
import io.ringguard.handshake.index.IndexTable;
import io.ringguard.handshake.message.TransportMessage;
import io.ringguard.handshake.noise.Keypair;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Inbound stage 1, {@code count} workers in parallel ({@code sequence % count == ordinal}): finds the
 * keypair by receiver index and opens the packet in place. Nothing about the peer changes here; the
 * in-order finisher acts only on packets this stage authenticated.
 */
public final class DecryptWorker implements EventHandler<InboundEvent> {
    private final int ordinal;
    private final int count;
    private final PacketSlab slab;
    private final IndexTable<Object> indices;
    private final DataplaneCounters counters;
    private final ChaCha20Poly1305 aead = new ChaCha20Poly1305();
    private final UnsafeBuffer noAad = new UnsafeBuffer(new byte[0]);
    private long nowNs;

    public DecryptWorker(
            int ordinal, int count, PacketSlab slab, IndexTable<Object> indices, DataplaneCounters counters) {
        this.ordinal = ordinal;
        this.count = count;
        this.slab = slab;
        this.indices = indices;
        this.counters = counters;
    }

    @Override
    public void onEvent(InboundEvent event, long sequence, boolean endOfBatch) {
        if (sequence % count != ordinal) {
            return;
        }
        if (nowNs == 0 || endOfBatch) {
            nowNs = System.nanoTime();
        }
        int header = slab.slotOffset(event.slot);
        Object entry = indices.lookup(TransportMessage.receiverIndex(slab.buffer(), header));
        if (!(entry instanceof KeypairEntry session)) {
            counters.drop(DropReason.UNKNOWN_INDEX);
            return;
        }
        Keypair keypair = session.keypair();
        if (!keypair.valid() || keypair.expired(nowNs)) {
            counters.drop(DropReason.EXPIRED_KEYPAIR);
            return;
        }
        long counter = TransportMessage.counter(slab.buffer(), header);
        if (Long.compareUnsigned(counter, ProtocolConstants.REJECT_AFTER_MESSAGES) >= 0) {
            counters.drop(DropReason.REPLAY);
            return;
        }
        int sealed = event.datagramLengthBytes - TransportMessage.HEADER_BYTES;
        if (!aead.open(
                keypair.receiveKey(),
                counter,
                slab.buffer(),
                header + TransportMessage.HEADER_BYTES,
                sealed,
                noAad,
                0,
                0)) {
            counters.drop(DropReason.BAD_MAC);
            return;
        }
        event.peer = session.peer();
        event.keypair = keypair;
        event.counter = counter;
        event.plaintextLengthBytes = sealed - ChaCha20Poly1305.TAG_BYTES;
        event.accepted = true;
    }
}
