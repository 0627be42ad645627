package io.ringguard.dataplane.pipeline;

import com.lmax.disruptor.EventHandler;
import io.ringguard.buffers.PacketSlab;
import io.ringguard.handshake.crypto.ChaCha20Poly1305;
import io.ringguard.handshake.message.MessageType;
import io.ringguard.handshake.message.TransportMessage;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Outbound stage 2, {@code count} workers in parallel: worker {@code ordinal} takes the events whose
 * sequence is {@code ordinal} modulo {@code count}, pads the packet to 16 bytes, writes the transport
 * header into the slot's head room and seals in place (the tag goes into the tail room).
 */
public final class EncryptWorker implements EventHandler<OutboundEvent> {
    private final int ordinal;
    private final int count;
    private final PacketSlab slab;
    private final int mtu;
    private final ChaCha20Poly1305 aead = new ChaCha20Poly1305();
    private final UnsafeBuffer noAad = new UnsafeBuffer(new byte[0]);

    public EncryptWorker(int ordinal, int count, PacketSlab slab, int mtu) {
        this.ordinal = ordinal;
        this.count = count;
        this.slab = slab;
        this.mtu = mtu;
    }

    @Override
    public void onEvent(OutboundEvent event, long sequence, boolean endOfBatch) {
        if (sequence % count != ordinal || !event.send || event.kind == OutboundEvent.KIND_HANDSHAKE) {
            return;
        }
        MutableDirectBuffer buffer = slab.buffer();
        int payload = slab.payloadOffset(event.slot);
        int header = payload - TransportMessage.HEADER_BYTES;
        int plain = event.kind == OutboundEvent.KIND_KEEPALIVE ? 0 : event.lengthBytes;
        int padded = TransportMessage.paddedLength(plain, mtu);
        if (padded > plain) {
            buffer.setMemory(payload + plain, padded - plain, (byte) 0);
        }
        MessageType.putType(buffer, header, MessageType.TRANSPORT);
        TransportMessage.receiverIndex(buffer, header, event.keypair.remoteIndex());
        TransportMessage.counter(buffer, header, event.counter);
        aead.seal(event.keypair.sendKey(), event.counter, buffer, payload, padded, noAad, 0, 0);
        event.wireLengthBytes = TransportMessage.HEADER_BYTES + padded + ChaCha20Poly1305.TAG_BYTES;
    }
}
